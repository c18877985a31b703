//! Our own `rudder repo serve` as the repository of both clients: rudder (`repo add`, `search`,
//! `pull`, `template REPO/NAME`) and the real Helm engine (`repo_index` + `pull` of every chart),
//! serving the project's `index/`.

mod common;
mod repo_support;
mod serve_support;

use repo_support::Home;
use serde_json::json;

#[test]
fn rudder_and_helm_use_our_served_index() {
    let index = common::repo_root().join("index");
    let mut server = serve_support::Server::start(&index);
    let url = server.base.clone();
    let home = Home::new();

    home.ok(&["repo", "add", "ours", &url]);
    let (out, _) = home.ok(&["search", "repo", "cert", "-o", "json"]);
    let found: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(found[0]["name"], "ours/kube-cert-manager", "{out}");
    let dest = home.dir.path().join("pulled");
    home.ok(&[
        "pull",
        "ours/redis",
        "--version",
        "^0.1",
        "-d",
        dest.to_str().unwrap(),
    ]);
    assert_eq!(
        std::fs::read(dest.join("redis-0.1.0.tgz")).unwrap(),
        std::fs::read(index.join("redis-0.1.0.tgz")).unwrap()
    );
    let (rendered, _) = home.ok(&[
        "template",
        "web",
        "ours/lobsters",
        "--set",
        "tls.enabled=true",
    ]);
    assert!(rendered.contains("kind: Certificate"), "{rendered}");

    let helm_home = tempfile::tempdir().unwrap();
    let helm_dest = tempfile::tempdir().unwrap();
    let r = common::oracle(
        "package.py",
        &json!({"op": "repo", "url": url, "home": helm_home.path(), "destination": helm_dest.path()}),
    );
    let pulled = r["pulled"].as_array().unwrap();
    let (ours, _) = rudder::repo::IndexFile::parse(
        &std::fs::read(index.join("index.yaml")).unwrap(),
        "index.yaml",
    )
    .unwrap();
    let count: usize = ours.entries.values().map(Vec::len).sum();
    assert_eq!(pulled.len(), count);
    for p in pulled {
        let name = p["name"].as_str().unwrap();
        let cv = &ours.entries[name][0];
        assert_eq!(
            p["digest"].as_str().unwrap().trim_start_matches("sha256:"),
            cv.digest.as_deref().unwrap(),
            "{name}"
        );
    }
    server.terminate();
}
