//! Failure semantics that leave nothing behind (issue 5 §3 and its faults), driven through the
//! binary against an in-process sandbox and checked with kubectl: an install with
//! `--rollback-on-failure` that fails after some objects were created (a 403 on a later kind; a
//! 422 inside a concurrent group) leaves the namespace exactly as it was, release record
//! included; a failed upgrade with `--rollback-on-failure` deletes what it created and rolls
//! back ("Rollback to 1", the old values live again); `--cleanup-on-fail` deletes what the
//! upgrade created without rolling back; without either flag a failure is recorded failed and
//! its objects stay (Helm's behaviour); uninstall after the objects were deleted by hand
//! succeeds and says they were already gone.

mod common;

use std::path::{Path, PathBuf};

use common::sandbox_env::SandboxEnv;
use rudder::release::Status;

const NS: &str = "apps";

const CHART_YAML: &str = "apiVersion: v2\nname: fail\nversion: 0.1.0\n";

const VALUES: &str = "message: one\nextra: false\nbadConfigMap: false\nbadService: false\ndeployment: false\nhooks: false\n";

const CONFIGMAP: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ Release.Name }}-config
data:
  message: "{{ Values.message }}"
"#;

const SECRET: &str = r#"apiVersion: v1
kind: Secret
metadata:
  name: {{ Release.Name }}-secret
stringData:
  token: abc
"#;

const EXTRA: &str = r#"{% if Values.extra -%}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ Release.Name }}-extra-a
data:
  a: b
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ Release.Name }}-extra-b
data:
  a: b
{%- endif %}
{% if Values.badConfigMap %}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: Bad_Name
data:
  a: b
{%- endif %}
"#;

const SERVICE: &str = r#"apiVersion: v1
kind: Service
metadata:
  name: {{ Release.Name }}-svc
spec:
  selector:
    app: {{ Release.Name }}
  ports:
    - port: 80
{% if Values.badService %}
---
apiVersion: v1
kind: Service
metadata:
  name: 9-not-a-dns-1035-label
spec:
  ports:
    - port: 80
{%- endif %}
"#;

const DEPLOYMENT: &str = r#"{% if Values.deployment -%}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ Release.Name }}-app
  annotations:
    sandbox.rudder.dev/simulate: never-ready
spec:
  replicas: 1
  selector:
    matchLabels:
      app: {{ Release.Name }}
  template:
    metadata:
      labels:
        app: {{ Release.Name }}
    spec:
      containers:
        - name: app
          image: nginx
{%- endif %}
"#;

/// A pre-install hook that succeeds (kept by the default policy) and a post-install Job that
/// fails.
const HOOKS: &str = r#"{% if Values.hooks -%}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ Release.Name }}-pre-hook
  annotations:
    helm.sh/hook: pre-install
data:
  a: b
---
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ Release.Name }}-post-job
  annotations:
    helm.sh/hook: post-install
    sandbox.rudder.dev/simulate: fail
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: job
          image: busybox
{%- endif %}
"#;

/// A sandbox with namespace `apps` and the `fail` chart written.
fn start() -> SandboxEnv {
    let env = SandboxEnv::start(NS);
    write_chart(&env.chart());
    env
}

impl SandboxEnv {
    fn chart(&self) -> PathBuf {
        self.path("fail")
    }

    /// What `kubectl get all,cm,secret -n apps` lists, one `kind/name` a line, sorted.
    fn namespace_listing(&self) -> Vec<String> {
        let out = self.kubectl_ok(&["get", "all,cm,secret", "-n", NS, "-o", "name"]);
        let mut names: Vec<String> = out.lines().map(str::to_string).collect();
        names.sort();
        names
    }

    /// `data.message` of ConfigMap `name`, through kubectl.
    fn message(&self, name: &str) -> String {
        self.kubectl_ok(&[
            "get",
            "configmap",
            name,
            "-n",
            NS,
            "-o",
            "jsonpath={.data.message}",
        ])
    }
}

