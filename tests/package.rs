//! `rudder package`: archives of every chart of `charts/` compared with Helm's own packages
//! (the real Helm engine loads ours and finds the same chart), reproducibility, `.helmignore`,
//! and refusals that leave nothing behind.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use assert_cmd::Command;
use serde_json::{Value, json};

fn rudder() -> Command {
    let mut cmd = Command::cargo_bin("rudder").unwrap();
    cmd.env_remove("SOURCE_DATE_EPOCH");
    cmd
}

fn our_charts() -> Vec<PathBuf> {
    let mut charts: Vec<PathBuf> = std::fs::read_dir(common::repo_root().join("charts"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("Chart.yaml").is_file())
        .collect();
    charts.sort();
    charts
}

fn write(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// Copies a directory tree (regular files only).
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Every file under `dir`, as paths relative to it.
fn listing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries {
            out.push(e.unwrap().file_name().to_string_lossy().into_owned());
        }
    }
    out.sort();
    out
}

fn package(charts: &[&Path], dest: &Path, extra: &[&str]) -> Vec<PathBuf> {
    let mut cmd = rudder();
    cmd.arg("package")
        .args(charts)
        .arg("-d")
        .arg(dest)
        .args(extra);
    let out = cmd.assert().success().get_output().stdout.clone();
    String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| {
            PathBuf::from(
                l.strip_prefix("Successfully packaged chart and saved it to: ")
                    .unwrap_or_else(|| panic!("unexpected output line {l:?}")),
            )
        })
        .collect()
}

#[test]
fn every_chart_packages_as_helm_packages_it() {
    let tmp = tempfile::tempdir().unwrap();
    let charts = our_charts();
    assert!(charts.len() >= 10, "charts/ has {} charts", charts.len());
    let refs: Vec<&Path> = charts.iter().map(PathBuf::as_path).collect();
    let ours = package(&refs, &tmp.path().join("ours"), &[]);
    let helm_dest = tmp.path().join("helm");
    std::fs::create_dir_all(&helm_dest).unwrap();
    let helms = common::oracle(
        "package.py",
        &json!({"op": "helm_package", "charts": charts, "destination": helm_dest}),
    );
    let helms: Vec<PathBuf> = serde_json::from_value(helms).unwrap();
    let described = |paths: &[PathBuf]| -> Vec<Value> {
        serde_json::from_value(common::oracle(
            "package.py",
            &json!({"op": "describe", "paths": paths}),
        ))
        .unwrap()
    };
    let (ours_d, helms_d) = (described(&ours), described(&helms));
    for (i, chart) in charts.iter().enumerate() {
        let name = chart.file_name().unwrap().to_string_lossy();
        assert_eq!(
            ours[i].file_name(),
            helms[i].file_name(),
            "{name}: archive name"
        );
        let (o, h) = (&ours_d[i], &helms_d[i]);
        assert_eq!(o["ok"], true, "{name}: Helm cannot load our archive: {o}");
        for key in [
            "metadata",
            "dependencies",
            "templates",
            "files",
            "values",
            "schema",
            "members",
        ] {
            assert_eq!(o[key], h[key], "{name}: {key} differs from Helm's package");
        }
        let digest = rudder::chart::digest_file(&ours[i]).unwrap();
        assert_eq!(
            o["digest"],
            format!("sha256:{digest}"),
            "{name}: digest disagrees with Helm's"
        );
    }
}

/// Sets every file's mtime under `dir` to `when`.
fn touch_all(dir: &Path, when: SystemTime) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            touch_all(&path, when);
        } else {
            let file = std::fs::File::options().write(true).open(&path).unwrap();
            file.set_modified(when).unwrap();
        }
    }
}

#[test]
fn the_same_chart_gives_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let chart = tmp.path().join("personal-cluster");
    copy_tree(&common::repo_root().join("charts/personal-cluster"), &chart);

    touch_all(
        &chart,
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000),
    );
    let first = std::fs::read(&package(&[&chart], &tmp.path().join("a"), &[])[0]).unwrap();
    touch_all(&chart, SystemTime::now());
    let second = std::fs::read(&package(&[&chart], &tmp.path().join("b"), &[])[0]).unwrap();
    assert!(first == second, "two packages of the same chart differ");

    // SOURCE_DATE_EPOCH is the archive's time: the gzip header says so, and it is reproducible.
    let with_epoch = |dest: &str| {
        let out = tmp.path().join(dest);
        rudder()
            .env("SOURCE_DATE_EPOCH", "1767225600")
            .args([
                "package",
                chart.to_str().unwrap(),
                "-d",
                out.to_str().unwrap(),
            ])
            .assert()
            .success();
        std::fs::read(out.join("personal-cluster-0.1.0.tgz")).unwrap()
    };
    let third = with_epoch("c");
    assert_eq!(third, with_epoch("d"));
    assert_ne!(third, first);
    assert_eq!(&third[4..8], &1_767_225_600u32.to_le_bytes());
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(&third[..]));
    for entry in tar.entries().unwrap() {
        let entry = entry.unwrap();
        assert_eq!(entry.header().mtime().unwrap(), 1_767_225_600);
        assert_eq!(entry.header().uid().unwrap(), 0);
        assert_eq!(entry.header().mode().unwrap(), 0o644);
    }
}

