//! install / upgrade / rollback driven through the binary against an in-process sandbox reached
//! through an ordinary kubeconfig: release records as Helm stores them, ownership metadata on
//! every object, pruning with `helm.sh/resource-policy: keep`, values reuse, history limits,
//! pending releases, ownership conflicts, and the faults users meet (unreachable server, a
//! rejected object, 409 apply conflicts, 403, bad names, missing revisions).

mod common;

use std::path::PathBuf;

use assert_cmd::Command;
use common::sandbox_env::SandboxEnv;
use rudder::release::{ObjectKind, Status};
use serde_json::{Value, json};

const NS: &str = "apps";

fn chart() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/deploy/app")
}

impl SandboxEnv {
    /// Replaces the stored revision `v` of `name` with `status` (as a crashed client leaves it).
    fn set_status(&self, name: &str, v: u64, status: Status) {
        let (_, mut rel) = self.record(name, v).unwrap();
        rel.info.status = status;
        let object = rudder::release::to_object(
            ObjectKind::Secret,
            &rel,
            rudder::release::Stamp::modified_now(),
        );
        let path = format!("/api/v1/namespaces/{NS}/secrets/sh.helm.release.v1.{name}.v{v}");
        assert_eq!(
            self.send("PUT", &path, "application/json", object.to_string()),
            200
        );
    }

    fn configmap(&self, name: &str) -> Option<Value> {
        self.get(&format!("/api/v1/namespaces/{NS}/configmaps/{name}"))
    }
}

fn chart_arg() -> String {
    chart().display().to_string()
}

fn assert_owned(object: &Value, release: &str) {
    assert_eq!(
        object["metadata"]["labels"]["app.kubernetes.io/managed-by"], "Helm",
        "{object}"
    );
    assert_eq!(
        object["metadata"]["annotations"]["meta.helm.sh/release-name"],
        release
    );
    assert_eq!(
        object["metadata"]["annotations"]["meta.helm.sh/release-namespace"],
        NS
    );
}

#[test]
fn install_records_a_deployed_release_and_owns_its_objects() {
    let env = SandboxEnv::start(NS);
    let out = env.ok(&["install", "web", &chart_arg(), "--labels", "team=blue"]);
    assert!(out.contains("NAME: web\n"), "{out}");
    assert!(out.contains("STATUS: deployed\n"), "{out}");
    assert!(out.contains("REVISION: 1\n"), "{out}");
    assert!(out.contains("DESCRIPTION: Install complete\n"), "{out}");
    assert!(
        out.contains("web is installed with message hello."),
        "{out}"
    );

    let (secret, rel) = env.record("web", 1).expect("record v1");
    let labels = &secret["metadata"]["labels"];
    assert_eq!(labels["owner"], "helm");
    assert_eq!(labels["name"], "web");
    assert_eq!(labels["status"], "deployed");
    assert_eq!(labels["version"], "1");
    assert_eq!(labels["team"], "blue");
    assert_eq!(secret["type"], "helm.sh/release.v1");
    assert_eq!(rel.info.status, Status::Deployed);
    assert_eq!(rel.apply_method, "ssa");
    assert!(
        rel.manifest
            .starts_with("---\n# Source: app/templates/configmap.yaml\n")
    );
    assert!(
        !rel.manifest.contains("web-hook"),
        "hooks are not in the manifest"
    );
    assert_eq!(rel.hooks.len(), 1);
    assert_eq!(rel.hooks[0].name, "web-hook");
    assert_eq!(rel.hooks[0].weight, 5);

    for name in ["web-config", "web-extra", "web-kept"] {
        assert_owned(&env.configmap(name).expect(name), "web");
    }
    assert_eq!(
        env.configmap("web-config").unwrap()["data"]["message"],
        "hello"
    );
    let svc = env
        .get(&format!("/api/v1/namespaces/{NS}/services/web-svc"))
        .unwrap();
    assert_owned(&svc, "web");
    // The CRD from crds/ went in first, so the chart's custom resource could be applied.
    assert!(
        env.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.com")
            .is_some()
    );
    let gadget = env
        .get(&format!(
            "/apis/example.com/v1/namespaces/{NS}/gadgets/web-gadget"
        ))
        .expect("custom resource");
    assert_owned(&gadget, "web");
    // The pre-install hook ran (tests/release_hooks.rs covers hooks); Helm does not stamp hooks.
    let hook = env.configmap("web-hook").expect("pre-install hook created");
    assert!(
        hook.pointer("/metadata/labels/app.kubernetes.io~1managed-by")
            .is_none()
    );

    // The same name again is refused, and nothing changes.
    let err = env.fails(&["install", "web", &chart_arg()]);
    assert!(
        err.contains("cannot re-use a name that is still in use"),
        "{err}"
    );
    assert_eq!(env.statuses("web"), vec![(1, Status::Deployed)]);
}