fn write_chart(dir: &Path) {
    let templates = dir.join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    std::fs::write(dir.join("Chart.yaml"), CHART_YAML).unwrap();
    std::fs::write(dir.join("values.yaml"), VALUES).unwrap();
    for (file, text) in [
        ("configmap.yaml", CONFIGMAP),
        ("secret.yaml", SECRET),
        ("extra.yaml", EXTRA),
        ("service.yaml", SERVICE),
        ("deployment.yaml", DEPLOYMENT),
        ("hooks.yaml", HOOKS),
    ] {
        std::fs::write(templates.join(file), text).unwrap();
    }
}

fn chart_arg(env: &SandboxEnv) -> String {
    env.chart().display().to_string()
}

#[test]
fn install_rejected_after_objects_were_created_leaves_nothing_behind() {
    let env = start();
    let chart = chart_arg(&env);
    let before = env.namespace_listing();
    // Services are refused: the Secret and ConfigMap (earlier in install order) are created
    // first, then the Service is a 403.
    env.deny(&format!("patch:services:{NS}"));
    let err = env.fails(&["install", "web", &chart, "--rollback-on-failure"]);
    assert!(
        err.contains(
            "release web failed, and has been uninstalled due to rollback-on-failure being set:"
        ),
        "{err}"
    );
    assert!(
        err.contains("web-svc"),
        "the reason names the object: {err}"
    );
    assert!(
        err.contains("deleted the 2 objects it had created"),
        "{err}"
    );
    assert_eq!(env.namespace_listing(), before, "nothing is left behind");
    assert!(env.statuses("web").is_empty(), "no release record is kept");
    // The name is free again: once the cluster allows Services the same install works.
    env.sandbox.clear_deny_rules();
    env.ok(&["install", "web", &chart, "--atomic"]);
    assert_eq!(env.statuses("web"), vec![(1, Status::Deployed)]);
    assert_eq!(env.message("web-config"), "one");
}

#[test]
fn install_with_a_partly_failed_concurrent_group_deletes_what_the_group_created() {
    let env = start();
    let chart = chart_arg(&env);
    let before = env.namespace_listing();
    // Three ConfigMaps (plus the config one) applied concurrently as one group; one name is
    // invalid (422), the others are created in the same group before the error is seen.
    let err = env.fails(&[
        "install",
        "web",
        &chart,
        "--set",
        "extra=true,badConfigMap=true",
        "--rollback-on-failure",
    ]);
    assert!(err.contains("has been uninstalled"), "{err}");
    assert!(err.contains("Bad_Name"), "{err}");
    assert_eq!(env.namespace_listing(), before, "nothing is left behind");
    assert!(env.statuses("web").is_empty());
}

#[test]
fn failed_install_without_the_flag_is_recorded_failed_and_keeps_its_objects() {
    let env = start();
    let chart = chart_arg(&env);
    env.deny(&format!("patch:services:{NS}"));
    let err = env.fails(&["install", "web", &chart]);
    assert!(!err.contains("uninstalled"), "{err}");
    assert_eq!(env.statuses("web"), vec![(1, Status::Failed)]);
    let rec = env.release("web", 1);
    assert!(
        rec.info.description.starts_with("Release \"web\" failed: "),
        "{}",
        rec.info.description
    );
    assert!(rec.info.description.contains("web-svc"));
    let listing = env.namespace_listing();
    assert!(
        listing.contains(&"configmap/web-config".to_string()),
        "{listing:?}"
    );
}

/// Installs revision 1 (message one, no extras); returns the chart path.
fn installed(env: &SandboxEnv) -> String {
    let chart = chart_arg(env);
    env.ok(&["install", "web", &chart]);
    assert_eq!(env.message("web-config"), "one");
    chart
}

/// The upgrade that fails: new values, two new ConfigMaps (created), then a Service with an
/// invalid name (422) after the ConfigMap group.
const FAILING_UPGRADE: &str = "message=two,extra=true,badService=true";

