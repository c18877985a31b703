//! `rudder create`: the scaffold renders, lints clean with `--strict`, and renders the same
//! objects as `helm create`'s Go chart (checked against the real Helm v4 engine).

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{Value, json};

fn rudder() -> Command {
    Command::cargo_bin("rudder").unwrap()
}

/// Creates chart `name` under `dir` with the binary and returns its path.
fn create(dir: &Path, name: &str) -> PathBuf {
    rudder()
        .current_dir(dir)
        .args(["create", name])
        .assert()
        .success()
        .stdout(format!("Creating {name}\n"));
    dir.join(name)
}

/// Writes values to a file for `-f` (JSON is YAML).
fn values_file(dir: &Path, tag: &str, values: &Value) -> PathBuf {
    let path = dir.join(format!("values-{tag}.json"));
    std::fs::write(&path, values.to_string()).unwrap();
    path
}

/// The value sets every check runs with: defaults, and each optional object switched on.
fn value_sets() -> Vec<Value> {
    vec![
        json!({}),
        json!({"ingress": {"enabled": true}}),
        json!({"autoscaling": {"enabled": true, "targetMemoryUtilizationPercentage": 70}}),
        json!({"httpRoute": {"enabled": true}}),
        json!({
            "ingress": {"enabled": true, "className": "nginx", "annotations": {"x": "y"},
                        "tls": [{"secretName": "s", "hosts": ["chart-example.local"]}]},
            "podAnnotations": {"a": "b"}, "podLabels": {"c": "d"},
            "imagePullSecrets": [{"name": "regcred"}], "resources": {"limits": {"cpu": "1"}},
            "volumes": [{"name": "v", "emptyDir": {}}], "volumeMounts": [{"name": "v", "mountPath": "/x"}],
            "nodeSelector": {"k": "v"}, "tolerations": [{"key": "k", "operator": "Exists"}],
            "affinity": {"podAntiAffinity": {}}, "securityContext": {"runAsUser": 1000},
            "podSecurityContext": {"fsGroup": 2000}, "serviceAccount": {"annotations": {"q": "r"}},
            "image": {"tag": "1.27"}
        }),
        json!({"fullnameOverride": "custom-", "serviceAccount": {"create": false}, "service": {"type": "NodePort"}}),
        json!({"nameOverride": "other", "service": {"type": "LoadBalancer", "port": 8080}}),
        json!({"nameOverride": "a-long-name-override"}),
        // Cut at 63 characters right after a `-`, which is trimmed.
        json!({"fullnameOverride": format!("{}-tail", "x".repeat(62))}),
    ]
}

#[test]
fn created_chart_renders_and_lints_strict_with_every_option() {
    let tmp = tempfile::tempdir().unwrap();
    let chart = create(tmp.path(), "web-app");
    for (i, values) in value_sets().iter().enumerate() {
        let file = values_file(tmp.path(), &i.to_string(), values);
        let out = rudder()
            .args([
                "template",
                chart.to_str().unwrap(),
                "-f",
                file.to_str().unwrap(),
            ])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("kind: Deployment"), "{out}");
        for (switch, kind) in [
            ("ingress", "kind: Ingress"),
            ("autoscaling", "kind: HorizontalPodAutoscaler"),
            ("httpRoute", "kind: HTTPRoute"),
        ] {
            let on = values[switch]["enabled"] == json!(true);
            assert_eq!(out.contains(kind), on, "{switch} in set {i}: {out}");
        }
        rudder()
            .args(["lint", "--strict", chart.to_str().unwrap(), "-f", file.to_str().unwrap()])
            .assert()
            .success()
            .stdout(format!(
                "==> Linting {}\n[INFO] Chart.yaml: icon is recommended\n\n1 chart(s) linted, 0 chart(s) failed\n",
                chart.display()
            ));
    }
}