#[test]
fn install_generate_name_create_namespace_and_json_output() {
    let env = SandboxEnv::start(NS);
    let out = env.ok(&[
        "install",
        &chart_arg(),
        "--generate-name",
        "--set",
        "gadget=false",
        "--skip-crds",
        "-o",
        "json",
    ]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let name = v["name"].as_str().unwrap();
    assert!(name.starts_with("app-"), "{name}");
    assert_eq!(v["info"]["status"], "deployed");
    assert_eq!(v["config"], json!({"gadget": false}));
    assert!(env.configmap(&format!("{name}-config")).is_some());
    assert!(
        env.get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gadgets.example.com")
            .is_none(),
        "--skip-crds"
    );

    // --create-namespace: the release and its objects land in a namespace made for them.
    let mut cmd = Command::cargo_bin("rudder").unwrap();
    let out = cmd
        .args(["install", "fresh", &chart_arg(), "--create-namespace"])
        .args(["--set", "gadget=false", "-n", "newns", "--kubeconfig"])
        .arg(env.kubeconfig())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(env.get("/api/v1/namespaces/newns").is_some());
    assert!(
        env.get("/api/v1/namespaces/newns/configmaps/fresh-config")
            .is_some()
    );
    assert!(
        env.get("/api/v1/namespaces/newns/secrets/sh.helm.release.v1.fresh.v1")
            .is_some()
    );
}

#[test]
fn dry_run_writes_nothing() {
    let env = SandboxEnv::start(NS);
    for mode in ["--dry-run", "--dry-run=client", "--dry-run=server"] {
        let out = env.ok(&[
            "install",
            "dry",
            &chart_arg(),
            mode,
            "--set",
            "gadget=false",
        ]);
        assert!(out.contains("STATUS: pending-install\n"), "{mode}: {out}");
        assert!(out.contains("DESCRIPTION: Dry run complete\n"), "{out}");
        assert!(
            out.contains("HOOKS:\n---\n# Source: app/templates/hook.yaml\n"),
            "{out}"
        );
        assert!(
            out.contains("MANIFEST:\n---\n# Source: app/templates/configmap.yaml\n"),
            "{out}"
        );
        assert!(env.configmap("dry-config").is_none(), "{mode}");
        assert!(env.record("dry", 1).is_none(), "{mode}");
    }
    // A server dry run still has the server validate: a Service name must start with a letter.
    let err = env.fails(&[
        "install",
        "9dry",
        &chart_arg(),
        "--dry-run=server",
        "--set",
        "gadget=false",
    ]);
    assert!(err.contains("Service apps/9dry-svc"), "{err}");
    assert!(env.configmap("9dry-config").is_none());
    assert!(env.record("9dry", 1).is_none());
}

#[test]
fn kind_the_cluster_does_not_serve_is_refused_before_anything_is_written() {
    let env = SandboxEnv::start(NS);
    let err = env.fails(&["install", "web", &chart_arg(), "--skip-crds"]);
    assert!(
        err.contains(
            "Gadget web-gadget: no matches for kind \"Gadget\" in version \"example.com/v1\""
        ),
        "{err}"
    );
    assert!(env.record("web", 1).is_none());
    assert!(env.configmap("web-config").is_none());
}

#[test]
fn invalid_release_name_is_refused() {
    let env = SandboxEnv::start(NS);
    let err = env.fails(&["install", "Bad_Name", &chart_arg()]);
    assert!(
        err.contains("release name \"Bad_Name\" is invalid"),
        "{err}"
    );
    let long = "a".repeat(54);
    let err = env.fails(&["install", &long, &chart_arg()]);
    assert!(err.contains("longer than 53"), "{err}");
}

#[test]
fn unreachable_api_server_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let kubeconfig = dir.path().join("kubeconfig");
    std::fs::write(
        &kubeconfig,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:{port}\n\
             contexts:\n- name: c\n  context: {{cluster: c, user: u}}\ncurrent-context: c\nusers:\n- name: u\n  user: {{}}\n"
        ),
    )
    .unwrap();
    let chart = chart_arg();
    let verbs: Vec<Vec<&str>> = vec![
        vec!["install", "web", &chart],
        vec!["upgrade", "web", &chart, "--install"],
        vec!["rollback", "web"],
    ];
    for verb in verbs {
        let out = Command::cargo_bin("rudder")
            .unwrap()
            .args(&verb)
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(
            stderr.contains(&format!(
                "cannot reach the Kubernetes API server at http://127.0.0.1:{port}"
            )),
            "{verb:?}: {stderr}"
        );
    }
}

