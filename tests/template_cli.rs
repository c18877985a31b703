//! `rudder template` as a user runs it: flags, output, and every bad input of the rendering core
//! (one-line error naming the file/line/entry, exit code 1, nothing written, no panic).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use predicates::prelude::*;

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, content) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
}

const CHART: &str = "apiVersion: v2\nname: web\nversion: 1.0.0\nappVersion: \"2.1\"\n";

/// A chart with a Deployment, a Service, a test hook, a pre-install hook, a CRD and NOTES.
fn web_chart(root: &Path) -> PathBuf {
    let dir = root.join("web");
    write(
        &dir,
        &[
            ("Chart.yaml", CHART),
            (
                "values.yaml",
                "replicas: 2\nimage: nginx\nport: 80\nlabels: {}\n",
            ),
            (
                "crds/widget.yaml",
                "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n",
            ),
            (
                "templates/_helpers.tpl",
                "{% component web_name(@Release, @Chart) %}{{ Release.Name }}-{{ Chart.Name }}{% endcomponent web_name %}\n",
            ),
            (
                "templates/deploy.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ include(name=\"web_name\") }}\n  namespace: {{ Release.Namespace }}\n  labels:\n    upgrade: {{ Release.IsUpgrade | quote }}\n    kube: {{ Capabilities.KubeVersion.Minor | quote }}\n    extra-api: {{ (\"example.com/v1\" in Capabilities.APIVersions) | quote }}\nspec:\n  replicas: {{ Values.replicas }}\n  template:\n    spec:\n      containers:\n        - name: web\n          image: {{ Values.image | quote }}\n",
            ),
            (
                "templates/svc.yaml",
                "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include(name=\"web_name\") }}\nspec:\n  ports:\n    - port: {{ Values.port }}\n",
            ),
            (
                "templates/tests/test.yaml",
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ Release.Name }}-test\n  annotations:\n    helm.sh/hook: test\n",
            ),
            (
                "templates/job.yaml",
                "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {{ Release.Name }}-migrate\n  annotations:\n    helm.sh/hook: pre-install\n",
            ),
            ("templates/NOTES.txt", "Visit {{ Release.Name }}\n"),
        ],
    );
    dir
}

fn rudder() -> Command {
    Command::cargo_bin("rudder").unwrap()
}

fn stdout_of(cmd: &mut Command) -> String {
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out).unwrap()
}

/// Runs a command that must fail: exit 1, nothing on stdout, one `Error:` line on stderr.
fn error_of(cmd: &mut Command) -> String {
    let err = errors_of(cmd);
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line expected: {err}"
    );
    err
}