#[test]
fn helmignore_is_honoured_as_helm_does() {
    let tmp = tempfile::tempdir().unwrap();
    let chart = tmp.path().join("web");
    write(
        &chart,
        &[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: web\nversion: 0.3.0\nicon: https://x.io/i.png\n",
            ),
            ("values.yaml", "replicas: 1\n"),
            (".helmignore", "secret.txt\ndrafts/\n*.bak\n"),
            ("secret.txt", "do not ship"),
            ("drafts/idea.md", "later"),
            ("templates/cm.yaml.bak", "old"),
            (
                "templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
            ),
            ("templates/.hidden", "never shipped (Helm's default rule)"),
            ("files/config.txt", "shipped"),
        ],
    );
    let ours = package(&[&chart], &tmp.path().join("ours"), &[]);
    let helm_dest = tmp.path().join("helm");
    std::fs::create_dir_all(&helm_dest).unwrap();
    let helms: Vec<PathBuf> = serde_json::from_value(common::oracle(
        "package.py",
        &json!({"op": "helm_package", "charts": [chart], "destination": helm_dest}),
    ))
    .unwrap();
    let d: Vec<Value> = serde_json::from_value(common::oracle(
        "package.py",
        &json!({"op": "describe", "paths": [ours[0], helms[0]]}),
    ))
    .unwrap();
    let names = |v: &Value| -> Vec<String> {
        let mut n: Vec<String> = v["members"].as_object().unwrap().keys().cloned().collect();
        n.sort();
        n
    };
    assert_eq!(
        names(&d[0]),
        [
            "web/.helmignore",
            "web/Chart.yaml",
            "web/files/config.txt",
            "web/templates/cm.yaml",
            "web/values.yaml"
        ]
    );
    assert_eq!(names(&d[0]), names(&d[1]), "Helm ships other files");
}

/// Runs `rudder package` expecting a failure; returns stderr. The destination must stay empty.
fn refused(args: &[&str], dest: &Path) -> String {
    let out = rudder()
        .arg("package")
        .args(args)
        .arg("-d")
        .arg(dest)
        .assert()
        .failure()
        .code(1)
        .get_output()
        .clone();
    assert!(
        listing(dest).is_empty(),
        "something was written: {:?}",
        listing(dest)
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("Error: "), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    stderr
}

#[test]
fn bad_charts_are_refused_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dest = tmp.path().join("out");
    std::fs::create_dir_all(&dest).unwrap();

    let broken = tmp.path().join("broken");
    write(
        &broken,
        &[("Chart.yaml", "apiVersion: v2\nname: broken\nversion: [1\n")],
    );
    let e = refused(&[broken.to_str().unwrap()], &dest);
    assert!(e.contains("broken/Chart.yaml:"), "{e}");

    let bad_version = tmp.path().join("badver");
    write(
        &bad_version,
        &[("Chart.yaml", "apiVersion: v2\nname: badver\nversion: one\n")],
    );
    let e = refused(&[bad_version.to_str().unwrap()], &dest);
    assert!(
        e.contains("badver/Chart.yaml") && e.contains("SemVer"),
        "{e}"
    );

    let lint_fails = tmp.path().join("lintfail");
    write(
        &lint_fails,
        &[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: lintfail\nversion: 1.0.0\n",
            ),
            (
                "templates/cm.yaml",
                "kind: ConfigMap\nname: {{ Values.x | nosuchfilter }}\n",
            ),
        ],
    );
    let e = refused(&[lint_fails.to_str().unwrap()], &dest);
    assert!(
        e.contains("lint found 1 error(s)") && e.contains("templates/cm.yaml"),
        "{e}"
    );

    let good = common::repo_root().join("charts/nginx");
    let e = refused(&[good.to_str().unwrap(), "--version", "1.0"], &dest);
    assert!(e.contains("--version \"1.0\""), "{e}");

    let archive = tmp.path().join("x.tgz");
    std::fs::write(&archive, "x").unwrap();
    let e = refused(&[archive.to_str().unwrap()], &dest);
    assert!(e.contains("not a chart directory"), "{e}");

    let out = rudder()
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .args([
            "package",
            good.to_str().unwrap(),
            "-d",
            dest.to_str().unwrap(),
        ])
        .assert()
        .failure()
        .code(1)
        .get_output()
        .clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("SOURCE_DATE_EPOCH"));
    assert!(listing(&dest).is_empty());
}

#[test]
fn version_flags_rename_and_rewrite_the_chart() {
    let tmp = tempfile::tempdir().unwrap();
    let chart = common::repo_root().join("charts/redis");
    let written = package(
        &[&chart],
        tmp.path(),
        &["--version", "2.3.4-rc.1", "--app-version", "7.4"],
    );
    assert_eq!(written, [tmp.path().join("redis-2.3.4-rc.1.tgz")]);
    let loaded = rudder::chart::load(&written[0]).unwrap();
    assert_eq!(loaded.metadata.version, "2.3.4-rc.1");
    assert_eq!(loaded.metadata.app_version.as_deref(), Some("7.4"));
}

/// An I/O error names the path and its cause once (library errors already carry the cause).
#[test]
fn io_errors_name_the_cause_once() {
    let out = rudder()
        .args(["package", "/nonexistent-chart-dir"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        err.trim_end(),
        "Error: /nonexistent-chart-dir: No such file or directory (os error 2)"
    );
}
