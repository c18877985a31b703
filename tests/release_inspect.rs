//! The read side of releases and uninstall, driven through the `rudder` binary against a
//! sandbox whose releases the real Helm v4 engine installed (tests/oracle/release_inspect.py):
//! list (table, json, yaml, -A, --filter, --short, state filters), history, status with its
//! resources, get values/manifest/notes/hooks/metadata/all, the secret and configmap drivers,
//! global flags on either side of the verb, uninstall (objects and records, --keep-history,
//! --dry-run, resource-policy keep) seen by Helm afterwards, and the faults: release not found,
//! absent release, corrupt release Secret, pending release, unreachable API server.

mod common;

use std::path::PathBuf;

use common::sandbox_env::{Run, SandboxEnv};
use rudder::release::{ObjectKind, Release, ReleaseChart, Stamp, Status, gotime, to_object};
use serde_json::{Value, json};
use std::process::Command;

const CHART_YAML: &str = "apiVersion: v2\nname: demo\nversion: 0.1.0\nappVersion: \"1.0\"\n\
                          annotations:\n  team: web\n";
const VALUES: &str = "replicas: 1\nimage:\n  tag: stable\nkeep: false\n";
const TEMPLATE: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
  {{- if .Values.keep }}
  annotations:
    helm.sh/resource-policy: keep
  {{- end }}
data:
  tag: {{ .Values.image.tag | quote }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
spec:
  replicas: {{ .Values.replicas }}
  selector: {matchLabels: {app: {{ .Release.Name }}}}
  template:
    metadata: {labels: {app: {{ .Release.Name }}}}
    spec: {containers: [{name: web, image: "nginx:{{ .Values.image.tag }}"}]}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-svc
spec:
  ports: [{port: 80}]
  selector: {app: {{ .Release.Name }}}
"#;
const HOOK: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-hook\n  \
                    annotations:\n    \"helm.sh/hook\": post-install\ndata: {}\n";
const NOTES: &str = "Thanks for installing {{ .Release.Name }}.\n";

/// A sandbox with no namespace (Helm's operations pick theirs) and the `demo` chart written.
fn start() -> SandboxEnv {
    let env = SandboxEnv::start_without_namespace();
    let chart = env.chart();
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    for (name, text) in [
        ("Chart.yaml", CHART_YAML),
        ("values.yaml", VALUES),
        ("templates/all.yaml", TEMPLATE),
        ("templates/hook.yaml", HOOK),
        ("templates/NOTES.txt", NOTES),
    ] {
        std::fs::write(chart.join(name), text).unwrap();
    }
    env
}

impl SandboxEnv {
    /// The `demo` chart's directory.
    fn chart(&self) -> PathBuf {
        self.path("demo")
    }

    /// Runs Helm operations; returns one result per operation.
    fn helm(&self, ops: Value) -> Vec<Value> {
        let mut ops = ops.as_array().unwrap().clone();
        for op in &mut ops {
            op.as_object_mut()
                .unwrap()
                .entry("chart")
                .or_insert(json!(self.chart()));
        }
        let out = common::oracle(
            "release_inspect.py",
            &json!({"kubeconfig": self.kubeconfig(), "ops": ops}),
        );
        out.as_array().unwrap().clone()
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).unwrap()
    }

    /// Creates ConfigMap `<release>-child` owned by the release's Deployment `<release>-web`.
    fn own(&self, release: &str) {
        let (code, web) = self.get_raw(&format!(
            "/apis/apps/v1/namespaces/apps/deployments/{release}-web"
        ));
        assert_eq!(code, 200);
        self.create(
            "/api/v1/namespaces/apps/configmaps",
            &json!({"apiVersion": "v1", "kind": "ConfigMap",
                "metadata": {"name": format!("{release}-child"), "ownerReferences": [{
                    "apiVersion": "apps/v1", "kind": "Deployment",
                    "name": format!("{release}-web"), "uid": web["metadata"]["uid"]}]}}),
        );
    }
}

