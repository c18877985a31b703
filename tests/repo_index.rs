//! `rudder repo index` and our `index/` repository: the index compared with the one Helm
//! generates for the same archives, `--merge`, refusals, `index/` kept fresh, and Helm reading
//! `index/` over HTTP and pulling every chart from it.

mod common;
mod repo_support;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use repo_support::Server;
use rudder::repo::IndexFile;
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

/// The SOURCE_DATE_EPOCH that scripts/update-index.sh fixes.
fn index_epoch() -> String {
    let script = std::fs::read_to_string(common::repo_root().join("scripts/update-index.sh"))
        .expect("scripts/update-index.sh");
    script
        .lines()
        .find_map(|l| l.strip_prefix("SOURCE_DATE_EPOCH="))
        .expect("scripts/update-index.sh sets SOURCE_DATE_EPOCH=")
        .trim()
        .to_string()
}

fn package_into(charts: &[PathBuf], dest: &Path, epoch: Option<&str>) {
    let mut cmd = rudder();
    if let Some(epoch) = epoch {
        cmd.env("SOURCE_DATE_EPOCH", epoch);
    }
    cmd.arg("package").args(charts).arg("-d").arg(dest);
    cmd.assert().success();
}

fn read_index(path: &Path) -> IndexFile {
    let (index, skipped) =
        IndexFile::parse(&std::fs::read(path).unwrap(), &path.display().to_string()).unwrap();
    assert!(skipped.is_empty(), "{skipped:?}");
    index
}

