//! The sandbox API server proven with the real `kubectl`: CRUD, apply (client- and server-side),
//! selectors, errors as kubectl prints them, dry runs, watches, persistence and the
//! `rudder sandbox serve` command. Each test runs its own sandbox and an isolated `$HOME` (so
//! kubectl's discovery cache is private to it).

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use rudder::sandbox::{Sandbox, SandboxOptions};
use serde_json::Value;

/// A sandbox plus a kubeconfig and a private HOME for kubectl.
struct Cluster {
    sandbox: Sandbox,
    dir: tempfile::TempDir,
}

fn kubectl_path() -> PathBuf {
    let p = std::env::var_os("KUBECTL").map_or_else(|| PathBuf::from("kubectl"), PathBuf::from);
    let ok = Command::new(&p)
        .args(["version", "--client"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "these tests need the real kubectl on PATH (or KUBECTL=...)"
    );
    p
}

fn start_with(opts: SandboxOptions) -> Cluster {
    let dir = tempfile::tempdir().unwrap();
    let sandbox = Sandbox::start(SandboxOptions {
        kubeconfig: Some(dir.path().join("kubeconfig")),
        ..opts
    })
    .unwrap();
    std::fs::create_dir_all(dir.path().join("home")).unwrap();
    Cluster { sandbox, dir }
}

fn start() -> Cluster {
    start_with(SandboxOptions::default())
}

/// kubectl's exit status, stdout and stderr.
struct Out {
    ok: bool,
    stdout: String,
    stderr: String,
}

impl Cluster {
    fn kubectl(&self, args: &[&str]) -> Out {
        self.kubectl_stdin(args, "")
    }

    fn kubectl_stdin(&self, args: &[&str], stdin: &str) -> Out {
        kubectl_at(
            &self.dir.path().join("kubeconfig"),
            &self.dir.path().join("home"),
            args,
            stdin,
        )
    }

    /// Runs kubectl and requires success, returning stdout.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.kubectl(args);
        assert!(out.ok, "kubectl {args:?} failed: {}", out.stderr);
        out.stdout
    }

    fn apply(&self, yaml: &str, extra: &[&str]) -> String {
        let mut args = vec!["apply", "-f", "-"];
        args.extend_from_slice(extra);
        let out = self.kubectl_stdin(&args, yaml);
        assert!(out.ok, "kubectl apply failed: {}", out.stderr);
        out.stdout
    }

    /// Runs kubectl expecting failure, returning stderr.
    fn fails(&self, args: &[&str]) -> String {
        let out = self.kubectl(args);
        assert!(
            !out.ok,
            "kubectl {args:?} should fail; printed {}",
            out.stdout
        );
        out.stderr
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut a = args.to_vec();
        a.extend(["-o", "json"]);
        serde_json::from_str(&self.ok(&a)).unwrap()
    }

    fn names(&self, args: &[&str]) -> Vec<String> {
        let mut a = args.to_vec();
        a.extend(["-o", "name"]);
        let mut v: Vec<String> = self.ok(&a).lines().map(String::from).collect();
        v.sort();
        v
    }
}

fn kubectl_at(kubeconfig: &Path, home: &Path, args: &[&str], stdin: &str) -> Out {
    let mut child = Command::new(kubectl_path())
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .env("HOME", home)
        .env_remove("KUBECONFIG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kubectl");
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    Out {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

const APP: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: demo
  labels: {app: web, tier: front}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "nginx:1.27"}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: demo, labels: {app: web, tier: front}}
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: settings, namespace: demo, labels: {app: web, tier: back}}
data: {mode: fast}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: plain, namespace: demo}
data: {a: b}
"#;