/// Like [`error_of`], for errors that list several problems, one per line (schema violations).
fn errors_of(cmd: &mut Command) -> String {
    let out = cmd.assert().code(1).get_output().clone();
    assert!(
        out.stdout.is_empty(),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("Error: "), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

#[test]
fn prints_manifests_in_install_order_then_hooks() {
    let tmp = tempfile::tempdir().unwrap();
    let chart = web_chart(tmp.path());
    let out = stdout_of(rudder().args(["template", "site"]).arg(&chart));
    let sources: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("# Source: "))
        .collect();
    assert_eq!(
        sources,
        vec![
            "# Source: web/templates/svc.yaml",
            "# Source: web/templates/deploy.yaml",
            "# Source: web/templates/tests/test.yaml",
            "# Source: web/templates/job.yaml",
        ]
    );
    assert!(out.starts_with("---\n# Source: web/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: site-web\n"));
    assert!(!out.contains("Visit"), "NOTES are not printed by template");
    assert!(!out.contains("CustomResourceDefinition"));
}

#[test]
fn release_name_defaults_and_flags() {
    let tmp = tempfile::tempdir().unwrap();
    let chart = web_chart(tmp.path());
    let out = stdout_of(rudder().arg("template").arg(&chart));
    assert!(out.contains("name: release-name-web"));
    let out = stdout_of(rudder().args(["template", "--generate-name"]).arg(&chart));
    assert!(
        out.contains("name: web-1") || out.contains("name: web-2"),
        "{out}"
    );
    let out = stdout_of(
        rudder()
            .args([
                "template",
                "--name-template",
                "{{ \"abc\" | upper | lower }}x",
            ])
            .arg(&chart),
    );
    assert!(out.contains("name: abcx-web"), "{out}");
    let err = error_of(rudder().args(["template", "Bad_Name"]).arg(&chart));
    assert!(
        err.contains("release name \"Bad_Name\" is invalid"),
        "{err}"
    );
}

#[test]
fn crds_tests_show_only_namespace_capabilities_upgrade() {
    let tmp = tempfile::tempdir().unwrap();
    let chart = web_chart(tmp.path());
    let out = stdout_of(
        rudder()
            .args([
                "template",
                "x",
                "--include-crds",
                "--skip-tests",
                "-n",
                "prod",
                "--kube-version",
                "1.27",
                "--api-versions",
                "example.com/v1",
                "--is-upgrade",
            ])
            .arg(&chart),
    );
    assert!(
        out.starts_with("---\n# Source: web/crds/widget.yaml\n"),
        "{out}"
    );
    assert!(!out.contains("x-test"));
    assert!(out.contains("namespace: prod"));
    assert!(out.contains("kube: \"27\""));
    assert!(out.contains("extra-api: \"true\""));
    assert!(out.contains("upgrade: \"true\""));
    let out = stdout_of(
        rudder()
            .args(["template", "x", "--show-only", "templates/svc.yaml"])
            .arg(&chart),
    );
    assert_eq!(out.matches("# Source:").count(), 1);
    assert!(out.contains("kind: Service"));
    let out = stdout_of(
        rudder()
            .args(["template", "x", "-s", "templates/*.yaml"])
            .arg(&chart),
    );
    assert_eq!(out.matches("# Source:").count(), 3, "{out}");
    let err = error_of(
        rudder()
            .args(["template", "x", "--show-only", "templates/nope.yaml"])
            .arg(&chart),
    );
    assert!(
        err.contains("could not find template templates/nope.yaml"),
        "{err}"
    );
}

#[test]
fn values_files_stdin_and_set_family_in_command_line_order() {
    let tmp = tempfile::tempdir().unwrap();
    let chart = web_chart(tmp.path());
    write(
        tmp.path(),
        &[
            ("a.yaml", "replicas: 3\nimage: a\n"),
            ("b.yaml", "image: b\n"),
            ("img.txt", "from-file"),
        ],
    );
    let out = stdout_of(
        rudder()
            .args(["template", "x", "-f"])
            .arg(tmp.path().join("a.yaml"))
            .arg("-f")
            .arg(tmp.path().join("b.yaml"))
            .arg(&chart),
    );
    assert!(
        out.contains("replicas: 3") && out.contains("image: \"b\""),
        "{out}"
    );
    let out = stdout_of(
        rudder()
            .args(["template", "x", "-f", "-"])
            .arg(&chart)
            .write_stdin("replicas: 7\n"),
    );
    assert!(out.contains("replicas: 7"));
    // Later flags win whatever their kind.
    let out = stdout_of(
        rudder()
            .args(["template", "x", "--set", "port=1", "--set-string", "port=2"])
            .arg(&chart),
    );
    assert!(out.contains("port: 2\n"), "{out}");
    let out = stdout_of(
        rudder()
            .args([
                "template",
                "x",
                "--set-string",
                "port=2",
                "--set-json",
                "port=3",
            ])
            .arg(&chart),
    );
    assert!(out.contains("port: 3\n"), "{out}");
    let out = stdout_of(
        rudder()
            .args(["template", "x", "--set-file"])
            .arg(format!("image={}", tmp.path().join("img.txt").display()))
            .arg(&chart),
    );
    assert!(out.contains("image: \"from-file\""), "{out}");
    let out = stdout_of(
        rudder()
            .args(["template", "x", "--set-literal", "image=a,b=c"])
            .arg(&chart),
    );
    assert!(out.contains("image: \"a,b=c\""), "{out}");
    // -f files come before every --set, even when given after them.
    let out = stdout_of(
        rudder()
            .args(["template", "x", "--set", "replicas=9", "-f"])
            .arg(tmp.path().join("a.yaml"))
            .arg(&chart),
    );
    assert!(out.contains("replicas: 9"), "{out}");
}

#[test]
fn output_dir_writes_files_and_nothing_on_error() {
    let tmp = tempfile::tempdir().unwrap();
    let chart = web_chart(tmp.path());
    let out_dir = tmp.path().join("out");
    rudder()
        .args(["template", "x", "--output-dir"])
        .arg(&out_dir)
        .arg(&chart)
        .assert()
        .success();
    let svc = std::fs::read_to_string(out_dir.join("web/templates/svc.yaml")).unwrap();
    assert!(svc.starts_with("---\n# Source: web/templates/svc.yaml\napiVersion: v1\n"));
    assert!(out_dir.join("web/templates/tests/test.yaml").exists());
    let bad_dir = tmp.path().join("bad-out");
    write(
        &chart,
        &[("templates/broken.yaml", "x: {{ Values.nope.deeper }}\n")],
    );
    error_of(
        rudder()
            .args(["template", "x", "--output-dir"])
            .arg(&bad_dir)
            .arg(&chart),
    );
    assert!(
        !bad_dir.exists(),
        "nothing may be written when rendering fails"
    );
}

#[test]
fn version_and_completion() {
    let out = stdout_of(rudder().args(["version", "--short"]));
    assert_eq!(out.trim(), format!("v{}", env!("CARGO_PKG_VERSION")));
    let out = stdout_of(rudder().args(["version", "-o", "json"]));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["version"].as_str().unwrap().starts_with('v'));
    for shell in ["bash", "zsh", "fish"] {
        let out = stdout_of(rudder().args(["completion", shell]));
        assert!(
            out.contains("rudder") && out.contains("template"),
            "{shell}"
        );
    }
    rudder()
        .arg("--help")
        .assert()
        .success()
        .stdout(predicate::str::contains("template"));
}