/// Two releases in `apps` and `data`; `web` upgraded to revision 2.
fn install_two(env: &SandboxEnv) -> Vec<Value> {
    let out = env.helm(json!([
        {"op": "install", "name": "web", "namespace": "apps", "values": {"replicas": 2}},
        {"op": "upgrade", "name": "web", "namespace": "apps", "values": {"image": {"tag": "v2"}}},
        {"op": "install", "name": "db", "namespace": "data", "labels": {"tier": "data"}},
        {"op": "get_values", "name": "web", "namespace": "apps", "all": true},
        {"op": "get_metadata", "name": "web", "namespace": "apps"},
        {"op": "list", "all_namespaces": true},
        {"op": "get_values", "name": "db", "namespace": "data"},
    ]));
    for r in &out[..3] {
        assert!(r.get("error").is_none(), "{r}");
    }
    out
}

fn table_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| l.split('\t').map(|c| c.trim().to_string()).collect())
        .collect()
}

#[test]
fn list_history_status_and_get_read_helms_releases() {
    let env = start();
    let helm = install_two(&env);

    // list: table in the namespace, with Helm's columns and Go's time format
    let rows = table_rows(&env.ok(&["list", "-n", "apps"]));
    assert_eq!(
        rows[0],
        [
            "NAME",
            "NAMESPACE",
            "REVISION",
            "UPDATED",
            "STATUS",
            "CHART",
            "APP VERSION"
        ]
    );
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(
        [&rows[1][..3], &rows[1][4..]].concat(),
        ["web", "apps", "2", "deployed", "demo-0.1.0", "1.0"]
    );
    let updated =
        regex::Regex::new(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)? \+0000 UTC$").unwrap();
    assert!(updated.is_match(&rows[1][3]), "{}", rows[1][3]);

    // global flags before or after the verb
    assert_eq!(
        env.ok(&["-n", "apps", "list"]),
        env.ok(&["list", "-n", "apps"])
    );

    // -A -o json agrees with Helm's own listing
    let ours = env.json(&["list", "-A", "-o", "json"]);
    let theirs = helm[5].as_array().unwrap();
    assert_eq!(ours.as_array().unwrap().len(), 2);
    for (o, t) in ours.as_array().unwrap().iter().zip(theirs) {
        assert_eq!(o["name"], t["name"]);
        assert_eq!(o["namespace"], t["namespace"]);
        assert_eq!(o["revision"], t["revision"].to_string());
        assert_eq!(o["status"], t["status"]);
        assert_eq!(
            o["chart"],
            format!("demo-{}", t["chart_version"].as_str().unwrap())
        );
        assert_eq!(o["app_version"], t["app_version"]);
        let second = t["deployed_at"].as_str().unwrap().replace('T', " ");
        assert!(
            o["updated"].as_str().unwrap().starts_with(&second[..19]),
            "{o} {t}"
        );
    }
    // Helm's field order
    let raw = env.ok(&["list", "-A", "-o", "json"]);
    let order = regex::Regex::new(
        r#"^\[\{"name":"db","namespace":"data","revision":"1","updated":"[^"]+","status":"deployed","chart":"demo-0.1.0","app_version":"1.0"\},"#,
    )
    .unwrap();
    assert!(order.is_match(&raw), "{raw}");
    let yaml: Value = yaml_serde::from_str(&env.ok(&["list", "-A", "-o", "yaml"])).unwrap();
    assert_eq!(yaml, ours);

    // --filter, --short, state filters
    assert_eq!(env.ok(&["list", "-A", "--short"]), "db\nweb\n");
    assert_eq!(env.ok(&["list", "-A", "-q", "--filter", "^w"]), "web\n");
    assert_eq!(
        env.json(&["list", "-A", "-q", "-o", "json"]),
        json!(["db", "web"])
    );
    let superseded = env.json(&["list", "-n", "apps", "--superseded", "-o", "json"]);
    assert_eq!(superseded[0]["revision"], "1");
    assert_eq!(superseded[0]["status"], "superseded");
    assert_eq!(env.ok(&["list", "-A", "-q", "--failed"]), "");
    assert_eq!(env.ok(&["list", "-A", "-q", "--all", "-r"]), "web\ndb\n");
    assert_eq!(
        env.ok(&["list", "-A", "-q", "--max", "1", "--offset", "1"]),
        "web\n"
    );
    // --time-format takes a Go layout
    let dated = env.json(&[
        "list",
        "-n",
        "apps",
        "-o",
        "json",
        "--time-format",
        "2006-01-02T15:04:05Z07:00",
    ]);
    let web = theirs.iter().find(|t| t["name"] == "web").unwrap();
    assert_eq!(dated[0]["updated"], web["deployed_at"]);
    // label selectors: the release's own labels and its storage labels
    assert_eq!(env.ok(&["list", "-A", "-q", "-l", "tier=data"]), "db\n");
    assert_eq!(
        env.ok(&["list", "-A", "-q", "--selector", "tier!=data"]),
        "web\n"
    );
    assert_eq!(
        env.ok(&["list", "-A", "-q", "-l", "name==web,owner=helm"]),
        "web\n"
    );
    let (code, _, err) = env.run(&["list", "-l", "tier"]).parts();
    assert_eq!(code, 1);
    assert!(err.starts_with("Error: --selector \"tier\": "), "{err}");
    // by date: newest first, -r oldest first
    assert_eq!(env.ok(&["list", "-A", "-q", "--date"]), "db\nweb\n");
    assert_eq!(env.ok(&["list", "-A", "-q", "-d", "-r"]), "web\ndb\n");
    // the default namespace of the kubeconfig has no release
    assert_eq!(env.ok(&["list", "-q"]), "");

    // history
    let rows = table_rows(&env.ok(&["history", "web", "-n", "apps"]));
    assert_eq!(
        rows[0],
        [
            "REVISION",
            "UPDATED",
            "STATUS",
            "CHART",
            "APP VERSION",
            "DESCRIPTION"
        ]
    );
    assert_eq!(rows[1][0], "1");
    assert_eq!(
        rows[1][2..],
        ["superseded", "demo-0.1.0", "1.0", "Install complete"]
    );
    assert_eq!(
        rows[2][2..],
        ["deployed", "demo-0.1.0", "1.0", "Upgrade complete"]
    );
    let ansic =
        regex::Regex::new(r"^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4}$").unwrap();
    assert!(ansic.is_match(&rows[1][1]), "{}", rows[1][1]);
    let h = env.json(&["history", "web", "-n", "apps", "-o", "json"]);
    assert_eq!(h.as_array().unwrap().len(), 2);
    let raw = env.ok(&["history", "web", "-n", "apps", "-o", "json"]);
    let order = regex::Regex::new(
        r#"^\[\{"revision":1,"updated":"[^"]+","status":"superseded","chart":"demo-0.1.0","app_version":"1.0","description":"Install complete"\},"#,
    )
    .unwrap();
    assert!(order.is_match(&raw), "{raw}");
    assert_eq!(h[1]["revision"], 2);
    assert!(gotime::parse(h[1]["updated"].as_str().unwrap()).is_ok());
    let h = env.json(&["history", "web", "-n", "apps", "--max", "1", "-o", "json"]);
    assert_eq!(h.as_array().unwrap().len(), 1);
    assert_eq!(h[0]["revision"], 2);

    // status: Helm's block, the resources and their state, the notes
    let text = env.ok(&["status", "web", "-n", "apps"]);
    assert!(text.starts_with("NAME: web\nLAST DEPLOYED: "), "{text}");
    for line in [
        "NAMESPACE: apps",
        "STATUS: deployed",
        "REVISION: 2",
        "DESCRIPTION: Upgrade complete",
        "RESOURCES:",
        "NOTES:\nThanks for installing web.",
    ] {
        assert!(text.contains(line), "{line} not in {text}");
    }
    let resources: Vec<Vec<String>> = table_rows(
        text.split("RESOURCES:\n")
            .nth(1)
            .unwrap()
            .split("\n\n")
            .next()
            .unwrap(),
    );
    assert_eq!(resources[0], ["KIND", "NAME", "NAMESPACE", "STATUS"]);
    assert_eq!(resources[1], ["ConfigMap", "web-config", "apps", "exists"]);
    assert_eq!(resources[2], ["Service", "web-svc", "apps", "exists"]);
    assert_eq!(resources[3][..3], ["Deployment", "web-web", "apps"]);
    assert!(resources[3][3].starts_with("ready (1/1)"), "{resources:?}");
    // an object deleted behind the release's back shows as missing
    reqwest::blocking::Client::new()
        .delete(format!(
            "{}/api/v1/namespaces/apps/services/web-svc",
            env.sandbox.url()
        ))
        .send()
        .unwrap();
    let text = env.ok(&["status", "web", "-n", "apps", "--revision", "1"]);
    assert!(text.contains("REVISION: 1\n") && text.contains("STATUS: superseded"));
    assert!(
        regex::Regex::new(r"Service\s+\tweb-svc\s+\tapps\s+\tmissing")
            .unwrap()
            .is_match(&text),
        "{text}"
    );
    let status = env.json(&["status", "web", "-n", "apps", "-o", "json"]);
    assert_eq!(status["name"], "web");
    assert_eq!(status["version"], 2);
    assert_eq!(status["namespace"], "apps");
    assert_eq!(status["info"]["status"], "deployed");
    assert_eq!(status["config"], json!({"image": {"tag": "v2"}}));
    assert!(status["manifest"].as_str().unwrap().contains("web-config"));
    assert!(
        status.get("chart").is_none(),
        "status strips the chart, as Helm"
    );
    let yaml: Value =
        yaml_serde::from_str(&env.ok(&["status", "web", "-n", "apps", "-o", "yaml"])).unwrap();
    assert_eq!(yaml, status);

    // get values: user-supplied, computed (as Helm computes them), another revision
    assert_eq!(
        env.ok(&["get", "values", "web", "-n", "apps"]),
        "USER-SUPPLIED VALUES:\nimage:\n  tag: v2\n"
    );
    assert_eq!(
        env.json(&["get", "values", "web", "-n", "apps", "--all", "-o", "json"]),
        helm[3]
    );
    assert!(
        env.ok(&["get", "values", "web", "-n", "apps", "-a"])
            .starts_with("COMPUTED VALUES:\n")
    );
    assert_eq!(
        env.json(&[
            "get",
            "values",
            "web",
            "-n",
            "apps",
            "--revision",
            "1",
            "-o",
            "json"
        ]),
        json!({"replicas": 2})
    );
    assert_eq!(
        env.ok(&["get", "values", "db", "-n", "data"]),
        "USER-SUPPLIED VALUES:\nnull\n"
    );
    assert_eq!(
        env.json(&["get", "values", "db", "-n", "data", "-o", "json"]),
        helm[6]
    );

    // get manifest, notes, hooks, metadata, all
    let manifest = env.ok(&["get", "manifest", "web", "-n", "apps"]);
    assert!(
        manifest.starts_with("---\n# Source: demo/templates/all.yaml\n"),
        "{manifest}"
    );
    assert!(manifest.contains("image: \"nginx:v2\""), "{manifest}");
    let manifest1 = env.ok(&["get", "manifest", "web", "-n", "apps", "--revision", "1"]);
    assert!(manifest1.contains("image: \"nginx:stable\""), "{manifest1}");
    assert_eq!(
        env.ok(&["get", "notes", "web", "-n", "apps"]),
        "NOTES:\nThanks for installing web.\n\n"
    );
    let hooks = env.ok(&["get", "hooks", "web", "-n", "apps"]);
    assert!(
        hooks.starts_with("---\n# Source: demo/templates/hook.yaml\napiVersion: v1\n"),
        "{hooks}"
    );
    assert!(hooks.contains("name: web-hook"));
    let mut meta = env.json(&["get", "metadata", "web", "-n", "apps", "-o", "json"]);
    let mut theirs = helm[4].clone();
    // Helm also reports the storage object's system labels; rudder keeps only user labels.
    theirs.as_object_mut().unwrap().remove("labels");
    meta.as_object_mut().unwrap().remove("labels");
    assert_eq!(meta, theirs);
    let text = env.ok(&["get", "metadata", "web", "-n", "apps"]);
    assert!(
        text.starts_with(
            "NAME: web\nCHART: demo\nVERSION: 0.1.0\nAPP_VERSION: 1.0\nANNOTATIONS: team=web\n"
        ),
        "{text}"
    );
    assert!(text.contains("NAMESPACE: apps\nREVISION: 2\nSTATUS: deployed\nDEPLOYED_AT: "));
    let all = env.ok(&["get", "all", "web", "-n", "apps"]);
    for part in [
        "NAME: web\n",
        "CHART: demo\nVERSION: 0.1.0\nAPP_VERSION: 1.0\n",
        "USER-SUPPLIED VALUES:\nimage:\n  tag: v2\n",
        "COMPUTED VALUES:\nimage:\n  tag: v2\nkeep: false\nreplicas: 1\n",
        "HOOKS:\n---\n# Source: demo/templates/hook.yaml\n",
        "MANIFEST:\n---\n# Source: demo/templates/all.yaml\n",
        "NOTES:\nThanks for installing web.\n",
    ] {
        assert!(all.contains(part), "{part:?} not in {all}");
    }

    // not found
    for args in [
        &["status", "nope", "-n", "apps"][..],
        &["history", "nope", "-n", "apps"],
        &["get", "values", "nope", "-n", "apps"],
        &["get", "manifest", "web", "-n", "apps", "--revision", "9"],
    ] {
        let (code, out, err) = env.run(args).parts();
        assert_eq!(code, 1, "{args:?}");
        assert_eq!(out, "");
        assert!(
            err.starts_with("Error: ") && err.contains("release: not found"),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    let (_, _, err) = env.run(&["history", "nope", "-n", "apps"]).parts();
    assert_eq!(err, "Error: nope: release: not found\n");
}

#[test]
fn configmap_driver_by_flag_and_environment() {
    let env = start();
    let out = env.helm(json!([
        {"op": "install", "name": "cm", "namespace": "cms", "driver": "configmap"},
    ]));
    assert!(out[0].get("error").is_none(), "{}", out[0]);
    // stored as a ConfigMap: the secret driver sees nothing
    assert_eq!(env.ok(&["list", "-n", "cms", "-q"]), "");
    assert_eq!(
        env.ok(&["list", "-n", "cms", "-q", "--driver", "configmap"]),
        "cm\n"
    );
    assert_eq!(
        env.ok(&["--driver", "configmaps", "list", "-A", "-q"]),
        "cm\n"
    );
    let mut cmd = env.rudder(&["history", "cm", "-n", "cms", "-o", "json"]);
    cmd.env("RUDDER_DRIVER", "configmap");
    let (code, out, err) = Run::command(cmd).parts();
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        serde_json::from_str::<Value>(&out).unwrap()[0]["revision"],
        1
    );
    let (code, _, err) = env.run(&["list", "--driver", "sql"]).parts();
    assert_eq!(code, 1);
    assert!(err.contains("unknown storage driver \"sql\""), "{err}");

    // uninstall through the configmap driver; Helm (configmap driver) sees it gone
    let mut cmd = env.rudder(&["uninstall", "cm", "-n", "cms"]);
    cmd.env("RUDDER_DRIVER", "configmap");
    let (code, out, err) = Run::command(cmd).parts();
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "release \"cm\" uninstalled\n");
    let after = env.helm(json!([
        {"op": "list", "namespace": "cms", "driver": "configmap", "all_states": true},
    ]));
    assert_eq!(after[0], json!([]));
    assert_eq!(
        env.get_raw("/api/v1/namespaces/cms/configmaps/cm-config").0,
        404
    );
}