fn message(env: &SandboxEnv, configmap: &str) -> String {
    env.configmap(configmap).unwrap()["data"]["message"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn upgrade_updates_objects_prunes_keeps_and_reuses_values() {
    let env = SandboxEnv::start(NS);
    let c = chart_arg();
    env.ok(&["install", "web", &c]);
    let out = env.ok(&[
        "upgrade",
        "web",
        &c,
        "--set",
        "message=bye,extra=false,kept=false",
    ]);
    assert!(
        out.starts_with("Release \"web\" has been upgraded. Happy Helming!\n"),
        "{out}"
    );
    assert!(
        out.contains("STATUS: deployed\nREVISION: 2\nDESCRIPTION: Upgrade complete\n"),
        "{out}"
    );
    assert_eq!(message(&env, "web-config"), "bye");
    assert_eq!(
        env.configmap("web-config").unwrap()["data"]["revision"],
        "2"
    );
    assert!(env.configmap("web-extra").is_none(), "pruned");
    assert!(
        env.configmap("web-kept").is_some(),
        "helm.sh/resource-policy: keep"
    );
    assert_eq!(
        env.statuses("web"),
        vec![(1, Status::Superseded), (2, Status::Deployed)]
    );
    let (_, rel1) = env.record("web", 1).unwrap();
    assert_eq!(rel1.info.description, "Install complete");

    // No values given: the last release's values are reused (Helm's default).
    env.ok(&["upgrade", "web", &c]);
    let (_, rel3) = env.record("web", 3).unwrap();
    assert_eq!(
        Value::Object(rel3.config.clone()),
        json!({"message": "bye", "extra": false, "kept": false})
    );
    assert_eq!(message(&env, "web-config"), "bye");
    assert!(env.configmap("web-extra").is_none());

    // --reuse-values merges new values over the last ones.
    env.ok(&[
        "upgrade",
        "web",
        &c,
        "--reuse-values",
        "--set",
        "extra=true",
    ]);
    let (_, rel4) = env.record("web", 4).unwrap();
    assert_eq!(
        Value::Object(rel4.config.clone()),
        json!({"message": "bye", "extra": true, "kept": false})
    );
    assert!(env.configmap("web-extra").is_some());

    // --reset-values: back to the chart's defaults.
    env.ok(&["upgrade", "web", &c, "--reset-values"]);
    assert_eq!(message(&env, "web-config"), "hello");
    let (_, rel5) = env.record("web", 5).unwrap();
    assert!(rel5.config.is_empty());

    // --reset-then-reuse-values keeps the last values (none now) under the given ones.
    env.ok(&[
        "upgrade",
        "web",
        &c,
        "--reset-then-reuse-values",
        "--set",
        "message=again",
    ]);
    assert_eq!(message(&env, "web-config"), "again");

    // --dry-run: the new revision is shown, nothing is written.
    for mode in ["--dry-run", "--dry-run=server"] {
        let out = env.ok(&["upgrade", "web", &c, mode, "--set", "message=dry"]);
        assert!(
            out.contains("STATUS: pending-upgrade\nREVISION: 7\n"),
            "{out}"
        );
        assert!(out.contains("MANIFEST:\n"), "{out}");
        assert!(env.record("web", 7).is_none(), "{mode}");
        assert_eq!(message(&env, "web-config"), "again");
    }
    let out = env.ok(&["rollback", "web", "1", "--dry-run"]);
    assert!(
        out.contains("STATUS: pending-rollback\nREVISION: 7\n"),
        "{out}"
    );
    assert!(env.record("web", 7).is_none());

    // --description and --labels (merged over the current ones; null removes one).
    env.ok(&[
        "upgrade",
        "web",
        &c,
        "--description",
        "by hand",
        "--labels",
        "team=red,tier=web",
    ]);
    env.ok(&["upgrade", "web", &c, "--labels", "team=null"]);
    let (secret7, rel7) = env.record("web", 7).unwrap();
    assert_eq!(rel7.info.description, "by hand");
    assert_eq!(secret7["metadata"]["labels"]["team"], "red");
    let (secret8, _) = env.record("web", 8).unwrap();
    assert_eq!(secret8["metadata"]["labels"]["tier"], "web");
    assert!(secret8["metadata"]["labels"].get("team").is_none());

    // Without --install, a release that does not exist is an error.
    let err = env.fails(&["upgrade", "nothing", &c]);
    assert!(
        err.contains("\"nothing\" has no deployed releases"),
        "{err}"
    );
}

#[test]
fn upgrade_install_on_nothing_and_after_a_failed_first_install() {
    let env = SandboxEnv::start(NS);
    let c = chart_arg();
    let out = env.ok(&["upgrade", "--install", "fresh", &c, "--set", "gadget=false"]);
    assert!(
        out.starts_with("Release \"fresh\" does not exist. Installing it now.\n"),
        "{out}"
    );
    assert_eq!(env.statuses("fresh"), vec![(1, Status::Deployed)]);

    // A first install that fails half way (403 on the Service): the release is failed.
    env.sandbox.deny("patch:services:apps".parse().unwrap());
    let err = env.fails(&["install", "broken", &c, "--set", "gadget=false"]);
    assert!(err.contains("INSTALLATION FAILED"), "{err}");
    assert!(err.contains("Service apps/broken-svc"), "{err}");
    let (secret, rel) = env.record("broken", 1).unwrap();
    assert_eq!(rel.info.status, Status::Failed);
    assert_eq!(secret["metadata"]["labels"]["status"], "failed");
    assert!(
        rel.info
            .description
            .starts_with("Release \"broken\" failed: Service apps/broken-svc"),
        "{}",
        rel.info.description
    );
    assert!(
        env.configmap("broken-extra").is_some(),
        "applied before the failure"
    );

    // upgrade --install over it works: applies, prunes against the failed manifest, deploys.
    env.sandbox.clear_deny_rules();
    let out = env.ok(&[
        "upgrade",
        "--install",
        "broken",
        &c,
        "--set",
        "gadget=false,extra=false",
    ]);
    assert!(out.contains("STATUS: deployed\nREVISION: 2\n"), "{out}");
    assert!(
        env.get(&format!("/api/v1/namespaces/{NS}/services/broken-svc"))
            .is_some()
    );
    assert!(
        env.configmap("broken-extra").is_none(),
        "pruned against the failed revision"
    );
    assert_eq!(
        env.statuses("broken"),
        vec![(1, Status::Failed), (2, Status::Deployed)]
    );
}

#[test]
fn rollback_to_previous_and_to_a_revision() {
    let env = SandboxEnv::start(NS);
    let c = chart_arg();
    env.ok(&["install", "web", &c, "--set", "gadget=false"]);
    env.ok(&[
        "upgrade",
        "web",
        &c,
        "--set",
        "gadget=false,message=bye,extra=false",
    ]);
    assert!(env.configmap("web-extra").is_none());

    let out = env.ok(&["rollback", "web"]);
    assert!(
        out.starts_with("Rollback was a success! Happy Helming!\n"),
        "{out}"
    );
    assert!(
        out.contains("REVISION: 3\nDESCRIPTION: Rollback to 1\n"),
        "{out}"
    );
    assert_eq!(message(&env, "web-config"), "hello");
    // The stored manifest is applied as it was, not re-rendered (revision 1's text).
    assert_eq!(
        env.configmap("web-config").unwrap()["data"]["revision"],
        "1"
    );
    assert!(env.configmap("web-extra").is_some());
    let (_, rel3) = env.record("web", 3).unwrap();
    let (_, rel1) = env.record("web", 1).unwrap();
    assert_eq!(rel3.manifest, rel1.manifest);
    assert_eq!(rel3.config, rel1.config);
    assert_eq!(
        env.statuses("web"),
        vec![
            (1, Status::Superseded),
            (2, Status::Superseded),
            (3, Status::Deployed)
        ]
    );

    env.ok(&["rollback", "web", "2"]);
    assert_eq!(message(&env, "web-config"), "bye");
    assert!(env.configmap("web-extra").is_none(), "pruned");
    let (_, rel4) = env.record("web", 4).unwrap();
    assert_eq!(rel4.info.description, "Rollback to 2");

    let err = env.fails(&["rollback", "web", "9"]);
    assert!(
        err.contains("release \"web\" has no revision 9: release: not found"),
        "{err}"
    );
    assert!(env.record("web", 5).is_none());
    let err = env.fails(&["rollback", "ghost"]);
    assert!(err.contains("release: not found"), "{err}");
}

#[test]
fn pending_release_refuses_another_operation() {
    let env = SandboxEnv::start(NS);
    let c = chart_arg();
    env.ok(&["install", "web", &c, "--set", "gadget=false"]);
    env.ok(&["upgrade", "web", &c]);
    env.set_status("web", 2, Status::PendingUpgrade);
    for args in [vec!["upgrade", "web", &c], vec!["rollback", "web"]] {
        let err = env.fails(&args);
        assert!(
            err.contains("release \"web\" is locked: revision 2 is pending-upgrade but no lock holder is recorded")
                && err.contains("rudder recover web"),
            "{err}"
        );
    }
    assert_eq!(
        env.statuses("web"),
        vec![(1, Status::Superseded), (2, Status::PendingUpgrade)]
    );
}

#[test]
fn history_max_prunes_old_revisions_never_the_deployed_one() {
    let env = SandboxEnv::start(NS);
    let c = chart_arg();
    env.ok(&["install", "web", &c, "--set", "gadget=false"]);
    for i in 0..3 {
        let m = format!("message=m{i}");
        env.ok(&["upgrade", "web", &c, "--history-max", "2", "--set", &m]);
    }
    assert_eq!(
        env.statuses("web"),
        vec![(3, Status::Superseded), (4, Status::Deployed)]
    );
    // A failed upgrade with --history-max 1 keeps the deployed revision.
    env.sandbox.deny("patch:configmaps:apps".parse().unwrap());
    env.fails(&[
        "upgrade",
        "web",
        &c,
        "--history-max",
        "1",
        "--set",
        "message=x",
    ]);
    let statuses = env.statuses("web");
    assert!(statuses.contains(&(4, Status::Deployed)), "{statuses:?}");
    assert!(statuses.contains(&(5, Status::Failed)), "{statuses:?}");
}

#[test]
fn ownership_conflicts_are_refused_unless_take_ownership() {
    let env = SandboxEnv::start(NS);
    let c = chart_arg();
    // An object created by a plain create (kubectl create): nobody's.
    env.create(
        &format!("/api/v1/namespaces/{NS}/configmaps"),
        &json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "own-config"},
                "data": {"message": "mine"}}),
    );
    let err = env.fails(&["install", "own", &c, "--set", "gadget=false"]);
    assert!(
        err.contains("ConfigMap apps/own-config exists and cannot be imported into release \"own\": it exists and is not managed by any release"),
        "{err}"
    );
    assert!(err.contains("--take-ownership"), "{err}");
    assert!(env.record("own", 1).is_none(), "nothing recorded");
    assert!(env.configmap("own-extra").is_none(), "nothing applied");
    env.ok(&[
        "install",
        "own",
        &c,
        "--set",
        "gadget=false",
        "--take-ownership",
    ]);
    assert_owned(&env.configmap("own-config").unwrap(), "own");
    assert_eq!(message(&env, "own-config"), "hello");

    // An object of another release.
    env.ok(&["install", "first", &c, "--set", "gadget=false"]);
    let args = [
        "install",
        "second",
        &c,
        "--set",
        "gadget=false,configName=first-config",
    ];
    let err = env.fails(&args);
    assert!(
        err.contains("ConfigMap apps/first-config exists and cannot be imported into release \"second\": it belongs to release \"first\" in namespace \"apps\""),
        "{err}"
    );
    let mut take = args.to_vec();
    take.push("--take-ownership");
    env.ok(&take);
    assert_owned(&env.configmap("first-config").unwrap(), "second");
}

