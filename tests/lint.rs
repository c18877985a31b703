//! `rudder lint`: one failing fixture per rule (built in a temporary directory), Helm's output
//! layout and exit codes, and the findings compared with the real Helm v4 linter on charts whose
//! templates are plain YAML (valid in both chart languages).

mod common;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::str::contains;
use serde_json::{Value, json};

fn rudder() -> Command {
    Command::cargo_bin("rudder").unwrap()
}

const CHART_YAML: &str =
    "apiVersion: v2\nname: demo\nversion: 0.1.0\nicon: https://example.com/icon.png\n";

const CONFIGMAP: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ Release.Name }}-config\n  labels:\n    app: demo\ndata:\n  key: {{ Values.key | quote }}\n";

/// A chart directory `<tmp>/demo` made of (path, content) pairs on top of a clean base.
struct Fixture {
    _tmp: tempfile::TempDir,
    dir: PathBuf,
}

impl Fixture {
    fn new(files: &[(&str, &str)]) -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("demo");
        let base = [
            ("Chart.yaml", CHART_YAML),
            ("values.yaml", "key: value\n"),
            ("templates/configmap.yaml", CONFIGMAP),
        ];
        for (name, content) in base.iter().chain(files) {
            write(&dir, name, content);
        }
        Fixture { _tmp: tmp, dir }
    }

    fn path(&self) -> &str {
        self.dir.to_str().unwrap()
    }

    fn lint(&self, extra: &[&str]) -> assert_cmd::assert::Assert {
        rudder().arg("lint").arg(self.path()).args(extra).assert()
    }
}

