//! Release storage proven both ways with the real Helm v4 engine against the sandbox:
//! Helm installs and upgrades, and our decode of its Secrets gives every field Helm itself
//! reports (and re-encodes to the same JSON); we store a release of `charts/nginx` rendered by
//! our engine, and Helm lists it, shows its history, values and manifest, and uninstalls it.

mod common;

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use rudder::action::template::{self, TemplateRequest};
use rudder::engine::ReleaseInfo;
use rudder::release::object::SYSTEM_LABELS;
use rudder::release::{self, ObjectKind, Release, ReleaseChart, Status, gotime};
use rudder::sandbox::{Sandbox, SandboxOptions};
use rudder::storage::{ClusterObjects, Labels, ObjectDriver, ObjectsError, Storage};
use rudder::values::options::ValueSource;
use serde_json::{Value, json};

/// Secrets and ConfigMaps of the sandbox over plain HTTP: the cluster-objects backend the
/// `secret` driver needs, as thin as the real one will be.
struct Http {
    base: String,
    client: reqwest::blocking::Client,
}

impl Http {
    fn url(&self, kind: ObjectKind, ns: &str, name: Option<&str>) -> String {
        let mut url = if ns.is_empty() {
            format!("{}/api/v1/{}", self.base, kind.resource())
        } else {
            format!("{}/api/v1/namespaces/{ns}/{}", self.base, kind.resource())
        };
        if let Some(n) = name {
            url.push('/');
            url.push_str(n);
        }
        url
    }

    fn send(&self, req: reqwest::blocking::RequestBuilder) -> Result<Value, ObjectsError> {
        let resp = req.send().map_err(|e| ObjectsError::Other(e.to_string()))?;
        let code = resp.status().as_u16();
        let body: Value =
            serde_json::from_str(&resp.text().unwrap_or_default()).unwrap_or(Value::Null);
        match code {
            200..=299 => Ok(body),
            404 => Err(ObjectsError::NotFound),
            409 => Err(ObjectsError::AlreadyExists),
            _ => Err(ObjectsError::Other(format!(
                "HTTP {code}: {}",
                body["message"]
            ))),
        }
    }
}