#[test]
fn apply_conflict_is_reported_and_force_conflicts_takes_over() {
    let env = SandboxEnv::start(NS);
    let c = chart_arg();
    env.ok(&["install", "web", &c, "--set", "gadget=false"]);
    // Another field manager takes data.message.
    let path =
        format!("/api/v1/namespaces/{NS}/configmaps/web-config?fieldManager=kubectl&force=true");
    let patch = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "web-config"}, "data": {"message": "theirs"}});
    assert_eq!(
        env.send(
            "PATCH",
            &path,
            "application/apply-patch+yaml",
            patch.to_string()
        ),
        200
    );
    let err = env.fails(&["upgrade", "web", &c, "--set", "gadget=false,message=ours"]);
    assert!(err.contains("UPGRADE FAILED"), "{err}");
    assert!(err.contains("ConfigMap apps/web-config"), "{err}");
    assert!(err.contains("kubectl"), "{err}");
    assert!(err.contains("--force-conflicts"), "{err}");
    let (_, rel2) = env.record("web", 2).unwrap();
    assert_eq!(rel2.info.status, Status::Failed);
    assert!(
        rel2.info
            .description
            .starts_with("Upgrade \"web\" failed: "),
        "{}",
        rel2.info.description
    );
    assert_eq!(
        env.record("web", 1).unwrap().1.info.status,
        Status::Deployed,
        "previous stays deployed"
    );
    assert_eq!(message(&env, "web-config"), "theirs");

    env.ok(&[
        "upgrade",
        "web",
        &c,
        "--set",
        "gadget=false,message=ours",
        "--force-conflicts",
    ]);
    assert_eq!(message(&env, "web-config"), "ours");
    assert_eq!(
        env.statuses("web"),
        vec![
            (1, Status::Superseded),
            (2, Status::Failed),
            (3, Status::Deployed)
        ]
    );
}