fn write(dir: &Path, name: &str, content: &str) {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

fn stdout(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8(a.get_output().stdout.clone()).unwrap()
}

#[test]
fn a_clean_chart_passes_with_helms_output() {
    let f = Fixture::new(&[]);
    f.lint(&["--strict"]).success().stdout(format!(
        "==> Linting {}\n\n1 chart(s) linted, 0 chart(s) failed\n",
        f.path()
    ));
}

#[test]
fn info_does_not_fail_even_strict() {
    let f = Fixture::new(&[("Chart.yaml", "apiVersion: v2\nname: demo\nversion: 0.1.0\n")]);
    f.lint(&["--strict"]).success().stdout(format!(
        "==> Linting {}\n[INFO] Chart.yaml: icon is recommended\n\n1 chart(s) linted, 0 chart(s) failed\n",
        f.path()
    ));
    // --quiet hides charts with nothing above INFO, and the summary.
    f.lint(&["--quiet"]).success().stdout("");
}

#[test]
fn missing_name_fails() {
    let f = Fixture::new(&[("Chart.yaml", "apiVersion: v2\nversion: 0.1.0\n")]);
    f.lint(&[])
        .code(1)
        .stdout(contains("[ERROR] Chart.yaml: name is required\n"))
        .stderr("Error: 1 chart(s) linted, 1 chart(s) failed\n");
}

#[test]
fn bad_version_fails() {
    for version in ["1.2", "v1.2.3", "\"1.0.0.0\""] {
        let f = Fixture::new(&[(
            "Chart.yaml",
            &format!("apiVersion: v2\nname: demo\nversion: {version}\nicon: https://x.io/i.png\n"),
        )]);
        let a = f.lint(&[]).code(1);
        let out = stdout(&a);
        assert!(
            out.contains("[ERROR] Chart.yaml: version '")
                && out.contains("' is not a valid SemVer 2 version"),
            "{version}: {out}"
        );
    }
    let f = Fixture::new(&[(
        "Chart.yaml",
        "apiVersion: v2\nname: demo\nversion: 1.0\nicon: https://x.io/i.png\n",
    )]);
    f.lint(&[]).code(1).stdout(contains(
        "[ERROR] Chart.yaml: version should be of type string but it's of type number (quote it)\n",
    ));
}

#[test]
fn invalid_manifest_yaml_fails_and_other_templates_are_still_linted() {
    let f = Fixture::new(&[
        (
            "templates/broken.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata: [\n",
        ),
        (
            "templates/other.yaml",
            "apiVersion: v1\nkind: Secret\nmetadata:\n  name: Other_Name\n",
        ),
    ]);
    let a = f.lint(&[]).code(1);
    let out = stdout(&a);
    assert!(
        out.contains("[ERROR] templates/broken.yaml: document 0: invalid YAML: "),
        "{out}"
    );
    assert!(
        out.contains("[WARNING] templates/other.yaml: object name does not conform"),
        "{out}"
    );
}

#[test]
fn missing_kind_and_api_version_fail() {
    let f = Fixture::new(&[(
        "templates/nokind.yaml",
        "apiVersion: v1\nmetadata:\n  name: x\n---\nkind: ConfigMap\nmetadata:\n  name: y\n",
    )]);
    let a = f.lint(&[]).code(1);
    let out = stdout(&a);
    assert!(
        out.contains("[ERROR] templates/nokind.yaml: object \"x\": kind not set\n"),
        "{out}"
    );
    assert!(
        out.contains("[ERROR] templates/nokind.yaml: ConfigMap \"y\": apiVersion not set\n"),
        "{out}"
    );
}

#[test]
fn bad_metadata_name_warns_and_fails_strict() {
    let f = Fixture::new(&[(
        "templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: My_Name\n",
    )]);
    let expected = "[WARNING] templates/cm.yaml: object name does not conform to Kubernetes naming requirements: \"My_Name\": metadata.name: Invalid value: \"My_Name\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')\n";
    f.lint(&[])
        .success()
        .stdout(contains(expected))
        .stdout(contains("1 chart(s) linted, 0 chart(s) failed"));
    f.lint(&["--strict"])
        .code(1)
        .stdout(contains(expected))
        .stderr("Error: 1 chart(s) linted, 1 chart(s) failed\n");
}

#[test]
fn bad_label_value_fails() {
    let f = Fixture::new(&[(
        "templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n  labels:\n    version: \"{{ Values.label }}\"\n",
    )]);
    write(&f.dir, "values.yaml", "key: v\nlabel: \"-bad-\"\n");
    f.lint(&[]).code(1).stdout(contains(
        "[ERROR] templates/cm.yaml: ConfigMap \"cm\": metadata.labels: Invalid value: \"-bad-\": a valid label must be an empty string or consist of alphanumeric characters",
    ));
    // The values given on the command line are the ones linted.
    let good = f.dir.parent().unwrap().join("good.yaml");
    std::fs::write(&good, "label: v1.2.3\n").unwrap();
    f.lint(&["--strict", "-f", good.to_str().unwrap()])
        .success();
}

const CRONJOB_V1BETA1: &str = "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: nightly\nspec:\n  schedule: \"0 0 * * *\"\n";

#[test]
fn deprecated_api_warns_and_fails_strict() {
    let f = Fixture::new(&[("templates/cron.yaml", CRONJOB_V1BETA1)]);
    let expected = "[WARNING] templates/cron.yaml: batch/v1beta1 CronJob is deprecated in v1.21+, unavailable in v1.25+; use batch/v1 CronJob\n";
    f.lint(&[]).success().stdout(contains(expected));
    f.lint(&["--strict"]).code(1).stdout(contains(expected));
    // Deprecated but still served by the target: a warning; not yet deprecated: nothing.
    f.lint(&["--kube-version", "1.22"])
        .success()
        .stdout(contains(expected));
    f.lint(&["--strict", "--kube-version", "1.20"]).success();
}

#[test]
fn removed_api_fails_for_the_target_version() {
    let f = Fixture::new(&[("templates/cron.yaml", CRONJOB_V1BETA1)]);
    f.lint(&["--kube-version", "1.25"])
        .code(1)
        .stdout(contains(
            "[ERROR] templates/cron.yaml: batch/v1beta1 CronJob is deprecated in v1.21+, unavailable in v1.25+; use batch/v1 CronJob (the target Kubernetes v1.25.0 no longer serves it)\n",
        ))
        .stderr("Error: 1 chart(s) linted, 1 chart(s) failed\n");
    rudder()
        .args(["lint", f.path(), "--kube-version", "banana"])
        .assert()
        .code(1)
        .stderr(contains("--kube-version"));
}

#[test]
fn schema_violation_fails() {
    let f = Fixture::new(&[(
        "values.schema.json",
        r#"{"type": "object", "properties": {"key": {"type": "string"}, "replicas": {"type": "integer"}}}"#,
    )]);
    f.lint(&["--strict"]).success();
    let bad = f.dir.parent().unwrap().join("bad.yaml");
    std::fs::write(&bad, "replicas: many\n").unwrap();
    f.lint(&["-f", bad.to_str().unwrap()])
        .code(1)
        .stdout(contains(
            "[ERROR] values.yaml: values don't meet the schema of chart demo: at '/replicas': ",
        ));
}

#[test]
fn render_errors_name_the_template_position() {
    let f = Fixture::new(&[(
        "templates/req.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ Values.name | required(msg=\"name is required\") }}\n",
    )]);
    let a = f.lint(&[]).code(1);
    let out = stdout(&a);
    assert!(out.contains("[ERROR] templates/req.yaml:4:"), "{out}");
    assert!(out.contains("name is required"), "{out}");
}

#[test]
fn values_yaml_and_templates_dir_rules() {
    let f = Fixture::new(&[]);
    write(&f.dir, "values.yaml", "key: [\n");
    let a = f.lint(&[]).code(1);
    let out = stdout(&a);
    assert!(
        out.contains("[ERROR] values.yaml:2:1: unable to parse YAML: "),
        "{out}"
    );
    // The load failure it causes is not reported a second time.
    assert_eq!(out.matches("[ERROR]").count(), 1, "{out}");

    let f = Fixture::new(&[]);
    std::fs::remove_dir_all(f.dir.join("templates")).unwrap();
    std::fs::remove_file(f.dir.join("values.yaml")).unwrap();
    f.lint(&[]).success().stdout(format!(
        "==> Linting {}\n[INFO] values.yaml: file does not exist\n[WARNING] templates/: directory does not exist\n\n1 chart(s) linted, 0 chart(s) failed\n",
        f.path()
    ));
}

#[test]
fn dependencies_must_be_shipped() {
    let f = Fixture::new(&[(
        "Chart.yaml",
        "apiVersion: v2\nname: demo\nversion: 0.1.0\nicon: https://x.io/i.png\ndependencies:\n- name: db\n  version: 1.x\n  repository: https://charts.example.com\n",
    )]);
    f.lint(&[]).success().stdout(contains(
        "[WARNING] charts/: chart directory is missing these dependencies: db",
    ));
}

#[test]
fn with_subcharts_lints_each_subchart() {
    let f = Fixture::new(&[
        (
            "Chart.yaml",
            "apiVersion: v2\nname: demo\nversion: 0.1.0\nicon: https://x.io/i.png\ndependencies:\n- name: sub\n  version: 0.1.0\n",
        ),
        (
            "charts/sub/Chart.yaml",
            "apiVersion: v2\nname: sub\nversion: 0.1.0\nicon: https://x.io/i.png\n",
        ),
        ("charts/sub/values.yaml", "{}\n"),
        (
            "charts/sub/templates/svc.yaml",
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: 1-invalid-service-name\n",
        ),
    ]);
    f.lint(&["--strict"])
        .success()
        .stdout(contains("1 chart(s) linted, 0 chart(s) failed"));
    let sub = f.dir.join("charts/sub");
    let a = f.lint(&["--strict", "--with-subcharts"]).code(1);
    let out = stdout(&a);
    assert!(
        out.starts_with(&format!(
            "==> Linting {}\n\n==> Linting {}\n",
            f.path(),
            sub.display()
        )),
        "{out}"
    );
    assert!(out.contains("[WARNING] templates/svc.yaml: object name does not conform to Kubernetes naming requirements: \"1-invalid-service-name\": metadata.name: Invalid value: \"1-invalid-service-name\": a DNS-1035 label"), "{out}");
    assert_eq!(
        String::from_utf8(a.get_output().stderr.clone()).unwrap(),
        "Error: 2 chart(s) linted, 1 chart(s) failed\n"
    );
}

#[test]
fn several_charts_and_a_missing_one() {
    let good = Fixture::new(&[]);
    let missing = good.dir.parent().unwrap().join("nope");
    let a = rudder()
        .args(["lint", good.path(), missing.to_str().unwrap(), "-o", "json"])
        .assert()
        .code(1)
        .stderr("Error: 2 chart(s) linted, 1 chart(s) failed\n");
    let reports: Value = serde_json::from_slice(&a.get_output().stdout).unwrap();
    assert_eq!(reports[0]["failed"], json!(false));
    assert_eq!(reports[1]["failed"], json!(true));
    assert_eq!(reports[1]["messages"][0]["severity"], json!("error"));
}

/// A finding as (severity, path, text) for comparison with Helm; deprecation texts are cut at
/// `;` (the replacement advice differs where Kubernetes' own is stale).
fn finding(severity: &str, path: &str, text: &str) -> (String, String, String) {
    let text = if text.contains(" is deprecated in v") {
        text.split(';').next().unwrap().to_string()
    } else {
        text.to_string()
    };
    (severity.to_string(), path.to_string(), text)
}

/// Charts whose templates are plain YAML lint the same under Helm and rudder: names (every kind
/// rule), deprecations for several targets, Chart.yaml rules.
#[test]
fn findings_match_helms_linter() {
    let objects = [
        ("v1", "ConfigMap", "My_Name"),
        ("v1", "ConfigMap", "ok.name"),
        ("v1", "Service", "a.b"),
        ("v1", "Service", "1abc"),
        ("v1", "Namespace", "a.b"),
        ("v1", "ServiceAccount", "UPPER"),
        ("rbac.authorization.k8s.io/v1", "ClusterRole", "system:ok"),
        ("rbac.authorization.k8s.io/v1", "Role", "a/b"),
        (
            "certificates.k8s.io/v1",
            "CertificateSigningRequest",
            "Any_Thing",
        ),
        ("apps/v1", "Deployment", "web"),
        ("extensions/v1beta1", "Ingress", "ing"),
        ("networking.k8s.io/v1beta1", "Ingress", "ing2"),
        ("batch/v1beta1", "CronJob", "cron"),
        ("policy/v1beta1", "PodDisruptionBudget", "pdb"),
        ("rbac.authorization.k8s.io/v1beta1", "RoleBinding", "rb"),
        ("storage.k8s.io/v1beta1", "CSIStorageCapacity", "cap"),
        ("flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", "fs"),
        ("example.com/v1", "Widget", "w"),
    ];
    let mut files: Vec<(String, String)> = Vec::new();
    for (i, (api, kind, name)) in objects.iter().enumerate() {
        let spec = if *kind == "Deployment" {
            "spec:\n  selector:\n    matchLabels:\n      app: web\n"
        } else {
            ""
        };
        files.push((
            format!("templates/t{i:02}.yaml"),
            format!("apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {name:?}\n{spec}"),
        ));
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut charts = Vec::new();
    let chart_files = [
        (
            "good",
            "apiVersion: v2\nname: good\nversion: 0.1.0\nicon: https://x.io/i.png\n",
        ),
        ("noicon", "apiVersion: v2\nname: noicon\nversion: 0.1.0\n"),
        (
            "badapi",
            "apiVersion: v3\nname: badapi\nversion: 0.1.0\nicon: https://x.io/i.png\n",
        ),
        (
            "badicon",
            "apiVersion: v2\nname: badicon\nversion: 0.1.0\nicon: not-a-url\n",
        ),
        (
            "noname",
            "apiVersion: v2\nversion: 0.1.0\nicon: https://x.io/i.png\n",
        ),
    ];
    for (dir_name, chart_yaml) in chart_files {
        let dir = tmp.path().join(dir_name);
        write(&dir, "Chart.yaml", chart_yaml);
        write(&dir, "values.yaml", "{}\n");
        if dir_name == "good" {
            for (name, content) in &files {
                write(&dir, name, content);
            }
        } else {
            write(
                &dir,
                "templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n",
            );
        }
        charts.push(dir);
    }
    let targets: [Option<&str>; 4] = [None, Some("1.15.0"), Some("1.22.0"), Some("1.29.0")];
    let mut requests = Vec::new();
    for dir in &charts {
        for target in targets {
            requests.push(json!({"path": dir, "kube_version": target.map(|t| format!("v{t}"))}));
        }
    }
    let helm = common::oracle("lint.py", &json!({"charts": requests}));
    for (req, helm) in requests.iter().zip(helm.as_array().unwrap()) {
        let dir = req["path"].as_str().unwrap();
        let mut args = vec!["lint", dir, "-o", "json"];
        let target = req["kube_version"]
            .as_str()
            .map(|t| t.trim_start_matches('v').to_string());
        if let Some(t) = &target {
            args.extend(["--kube-version", t.as_str()]);
        }
        let out = rudder().args(&args).output().unwrap();
        let ours: Value = serde_json::from_slice(&out.stdout).unwrap();
        let mut ours: Vec<_> = ours[0]["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                let sev = m["severity"].as_str().unwrap().to_uppercase();
                finding(
                    &sev,
                    m["path"].as_str().unwrap(),
                    m["text"].as_str().unwrap(),
                )
            })
            .collect();
        let mut theirs: Vec<_> = helm["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                finding(
                    m["severity"].as_str().unwrap(),
                    m["path"].as_str().unwrap(),
                    m["text"].as_str().unwrap(),
                )
            })
            // Helm reports a load failure again (on `templates/` and on an empty path) after
            // the Chart.yaml rule that explains it; rudder says it once.
            .filter(|(_, path, text)| !path.is_empty() && !text.starts_with("validation: "))
            .collect();
        // Where rudder is deliberately stricter than Helm, make Helm's view comparable:
        // deprecations removed in an explicit target are errors in rudder.
        if target.is_some() {
            for (sev, _, text) in theirs.iter_mut() {
                let removed = ours.iter().any(|(s, _, t)| s == "ERROR" && t == text);
                if removed && text.contains(" is deprecated in v") {
                    *sev = "ERROR".into();
                }
            }
        }
        // APIs Helm's scheme no longer knows (it skips them silently) are extra in rudder.
        ours.retain(|(_, _, t)| {
            !t.starts_with("storage.k8s.io/v1beta1 CSIStorageCapacity")
                || theirs.iter().any(|(_, _, h)| h == t)
        });
        ours.sort();
        theirs.sort();
        assert_eq!(ours, theirs, "chart {dir}, target {target:?}");
    }
}