#[test]
fn upgrade_with_rollback_on_failure_restores_the_previous_revision_and_deletes_new_objects() {
    let env = start();
    let chart = installed(&env);
    let before = env.namespace_listing();
    let err = env.fails(&[
        "upgrade",
        "web",
        &chart,
        "--set",
        FAILING_UPGRADE,
        "--rollback-on-failure",
    ]);
    assert!(
        err.contains(
            "release web failed, and has been rolled back due to rollback-on-failure being set:"
        ),
        "{err}"
    );
    assert!(err.contains("9-not-a-dns-1035-label"), "{err}");
    assert!(
        err.contains("deleted the 2 objects it had created"),
        "{err}"
    );
    // The old values are live again, the new objects are gone.
    assert_eq!(env.message("web-config"), "one");
    let after: Vec<String> = env
        .namespace_listing()
        .into_iter()
        .filter(|n| !n.starts_with("secret/sh.helm.release.v1.web."))
        .collect();
    let before: Vec<String> = before
        .into_iter()
        .filter(|n| !n.starts_with("secret/sh.helm.release.v1.web."))
        .collect();
    assert_eq!(after, before);
    assert_eq!(
        env.statuses("web"),
        vec![
            (1, Status::Superseded),
            (2, Status::Failed),
            (3, Status::Deployed)
        ]
    );
    assert!(
        env.release("web", 2)
            .info
            .description
            .starts_with("Upgrade \"web\" failed: ")
    );
    assert_eq!(env.release("web", 3).info.description, "Rollback to 1");
    let history = env.ok(&["history", "web"]);
    assert!(history.contains("Rollback to 1"), "{history}");
}

#[test]
fn upgrade_with_cleanup_on_fail_deletes_new_objects_without_rolling_back() {
    let env = start();
    let chart = installed(&env);
    let err = env.fails(&[
        "upgrade",
        "web",
        &chart,
        "--set",
        FAILING_UPGRADE,
        "--cleanup-on-fail",
    ]);
    assert!(!err.contains("rolled back"), "{err}");
    assert!(
        err.contains("deleted the 2 objects it had created"),
        "{err}"
    );
    let listing = env.namespace_listing();
    assert!(
        !listing.iter().any(|n| n.contains("web-extra")),
        "{listing:?}"
    );
    // No rollback: the updated ConfigMap keeps the failed revision's value, history has no
    // rollback revision.
    assert_eq!(env.message("web-config"), "two");
    assert_eq!(
        env.statuses("web"),
        vec![(1, Status::Deployed), (2, Status::Failed)]
    );
}

#[test]
fn failed_upgrade_without_flags_leaves_its_new_objects_as_helm_does() {
    let env = start();
    let chart = installed(&env);
    env.fails(&["upgrade", "web", &chart, "--set", FAILING_UPGRADE]);
    let listing = env.namespace_listing();
    assert!(
        listing.contains(&"configmap/web-extra-a".to_string()),
        "{listing:?}"
    );
    assert_eq!(
        env.statuses("web"),
        vec![(1, Status::Deployed), (2, Status::Failed)]
    );
}

#[test]
fn uninstall_after_objects_were_deleted_by_hand_reports_them_gone() {
    let env = start();
    installed(&env);
    env.kubectl_ok(&["delete", "configmap", "web-config", "-n", NS]);
    env.kubectl_ok(&["delete", "service", "web-svc", "-n", NS]);
    let out = env.ok(&["uninstall", "web"]);
    assert!(out.contains("release \"web\" uninstalled"), "{out}");
    assert!(out.contains("already gone"), "{out}");
    assert!(out.contains("[ConfigMap] web-config"), "{out}");
    assert!(out.contains("[Service] web-svc"), "{out}");
    assert!(
        !out.contains("[Secret] web-secret"),
        "deleted, not gone: {out}"
    );
    assert!(env.statuses("web").is_empty());
    let listing = env.namespace_listing();
    assert!(!listing.iter().any(|n| n.contains("web-")), "{listing:?}");
}