#[test]
fn rejected_object_marks_the_release_failed() {
    let env = SandboxEnv::start(NS);
    // Services need a DNS-1035 name: "9lives-svc" is refused (422) after the ConfigMaps went in.
    let err = env.fails(&["install", "9lives", &chart_arg(), "--set", "gadget=false"]);
    assert!(err.contains("Service apps/9lives-svc"), "{err}");
    let (_, rel) = env.record("9lives", 1).unwrap();
    assert_eq!(rel.info.status, Status::Failed);
    assert!(
        rel.info
            .description
            .starts_with("Release \"9lives\" failed: Service apps/9lives-svc"),
        "{}",
        rel.info.description
    );
}

/// One Helm step against the sandbox (tests/oracle/deploy_helm.py).
fn helm(env: &SandboxEnv, step: &str, release: &str, extra: Value) -> Value {
    let chart = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/deploy/gochart");
    let mut input = json!({"kubeconfig": env.kubeconfig(), "namespace": NS, "chart": chart,
                           "release": release, "step": step});
    if let (Some(i), Some(e)) = (input.as_object_mut(), extra.as_object()) {
        i.extend(e.clone());
    }
    let out = common::oracle("deploy_helm.py", &input);
    assert_eq!(out["ok"], true, "helm {step}: {}", out["error"]);
    out
}

