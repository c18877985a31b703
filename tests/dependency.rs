//! `rudder dependency list|update|build`, compared with the real Helm engine where it has an
//! answer (statuses, `Chart.lock` digests).

mod common;

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use serde_json::json;

fn write(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// A minimal chart directory named `name` at `dir`.
fn chart(dir: &Path, name: &str, version: &str) {
    write(
        &dir.join("Chart.yaml"),
        &format!("apiVersion: v2\nname: {name}\nversion: {version}\n"),
    );
    write(&dir.join("values.yaml"), "replicas: 1\n");
    write(
        &dir.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
    );
}

fn rudder() -> Command {
    Command::cargo_bin("rudder").unwrap()
}

/// Every status Helm knows, set up in one parent chart: an archive that matches (ok), a
/// directory (unpacked), nothing (missing), an archive of the wrong version, a misnamed
/// directory, a corrupt archive, two versioned archives (too many matches).
#[test]
fn list_statuses_match_helm() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    for (name, version) in [("okdep", "1.2.3"), ("wrongver", "2.0.0"), ("twin", "1.0.0")] {
        chart(&src.join(format!("{name}-{version}")), name, version);
    }
    chart(&src.join("twin-1.1.0"), "twin", "1.1.0");
    let parent = tmp.path().join("parent");
    write(
        &parent.join("Chart.yaml"),
        "apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n\
         - {name: okdep, version: ^1.2.0, repository: https://example.com/charts}\n\
         - {name: unpackeddep, version: ~0.3, repository: file://../unpackeddep}\n\
         - {name: missingdep, version: 1.0.0, repository: https://example.com/charts}\n\
         - {name: wrongver, version: ^1.0.0, repository: https://example.com/charts}\n\
         - {name: misnamed, version: 1.0.0}\n\
         - {name: twin, version: ^1}\n\
         - {name: anyver, repository: file://x}\n",
    );
    let charts = parent.join("charts");
    chart(&charts.join("unpackeddep"), "unpackeddep", "0.3.1");
    chart(&charts.join("misnamed"), "other-name", "1.0.0");
    chart(&charts.join("anyver"), "anyver", "9.9.9");
    let ops: Vec<_> = ["okdep-1.2.3", "wrongver-2.0.0", "twin-1.0.0", "twin-1.1.0"]
        .iter()
        .map(|d| json!({"op": "package", "path": src.join(d), "dest": charts}))
        .collect();
    common::oracle("deps.py", &json!({ "ops": ops }));

    let helm = common::oracle("deps.py", &json!({"ops": [{"op": "list", "path": parent}]}));
    let out = rudder()
        .args(["dependency", "list", "-o", "json"])
        .arg(&parent)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ours: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pick = |v: &serde_json::Value| -> Vec<(String, String)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|d| {
                (
                    d["name"].as_str().unwrap().to_string(),
                    d["status"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(pick(&ours), pick(&helm[0]), "ours vs Helm");
    // The statuses cover what the test claims (so it cannot pass by both sides saying "missing").
    let statuses: std::collections::BTreeSet<String> =
        pick(&ours).into_iter().map(|(_, s)| s).collect();
    for s in [
        "ok",
        "unpacked",
        "missing",
        "wrong version",
        "invalid version",
        "too many matches",
    ] {
        assert!(statuses.contains(s), "no {s:?} in {statuses:?}");
    }

    // Helm refuses to list at all when an archive in charts/ is corrupt (it loads the whole
    // parent first); we report that dependency as `corrupt` and the others as usual.
    write(
        &parent.join("Chart.yaml"),
        "apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n\
         - {name: okdep, version: ^1.2.0, repository: https://example.com/charts}\n\
         - {name: corruptdep, version: 1.0.0}\n",
    );
    fs::write(charts.join("corruptdep-1.0.0.tgz"), b"not a gzip").unwrap();
    let out = rudder()
        .args(["dependency", "list", "-o", "json"])
        .arg(&parent)
        .output()
        .unwrap();
    let ours: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        pick(&ours),
        [
            ("okdep".to_string(), "ok".to_string()),
            ("corruptdep".to_string(), "corrupt".to_string())
        ]
    );

    let table = rudder()
        .args(["dependency", "list"])
        .arg(&parent)
        .output()
        .unwrap();
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.starts_with("NAME"), "{text}");
    assert!(text.contains("okdep"), "{text}");
}

#[test]
fn list_refuses_a_missing_or_broken_chart() {
    let tmp = tempfile::tempdir().unwrap();
    let out = rudder()
        .args(["dependency", "list"])
        .arg(tmp.path().join("nope"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("nope: not a chart directory"), "{err}");
    write(
        &tmp.path().join("bad/Chart.yaml"),
        "apiVersion: v2\nname: [x\n",
    );
    let out = rudder()
        .args(["dependency", "list"])
        .arg(tmp.path().join("bad"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("bad/Chart.yaml:"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

/// `Chart.lock` written by the real Helm engine: we parse it, and our digest of the requirements
/// and the lock is Helm's (conditions, tags, aliases and import-values included).
#[test]
fn lock_digest_matches_helm() {
    let tmp = tempfile::tempdir().unwrap();
    chart(&tmp.path().join("web"), "web", "1.4.2");
    chart(&tmp.path().join("db"), "db", "0.2.0");
    let parent = tmp.path().join("parent");
    write(
        &parent.join("Chart.yaml"),
        "apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n\
         - name: web\n  version: \">=1.0.0 <2.0.0\"\n  repository: file://../web\n  condition: web.enabled\n  tags: [front, \"a&b\"]\n  alias: site\n\
         - name: db\n  version: ~0.2\n  repository: file://../db\n  import-values:\n  - child: x\n    parent: imported\n  - data\n",
    );
    write(&parent.join("values.yaml"), "");
    let r = common::oracle(
        "deps.py",
        &json!({"ops": [{"op": "update", "path": parent}]}),
    );
    assert_eq!(r[0]["ok"], true, "{r}");
    let text = fs::read_to_string(parent.join("Chart.lock")).unwrap();
    let lock = rudder::chart::Lock::parse(&text, "Chart.lock").unwrap();
    assert_eq!(lock.dependencies.len(), 2);
    assert_eq!(lock.dependencies[0].version, "1.4.2");
    let meta: rudder::chart::Metadata =
        yaml_serde::from_str(&fs::read_to_string(parent.join("Chart.yaml")).unwrap()).unwrap();
    assert_eq!(
        rudder::chart::requirements_digest(&meta.dependencies, &lock.dependencies),
        lock.digest,
        "Helm's Chart.lock:\n{text}"
    );
}