#[test]
fn set_flags_switch_the_optional_objects_on_and_lint_strict() {
    let tmp = tempfile::tempdir().unwrap();
    let chart = create(tmp.path(), "web");
    let chart = chart.to_str().unwrap();
    let sets = [
        "--set",
        "ingress.enabled=true",
        "--set",
        "autoscaling.enabled=true",
    ];
    let out = rudder()
        .args(["template", chart])
        .args(sets)
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("kind: Ingress\n"), "{out}");
    assert!(out.contains("kind: HorizontalPodAutoscaler\n"), "{out}");
    // With autoscaling on, the Deployment leaves replicas to the autoscaler.
    assert!(!out.contains("replicas:"), "{out}");
    rudder()
        .args(["lint", "--strict", chart])
        .args(sets)
        .assert()
        .success();
    // The schema guards the values: a wrong type fails the lint.
    rudder()
        .args(["lint", chart, "--set", "service.port=http"])
        .assert()
        .code(1)
        .stdout(predicates::str::contains(
            "[ERROR] values.yaml: values don't meet the schema of chart web: at '/service/port'",
        ));
}

#[test]
fn created_files_and_names() {
    let tmp = tempfile::tempdir().unwrap();
    let chart = create(tmp.path(), "9-lives");
    let mut files: Vec<String> = walk(&chart)
        .into_iter()
        .map(|p| p.strip_prefix(&chart).unwrap().display().to_string())
        .collect();
    files.sort();
    assert_eq!(
        files,
        vec![
            ".helmignore",
            "Chart.yaml",
            "templates/NOTES.txt",
            "templates/_helpers.tpl",
            "templates/deployment.yaml",
            "templates/hpa.yaml",
            "templates/httproute.yaml",
            "templates/ingress.yaml",
            "templates/service.yaml",
            "templates/serviceaccount.yaml",
            "templates/tests/test-connection.yaml",
            "values.schema.json",
            "values.yaml",
        ]
    );
    let chart_yaml: Value =
        yaml_serde::from_str(&std::fs::read_to_string(chart.join("Chart.yaml")).unwrap()).unwrap();
    assert_eq!(
        chart_yaml,
        json!({"apiVersion": "v2", "name": "9-lives", "description": "A Helm-compatible chart for Kubernetes, written for rudder",
               "type": "application", "version": "0.1.0", "appVersion": "1.16.0"})
    );
    // Component names are identifiers: `-` becomes `_`, a leading digit gets a `_`.
    let helpers = std::fs::read_to_string(chart.join("templates/_helpers.tpl")).unwrap();
    for component in [
        "name",
        "fullname",
        "chart",
        "labels",
        "selectorLabels",
        "serviceAccountName",
    ] {
        assert!(
            helpers.contains(&format!("{{% component _9_lives_{component}(")),
            "{component}: {helpers}"
        );
    }
    rudder()
        .args(["lint", "--strict", chart.to_str().unwrap()])
        .assert()
        .success();
    // A path: the chart is named after its last component, parents are made.
    let nested = tmp.path().join("a/b/nested");
    rudder()
        .args(["create", nested.to_str().unwrap()])
        .assert()
        .success();
    assert!(nested.join("Chart.yaml").is_file());
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn refuses_existing_non_empty_paths_and_bad_names() {
    let tmp = tempfile::tempdir().unwrap();
    let existing = tmp.path().join("taken");
    std::fs::create_dir(&existing).unwrap();
    std::fs::write(existing.join("keep.txt"), "mine").unwrap();
    rudder()
        .current_dir(tmp.path())
        .args(["create", "taken"])
        .assert()
        .code(1)
        .stderr("Error: taken: the directory exists and is not empty; refusing to overwrite it\n");
    assert_eq!(std::fs::read_dir(&existing).unwrap().count(), 1);

    std::fs::write(tmp.path().join("afile"), "x").unwrap();
    rudder()
        .current_dir(tmp.path())
        .args(["create", "afile"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("a file exists at this path"));

    rudder()
        .current_dir(tmp.path())
        .args(["create", "Bad_Name"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "chart name \"Bad_Name\" is invalid",
        ));
    // Nothing was written, not even a temporary directory.
    let mut left: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    left.sort();
    assert_eq!(left, vec!["afile", "taken"]);

    // An empty directory is filled.
    std::fs::create_dir(tmp.path().join("empty")).unwrap();
    create(tmp.path(), "empty");
}

/// Parses a YAML stream into (document) values, numbers compared by value.
fn documents(text: &str) -> Vec<Value> {
    rudder::engine::manifest::split_documents(text)
        .into_iter()
        .filter_map(|d| yaml_serde::from_str::<Option<Value>>(d).unwrap())
        .map(|v| normalize(&v))
        .collect()
}

/// Numbers as f64 (Helm's engine reads YAML numbers as float64); rudder's `Release.Service`
/// label value as Helm's.
fn normalize(v: &Value) -> Value {
    match v {
        Value::Number(n) => json!(n.as_f64().unwrap()),
        Value::String(s) if s == "rudder" => json!("Helm"),
        Value::Array(a) => Value::Array(a.iter().map(normalize).collect()),
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, v)| (k.clone(), normalize(v))).collect())
        }
        other => other.clone(),
    }
}