/// One Helm step expected to fail: its error message.
fn helm_error(env: &SandboxEnv, step: &str, release: &str, extra: Value) -> String {
    let chart = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/deploy/gochart");
    let mut input = json!({"kubeconfig": env.kubeconfig(), "namespace": NS, "chart": chart,
                           "release": release, "step": step});
    if let (Some(i), Some(e)) = (input.as_object_mut(), extra.as_object()) {
        i.extend(e.clone());
    }
    let out = common::oracle("deploy_helm.py", &input);
    assert_eq!(out["ok"], false, "helm {step} succeeded: {out}");
    out["error"].as_str().unwrap().to_string()
}

fn history_of(out: &Value) -> Vec<(u64, String)> {
    out["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["revision"].as_u64().unwrap(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn helm_reads_rudder_releases_and_rudder_takes_over_helms() {
    let env = SandboxEnv::start(NS);
    let c = chart_arg();
    // rudder installs; Helm lists it and reads its history.
    env.ok(&["install", "ours", &c, "--set", "gadget=false,kept=false"]);
    let out = helm(&env, "list", "ours", json!({}));
    assert_eq!(
        out["list"],
        json!([{"name": "ours", "revision": 1, "status": "deployed"}])
    );
    assert_eq!(history_of(&out), vec![(1, "deployed".into())]);
    // rudder applies as its own field manager; Helm's upgrade of a changed field meets it
    // (Helm needs --force-conflicts to take fields over), and rudder's release is untouched.
    let error = helm_error(
        &env,
        "upgrade",
        "ours",
        json!({"values": {"message": "from-helm", "extra": false}}),
    );
    assert!(error.contains("conflict with \"rudder\""), "{error}");
    let managers: Vec<String> = env.configmap("ours-config").unwrap()["metadata"]["managedFields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["manager"].as_str().unwrap().to_string())
        .collect();
    assert!(managers.contains(&"rudder".to_string()), "{managers:?}");
    assert_eq!(message(&env, "ours-config"), "hello");

    // Helm installs; rudder upgrades and rolls back; Helm reads the result.
    helm(
        &env,
        "install",
        "theirs",
        json!({"values": {"message": "helm"}}),
    );
    let out = env.ok(&[
        "upgrade",
        "theirs",
        &c,
        "--set",
        "gadget=false,kept=false,extra=false,message=rudder",
    ]);
    assert!(out.contains("REVISION: 2\n"), "{out}");
    assert_eq!(message(&env, "theirs-config"), "rudder");
    assert!(env.configmap("theirs-extra").is_none(), "pruned");
    assert_owned(&env.configmap("theirs-config").unwrap(), "theirs");
    env.ok(&["rollback", "theirs", "1"]);
    assert_eq!(message(&env, "theirs-config"), "helm");
    assert!(
        env.configmap("theirs-extra").is_some(),
        "back from revision 1"
    );
    let out = helm(&env, "list", "theirs", json!({}));
    assert_eq!(
        history_of(&out),
        vec![
            (1, "superseded".into()),
            (2, "superseded".into()),
            (3, "deployed".into())
        ]
    );
    // Helm reads the rolled-back revision's manifest: revision 1's, as rudder copied it.
    let manifest = out["status"]["manifest"].as_str().unwrap();
    assert!(
        manifest.contains("message: \"helm\"\n  revision: \"1\""),
        "{manifest}"
    );
    assert!(manifest.contains("name: theirs-extra"), "{manifest}");
    // Helm uninstalls what rudder rolled back: records and objects go.
    let out = helm(&env, "uninstall", "theirs", json!({}));
    assert_eq!(out["ok"], true, "{out}");
    assert!(env.configmap("theirs-config").is_none());
    assert!(env.configmap("theirs-extra").is_none());
    assert!(env.statuses("theirs").is_empty());
}
