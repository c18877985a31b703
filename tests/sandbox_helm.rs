//! The sandbox proven with the real Helm v4 engine (through the oracle's Python): install with
//! a new namespace, upgrade that drops a resource, list, history, rollback and uninstall, with
//! the sandbox's objects checked after each step; and installs that wait for the simulated
//! status (ready, never ready, ready after a delay, a failed Job).

mod common;

use rudder::sandbox::{Sandbox, SandboxOptions};
use serde_json::{Value, json};

const CHART_YAML: &str = "apiVersion: v2\nname: demo\nversion: 0.1.0\n";
const VALUES: &str = "replicas: 1\nextra: true\n";
const TEMPLATE: &str = r#"apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
data:
  replicas: "{{ .Values.replicas }}"
---
apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-svc
spec:
  ports: [{port: 80}]
  selector: {app: demo}
{{- if .Values.extra }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-extra
data: {a: b}
{{- end }}
"#;

fn get(sandbox: &Sandbox, path: &str) -> (u16, Value) {
    let resp = reqwest::blocking::get(format!("{}{path}", sandbox.url())).unwrap();
    let code = resp.status().as_u16();
    (code, serde_json::from_str(&resp.text().unwrap()).unwrap())
}

#[test]
fn helm_installs_upgrades_rolls_back_and_uninstalls() {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("demo");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(chart.join("Chart.yaml"), CHART_YAML).unwrap();
    std::fs::write(chart.join("values.yaml"), VALUES).unwrap();
    std::fs::write(chart.join("templates/all.yaml"), TEMPLATE).unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    let sandbox = Sandbox::start(SandboxOptions {
        kubeconfig: Some(kubeconfig.clone()),
        ..SandboxOptions::default()
    })
    .unwrap();
    let run = |step: &str| {
        common::oracle(
            "sandbox_helm.py",
            &json!({"kubeconfig": kubeconfig, "namespace": "apps", "chart": chart, "step": step}),
        )
    };
    let cm = "/api/v1/namespaces/apps/configmaps";
    let secrets = "/api/v1/namespaces/apps/secrets?labelSelector=owner%3Dhelm";

    let out = run("install");
    assert_eq!(out["version"], 1, "{out}");
    assert_eq!(
        out["list"],
        json!([{"name": "rel", "namespace": "apps", "revision": 1, "status": "deployed"}])
    );
    assert_eq!(get(&sandbox, "/api/v1/namespaces/apps").0, 200);
    assert_eq!(
        get(&sandbox, &format!("{cm}/rel-config")).1["data"]["replicas"],
        "1"
    );
    assert_eq!(get(&sandbox, &format!("{cm}/rel-extra")).0, 200);
    let release = get(
        &sandbox,
        "/api/v1/namespaces/apps/secrets/sh.helm.release.v1.rel.v1",
    )
    .1;
    assert_eq!(release["type"], "helm.sh/release.v1");
    assert_eq!(release["metadata"]["labels"]["status"], "deployed");

    let out = run("upgrade");
    assert_eq!(out["version"], 2);
    assert_eq!(
        out["history"],
        json!([{"revision": 1, "status": "superseded"}, {"revision": 2, "status": "deployed"}])
    );
    assert_eq!(
        get(&sandbox, &format!("{cm}/rel-config")).1["data"]["replicas"],
        "2"
    );
    assert_eq!(get(&sandbox, &format!("{cm}/rel-extra")).0, 404);

    let out = run("rollback");
    assert_eq!(out["list"][0]["revision"], 3);
    assert_eq!(get(&sandbox, &format!("{cm}/rel-extra")).0, 200);
    assert_eq!(
        get(&sandbox, &format!("{cm}/rel-config")).1["data"]["replicas"],
        "1"
    );
    assert_eq!(
        get(&sandbox, secrets).1["items"].as_array().unwrap().len(),
        3
    );

    let out = run("uninstall");
    assert_eq!(out["list"], json!([]));
    assert_eq!(get(&sandbox, &format!("{cm}/rel-config")).0, 404);
    assert_eq!(
        get(&sandbox, "/api/v1/namespaces/apps/services/rel-svc").0,
        404
    );
    assert_eq!(get(&sandbox, secrets).1["items"], json!([]));
}

/// A chart with a Deployment and a Job whose simulate annotations come from values `web`
/// and `job`.
const WAIT_TEMPLATE: &str = r#"apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
  {{- with .Values.web }}
  annotations:
    sandbox.rudder.dev/simulate: {{ . | quote }}
  {{- end }}
spec:
  replicas: 2
  selector:
    matchLabels: {app: {{ .Release.Name }}}
  template:
    metadata:
      labels: {app: {{ .Release.Name }}}
    spec:
      containers: [{name: web, image: nginx}]
---
apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-migrate
  {{- with .Values.job }}
  annotations:
    sandbox.rudder.dev/simulate: {{ . | quote }}
  {{- end }}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers: [{name: migrate, image: busybox}]
"#;

#[test]
fn helm_waits_for_simulated_readiness() {
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("waiter");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: waiter\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(chart.join("templates/all.yaml"), WAIT_TEMPLATE).unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    let sandbox = Sandbox::start(SandboxOptions {
        kubeconfig: Some(kubeconfig.clone()),
        ..SandboxOptions::default()
    })
    .unwrap();
    // Each case installs its own release in its own namespace, all at once.
    let cases = [
        ("fine", json!({}), 20),
        ("stuck", json!({"web": "never-ready"}), 2),
        ("slow", json!({"web": "delay=2s"}), 20),
        ("broken", json!({"job": "fail"}), 10),
    ];
    let results: Vec<Value> = std::thread::scope(|s| {
        let handles: Vec<_> = cases
            .iter()
            .map(|(name, values, timeout)| {
                let input = json!({"kubeconfig": kubeconfig, "namespace": name, "chart": chart,
                    "step": "wait", "release": name, "values": values, "timeout": timeout});
                s.spawn(move || common::oracle("sandbox_helm.py", &input))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let [fine, stuck, slow, broken] = &results[..] else {
        unreachable!()
    };
    assert_eq!(fine["ok"], true, "{fine}");
    assert_eq!(fine["status"], json!(["deployed"]));
    assert!(fine["seconds"].as_f64().unwrap() < 10.0, "{fine}");
    let (_, d) = get(
        &sandbox,
        "/apis/apps/v1/namespaces/fine/deployments/fine-web",
    );
    assert_eq!(d["status"]["readyReplicas"], 2);
    let (_, j) = get(&sandbox, "/apis/batch/v1/namespaces/fine/jobs/fine-migrate");
    assert_eq!(j["status"]["succeeded"], 1);

    assert_eq!(stuck["ok"], false, "{stuck}");
    assert_eq!(stuck["status"], json!(["failed"]));
    assert!(stuck["seconds"].as_f64().unwrap() >= 2.0, "{stuck}");
    let why = stuck["error"].as_str().unwrap();
    assert!(
        why.contains("Deployment/stuck/stuck-web not ready") && why.contains("InProgress"),
        "{why}"
    );

    assert_eq!(slow["ok"], true, "{slow}");
    assert!(slow["seconds"].as_f64().unwrap() >= 2.0, "{slow}");

    assert_eq!(broken["ok"], false, "{broken}");
    let why = broken["error"].as_str().unwrap();
    assert!(
        why.contains("Job/broken/broken-migrate") && why.contains("status: Failed"),
        "{why}"
    );
    assert_eq!(broken["status"], json!(["failed"]));
    let (_, j) = get(
        &sandbox,
        "/apis/batch/v1/namespaces/broken/jobs/broken-migrate",
    );
    assert_eq!(j["status"]["conditions"][1]["type"], "Failed");
}
