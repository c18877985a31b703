//! `rudder dependency list|update|build` and `package --dependency-update`, compared with the
//! real Helm engine where it has an answer (statuses, `Chart.lock` and its digest, each tool
//! building from the other's lock), and repository dependencies resolved from our own `index/`
//! served by a plain static host.

mod common;
mod repo_support;

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use repo_support::{Home, Server};
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
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ Chart.Name }}\n",
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

/// A parent chart with two `file://` dependencies beside it.
fn file_deps(root: &Path) -> PathBuf {
    chart(&root.join("web"), "web", "1.4.2");
    chart(&root.join("db"), "db", "0.2.0");
    let parent = root.join("parent");
    write(
        &parent.join("Chart.yaml"),
        "apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n\
         - name: web\n  version: \">=1.0.0 <2.0.0\"\n  repository: file://../web\n  condition: web.enabled\n\
         - name: db\n  version: ~0.2\n  repository: file://../db\n",
    );
    parent
}

fn lock_without_time(dir: &Path) -> String {
    fs::read_to_string(dir.join("Chart.lock"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("generated:"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn archives(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir.join("charts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn file_dependencies_lock_like_helm_and_locks_are_interchangeable() {
    let home = Home::new();
    let ours = tempfile::tempdir().unwrap();
    let helms = tempfile::tempdir().unwrap();
    let ours_parent = file_deps(ours.path());
    let helm_parent = file_deps(helms.path());

    let (_, err) = home.ok(&["dependency", "update", ours_parent.to_str().unwrap()]);
    assert!(err.contains("Saving 2 charts"), "{err}");
    let r = common::oracle(
        "deps.py",
        &json!({"ops": [{"op": "update", "path": helm_parent}]}),
    );
    assert_eq!(r[0]["ok"], true, "{r}");
    assert_eq!(
        lock_without_time(&ours_parent),
        lock_without_time(&helm_parent)
    );
    assert_eq!(archives(&ours_parent), ["db-0.2.0.tgz", "web-1.4.2.tgz"]);
    assert_eq!(archives(&ours_parent), archives(&helm_parent));

    // Helm builds from our lock (it checks the digest), we build from Helm's.
    fs::copy(
        ours_parent.join("Chart.lock"),
        helm_parent.join("Chart.lock"),
    )
    .unwrap();
    fs::remove_dir_all(helm_parent.join("charts")).unwrap();
    let r = common::oracle(
        "deps.py",
        &json!({"ops": [{"op": "build", "path": helm_parent}]}),
    );
    assert_eq!(r[0]["ok"], true, "{r}");
    assert_eq!(archives(&helm_parent), ["db-0.2.0.tgz", "web-1.4.2.tgz"]);

    let r = common::oracle(
        "deps.py",
        &json!({"ops": [{"op": "update", "path": helm_parent}]}),
    );
    assert_eq!(r[0]["ok"], true, "{r}");
    fs::copy(
        helm_parent.join("Chart.lock"),
        ours_parent.join("Chart.lock"),
    )
    .unwrap();
    fs::remove_dir_all(ours_parent.join("charts")).unwrap();
    home.ok(&["dependency", "build", ours_parent.to_str().unwrap()]);
    assert_eq!(archives(&ours_parent), ["db-0.2.0.tgz", "web-1.4.2.tgz"]);

    // The vendored parent renders both subcharts.
    let (out, _) = home.ok(&["template", "x", ours_parent.to_str().unwrap()]);
    assert!(
        out.contains("name: web") && out.contains("name: db"),
        "{out}"
    );

    // A newer dependency replaces the old archive.
    chart(&ours.path().join("web"), "web", "1.5.0");
    let (_, err) = home.ok(&["dependency", "update", ours_parent.to_str().unwrap()]);
    assert!(err.contains("Deleting outdated chart"), "{err}");
    assert_eq!(archives(&ours_parent), ["db-0.2.0.tgz", "web-1.5.0.tgz"]);
}

#[test]
fn build_refuses_a_lock_out_of_sync_and_update_refuses_bad_dependencies() {
    let home = Home::new();
    let tmp = tempfile::tempdir().unwrap();
    let parent = file_deps(tmp.path());
    let p = parent.to_str().unwrap();
    home.ok(&["dependency", "update", p]);
    let before = archives(&parent);
    let chart_yaml = fs::read_to_string(parent.join("Chart.yaml")).unwrap();
    write(
        &parent.join("Chart.yaml"),
        &chart_yaml.replace("~0.2", "~0.2.0"),
    );
    let fail = |args: &[&str]| {
        let out = home.cmd().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        err
    };
    let err = fail(&["dependency", "build", p]);
    assert!(
        err.contains("Chart.lock: the lock file is out of sync"),
        "{err}"
    );
    assert_eq!(archives(&parent), before);

    // A range nothing satisfies: nothing written, no staging directory left.
    let lock = fs::read_to_string(parent.join("Chart.lock")).unwrap();
    write(
        &parent.join("Chart.yaml"),
        &chart_yaml.replace("~0.2", "^3"),
    );
    let err = fail(&["dependency", "update", p]);
    assert!(
        err.contains("has version 0.2.0, which does not match \"^3\""),
        "{err}"
    );
    assert_eq!(archives(&parent), before);
    assert_eq!(fs::read_to_string(parent.join("Chart.lock")).unwrap(), lock);

    write(
        &parent.join("Chart.yaml"),
        "apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n\
         - {name: web, version: ^1, repository: \"@nowhere\"}\n",
    );
    let err = fail(&["dependency", "update", p]);
    assert!(
        err.contains("no repository definition for @nowhere"),
        "{err}"
    );
    write(
        &parent.join("Chart.yaml"),
        "apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n\
         - {name: web, version: ^1, repository: file://../absent}\n",
    );
    let err = fail(&["dependency", "update", p]);
    assert!(err.contains("absent not found"), "{err}");
    assert_eq!(archives(&parent), before);
}

/// Dependencies from repositories: `@name` of a configured repository (the lock records its
/// URL, as Helm's does) and the URL of one that is not configured, both served from our own
/// `index/` by `python3 -m http.server`. The vendored archives are the repository's, byte for
/// byte; `build` reproduces them from the lock; `package -u` updates before packaging.
#[test]
fn repository_dependencies_resolve_from_our_index() {
    let home = Home::new();
    let index = common::repo_root().join("index");
    let server = Server::static_dir(&index);
    home.ok(&["repo", "add", "ours", &server.url]);
    let tmp = tempfile::tempdir().unwrap();
    let parent = tmp.path().join("parent");
    write(
        &parent.join("Chart.yaml"),
        &format!(
            "apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n\
             - {{name: redis, version: ^0.1, repository: \"@ours\"}}\n\
             - {{name: nginx, version: 0.1.x, repository: \"{}/\"}}\n",
            server.url
        ),
    );
    let p = parent.to_str().unwrap();
    let (_, err) = home.ok(&["dependency", "update", p]);
    assert!(
        err.contains("Successfully got an update from the \"ours\""),
        "{err}"
    );
    let lock = fs::read_to_string(parent.join("Chart.lock")).unwrap();
    assert!(
        lock.contains(&format!("repository: {}\n", server.url)),
        "{lock}"
    );
    assert!(lock.contains("version: 0.1.0"), "{lock}");
    for name in ["redis-0.1.0.tgz", "nginx-0.1.0.tgz"] {
        assert_eq!(
            fs::read(parent.join("charts").join(name)).unwrap(),
            fs::read(index.join(name)).unwrap(),
            "{name}"
        );
    }
    let (out, _) = home.ok(&["dependency", "list", p]);
    assert_eq!(out.matches("\tok\n").count(), 2, "{out}");

    fs::remove_dir_all(parent.join("charts")).unwrap();
    home.ok(&["dependency", "build", "--skip-refresh", p]);
    assert_eq!(archives(&parent), ["nginx-0.1.0.tgz", "redis-0.1.0.tgz"]);

    fs::remove_dir_all(parent.join("charts")).unwrap();
    let dest = tmp.path().join("out");
    home.ok(&["package", "-u", p, "-d", dest.to_str().unwrap()]);
    assert!(dest.join("parent-0.1.0.tgz").exists());
    assert_eq!(archives(&parent), ["nginx-0.1.0.tgz", "redis-0.1.0.tgz"]);

    // A range no version satisfies lists what there is.
    write(
        &parent.join("Chart.yaml"),
        "apiVersion: v2\nname: parent\nversion: 0.1.0\ndependencies:\n\
         - {name: redis, version: ^2, repository: \"@ours\"}\n",
    );
    let out = home
        .cmd()
        .args(["dependency", "update", p])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("available: 0.1.0"), "{err}");
}