/// A bad-input case: name, the chart's files, extra args, what the error must contain.
type BadInput<'a> = (&'a str, Vec<(&'a str, &'a str)>, Vec<&'a str>, Vec<&'a str>);

/// Each bad input: the files of the chart, extra args, and what the one-line error must contain.
#[test]
fn bad_inputs_fail_with_one_clear_line() {
    let ok_tpl = (
        "templates/cm.yaml",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
    );
    let cases: Vec<BadInput> = vec![
        (
            "missing Chart.yaml",
            vec![("values.yaml", "a: 1\n"), ok_tpl],
            vec![],
            vec!["Chart.yaml"],
        ),
        (
            "invalid Chart.yaml",
            vec![("Chart.yaml", "apiVersion: v2\nname: [x\n"), ok_tpl],
            vec![],
            vec!["Chart.yaml:"],
        ),
        (
            "non-SemVer version",
            vec![
                ("Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.2\n"),
                ok_tpl,
            ],
            vec![],
            vec!["Chart.yaml", "SemVer"],
        ),
        (
            "invalid values.yaml",
            vec![
                ("Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n"),
                ("values.yaml", "a: 1\nb: [1\n"),
                ok_tpl,
            ],
            vec![],
            vec!["values.yaml:3"],
        ),
        (
            "schema violation",
            vec![
                ("Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n"),
                ("values.yaml", "replicas: two\n"),
                (
                    "values.schema.json",
                    "{\"type\": \"object\", \"properties\": {\"replicas\": {\"type\": \"integer\"}}}",
                ),
                ok_tpl,
            ],
            vec![],
            vec!["/replicas", "integer"],
        ),
        (
            "template syntax error",
            vec![
                ("Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n"),
                ("templates/t.yaml", "a: 1\nb: {{ Values.x + }}\n"),
            ],
            vec![],
            vec!["c/templates/t.yaml:2:"],
        ),
        (
            "undefined value",
            vec![
                ("Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n"),
                ("values.yaml", "image: {}\n"),
                ("templates/t.yaml", "a: 1\nb: {{ Values.image.tag }}\n"),
            ],
            vec![],
            vec!["c/templates/t.yaml:2:", "tag"],
        ),
        (
            "required failure",
            vec![
                ("Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n"),
                (
                    "templates/t.yaml",
                    "b: {{ Values.host | required(msg=\"host is required\") }}\n",
                ),
            ],
            vec![],
            vec!["c/templates/t.yaml:1:", "host is required"],
        ),
        (
            "bad --set",
            vec![
                ("Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n"),
                ok_tpl,
            ],
            vec!["--set", "a[x]=1"],
            vec!["--set", "a[x]=1", "position"],
        ),
        (
            "include recursion",
            vec![
                ("Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n"),
                (
                    "templates/_h.tpl",
                    "{% component c_loop() %}{{ include(name=\"c_loop\") }}{% endcomponent c_loop %}",
                ),
                ("templates/t.yaml", "a: {{ include(name=\"c_loop\") }}\n"),
            ],
            vec![],
            vec!["c/templates/t.yaml:1:", "nested deeper than"],
        ),
        (
            "dependency absent from charts/",
            vec![
                (
                    "Chart.yaml",
                    "apiVersion: v2\nname: c\nversion: 1.0.0\ndependencies:\n- name: sub\n  version: 1.0.0\n  repository: file://../sub\n",
                ),
                ok_tpl,
            ],
            vec![],
            vec!["missing in charts/", "sub"],
        ),
        (
            "invalid manifest YAML",
            vec![
                ("Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n"),
                ("templates/t.yaml", "a: 1\n---\nb: [\n"),
            ],
            vec![],
            vec!["c/templates/t.yaml: document 1"],
        ),
        (
            "library chart",
            vec![(
                "Chart.yaml",
                "apiVersion: v2\nname: c\nversion: 1.0.0\ntype: library\n",
            )],
            vec![],
            vec!["library"],
        ),
        (
            "kubeVersion unmet",
            vec![
                (
                    "Chart.yaml",
                    "apiVersion: v2\nname: c\nversion: 1.0.0\nkubeVersion: \">=1.30.0-0\"\n",
                ),
                ok_tpl,
            ],
            vec!["--kube-version", "1.28"],
            vec!["requires kubeVersion"],
        ),
        (
            "bad --kube-version",
            vec![
                ("Chart.yaml", "apiVersion: v2\nname: c\nversion: 1.0.0\n"),
                ok_tpl,
            ],
            vec!["--kube-version", "banana"],
            vec!["--kube-version"],
        ),
    ];
    for (name, files, args, expected) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("c");
        std::fs::create_dir_all(&dir).unwrap();
        write(&dir, &files);
        let before = listing(tmp.path());
        let mut cmd = rudder();
        cmd.arg("template")
            .args(&args)
            .arg(&dir)
            .current_dir(tmp.path());
        // Schema errors list every violation, one per line; everything else is one line.
        let err = if name == "schema violation" {
            errors_of(&mut cmd)
        } else {
            error_of(&mut cmd)
        };
        for e in expected {
            assert!(err.contains(e), "{name}: {e:?} not in {err}");
        }
        assert_eq!(listing(tmp.path()), before, "{name}: something was written");
    }
    let err = error_of(rudder().args(["template", "/nonexistent/chart"]));
    assert!(err.contains("/nonexistent/chart"), "{err}");
}