#[test]
fn renders_the_same_objects_and_notes_as_helm_create() {
    let tmp = tempfile::tempdir().unwrap();
    let ours = create(tmp.path(), "mychart");
    let helm_dir = tmp.path().join("helm");
    std::fs::create_dir(&helm_dir).unwrap();
    let releases = [
        "release-name",
        "mychart-prod", // contains the chart name: used as the full name
        // 53 characters, the longest release name: with a long nameOverride, past 63.
        "a-long-release-name-that-pushes-the-full-name-past-63",
    ];
    let mut renders = Vec::new();
    for release in releases {
        for values in value_sets() {
            renders.push(json!({"values": values, "name": release, "namespace": "ns1"}));
        }
    }
    let results = common::oracle(
        "create.py",
        &json!({"name": "mychart", "dir": helm_dir, "renders": renders}),
    );
    let results = results.as_array().unwrap();
    assert_eq!(results.len(), renders.len());
    for (i, (render, helm)) in renders.iter().zip(results).enumerate() {
        assert_eq!(helm["ok"], json!(true), "Helm failed on {render}: {helm}");
        let helm_outputs = helm["outputs"].as_object().unwrap();
        let release = render["name"].as_str().unwrap();
        let file = values_file(tmp.path(), &i.to_string(), &render["values"]);

        // Objects: every template's documents, compared as data.
        let mut expected = Vec::new();
        for (source, text) in helm_outputs {
            if !source.ends_with("NOTES.txt") {
                for doc in documents(text.as_str().unwrap()) {
                    expected.push((source.clone(), doc));
                }
            }
        }
        expected.sort_by(|a, b| a.0.cmp(&b.0));
        let out = rudder()
            .args([
                "template",
                release,
                ours.to_str().unwrap(),
                "-n",
                "ns1",
                "-f",
                file.to_str().unwrap(),
            ])
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let out = String::from_utf8(out).unwrap();
        let mut actual = Vec::new();
        for chunk in out.split("---\n# Source: ").filter(|c| !c.is_empty()) {
            let (source, body) = chunk.split_once('\n').unwrap();
            for doc in documents(body) {
                actual.push((source.to_string(), doc));
            }
        }
        actual.sort_by(|a, b| a.0.cmp(&b.0));
        assert_eq!(actual, expected, "render {i}: {render}");

        // NOTES.txt, through the library (template does not print notes).
        let req = rudder::action::render::RenderRequest {
            chart: ours.clone(),
            values: rudder::values::options::ValueOptions {
                files: vec![file.display().to_string()],
                sets: vec![],
            },
            release: rudder::engine::ReleaseInfo {
                name: release.into(),
                namespace: "ns1".into(),
                ..Default::default()
            },
            capabilities: Default::default(),
            lookup: None,
        };
        let result = rudder::action::render::load_and_render(&req, &mut std::io::empty()).unwrap();
        let helm_notes = helm_outputs["mychart/templates/NOTES.txt"]
            .as_str()
            .unwrap();
        assert_eq!(
            result.rendered.notes.as_deref().map(str::trim_end),
            Some(helm_notes.trim_end()),
            "NOTES of render {i}: {render}"
        );
    }
}