#[test]
fn index_dir_is_fresh() {
    let tmp = tempfile::tempdir().unwrap();
    let epoch = index_epoch();
    package_into(&our_charts(), tmp.path(), Some(&epoch));
    rudder()
        .env("SOURCE_DATE_EPOCH", &epoch)
        .args(["repo", "index", tmp.path().to_str().unwrap()])
        .assert()
        .success();
    let index_dir = common::repo_root().join("index");
    let names = |dir: &Path| -> Vec<String> {
        let mut n: Vec<String> = std::fs::read_dir(dir)
            .map(|rd| {
                rd.map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default();
        n.sort();
        n
    };
    let fix = "index/ is stale: run `bash scripts/update-index.sh` and commit index/";
    let (want, have) = (names(tmp.path()), names(&index_dir));
    for name in &want {
        assert!(have.contains(name), "{name} is missing from index/; {fix}");
    }
    for name in &have {
        assert!(
            want.contains(name),
            "index/{name} is not made from charts/; {fix}"
        );
    }
    // Archives first, so that a stale chart is named rather than just index.yaml.
    let mut order = want.clone();
    order.sort_by_key(|n| n == "index.yaml");
    for name in &order {
        let fresh = std::fs::read(tmp.path().join(name)).unwrap();
        let shipped = std::fs::read(index_dir.join(name)).unwrap();
        let what = match name.strip_suffix(".tgz") {
            Some(chart) => format!("the package of chart {chart}"),
            None => "the index".to_string(),
        };
        assert!(
            fresh == shipped,
            "index/{name} ({what}) differs from what charts/ gives; {fix}"
        );
    }
}

/// Entries of an index as JSON without the fields that depend on the time of indexing.
fn comparable(entries: &Value) -> Value {
    let mut entries = entries.clone();
    for versions in entries.as_object_mut().unwrap().values_mut() {
        for v in versions.as_array_mut().unwrap() {
            v.as_object_mut().unwrap().remove("created");
        }
    }
    entries
}

#[test]
fn index_matches_the_one_helm_generates() {
    let tmp = tempfile::tempdir().unwrap();
    let ours = tmp.path().join("ours");
    let charts = our_charts();
    package_into(&charts, &ours, None);
    // One level down is indexed too, with its directory in the URL.
    rudder()
        .args(["package", charts[0].to_str().unwrap(), "--version", "0.0.1"])
        .arg("-d")
        .arg(ours.join("old"))
        .assert()
        .success();
    let helms = tmp.path().join("helm");
    std::fs::create_dir_all(helms.join("old")).unwrap();
    for entry in walk(&ours) {
        let rel = entry.strip_prefix(&ours).unwrap();
        std::fs::copy(&entry, helms.join(rel)).unwrap();
    }
    let url = "https://charts.example.com/stable";
    rudder()
        .args(["repo", "index", ours.to_str().unwrap(), "--url", url])
        .assert()
        .success();
    let helm = common::oracle(
        "package.py",
        &json!({"op": "index_generate", "directory": helms, "base_url": url}),
    );
    let our_index: Value = serde_json::to_value(read_index(&ours.join("index.yaml"))).unwrap();
    // Our index through Helm's reader, beside Helm's own index.
    let helm_reads_ours = helm_reads(&ours.join("index.yaml"));
    assert_eq!(
        comparable(&helm_reads_ours["entries"]),
        comparable(&helm["entries"]),
        "Helm reads our index differently from the one it generates"
    );
    assert_eq!(our_index["apiVersion"], "v1");
    let versions = &helm["entries"][charts[0].file_name().unwrap().to_str().unwrap()];
    assert_eq!(versions.as_array().unwrap().len(), 2);
    assert!(
        versions[1]["urls"][0]
            .as_str()
            .unwrap()
            .starts_with(&format!("{url}/old/")),
        "{versions}"
    );
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

/// Helm's reading of an index file, served over HTTP.
fn helm_reads(index: &Path) -> Value {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(index, tmp.path().join("index.yaml")).unwrap();
    let server = Server::static_dir(tmp.path());
    let code = "import json,sys,helm_python; print(json.dumps(helm_python.repo_index(sys.argv[1]), default=str))";
    let out = std::process::Command::new(common::helm_python())
        .args(["-c", code, &server.url])
        .env("HELM_CACHE_HOME", tmp.path().join("cache"))
        .env("HELM_CONFIG_HOME", tmp.path().join("config"))
        .env("HELM_DATA_HOME", tmp.path().join("data"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn helm_reads_index_dir_over_http_and_pulls_every_chart() {
    let index_dir = common::repo_root().join("index");
    let ours = read_index(&index_dir.join("index.yaml"));
    let server = Server::static_dir(&index_dir);
    let tmp = tempfile::tempdir().unwrap();
    let got = common::oracle(
        "package.py",
        &json!({"op": "repo", "url": server.url, "home": tmp.path().join("home"),
                "destination": tmp.path().join("pulled")}),
    );
    drop(server);
    let helm_names: Vec<&String> = got["index"]["entries"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    let our_names: Vec<&String> = ours.entries.keys().collect();
    assert_eq!(helm_names, our_names);
    let charts: Vec<String> = our_charts()
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        our_names,
        charts.iter().collect::<Vec<_>>(),
        "index/ lacks a chart of charts/"
    );
    let pulled = got["pulled"].as_array().unwrap();
    assert_eq!(
        pulled.len(),
        ours.entries.values().map(Vec::len).sum::<usize>()
    );
    for p in pulled {
        let name = p["name"].as_str().unwrap();
        let cv = ours
            .find(name, p["version"].as_str().unwrap(), false, "index/")
            .unwrap();
        assert_eq!(
            p["digest"],
            format!("sha256:{}", cv.digest.as_deref().unwrap()),
            "{name}: Helm pulled something else than index/ lists"
        );
    }
}

#[test]
fn merge_keeps_other_versions_and_unchanged_dates() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("repo");
    let nginx = common::repo_root().join("charts/nginx");
    package_into(std::slice::from_ref(&nginx), &dir, None);
    let digest = rudder::chart::digest_file(&dir.join("nginx-0.1.0.tgz")).unwrap();
    let old = tmp.path().join("old-index.yaml");
    std::fs::write(
        &old,
        format!(
            "apiVersion: v1
entries:
  nginx:
  - apiVersion: v2
    name: nginx
    version: 0.1.0
    urls: [nginx-0.1.0.tgz]
    digest: {digest}
    created: \"2020-02-02T02:02:02Z\"
  - apiVersion: v2
    name: nginx
    version: 0.0.9
    urls: [https://elsewhere.example/nginx-0.0.9.tgz]
    digest: 0123abcd
    created: \"2019-01-01T00:00:00Z\"
  gone:
  - apiVersion: v2
    name: gone
    version: 1.0.0
    urls: [gone-1.0.0.tgz]
    digest: ffff
    created: \"2019-01-01T00:00:00Z\"
generated: \"2020-02-02T02:02:02Z\"
"
        ),
    )
    .unwrap();
    rudder()
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .args([
            "repo",
            "index",
            dir.to_str().unwrap(),
            "--merge",
            old.to_str().unwrap(),
        ])
        .assert()
        .success();
    let index = read_index(&dir.join("index.yaml"));
    assert_eq!(index.generated, "2026-01-01T00:00:00Z");
    let summary: Vec<(String, String, String, String)> = index
        .entries
        .values()
        .flatten()
        .map(|cv| {
            (
                cv.metadata.version.clone(),
                cv.urls[0].clone(),
                cv.created.clone().unwrap(),
                cv.digest.clone().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (
                "1.0.0".into(),
                "gone-1.0.0.tgz".into(),
                "2019-01-01T00:00:00Z".into(),
                "ffff".into()
            ),
            (
                "0.1.0".into(),
                "nginx-0.1.0.tgz".into(),
                "2020-02-02T02:02:02Z".into(),
                digest.clone()
            ),
            (
                "0.0.9".into(),
                "https://elsewhere.example/nginx-0.0.9.tgz".into(),
                "2019-01-01T00:00:00Z".into(),
                "0123abcd".into()
            ),
        ]
    );
}

fn refused(dir: &Path, extra: &[&str]) -> String {
    let out = rudder()
        .args(["repo", "index", dir.to_str().unwrap()])
        .args(extra)
        .assert()
        .failure()
        .code(1)
        .get_output()
        .clone();
    assert!(!dir.join("index.yaml").exists(), "an index was written");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("Error: "), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
    stderr
}

#[test]
fn bad_archives_and_bad_merge_files_are_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("repo");
    package_into(&[common::repo_root().join("charts/redis")], &dir, None);

    let corrupt = dir.join("corrupt-1.0.0.tgz");
    let mut bytes = std::fs::read(dir.join("redis-0.1.0.tgz")).unwrap();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&corrupt, &bytes).unwrap();
    let e = refused(&dir, &[]);
    assert!(e.contains("corrupt-1.0.0.tgz"), "{e}");
    std::fs::remove_file(&corrupt).unwrap();

    let bad = tmp.path().join("bad-index.yaml");
    std::fs::write(
        &bad,
        "apiVersion: v1\nentries:\n  redis:\n  - name: [unclosed\n",
    )
    .unwrap();
    let e = refused(&dir, &["--merge", bad.to_str().unwrap()]);
    assert!(e.contains(&format!("{}:", bad.display())), "{e}");
    let line: String = e
        .split(&format!("{}:", bad.display()))
        .nth(1)
        .unwrap()
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    assert!(line.parse::<usize>().unwrap() >= 4, "{e}");

    let e = refused(&tmp.path().join("missing"), &[]);
    assert!(e.contains("missing"), "{e}");
}