#[test]
fn uninstall_removes_objects_and_records_and_helm_sees_it() {
    let env = start();
    let out = env.helm(json!([
        {"op": "install", "name": "a", "namespace": "apps"},
        {"op": "install", "name": "b", "namespace": "apps", "values": {"keep": true}},
        {"op": "upgrade", "name": "b", "namespace": "apps", "values": {"keep": true}},
    ]));
    for r in &out {
        assert!(r.get("error").is_none(), "{r}");
    }
    let secrets = |name: &str| {
        env.get_raw(&format!(
            "/api/v1/namespaces/apps/secrets?labelSelector=owner%3Dhelm,name%3D{name}"
        ))
        .1["items"]
            .as_array()
            .unwrap()
            .len()
    };
    assert_eq!(secrets("b"), 2);

    // --dry-run changes nothing
    assert_eq!(
        env.ok(&["uninstall", "a", "-n", "apps", "--dry-run"]),
        "release \"a\" uninstalled\n"
    );
    assert_eq!(
        env.get_raw("/api/v1/namespaces/apps/configmaps/a-config").0,
        200
    );
    assert_eq!(secrets("a"), 1);

    // dependents of the release's Deployments: deleted with them by default, orphaned on ask
    env.own("a");
    env.own("b");

    // a plain uninstall removes the objects, the hook's resource (Helm's own uninstall leaves
    // it behind; rudder cleans it up) and every record
    assert_eq!(
        env.ok(&["uninstall", "a", "-n", "apps"]),
        "release \"a\" uninstalled\n"
    );
    for path in [
        "/api/v1/namespaces/apps/configmaps/a-config",
        "/api/v1/namespaces/apps/services/a-svc",
        "/apis/apps/v1/namespaces/apps/deployments/a-web",
    ] {
        assert_eq!(env.get_raw(path).0, 404, "{path}");
    }
    assert_eq!(secrets("a"), 0);
    assert_eq!(
        env.get_raw("/api/v1/namespaces/apps/configmaps/a-child").0,
        404
    );
    assert_eq!(
        env.get_raw("/api/v1/namespaces/apps/configmaps/b-child").0,
        200
    );
    assert_eq!(
        env.get_raw("/api/v1/namespaces/apps/configmaps/a-hook").0,
        404
    );

    // --keep-history: the latest revision marked uninstalled, kept objects kept
    let out = env.ok(&[
        "uninstall",
        "b",
        "-n",
        "apps",
        "--keep-history",
        "--cascade",
        "orphan",
    ]);
    assert_eq!(
        out,
        "These resources were kept due to the resource policy:\n[ConfigMap] b-config\n\n\
         release \"b\" uninstalled\n"
    );
    assert_eq!(
        env.get_raw("/api/v1/namespaces/apps/configmaps/b-config").0,
        200
    );
    assert_eq!(env.get_raw("/api/v1/namespaces/apps/services/b-svc").0, 404);
    assert_eq!(
        env.get_raw("/apis/apps/v1/namespaces/apps/deployments/b-web")
            .0,
        404
    );
    assert_eq!(
        env.get_raw("/api/v1/namespaces/apps/configmaps/b-child").0,
        200
    );
    assert_eq!(secrets("b"), 2);
    assert_eq!(env.ok(&["list", "-n", "apps", "-q"]), "");
    let listed = env.json(&["list", "-n", "apps", "--uninstalled", "-o", "json"]);
    assert_eq!(listed[0]["name"], "b");
    assert_eq!(listed[0]["revision"], "2");
    assert_eq!(listed[0]["status"], "uninstalled");
    let h = env.json(&["history", "b", "-n", "apps", "-o", "json"]);
    assert_eq!(h[1]["description"], "Uninstallation complete");
    assert_eq!(h[0]["status"], "superseded");
    let (code, _, err) = env
        .run(&["uninstall", "b", "-n", "apps", "--keep-history"])
        .parts();
    assert_eq!(code, 1);
    assert_eq!(err, "Error: the release named \"b\" is already deleted\n");

    // Helm sees both: a gone, b uninstalled with its history
    let helm = env.helm(json!([
        {"op": "list", "namespace": "apps", "all_states": true},
        {"op": "history", "name": "b", "namespace": "apps"},
    ]));
    let states: Vec<(&str, &str)> = helm[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r["status"].as_str().unwrap()))
        .collect();
    assert_eq!(states, [("b", "uninstalled")]);
    assert_eq!(helm[1].as_array().unwrap().len(), 2);

    // uninstalling an uninstalled release without --keep-history purges its records
    env.ok(&["uninstall", "b", "-n", "apps"]);
    assert_eq!(secrets("b"), 0);
    let helm = env.helm(json!([{"op": "list", "namespace": "apps", "all_states": true}]));
    assert_eq!(helm[0], json!([]));

    // absent
    let (code, out, err) = env.run(&["uninstall", "a", "-n", "apps"]).parts();
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(
        err,
        "Error: uninstall: Release not loaded: a: release: not found\n"
    );
    assert_eq!(
        env.ok(&["uninstall", "a", "-n", "apps", "--ignore-not-found"]),
        "release \"a\" uninstalled\n"
    );
}