#[test]
fn archives_are_linted_like_directories() {
    let f = Fixture::new(&[(
        "templates/cm2.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n",
    )]);
    let archive = f.dir.parent().unwrap().join("demo-0.1.0.tgz");
    let file = std::fs::File::create(&archive).unwrap();
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
        file,
        flate2::Compression::default(),
    ));
    tar.append_dir_all("demo", &f.dir).unwrap();
    tar.into_inner().unwrap().finish().unwrap();
    rudder()
        .args(["lint", "--strict", archive.to_str().unwrap()])
        .assert()
        .code(1)
        .stdout(contains(format!("==> Linting {}\n", archive.display())))
        .stdout(contains(
            "[WARNING] templates/cm2.yaml: object name does not conform",
        ));
}

#[test]
fn values_from_stdin_are_read_once_for_every_chart() {
    let a = Fixture::new(&[]);
    let b = Fixture::new(&[]);
    for f in [&a, &b] {
        write(&f.dir, "values.yaml", "{}\n");
    }
    // Without `key` the templates fail; from stdin both charts get it.
    rudder()
        .args(["lint", a.path(), b.path(), "-f", "-"])
        .write_stdin("key: from-stdin\n")
        .assert()
        .success()
        .stdout(contains("2 chart(s) linted, 0 chart(s) failed"));
    rudder()
        .args(["lint", a.path(), b.path()])
        .assert()
        .code(1)
        .stderr("Error: 2 chart(s) linted, 2 chart(s) failed\n");
}

#[test]
fn crds_must_be_plain_current_crds() {
    let f = Fixture::new(&[
        (
            "crds/widgets.yaml",
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n",
        ),
        (
            "crds/old.yaml",
            "apiVersion: apiextensions.k8s.io/v1beta1\nkind: CustomResourceDefinition\nmetadata:\n  name: olds.example.com\n",
        ),
        (
            "crds/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
        ),
    ]);
    let a = f.lint(&["--kube-version", "1.30"]).code(1);
    let out = stdout(&a);
    assert!(
        out.contains("[ERROR] crds/cm.yaml: apiVersion is not in 'apiextensions.k8s.io'\n"),
        "{out}"
    );
    assert!(
        out.contains("[ERROR] crds/cm.yaml: object kind is not 'CustomResourceDefinition'\n"),
        "{out}"
    );
    assert!(out.contains("[ERROR] crds/old.yaml: apiextensions.k8s.io/v1beta1 CustomResourceDefinition is deprecated in v1.16+, unavailable in v1.22+"), "{out}");
    assert!(!out.contains("widgets.yaml"), "{out}");
}