fn listing(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(listing(&p));
        }
        out.push(p);
    }
    out.sort();
    out
}

/// A gzip'd tar whose single entry has a raw (unchecked) name and type.
fn archive(name: &str, kind: tar::EntryType, link: &str, data: &[u8]) -> Vec<u8> {
    let mut builder = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    let chart = b"apiVersion: v2\nname: c\nversion: 1.0.0\n";
    let mut h = tar::Header::new_gnu();
    h.set_path("c/Chart.yaml").unwrap();
    h.set_size(chart.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    builder.append(&h, &chart[..]).unwrap();
    let mut h = tar::Header::new_old();
    h.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
    h.as_old_mut().linkname[..link.len()].copy_from_slice(link.as_bytes());
    h.set_entry_type(kind);
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_cksum();
    builder.append(&h, data).unwrap();
    builder.into_inner().unwrap().finish().unwrap()
}

#[test]
fn hostile_archives_are_refused_naming_the_entry() {
    let cases = [
        (
            "traversal",
            archive("c/../../evil.yaml", tar::EntryType::Regular, "", b"x"),
            "c/../../evil.yaml",
        ),
        (
            "absolute",
            archive("/etc/evil", tar::EntryType::Regular, "", b"x"),
            "/etc/evil",
        ),
        (
            "symlink",
            archive(
                "c/templates/link.yaml",
                tar::EntryType::Symlink,
                "/etc/passwd",
                b"",
            ),
            "c/templates/link.yaml",
        ),
        (
            "hard link",
            archive(
                "c/templates/hard.yaml",
                tar::EntryType::Link,
                "c/Chart.yaml",
                b"",
            ),
            "c/templates/hard.yaml",
        ),
    ];
    for (name, bytes, entry) in cases {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("c-1.0.0.tgz");
        std::fs::write(&path, bytes).unwrap();
        let err = error_of(
            rudder()
                .args(["template"])
                .arg(&path)
                .current_dir(tmp.path()),
        );
        assert!(
            err.contains("c-1.0.0.tgz") && err.contains(entry),
            "{name}: {err}"
        );
        assert_eq!(
            std::fs::read_dir(tmp.path()).unwrap().count(),
            1,
            "{name}: nothing may be written"
        );
        assert!(!tmp.path().parent().unwrap().join("evil.yaml").exists());
    }
}