#[test]
fn create_apply_get_list_and_delete() {
    let c = start();
    assert!(
        c.ok(&["create", "namespace", "demo"])
            .contains("namespace/demo created")
    );
    let applied = c.apply(APP, &[]);
    assert!(applied.contains("deployment.apps/web created"), "{applied}");
    assert!(applied.contains("configmap/settings created"), "{applied}");

    let d = c.json(&["get", "deployment", "web", "-n", "demo"]);
    assert_eq!(d["spec"]["replicas"], 2);
    assert_eq!(d["metadata"]["generation"], 1);
    assert!(d["metadata"]["uid"].as_str().is_some_and(|u| !u.is_empty()));
    assert!(
        d["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
            .is_string()
    );
    let svc = c.json(&["get", "svc", "web", "-n", "demo"]);
    assert!(
        svc["spec"]["clusterIP"]
            .as_str()
            .unwrap()
            .starts_with("10.96.")
    );

    // Label selectors of every form, through kubectl's query string.
    assert_eq!(
        c.names(&["get", "cm", "-n", "demo", "-l", "app=web"]),
        ["configmap/settings"]
    );
    assert_eq!(
        c.names(&["get", "cm", "-n", "demo", "-l", "app!=web"]),
        ["configmap/plain"]
    );
    assert_eq!(
        c.names(&["get", "cm", "-n", "demo", "-l", "tier in (back,x)"]),
        ["configmap/settings"]
    );
    assert_eq!(
        c.names(&["get", "cm", "-n", "demo", "-l", "tier notin (back)"]),
        ["configmap/plain"]
    );
    assert_eq!(
        c.names(&["get", "cm", "-n", "demo", "-l", "!app"]),
        ["configmap/plain"]
    );
    assert_eq!(
        c.names(&["get", "svc,deploy", "-n", "demo", "-l", "tier"]),
        ["deployment.apps/web", "service/web"]
    );
    assert_eq!(
        c.names(&[
            "get",
            "cm",
            "-n",
            "demo",
            "--field-selector",
            "metadata.name=plain"
        ]),
        ["configmap/plain"]
    );
    // All namespaces.
    c.ok(&["create", "namespace", "other"]);
    c.ok(&[
        "create",
        "configmap",
        "plain",
        "-n",
        "other",
        "--from-literal=x=y",
    ]);
    let all = c.json(&["get", "cm", "-A"]);
    let where_: Vec<String> = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            format!(
                "{}/{}",
                i["metadata"]["namespace"].as_str().unwrap(),
                i["metadata"]["name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(where_, ["demo/plain", "demo/settings", "other/plain"]);

    assert!(
        c.ok(&["delete", "configmap", "plain", "-n", "demo"])
            .contains("configmap \"plain\" deleted")
    );
    assert!(
        c.fails(&["get", "cm", "plain", "-n", "demo"])
            .contains(r#"Error from server (NotFound): configmaps "plain" not found"#)
    );
    // Deleting a namespace removes what is in it.
    c.ok(&["delete", "namespace", "demo"]);
    assert!(
        c.fails(&["get", "deploy", "web", "-n", "demo"])
            .contains("not found")
    );
    assert_eq!(c.names(&["get", "cm", "-A"]), ["configmap/plain"]);
}

#[test]
fn errors_read_as_the_api_server_words_them() {
    let c = start();
    c.ok(&["create", "namespace", "demo"]);
    assert!(
        c.fails(&["create", "namespace", "demo"])
            .contains(r#"Error from server (AlreadyExists): namespaces "demo" already exists"#)
    );
    assert!(
        c.fails(&["get", "secret", "nope", "-n", "demo"])
            .contains(r#"Error from server (NotFound): secrets "nope" not found"#)
    );
    assert!(
        c.fails(&["create", "configmap", "x", "-n", "missing"])
            .contains(r#"namespaces "missing" not found"#)
    );
    let invalid = c.fails(&["create", "configmap", "Foo_bar", "-n", "demo"]);
    assert!(
        invalid.contains(r#"ConfigMap "Foo_bar" is invalid: metadata.name: Invalid value: "Foo_bar": a lowercase RFC 1123 subdomain must consist of"#),
        "{invalid}"
    );
    c.sandbox.deny("create:secrets:demo".parse().unwrap());
    let denied = c.fails(&[
        "create",
        "secret",
        "generic",
        "s",
        "-n",
        "demo",
        "--from-literal=a=b",
    ]);
    assert!(
        denied.contains(r#"secrets is forbidden: User "sandbox-user" cannot create resource "secrets" in API group "" in the namespace "demo""#),
        "{denied}"
    );
    c.sandbox.clear_deny_rules();
    c.ok(&[
        "create",
        "secret",
        "generic",
        "s",
        "-n",
        "demo",
        "--from-literal=a=b",
    ]);

    // A PUT with a stale resourceVersion is a 409 Conflict.
    c.ok(&[
        "create",
        "configmap",
        "c",
        "-n",
        "demo",
        "--from-literal=a=1",
    ]);
    let mut cm = c.json(&["get", "cm", "c", "-n", "demo"]);
    c.ok(&[
        "patch",
        "cm",
        "c",
        "-n",
        "demo",
        "--type",
        "merge",
        "-p",
        r#"{"data":{"a":"2"}}"#,
    ]);
    cm["data"]["a"] = Value::from("3");
    let out = c.kubectl_stdin(&["replace", "-f", "-"], &cm.to_string());
    assert!(!out.ok);
    assert!(
        out.stderr.contains(r#"Operation cannot be fulfilled on configmaps "c": the object has been modified; please apply your changes to the latest version and try again"#),
        "{}", out.stderr
    );

    // An immutable field changed.
    c.apply(APP, &[]);
    let moved = APP
        .replace(
            "selector: {matchLabels: {app: web}}",
            "selector: {matchLabels: {app: web2}}",
        )
        .replace(
            "metadata: {labels: {app: web}}",
            "metadata: {labels: {app: web2}}",
        );
    let out = c.kubectl_stdin(&["apply", "-f", "-"], &moved);
    assert!(!out.ok);
    assert!(
        out.stderr.contains(r#"The Deployment "web" is invalid: spec.selector: Invalid value: {"matchLabels":{"app":"web2"}}: field is immutable"#),
        "{}", out.stderr
    );
}

#[test]
fn apply_again_server_side_patch_and_dry_run() {
    let c = start();
    c.ok(&["create", "namespace", "demo"]);
    c.apply(APP, &[]);
    assert!(c.apply(APP, &[]).contains("deployment.apps/web unchanged"));
    let scaled = APP.replace("replicas: 2", "replicas: 3");
    assert!(
        c.apply(&scaled, &[])
            .contains("deployment.apps/web configured")
    );
    let d = c.json(&["get", "deploy", "web", "-n", "demo"]);
    assert_eq!(
        (
            d["spec"]["replicas"].as_i64(),
            d["metadata"]["generation"].as_i64()
        ),
        (Some(3), Some(2))
    );

    let ssa = APP.replace("replicas: 2", "replicas: 4");
    assert!(
        c.apply(&ssa, &["--server-side"])
            .contains("deployment.apps/web serverside-applied")
    );
    assert_eq!(
        c.json(&["get", "deploy", "web", "-n", "demo"])["spec"]["replicas"],
        4
    );
    // Server-side apply creates too.
    let fresh =
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ssa, namespace: demo}\ndata: {k: v}\n";
    assert!(
        c.apply(fresh, &["--server-side"])
            .contains("configmap/ssa serverside-applied")
    );

    assert!(
        c.ok(&[
            "patch",
            "deploy",
            "web",
            "-n",
            "demo",
            "--type",
            "merge",
            "-p",
            r#"{"spec":{"replicas":1}}"#
        ])
        .contains("patched")
    );
    assert_eq!(
        c.json(&["get", "deploy", "web", "-n", "demo"])["spec"]["replicas"],
        1
    );

    // kubectl create sends protobuf bodies.
    c.ok(&[
        "create",
        "deployment",
        "pb",
        "-n",
        "demo",
        "--image=busybox",
        "--replicas=0",
    ]);
    let pb = c.json(&["get", "deploy", "pb", "-n", "demo"]);
    assert_eq!(pb["spec"]["replicas"], 0);
    assert_eq!(
        pb["spec"]["template"]["spec"]["containers"][0]["image"],
        "busybox"
    );
    c.ok(&["create", "serviceaccount", "robot", "-n", "demo"]);

    assert!(
        c.ok(&[
            "create",
            "configmap",
            "dry",
            "-n",
            "demo",
            "--dry-run=server"
        ])
        .contains("(server dry run)")
    );
    assert!(
        c.fails(&["get", "cm", "dry", "-n", "demo"])
            .contains("not found")
    );
    c.ok(&["delete", "deploy", "web", "-n", "demo", "--dry-run=server"]);
    c.ok(&["get", "deploy", "web", "-n", "demo"]);
}

#[test]
fn crds_serve_their_types() {
    let c = start();
    let crd = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
"#;
    c.apply(crd, &[]);
    let got = c.json(&["get", "crd", "widgets.example.com"]);
    assert!(
        got["status"]["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["type"] == "Established" && x["status"] == "True")
    );
    c.apply("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1, namespace: default}\nspec: {size: 3}\n", &[]);
    assert_eq!(c.names(&["get", "wd"]), ["widget.example.com/w1"]);
    c.ok(&["delete", "crd", "widgets.example.com"]);
    let out = c.kubectl(&["get", "widgets.example.com", "-A"]);
    assert!(!out.ok, "{}", out.stdout);
}

#[test]
fn watch_sends_initial_events_a_bookmark_and_live_events() {
    let c = start();
    c.ok(&[
        "create",
        "configmap",
        "one",
        "--from-literal=a=b",
        "-n",
        "default",
    ]);
    let url = format!(
        "{}/api/v1/namespaces/default/configmaps?allowWatchBookmarks=true&resourceVersionMatch=NotOlderThan&sendInitialEvents=true&timeoutSeconds=2&watch=true",
        c.sandbox.url()
    );
    let client = reqwest::blocking::Client::new();
    let resp = client.get(&url).send().unwrap();
    assert_eq!(resp.status(), 200);
    let creator = {
        let kc = c.dir.path().join("kubeconfig");
        let home = c.dir.path().join("home");
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(300));
            kubectl_at(
                &kc,
                &home,
                &["create", "configmap", "two", "-n", "default"],
                "",
            )
        })
    };
    let mut lines = Vec::new();
    for line in BufReader::new(resp).lines() {
        let line = line.unwrap();
        let e: Value = serde_json::from_str(&line).unwrap();
        lines.push(e);
    }
    assert!(creator.join().unwrap().ok);
    let kinds: Vec<(&str, &str)> = lines
        .iter()
        .map(|e| {
            (
                e["type"].as_str().unwrap(),
                e["object"]["metadata"]["name"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(kinds[0], ("ADDED", "one"));
    assert_eq!(kinds[1].0, "BOOKMARK");
    assert_eq!(
        lines[1]["object"]["metadata"]["annotations"]["k8s.io/initial-events-end"],
        "true"
    );
    assert_eq!(kinds[2], ("ADDED", "two"));
    assert_eq!(kinds.len(), 3);
}

#[test]
fn state_persists_across_restart() {
    let state = tempfile::tempdir().unwrap();
    let opts = || SandboxOptions {
        state_dir: Some(state.path().to_path_buf()),
        ..SandboxOptions::default()
    };
    let uid = {
        let c = start_with(opts());
        c.ok(&["create", "namespace", "kept"]);
        c.ok(&[
            "create",
            "configmap",
            "cm",
            "-n",
            "kept",
            "--from-literal=a=b",
        ]);
        c.json(&["get", "cm", "cm", "-n", "kept"])["metadata"]["uid"].clone()
    };
    let c = start_with(opts());
    let cm = c.json(&["get", "cm", "cm", "-n", "kept"]);
    assert_eq!(cm["metadata"]["uid"], uid);
    assert_eq!(cm["data"]["a"], "b");
    // The resourceVersion counter continues.
    c.ok(&["create", "configmap", "next", "-n", "kept"]);
    let next = c.json(&["get", "cm", "next", "-n", "kept"]);
    let rv = |v: &Value| {
        v["metadata"]["resourceVersion"]
            .as_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
    };
    assert!(rv(&next) > rv(&cm));
}

#[test]
fn serve_command_announces_writes_kubeconfig_and_logs() {
    let dir = tempfile::tempdir().unwrap();
    let kc = dir.path().join("kc");
    let log = dir.path().join("access.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_rudder"))
        .args([
            "sandbox",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--deny",
            "delete:namespaces",
        ])
        .arg("--write-kubeconfig")
        .arg(&kc)
        .arg("--access-log")
        .arg(&log)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    let result = std::panic::catch_unwind(|| {
        assert!(
            first.starts_with("Sandbox API server listening on http://127.0.0.1:"),
            "{first}"
        );
        let addr = first.trim().rsplit('/').next().unwrap().to_string();
        assert!(
            std::fs::read_to_string(&kc)
                .unwrap()
                .contains(&format!("server: http://{addr}"))
        );
        let home = dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let out = kubectl_at(&kc, &home, &["get", "namespaces", "-o", "name"], "");
        assert!(out.stdout.contains("namespace/default"), "{}", out.stderr);
        let out = kubectl_at(&kc, &home, &["delete", "namespace", "default"], "");
        assert!(
            out.stderr.contains(r#"namespaces "default" is forbidden"#),
            "{}",
            out.stderr
        );
        let log = std::fs::read_to_string(&log).unwrap();
        assert!(
            log.lines()
                .any(|l| l.starts_with("GET /version") && l.ends_with(" 200")),
            "{log}"
        );
        assert!(
            log.lines()
                .any(|l| l.starts_with("DELETE /api/v1/namespaces/default") && l.ends_with(" 403")),
            "{log}"
        );
    });
    let _ = child.kill();
    let _ = child.wait();
    let mut rest = String::new();
    let _ = child.stderr.take().unwrap().read_to_string(&mut rest);
    if let Err(e) = result {
        panic!("{e:?}; stderr: {rest}");
    }
}

/// A Deployment with two containers, the first with two env vars.
const TWO_CONTAINERS: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: demo}
spec:
  replicas: 1
  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers:
      - name: web
        image: "nginx:1.27"
        env: [{name: A, value: "1"}, {name: B, value: "2"}]
      - name: sidecar
        image: busybox
"#;

const WIDGET_CRD: &str = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
"#;

/// The fields (FieldsV1) a manager owns in an object fetched with `--show-managed-fields`.
fn owned_by<'a>(obj: &'a Value, manager: &str) -> Option<&'a Value> {
    obj["metadata"]["managedFields"]
        .as_array()?
        .iter()
        .find(|e| e["manager"] == manager)
        .map(|e| &e["fieldsV1"])
}

#[test]
fn strategic_merge_server_side_apply_ownership_and_json_patch() {
    let c = start();
    c.ok(&["create", "namespace", "demo"]);
    c.apply(TWO_CONTAINERS, &[]);
    // Client-side apply of a changed image without env B: a strategic merge patch with
    // `$setElementOrder` and `$patch: delete`; the other container stays.
    let v2 = TWO_CONTAINERS
        .replace("nginx:1.27", "nginx:1.28")
        .replace(r#", {name: B, value: "2"}"#, "");
    assert!(c.apply(&v2, &[]).contains("deployment.apps/app configured"));
    let d = c.json(&["get", "deploy", "app", "-n", "demo"]);
    let containers = d["spec"]["template"]["spec"]["containers"]
        .as_array()
        .unwrap();
    assert_eq!(containers.len(), 2, "{d}");
    assert_eq!(containers[0]["image"], "nginx:1.28");
    assert_eq!(
        containers[0]["env"],
        serde_json::json!([{"name": "A", "value": "1"}])
    );
    assert_eq!(containers[1]["name"], "sidecar");
    assert_eq!(d["metadata"]["generation"], 2);

    // Server-side apply: dropping a field from the applied configuration removes it.
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: owned, namespace: demo}\ndata: {a: '1', b: '2'}\n";
    c.apply(cm, &["--server-side"]);
    c.apply(&cm.replace(", b: '2'", ""), &["--server-side"]);
    let got = c.json(&["get", "cm", "owned", "-n", "demo", "--show-managed-fields"]);
    assert_eq!(got["data"], serde_json::json!({"a": "1"}));
    assert!(owned_by(&got, "kubectl").unwrap()["f:data"]["f:a"].is_object());

    // Another manager changing an owned field conflicts, until it forces.
    let other = cm.replace("{a: '1', b: '2'}", "{a: '9'}");
    let out = c.kubectl_stdin(
        &["apply", "--server-side", "--field-manager=other", "-f", "-"],
        &other,
    );
    assert!(!out.ok);
    assert!(
        out.stderr
            .contains(r#"Apply failed with 1 conflict: conflict with "kubectl": .data.a"#),
        "{}",
        out.stderr
    );
    c.apply(
        &other,
        &[
            "--server-side",
            "--field-manager=other",
            "--force-conflicts",
        ],
    );
    let got = c.json(&["get", "cm", "owned", "-n", "demo", "--show-managed-fields"]);
    assert_eq!(got["data"]["a"], "9");
    assert!(owned_by(&got, "other").unwrap()["f:data"]["f:a"].is_object());
    assert!(owned_by(&got, "kubectl").is_none(), "{got}");

    // JSON patch, and a failing `test` operation.
    c.ok(&[
        "patch",
        "cm",
        "owned",
        "-n",
        "demo",
        "--type",
        "json",
        "-p",
        r#"[{"op":"add","path":"/data/c","value":"3"},{"op":"remove","path":"/data/a"}]"#,
    ]);
    let got = c.json(&["get", "cm", "owned", "-n", "demo", "--show-managed-fields"]);
    assert_eq!(got["data"], serde_json::json!({"c": "3"}));
    assert!(owned_by(&got, "kubectl-patch").unwrap()["f:data"]["f:c"].is_object());
    let err = c.fails(&[
        "patch",
        "cm",
        "owned",
        "-n",
        "demo",
        "--type",
        "json",
        "-p",
        r#"[{"op":"test","path":"/data/c","value":"4"}]"#,
    ]);
    assert!(
        err.contains("The request is invalid") && err.contains("/data/c"),
        "{err}"
    );
    assert_eq!(
        c.json(&["get", "cm", "owned", "-n", "demo"])["data"],
        serde_json::json!({"c": "3"})
    );

    // Custom resources take merge patches but not strategic ones.
    c.apply(WIDGET_CRD, &[]);
    c.apply(
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, namespace: demo}\nspec: {size: 3}\n",
        &[],
    );
    let err = c.fails(&[
        "patch",
        "widget",
        "w",
        "-n",
        "demo",
        "--type",
        "strategic",
        "-p",
        r#"{"spec":{"size":4}}"#,
    ]);
    assert!(
        err.contains("UnsupportedMediaType") || err.contains("not supported"),
        "{err}"
    );
    c.ok(&[
        "patch",
        "widget",
        "w",
        "-n",
        "demo",
        "--type",
        "merge",
        "-p",
        r#"{"spec":{"size":4}}"#,
    ]);
    assert_eq!(
        c.json(&["get", "widget", "w", "-n", "demo"])["spec"]["size"],
        4
    );
}

const SIMULATED: &str = r#"
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: demo, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: nginx}]}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: late
  namespace: demo
  annotations: {sandbox.rudder.dev/simulate: delay=3s}
spec:
  selector: {matchLabels: {app: late}}
  template:
    metadata: {labels: {app: late}}
    spec: {containers: [{name: web, image: nginx}]}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: stuck
  namespace: demo
  annotations: {sandbox.rudder.dev/simulate: never-ready}
spec:
  selector: {matchLabels: {app: stuck}}
  template:
    metadata: {labels: {app: stuck}}
    spec: {containers: [{name: web, image: nginx}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: once, namespace: demo}
spec:
  template:
    spec:
      restartPolicy: Never
      containers: [{name: run, image: busybox}]
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: demo}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
---
apiVersion: v1
kind: Service
metadata: {name: lb, namespace: demo}
spec:
  type: LoadBalancer
  selector: {app: web}
  ports: [{port: 80}]
"#;

#[test]
fn simulated_status_is_what_kubectl_sees() {
    let c = start();
    c.ok(&["create", "namespace", "demo"]);
    let applied = std::time::Instant::now();
    c.apply(SIMULATED, &[]);
    // The delayed Deployment is not ready before its delay (checked only while that holds, so a
    // slow machine cannot make this flaky).
    let late = c.json(&["get", "deploy", "late", "-n", "demo"]);
    if applied.elapsed() < std::time::Duration::from_millis(2500) {
        assert_eq!(late["status"]["readyReplicas"].as_i64(), Some(0), "{late}");
    }
    let d = c.json(&["get", "deploy", "web", "-n", "demo"]);
    assert_eq!(
        (
            d["status"]["readyReplicas"].as_i64(),
            d["status"]["observedGeneration"].as_i64()
        ),
        (Some(2), Some(1))
    );
    assert!(
        c.ok(&[
            "rollout",
            "status",
            "deploy/web",
            "-n",
            "demo",
            "--timeout=5s"
        ])
        .contains("successfully rolled out")
    );
    // The delayed one becomes ready while kubectl watches, never before its delay.
    c.ok(&[
        "rollout",
        "status",
        "deploy/late",
        "-n",
        "demo",
        "--timeout=10s",
    ]);
    assert!(applied.elapsed() >= std::time::Duration::from_secs(3));
    c.fails(&[
        "rollout",
        "status",
        "deploy/stuck",
        "-n",
        "demo",
        "--timeout=1s",
    ]);

    // The Deployment's ReplicaSet and Pods, by selector.
    let rs = c.names(&["get", "rs", "-n", "demo", "-l", "app=web"]);
    assert_eq!(rs.len(), 1, "{rs:?}");
    assert!(rs[0].starts_with("replicaset.apps/web-"));
    assert_eq!(
        c.names(&["get", "pods", "-n", "demo", "-l", "app=web"])
            .len(),
        2
    );
    c.ok(&[
        "wait",
        "--for=condition=complete",
        "job/once",
        "-n",
        "demo",
        "--timeout=5s",
    ]);
    assert_eq!(
        c.ok(&[
            "get",
            "pvc",
            "data",
            "-n",
            "demo",
            "-o",
            "jsonpath={.status.phase}"
        ]),
        "Bound"
    );
    let ip = c.ok(&[
        "get",
        "svc",
        "lb",
        "-n",
        "demo",
        "-o",
        "jsonpath={.status.loadBalancer.ingress[0].ip}",
    ]);
    assert!(ip.starts_with("10."), "{ip:?}");

    // An unreadable simulate annotation is refused, naming it.
    let bad = SIMULATED.replace("never-ready", "sometimes");
    let out = c.kubectl_stdin(&["apply", "-f", "-"], &bad);
    assert!(!out.ok);
    assert!(
        out.stderr
            .contains("metadata.annotations[sandbox.rudder.dev/simulate]"),
        "{}",
        out.stderr
    );

    // Deleting cascades to the ReplicaSet and Pods, unless orphaning.
    c.ok(&["delete", "deploy", "web", "-n", "demo"]);
    assert!(
        c.names(&["get", "rs", "-n", "demo", "-l", "app=web"])
            .is_empty()
    );
    assert!(
        c.names(&["get", "pods", "-n", "demo", "-l", "app=web"])
            .is_empty()
    );
    c.ok(&[
        "delete",
        "deploy",
        "stuck",
        "-n",
        "demo",
        "--cascade=orphan",
    ]);
    assert_eq!(
        c.names(&["get", "rs", "-n", "demo", "-l", "app=stuck"])
            .len(),
        1
    );
}
