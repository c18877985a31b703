//! Every chart in `charts/` installs on the sandbox with its defaults (lobsters with
//! `tls.enabled=true`, monolith with `secure.enabled=true`), upgrades in place, and uninstalls
//! leaving nothing behind: no object that names the release, no release record, no dependent
//! (ReplicaSets, Pods) left over. CRDs stay, as Helm leaves them by design, and so do objects
//! the chart marks `helm.sh/resource-policy: keep` (kube-cert-manager's certificate store).
//! lobsters with TLS asks for a `Certificate`, whose CRD kube-cert-manager installs: that test
//! installs kube-cert-manager first, as a user would.

mod common;

use std::path::Path;

use common::sandbox_env::SandboxEnv;
use serde_json::Value;

/// A sandbox with no namespace made: each test's releases make their own.
fn start() -> SandboxEnv {
    SandboxEnv::start_without_namespace()
}

impl SandboxEnv {
    /// Every object in the sandbox, as (resource, namespace, name, object).
    fn objects(&self) -> Vec<(String, String, String, Value)> {
        self.sandbox.with_state(|s| {
            let keys: Vec<_> = s.store.keys().cloned().collect();
            keys.into_iter()
                .filter_map(|k| {
                    s.store.get(&k).map(|o| {
                        (
                            k.resource.clone(),
                            k.namespace.clone(),
                            k.name.clone(),
                            o.clone(),
                        )
                    })
                })
                .collect()
        })
    }

    /// Objects that belong to `release`: annotated with it, or a release record of it, or
    /// owned (ownerReferences) by something that is gone-or-annotated.
    fn leftovers(&self, release: &str) -> Vec<String> {
        let objects = self.objects();
        let uids: std::collections::HashSet<String> = objects
            .iter()
            .filter_map(|(_, _, _, o)| o.pointer("/metadata/uid").and_then(Value::as_str))
            .map(str::to_string)
            .collect();
        objects
            .iter()
            .filter(|(resource, _, name, o)| {
                let annotated = o
                    .pointer("/metadata/annotations/meta.helm.sh~1release-name")
                    .and_then(Value::as_str)
                    == Some(release);
                let record = resource == "secrets"
                    && name.starts_with(&format!("sh.helm.release.v1.{release}.v"));
                let orphan = o
                    .pointer("/metadata/ownerReferences")
                    .and_then(Value::as_array)
                    .is_some_and(|refs| {
                        refs.iter()
                            .any(|r| r["uid"].as_str().is_some_and(|u| !uids.contains(u)))
                    });
                let kept = o
                    .pointer("/metadata/annotations/helm.sh~1resource-policy")
                    .and_then(Value::as_str)
                    == Some("keep");
                resource != "customresourcedefinitions" && !kept && (annotated || record || orphan)
            })
            .map(|(resource, ns, name, _)| format!("{resource} {ns}/{name}"))
            .collect()
    }
}

fn chart(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("charts")
        .join(name)
        .display()
        .to_string()
}

fn status_of(env: &SandboxEnv, release: &str, ns: &str) -> Value {
    serde_json::from_str(&env.ok(&["status", release, "-n", ns, "-o", "json"])).unwrap()
}

/// Install with `set`, upgrade in place (same chart and values), uninstall; check each step.
fn install_upgrade_uninstall(name: &str, set: &[&str]) {
    install_upgrade_uninstall_after(name, set, None)
}

/// As [`install_upgrade_uninstall`], after installing the chart `prerequisite` (left installed).
fn install_upgrade_uninstall_after(name: &str, set: &[&str], prerequisite: Option<&str>) {
    let env = start();
    if let Some(pre) = prerequisite {
        let path = chart(pre);
        env.ok(&["install", pre, &path, "-n", "infra", "--create-namespace"]);
    }
    let ns = format!("ns-{name}");
    let release = format!("r-{name}");
    let mut install = vec!["install", &release, "--create-namespace", "-n", &ns];
    let path = chart(name);
    install.insert(2, &path);
    for s in set {
        install.extend(["--set", s]);
    }
    env.ok(&install);
    let status = status_of(&env, &release, &ns);
    assert_eq!(status["info"]["status"], "deployed", "{name}: {status}");
    assert_eq!(status["version"], 1);
    // Every rendered object exists and names the release.
    let owned = env
        .objects()
        .into_iter()
        .filter(|(_, _, _, o)| {
            o.pointer("/metadata/annotations/meta.helm.sh~1release-name")
                .and_then(Value::as_str)
                == Some(release.as_str())
        })
        .count();
    let documents = status["manifest"]
        .as_str()
        .unwrap()
        .matches("\nkind: ")
        .count();
    assert!(documents > 0, "{name}: empty manifest");
    assert_eq!(
        owned, documents,
        "{name}: objects carrying the release annotation"
    );

    let mut upgrade = vec!["upgrade", &release, &path, "-n", &ns];
    for s in set {
        upgrade.extend(["--set", s]);
    }
    env.ok(&upgrade);
    let status = status_of(&env, &release, &ns);
    assert_eq!(status["info"]["status"], "deployed", "{name}: {status}");
    assert_eq!(status["version"], 2);

    env.ok(&["uninstall", &release, "-n", &ns]);
    // Deletion of dependents (ReplicaSets, Pods) is asynchronous, as in a cluster.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let left = env.leftovers(&release);
        if left.is_empty() {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{name}: left behind after uninstall: {left:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
}

#[test]
fn cloudflare_sync() {
    install_upgrade_uninstall("cloudflare-sync", &[]);
}

#[test]
fn crystal_www_example() {
    install_upgrade_uninstall("crystal-www-example", &[]);
}

#[test]
fn haproxy_lb() {
    install_upgrade_uninstall("haproxy-lb", &[]);
}

#[test]
fn kube_cert_manager() {
    install_upgrade_uninstall("kube-cert-manager", &[]);
}

#[test]
fn lobsters_with_tls() {
    install_upgrade_uninstall_after("lobsters", &["tls.enabled=true"], Some("kube-cert-manager"));
}

#[test]
fn monolith_secure() {
    install_upgrade_uninstall("monolith", &["secure.enabled=true"]);
}

#[test]
fn nginx() {
    install_upgrade_uninstall("nginx", &[]);
}

#[test]
fn nginx_proxy() {
    install_upgrade_uninstall("nginx-proxy", &[]);
}

#[test]
fn personal_cluster() {
    install_upgrade_uninstall("personal-cluster", &[]);
}

#[test]
fn redis() {
    install_upgrade_uninstall("redis", &[]);
}