#[test]
fn never_ready_deployment_with_rollback_on_failure_times_out_and_leaves_nothing() {
    let env = start();
    let chart = chart_arg(&env);
    let before = env.namespace_listing();
    let started = std::time::Instant::now();
    let err = env.fails(&[
        "install",
        "web",
        &chart,
        "--set",
        "deployment=true",
        "--rollback-on-failure",
        "--timeout",
        "3s",
    ]);
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    assert!(err.contains("has been uninstalled"), "{err}");
    assert!(
        err.contains("web-app"),
        "the timeout names the Deployment: {err}"
    );
    // Pods and ReplicaSets the controllers made go with the Deployment (background
    // propagation); wait for the garbage collector's work to show.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let listing = env.namespace_listing();
        if listing == before {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "left behind: {listing:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    assert!(env.statuses("web").is_empty());
}

#[test]
fn upgrade_with_rollback_on_failure_and_nothing_successful_to_return_to_says_so() {
    let env = start();
    let chart = chart_arg(&env);
    env.deny(&format!("patch:services:{NS}"));
    env.fails(&["install", "web", &chart]);
    let err = env.fails(&[
        "upgrade",
        "web",
        &chart,
        "--set",
        "extra=true",
        "--rollback-on-failure",
    ]);
    assert!(
        err.contains("unable to find a previously successful release when attempting to rollback"),
        "{err}"
    );
    // What the upgrade created is gone all the same; the failed install's objects stay.
    let listing = env.namespace_listing();
    assert!(
        !listing.iter().any(|n| n.contains("web-extra")),
        "{listing:?}"
    );
    assert!(
        listing.contains(&"configmap/web-config".to_string()),
        "{listing:?}"
    );
    assert_eq!(
        env.statuses("web"),
        vec![(1, Status::Failed), (2, Status::Failed)]
    );
}

#[test]
fn uninstall_holds_the_lock_while_it_deletes() {
    let env = start();
    let chart = installed(&env);
    // Deleting the ConfigMap takes 3s: the uninstall is caught holding the lock.
    env.sandbox.delay(
        format!("delete:configmaps:{NS}=3s")
            .parse::<rudder::sandbox::delay::DelayRule>()
            .unwrap(),
    );
    let uninstall = env
        .rudder(&["uninstall", "web", "--keep-history"])
        .env("RUDDER_LOCK_LEASE", "2s")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    loop {
        let held = env.record("web", 1).is_some_and(|(o, r)| {
            r.info.status == Status::Uninstalling
                && o.pointer("/metadata/annotations/rudder.dev~1lock-holder")
                    .is_some()
        });
        if held {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the uninstall never took the lock"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let err = env.fails(&["upgrade", "web", &chart, "--set", "message=two"]);
    assert!(err.contains("is locked"), "{err}");
    assert!(err.contains("uninstalling"), "{err}");
    assert!(err.contains("held by"), "{err}");
    let second = env.fails(&["uninstall", "web"]);
    assert!(second.contains("is locked"), "{second}");
    let out = uninstall.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Finished: recorded uninstalled, the lock annotations gone.
    let (object, release) = env.record("web", 1).unwrap();
    assert_eq!(release.info.status, Status::Uninstalled);
    assert!(
        object
            .pointer("/metadata/annotations/rudder.dev~1lock-holder")
            .is_none()
    );
}

#[test]
fn install_failing_in_a_post_install_hook_deletes_the_hooks_it_ran_too() {
    let env = start();
    let chart = chart_arg(&env);
    let before = env.namespace_listing();
    let err = env.fails(&[
        "install",
        "web",
        &chart,
        "--set",
        "hooks=true",
        "--rollback-on-failure",
        "--timeout",
        "20s",
    ]);
    assert!(err.contains("post-install hook Job/web-post-job"), "{err}");
    assert!(err.contains("has been uninstalled"), "{err}");
    // The Secret, ConfigMap and Service, the pre-install hook's ConfigMap and the failed Job.
    assert!(
        err.contains("deleted the 5 objects it had created"),
        "{err}"
    );
    let jobs = env.kubectl_ok(&["get", "jobs", "-n", NS, "-o", "name"]);
    assert_eq!(jobs.trim(), "", "no hook Job is left");
    assert_eq!(env.namespace_listing(), before, "nothing is left behind");
    assert!(env.statuses("web").is_empty());
}
