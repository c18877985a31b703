//! `rudder search repo` over repositories added from a real HTTP server on 127.0.0.1.

mod repo_support;

use repo_support::{FixtureRepo, Home, Server};

/// Two repositories served and added; dropping it stops the servers and deletes the files.
struct Setup {
    _repos: (FixtureRepo, FixtureRepo),
    _servers: (Server, Server),
    home: Home,
}

fn setup() -> Setup {
    let mut a = FixtureRepo::new();
    a.add_chart("nginx", "1.0.0");
    a.add_chart("nginx", "1.1.0");
    a.add_chart("nginx", "2.0.0-rc.1");
    let cv = a.add_chart("cache", "0.5.0");
    cv.metadata.description = Some("Keeps nginx responses".into());
    let cv = a.add_chart("proxy", "3.0.0");
    cv.metadata.keywords = vec!["NGINX-compatible".into()];
    cv.metadata.app_version = None;
    a.write_index();
    let mut b = FixtureRepo::new();
    b.add_chart("nginx", "0.9.0");
    b.write_index();
    let (sa, sb) = (Server::static_dir(a.path()), Server::static_dir(b.path()));
    let home = Home::new();
    home.ok(&["repo", "add", "a", &sa.url]);
    home.ok(&["repo", "add", "b", &sb.url]);
    Setup {
        _repos: (a, b),
        _servers: (sa, sb),
        home,
    }
}

fn json(home: &Home, args: &[&str]) -> Vec<(String, String)> {
    let mut all = vec!["search", "repo"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", "json"]);
    let (out, _) = home.ok(&all);
    let v: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    v.iter()
        .map(|r| {
            let keys: Vec<&String> = r.as_object().unwrap().keys().collect();
            assert_eq!(keys, ["app_version", "description", "name", "version"]);
            (
                r["name"].as_str().unwrap().to_string(),
                r["version"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn keyword_matches_names_then_descriptions_then_keywords() {
    let s = setup();
    let home = &s.home;
    assert_eq!(
        json(home, &["NGINX"]),
        pairs(&[
            ("a/nginx", "1.1.0"),
            ("b/nginx", "0.9.0"),
            ("a/cache", "0.5.0"),
            ("a/proxy", "3.0.0")
        ])
    );
    assert_eq!(json(home, &["b/ngi"]), pairs(&[("b/nginx", "0.9.0")]));
    assert!(json(home, &["no-such-thing"]).is_empty());
}

#[test]
fn versions_devel_and_ranges() {
    let s = setup();
    let home = &s.home;
    assert_eq!(
        json(home, &["a/nginx", "--versions"]),
        pairs(&[("a/nginx", "1.1.0"), ("a/nginx", "1.0.0")])
    );
    assert_eq!(
        json(home, &["a/nginx", "--devel"]),
        pairs(&[("a/nginx", "2.0.0-rc.1")])
    );
    assert_eq!(
        json(home, &["a/nginx", "--version", "~1.0"]),
        pairs(&[("a/nginx", "1.0.0")])
    );
    assert_eq!(
        json(home, &[]),
        pairs(&[
            ("a/cache", "0.5.0"),
            ("a/nginx", "1.1.0"),
            ("a/proxy", "3.0.0"),
            ("b/nginx", "0.9.0")
        ])
    );
}

#[test]
fn table_and_yaml_output() {
    let s = setup();
    let home = &s.home;
    let (out, _) = home.ok(&["search", "repo", "cache"]);
    let lines: Vec<Vec<&str>> = out
        .lines()
        .map(|l| l.split('\t').map(str::trim).collect())
        .collect();
    assert_eq!(
        lines[0],
        ["NAME", "CHART VERSION", "APP VERSION", "DESCRIPTION"]
    );
    assert_eq!(
        lines[1],
        ["a/cache", "0.5.0", "app-0.5.0", "Keeps nginx responses"]
    );
    let (out, _) = home.ok(&["search", "repo", "zzz"]);
    assert_eq!(out, "No results found\n");
    let (out, _) = home.ok(&["search", "repo", "proxy", "-o", "yaml"]);
    assert!(
        out.contains("name: a/proxy") && out.contains("app_version: ''"),
        "{out}"
    );
}

#[test]
fn a_repository_without_cache_is_a_warning() {
    let s = setup();
    let home = &s.home;
    std::fs::remove_file(home.repository_cache().join("b-index.yaml")).unwrap();
    let (out, err) = home.ok(&["search", "repo", "nginx", "-o", "json"]);
    assert!(
        err.contains("WARNING: repo \"b\" is corrupt or missing"),
        "{err}"
    );
    assert!(!out.contains("b/nginx"), "{out}");
    let empty = Home::new();
    let line = empty.fails(&["search", "repo", "x"]);
    assert_eq!(line, "Error: no repositories configured");
}
