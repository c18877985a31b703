//! `rudder show chart|values|readme|crds|all` on a chart directory.

use assert_cmd::Command;

fn chart(dir: &std::path::Path) {
    let files = [
        (
            "Chart.yaml",
            "apiVersion: v2\nname: shown\nversion: 0.3.0\ndescription: A shown chart\nkeywords: [web]\n",
        ),
        ("values.yaml", "# the defaults\nreplicas: 1 # one\n"),
        ("README.md", "# Shown\nUsage.\n"),
        (
            "crds/a.yaml",
            "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: as.example.com\n",
        ),
        (
            "templates/cm.yaml",
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
        ),
    ];
    for (name, text) in files {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

fn show(part: &str, dir: &std::path::Path) -> String {
    let out = Command::cargo_bin("rudder")
        .unwrap()
        .args(["show", part])
        .arg(dir)
        .assert()
        .success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

#[test]
fn shows_each_part_as_shipped() {
    let tmp = tempfile::tempdir().unwrap();
    chart(tmp.path());
    let meta = show("chart", tmp.path());
    let parsed: serde_json::Value = yaml_serde::from_str(&meta).unwrap();
    assert_eq!(parsed["name"], "shown");
    assert_eq!(parsed["version"], "0.3.0");
    assert_eq!(parsed["apiVersion"], "v2");
    assert_eq!(parsed["keywords"][0], "web");
    assert_eq!(
        show("values", tmp.path()),
        "# the defaults\nreplicas: 1 # one\n",
        "comments kept"
    );
    assert_eq!(show("readme", tmp.path()), "# Shown\nUsage.\n");
    assert!(
        show("crds", tmp.path()).starts_with(
            "---\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition"
        )
    );
    let all = show("all", tmp.path());
    for needle in [
        "name: shown",
        "replicas: 1 # one",
        "# Shown",
        "kind: CustomResourceDefinition",
    ] {
        assert!(all.contains(needle), "{needle} missing from show all");
    }
}

#[test]
fn show_of_a_missing_chart_fails_clearly() {
    let out = Command::cargo_bin("rudder")
        .unwrap()
        .args(["show", "chart", "/nonexistent/x"])
        .assert()
        .code(1);
    let err = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(
        err.starts_with("Error: ") && err.contains("/nonexistent/x"),
        "{err}"
    );
}