impl ClusterObjects for Http {
    fn get(&self, kind: ObjectKind, ns: &str, name: &str) -> Result<Option<Value>, ObjectsError> {
        match self.send(self.client.get(self.url(kind, ns, Some(name)))) {
            Ok(v) => Ok(Some(v)),
            Err(ObjectsError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }
    fn list(&self, kind: ObjectKind, ns: &str, sel: &Labels) -> Result<Vec<Value>, ObjectsError> {
        let selector: Vec<String> = sel.iter().map(|(k, v)| format!("{k}%3D{v}")).collect();
        let url = format!(
            "{}?labelSelector={}",
            self.url(kind, ns, None),
            selector.join("%2C")
        );
        let req = self.client.get(url);
        let list = self.send(req)?;
        Ok(list["items"].as_array().cloned().unwrap_or_default())
    }
    fn create(&self, kind: ObjectKind, ns: &str, obj: &Value) -> Result<(), ObjectsError> {
        self.send(
            self.client
                .post(self.url(kind, ns, None))
                .header("content-type", "application/json")
                .body(obj.to_string()),
        )
        .map(drop)
    }
    fn update(&self, kind: ObjectKind, ns: &str, obj: &Value) -> Result<(), ObjectsError> {
        let name = obj["metadata"]["name"].as_str().unwrap_or_default();
        self.send(
            self.client
                .put(self.url(kind, ns, Some(name)))
                .header("content-type", "application/json")
                .body(obj.to_string()),
        )
        .map(drop)
    }
    fn delete(&self, kind: ObjectKind, ns: &str, name: &str) -> Result<(), ObjectsError> {
        self.send(self.client.delete(self.url(kind, ns, Some(name))))
            .map(drop)
    }
}

const CHART_YAML: &str = "apiVersion: v2\nname: demo\nversion: 0.1.0\nappVersion: \"1.0\"\n";
const TEMPLATE: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-c\ndata:\n  a: \"{{ .Values.a }}\"\n";
const HOOK: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-hook\n  annotations:\n    \"helm.sh/hook\": post-install,post-upgrade\n    \"helm.sh/hook-weight\": \"3\"\n    \"helm.sh/hook-delete-policy\": before-hook-creation\ndata: {}\n";

fn write_chart(dir: &std::path::Path) -> std::path::PathBuf {
    let chart = dir.join("demo");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    for (name, text) in [
        ("Chart.yaml", CHART_YAML),
        ("values.yaml", "a: 1\n"),
        ("values.schema.json", "{\"type\":\"object\"}\n"),
        ("README.md", "hello\n"),
        ("templates/cm.yaml", TEMPLATE),
        ("templates/hook.yaml", HOOK),
        ("templates/NOTES.txt", "notes {{ .Release.Name }}\n"),
    ] {
        std::fs::write(chart.join(name), text).unwrap();
    }
    chart
}

fn start() -> (tempfile::TempDir, Sandbox, std::path::PathBuf, Http) {
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = dir.path().join("kubeconfig");
    let sandbox = Sandbox::start(SandboxOptions {
        kubeconfig: Some(kubeconfig.clone()),
        ..SandboxOptions::default()
    })
    .unwrap();
    let http = Http {
        base: sandbox.url().to_string(),
        client: reqwest::blocking::Client::new(),
    };
    (dir, sandbox, kubeconfig, http)
}

/// The release JSON inside a Secret, decoded by hand (base64, base64, gunzip).
fn raw_json(secret: &Value) -> Value {
    use std::io::Read;
    let once = STANDARD
        .decode(secret["data"]["release"].as_str().unwrap())
        .unwrap();
    let twice = STANDARD.decode(once).unwrap();
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(twice.as_slice())
        .read_to_end(&mut json)
        .unwrap();
    serde_json::from_slice(&json).unwrap()
}

fn user_labels(labels: &Value) -> BTreeMap<String, String> {
    serde_json::from_value::<BTreeMap<String, String>>(labels.clone())
        .unwrap()
        .into_iter()
        .filter(|(k, _)| !SYSTEM_LABELS.contains(&k.as_str()))
        .collect()
}

#[test]
fn helm_written_releases_decode_to_what_helm_reports() {
    let (dir, _sandbox, kubeconfig, http) = start();
    let chart = write_chart(dir.path());
    let helm = common::oracle(
        "release_helm.py",
        &json!({"kubeconfig": kubeconfig, "namespace": "apps", "step": "install", "chart": chart}),
    );
    let sel = Labels::from([
        ("owner".into(), "helm".into()),
        ("name".into(), "rel".into()),
    ]);
    let secrets = http.list(ObjectKind::Secret, "apps", &sel).unwrap();
    assert_eq!(secrets.len(), 2);
    for secret in &secrets {
        let ours = release::from_object(ObjectKind::Secret, secret).unwrap();
        let view = &helm["revisions"][ours.version.to_string()];
        let summary = &view["summary"];
        assert_eq!(serde_json::to_value(&ours.info).unwrap(), view["info"]);
        assert_eq!(serde_json::to_value(&ours.hooks).unwrap(), view["hooks"]);
        assert_eq!(Value::Object(ours.config.clone()), view["config"]);
        assert_eq!(ours.manifest, summary["manifest"].as_str().unwrap());
        assert_eq!(ours.name, summary["name"].as_str().unwrap());
        assert_eq!(ours.namespace, summary["namespace"].as_str().unwrap());
        assert_eq!(
            ours.info.status.as_str(),
            summary["status"].as_str().unwrap()
        );
        assert_eq!(ours.labels, user_labels(&summary["labels"]));
        let chart = ours.chart.as_ref().unwrap();
        assert_eq!(chart.metadata.name, summary["chart_name"].as_str().unwrap());
        assert_eq!(
            chart.metadata.version,
            summary["chart_version"].as_str().unwrap()
        );
        assert_eq!(
            chart.metadata.app_version.as_deref(),
            summary["app_version"].as_str()
        );
        // nothing Helm wrote is lost: our encoding of the decoded release is Helm's JSON
        assert_eq!(serde_json::to_value(&ours).unwrap(), raw_json(secret));
        // the stored chart renders again with our engine's loader model
        let back = chart.to_chart("stored").unwrap();
        assert_eq!(back.templates.len(), 3);
        assert_eq!(back.files[0].data, b"hello\n");
    }
    // the secret driver reads Helm's history and deployed revision
    let storage = Storage::new(
        Box::new(ObjectDriver::new(http, ObjectKind::Secret, "apps")),
        10,
    );
    let history = storage.history("rel").unwrap();
    let statuses: Vec<_> = history.iter().map(|r| (r.version, r.info.status)).collect();
    assert_eq!(statuses, [(1, Status::Superseded), (2, Status::Deployed)]);
    assert_eq!(storage.deployed("rel").unwrap().config["a"], 3);
}

/// A release of `charts/nginx` at `version`, rendered by our engine, as an install would record it.
fn our_release(version: u64, status: Status, replicas: u64) -> Release {
    let mut req = TemplateRequest::default();
    req.render.chart = common::repo_root().join("charts/nginx");
    req.render.release = ReleaseInfo {
        name: "ours".into(),
        namespace: "apps".into(),
        revision: version,
        is_install: version == 1,
        is_upgrade: version > 1,
    };
    req.render
        .values
        .sets
        .push(ValueSource::Set(format!("replicaCount={replicas}")));
    let out = template::run(&req, &mut std::io::empty()).unwrap();
    let now = gotime::now();
    let mut r = Release {
        name: "ours".into(),
        namespace: "apps".into(),
        version,
        chart: Some(ReleaseChart::from_chart(&out.result.chart).unwrap()),
        config: out.result.user_values.clone(),
        manifest: out.to_yaml_stream(),
        apply_method: "ssa".into(),
        ..Release::default()
    };
    r.info.first_deployed = Some(now);
    r.info.last_deployed = Some(now);
    r.info.status = status;
    r.info.description = if version == 1 {
        "Install complete"
    } else {
        "Upgrade complete"
    }
    .into();
    r.info.notes = out.result.rendered.notes.clone().unwrap_or_default();
    r.labels.insert("origin".into(), "rudder".into());
    r
}

#[test]
fn helm_lists_inspects_and_uninstalls_our_release() {
    let (_dir, _sandbox, kubeconfig, http) = start();
    let ns = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}});
    http.send(
        http.client
            .post(format!("{}/api/v1/namespaces", http.base))
            .header("content-type", "application/json")
            .body(ns.to_string()),
    )
    .unwrap();
    let storage = Storage::new(
        Box::new(ObjectDriver::new(http, ObjectKind::Secret, "apps")),
        10,
    );
    let v1 = our_release(1, Status::Deployed, 1);
    storage.create(&v1).unwrap();
    let mut superseded = v1.clone();
    superseded.info.status = Status::Superseded;
    let v2 = our_release(2, Status::Deployed, 3);
    storage.create(&v2).unwrap();
    storage.update(&superseded).unwrap();
    assert!(v2.manifest.contains("kind: Deployment"), "{}", v2.manifest);

    let helm = common::oracle(
        "release_helm.py",
        &json!({"kubeconfig": kubeconfig, "namespace": "apps", "step": "inspect"}),
    );
    let listed: Vec<_> = helm["list"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].clone(),
                r["revision"].clone(),
                r["status"].clone(),
                r["chart_name"].clone(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [(json!("ours"), json!(2), json!("deployed"), json!("nginx"))]
    );
    let history: Vec<_> = helm["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["revision"].as_u64().unwrap(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        history,
        [(1, "superseded".to_string()), (2, "deployed".to_string())]
    );
    assert_eq!(helm["values"], json!({"replicaCount": 3}));
    for ours in [&superseded, &v2] {
        let view = &helm["revisions"][ours.version.to_string()];
        assert_eq!(view["summary"]["manifest"].as_str().unwrap(), ours.manifest);
        assert_eq!(view["summary"]["notes"].as_str().unwrap(), ours.info.notes);
        assert_eq!(view["summary"]["labels"]["origin"], "rudder");
        assert_eq!(
            view["summary"]["chart_version"].as_str().unwrap(),
            ours.chart.as_ref().unwrap().metadata.version
        );
        assert_eq!(view["info"], serde_json::to_value(&ours.info).unwrap());
        assert_eq!(view["config"], Value::Object(ours.config.clone()));
    }
    assert_eq!(helm["after"], json!([]));
    assert!(storage.history("ours").unwrap_err().is_not_found());
}