/// A release record written as Helm would, through the library (for states Helm cannot be
/// made to leave behind on demand).
fn store(env: &SandboxEnv, name: &str, status: Status, manifest: &str) {
    let mut release = Release {
        name: name.into(),
        namespace: "apps".into(),
        version: 1,
        manifest: manifest.into(),
        chart: Some(ReleaseChart::default()),
        ..Release::default()
    };
    release.info.status = status;
    release.info.last_deployed = Some(gotime::now());
    let object = to_object(ObjectKind::Secret, &release, Stamp::created_now());
    env.create("/api/v1/namespaces/apps/secrets", &object);
}

#[test]
fn faults_corrupt_record_pending_release_unreachable_server() {
    let env = start();
    let out = env.helm(json!([{"op": "install", "name": "web", "namespace": "apps"}]));
    assert!(out[0].get("error").is_none(), "{}", out[0]);

    // a Secret with Helm's labels whose release data is garbage
    env.create(
        "/api/v1/namespaces/apps/secrets",
        &json!({
            "apiVersion": "v1", "kind": "Secret", "type": "helm.sh/release.v1",
            "metadata": {"name": "sh.helm.release.v1.broken.v1",
                "labels": {"name": "broken", "owner": "helm", "status": "deployed", "version": "1"}},
            "data": {"release": "bm90IGEgcmVsZWFzZQ=="}
        }),
    );
    let (code, out, err) = env.run(&["list", "-n", "apps", "-q"]).parts();
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, "web\n");
    assert!(
        err.contains("secret apps/sh.helm.release.v1.broken.v1"),
        "{err}"
    );
    for args in [
        &["status", "broken", "-n", "apps"][..],
        &["history", "broken", "-n", "apps"],
        &["uninstall", "broken", "-n", "apps"],
    ] {
        let (code, out, err) = env.run(args).parts();
        assert_eq!((code, out.as_str()), (1, ""), "{args:?}");
        assert!(
            err.starts_with("Error: ")
                && err.contains("secret apps/sh.helm.release.v1.broken.v1: "),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }

    // a release with an operation in progress is not uninstalled
    let cm = "---\n# Source: x/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  \
              name: web-config\n";
    store(&env, "busy", Status::PendingUpgrade, cm);
    let (code, _, err) = env.run(&["uninstall", "busy", "-n", "apps"]).parts();
    assert_eq!(code, 1);
    assert!(err.contains("another operation"), "{err}");
    assert_eq!(
        env.get_raw("/api/v1/namespaces/apps/configmaps/web-config")
            .0,
        200
    );
    assert_eq!(env.ok(&["list", "-n", "apps", "-q", "--pending"]), "busy\n");

    // a deletion the API server refuses: the error names the object, the release is left
    // `uninstalling` with its record, the other objects are gone
    env.sandbox.deny("delete:deployments:apps".parse().unwrap());
    let (code, out, err) = env.run(&["uninstall", "web", "-n", "apps"]).parts();
    assert_eq!((code, out.as_str()), (1, ""));
    assert!(
        err.starts_with("Error: failed to delete release web: Deployment apps/web-web: "),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert_eq!(
        env.get_raw("/api/v1/namespaces/apps/services/web-svc").0,
        404
    );
    assert_eq!(
        env.get_raw("/apis/apps/v1/namespaces/apps/deployments/web-web")
            .0,
        200
    );
    assert_eq!(
        env.ok(&["list", "-n", "apps", "-q", "--uninstalling"]),
        "web\n"
    );
    env.sandbox.clear_deny_rules();
    // and a second attempt finishes the job
    env.ok(&["uninstall", "web", "-n", "apps"]);
    assert_eq!(
        env.get_raw("/apis/apps/v1/namespaces/apps/deployments/web-web")
            .0,
        404
    );
    assert_eq!(env.ok(&["list", "-n", "apps", "-q", "--all"]), "busy\n");

    // the API server goes away: one line naming it
    let server = env.sandbox.url();
    let kubeconfig = env.kubeconfig();
    let SandboxEnv { dir, sandbox, .. } = env;
    sandbox.stop();
    for args in [&["list"][..], &["status", "busy"], &["uninstall", "busy"]] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rudder"));
        cmd.env_remove("RUDDER_DRIVER")
            .env("HOME", dir.path())
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(args);
        let (code, out, err) = Run::command(cmd).parts();
        assert_eq!((code, out.as_str()), (1, ""), "{args:?}");
        let host = server.trim_start_matches("http://");
        assert!(
            err.starts_with("Error: cannot reach the Kubernetes API server at ")
                && err.contains(host),
            "{err}"
        );
        assert_eq!(err.lines().count(), 1, "{err}");
    }
}
