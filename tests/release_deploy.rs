//! install / upgrade / rollback driven through the binary against an in-process sandbox reached
//! through an ordinary kubeconfig: release records as Helm stores them, ownership metadata on
//! every object, pruning with `helm.sh/resource-policy: keep`, values reuse, history limits,
//! pending releases, ownership conflicts, and the faults users meet (unreachable server, a
//! rejected object, 409 apply conflicts, 403, bad names, missing revisions).

use std::path::PathBuf;

use assert_cmd::Command;
use rudder::release::{ObjectKind, Release, Status, from_object};
use rudder::sandbox::{Sandbox, SandboxOptions};
use serde_json::{Value, json};

const NS: &str = "apps";

struct Env {
    sandbox: Sandbox,
    dir: tempfile::TempDir,
}

fn chart() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/deploy/app")
}

impl Env {
    fn start() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let sandbox = Sandbox::start(SandboxOptions {
            kubeconfig: Some(dir.path().join("kubeconfig")),
            ..SandboxOptions::default()
        })
        .unwrap();
        let env = Env { sandbox, dir };
        env.create(
            "/api/v1/namespaces",
            &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}),
        );
        env
    }

    fn kubeconfig(&self) -> PathBuf {
        self.dir.path().join("kubeconfig")
    }

    /// `rudder ARGS --kubeconfig K -n apps`.
    fn rudder(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("rudder").unwrap();
        cmd.args(args)
            .arg("--kubeconfig")
            .arg(self.kubeconfig())
            .args(["-n", NS])
            .env_remove("KUBECONFIG")
            .env_remove("RUDDER_NAMESPACE")
            .env_remove("RUDDER_DRIVER");
        cmd
    }

    /// Runs rudder; returns (success, stdout, stderr).
    fn run(&self, args: &[&str]) -> (bool, String, String) {
        let out = self.rudder(args).output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// Runs rudder and asserts success; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let (ok, stdout, stderr) = self.run(args);
        assert!(ok, "rudder {args:?} failed: {stderr}");
        stdout
    }

    /// Runs rudder and asserts exit 1; returns stderr.
    fn fails(&self, args: &[&str]) -> String {
        let out = self.rudder(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(1), "rudder {args:?}: {stderr}");
        assert!(stderr.starts_with("Error: "), "{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        stderr
    }

    fn get(&self, path: &str) -> Option<Value> {
        let resp = reqwest::blocking::get(format!("{}{path}", self.sandbox.url())).unwrap();
        if resp.status().as_u16() == 404 {
            return None;
        }
        assert!(resp.status().is_success(), "GET {path}: {}", resp.status());
        Some(serde_json::from_str(&resp.text().unwrap()).unwrap())
    }

    fn create(&self, collection: &str, object: &Value) {
        let resp = reqwest::blocking::Client::new()
            .post(format!("{}{collection}", self.sandbox.url()))
            .header("content-type", "application/json")
            .body(object.to_string())
            .send()
            .unwrap();
        assert!(
            resp.status().is_success(),
            "POST {collection}: {}",
            resp.status()
        );
    }

    fn configmap(&self, name: &str) -> Option<Value> {
        self.get(&format!("/api/v1/namespaces/{NS}/configmaps/{name}"))
    }

    /// Revision `v` of release `name` as stored in its Secret.
    fn record(&self, name: &str, v: u64) -> Option<(Value, Release)> {
        let secret = self.get(&format!(
            "/api/v1/namespaces/{NS}/secrets/sh.helm.release.v1.{name}.v{v}"
        ))?;
        let release = from_object(ObjectKind::Secret, &secret).unwrap();
        Some((secret, release))
    }

    /// Statuses of every stored revision of `name`, by revision.
    fn statuses(&self, name: &str) -> Vec<(u64, Status)> {
        let list = self
            .get(&format!(
                "/api/v1/namespaces/{NS}/secrets?labelSelector=owner%3Dhelm,name%3D{name}"
            ))
            .unwrap();
        let mut out: Vec<(u64, Status)> = list["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let r = from_object(ObjectKind::Secret, s).unwrap();
                (r.version, r.info.status)
            })
            .collect();
        out.sort_by_key(|(v, _)| *v);
        out
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
    let env = Env::start();
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
    // Hooks are recorded, not run.
    assert!(env.configmap("web-hook").is_none());

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
    let env = Env::start();
    let out = env.ok(&[
        "install",
        &chart_arg(),
        "--generate-name",
        "--set",
        "gadget=false",
        "-o",
        "json",
    ]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let name = v["name"].as_str().unwrap();
    assert!(name.starts_with("app-"), "{name}");
    assert_eq!(v["info"]["status"], "deployed");
    assert_eq!(v["config"], json!({"gadget": false}));
    assert!(env.configmap(&format!("{name}-config")).is_some());

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
    let env = Env::start();
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
fn invalid_release_name_is_refused() {
    let env = Env::start();
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
    let verbs: Vec<Vec<&str>> = vec![vec!["install", "web", &chart]];
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
