//! `rudder repo add|list|update|remove` against real HTTP servers on 127.0.0.1: Python's
//! `http.server` (a static host rudder did not write) and `server.py` for misbehaviour.

mod repo_support;

use repo_support::{FixtureRepo, Home, Server, files_under};

fn fixture() -> FixtureRepo {
    let mut repo = FixtureRepo::new();
    repo.add_chart("web", "1.0.0");
    repo.add_chart("web", "1.2.0");
    repo.add_chart("db", "0.3.0");
    repo.write_index();
    repo
}

#[test]
fn add_list_update_remove_against_a_static_host() {
    let repo = fixture();
    let server = Server::static_dir(repo.path());
    let home = Home::new();
    let (_, err) = home.ok(&["repo", "add", "stable", &server.url]);
    assert_eq!(err.trim(), "\"stable\" has been added to your repositories");

    let config = std::fs::read_to_string(home.repositories_yaml()).unwrap();
    for key in [
        "apiVersion: v1",
        "generated:",
        "repositories:",
        "name: stable",
        "caFile:",
        "certFile:",
        "keyFile:",
        "insecure_skip_tls_verify: false",
        "pass_credentials_all: false",
    ] {
        assert!(config.contains(key), "{key} missing in\n{config}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(home.repositories_yaml())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let cache = home.repository_cache();
    assert_eq!(
        std::fs::read(cache.join("stable-index.yaml")).unwrap(),
        std::fs::read(repo.path().join("index.yaml")).unwrap()
    );
    assert_eq!(
        std::fs::read_to_string(cache.join("stable-charts.txt")).unwrap(),
        "db\nweb\n"
    );

    let (out, _) = home.ok(&["repo", "list"]);
    assert_eq!(
        out.lines()
            .next()
            .unwrap()
            .split('\t')
            .map(str::trim)
            .collect::<Vec<_>>(),
        ["NAME", "URL"]
    );
    assert!(out.contains(&server.url));
    let (out, _) = home.ok(&["repo", "list", "-o", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        json,
        serde_json::json!([{"name": "stable", "url": server.url}])
    );
    let (out, _) = home.ok(&["repo", "list", "-o", "yaml"]);
    assert!(out.contains("- name: stable\n"), "{out}");

    let (_, err) = home.ok(&["repo", "update"]);
    assert!(err.contains("Hang tight"), "{err}");
    assert!(
        err.contains("...Successfully got an update from the \"stable\" chart repository"),
        "{err}"
    );
    assert!(err.contains("Update Complete."), "{err}");

    home.ok(&["repo", "remove", "stable"]);
    assert!(files_under(&cache).is_empty(), "{:?}", files_under(&cache));
    let line = home.fails(&["repo", "list"]);
    assert_eq!(line, "Error: no repositories to show");
}

#[test]
fn update_uses_etag_and_replaces_the_cache_when_the_index_changes() {
    let mut repo = fixture();
    let server = Server::scripted(repo.path());
    let home = Home::new();
    let url = format!("{}/etag", server.url);
    home.ok(&["repo", "add", "r", &url]);
    let (_, err) = home.ok(&["repo", "update", "r"]);
    assert!(err.contains("(not modified)"), "{err}");
    let index_requests: Vec<_> = server
        .requests()
        .into_iter()
        .filter(|r| r["path"] == "/etag/index.yaml")
        .collect();
    assert_eq!(index_requests.len(), 2);
    assert!(index_requests[0]["if_none_match"].is_null());
    assert!(
        index_requests[1]["if_none_match"]
            .as_str()
            .unwrap()
            .starts_with('"')
    );

    repo.add_chart("cache", "9.9.9");
    repo.write_index();
    let (_, err) = home.ok(&["repo", "update"]);
    assert!(!err.contains("not modified"), "{err}");
    let cached = std::fs::read_to_string(home.repository_cache().join("r-index.yaml")).unwrap();
    assert!(cached.contains("9.9.9"));
    let (out, _) = home.ok(&["search", "repo", "cache", "-o", "json"]);
    assert!(out.contains("9.9.9"), "{out}");
}

#[test]
fn update_is_conditional_on_last_modified_with_the_static_host() {
    let repo = fixture();
    let server = Server::static_dir(repo.path());
    let home = Home::new();
    home.ok(&["repo", "add", "s", &server.url]);
    let (_, err) = home.ok(&["repo", "update"]);
    assert!(err.contains("(not modified)"), "{err}");
}

#[test]
fn duplicate_names_are_refused_unless_identical_or_forced() {
    let repo = fixture();
    let server = Server::static_dir(repo.path());
    let home = Home::new();
    home.ok(&["repo", "add", "stable", &server.url]);
    let before = std::fs::read(home.repositories_yaml()).unwrap();
    let (_, err) = home.ok(&["repo", "add", "stable", &server.url]);
    assert!(
        err.contains("already exists with the same configuration, skipping"),
        "{err}"
    );
    let other = format!("{}/", server.url);
    let line = home.fails(&["repo", "add", "stable", &other]);
    assert_eq!(
        line,
        "Error: repository name (stable) already exists, please specify a different name"
    );
    assert_eq!(std::fs::read(home.repositories_yaml()).unwrap(), before);
    home.ok(&["repo", "add", "stable", &other, "--force-update"]);
    let (out, _) = home.ok(&["repo", "list", "-o", "json"]);
    assert!(out.contains(&other), "{out}");
    let line = home.fails(&["repo", "add", "a/b", &server.url]);
    assert!(line.contains("contains '/'"), "{line}");
}

#[test]
fn unreachable_repository_keeps_the_cache() {
    let repo = fixture();
    let mut server = Server::static_dir(repo.path());
    let home = Home::new();
    home.ok(&["repo", "add", "stable", &server.url]);
    let cached = std::fs::read(home.repository_cache().join("stable-index.yaml")).unwrap();
    server.stop();
    let line = home.fails(&["repo", "update"]);
    assert!(
        line.contains("failed to update 1 of 1 repositories"),
        "{line}"
    );
    assert!(line.contains(&server.url), "{line}");
    assert_eq!(
        std::fs::read(home.repository_cache().join("stable-index.yaml")).unwrap(),
        cached
    );
    // Searching still works from the cache.
    let (out, _) = home.ok(&["search", "repo", "web"]);
    assert!(out.contains("stable/web"), "{out}");
}

#[test]
fn add_of_a_bad_repository_writes_nothing() {
    let repo = fixture();
    let mut server = Server::scripted(repo.path());
    let home = Home::new();
    let cases = [
        (format!("{}/status/404", server.url), "HTTP 404"),
        (format!("{}/status/500", server.url), "HTTP 500"),
        (format!("{}/loop", server.url), "too many redirects"),
    ];
    for (url, expected) in &cases {
        let line = home.fails(&["repo", "add", "bad", url]);
        assert!(
            line.contains("is not a valid chart repository or cannot be reached"),
            "{line}"
        );
        assert!(line.contains(expected), "{line}");
        assert!(!home.repositories_yaml().exists());
        assert!(files_under(&home.repository_cache()).is_empty());
    }
    server.stop();
    let line = home.fails(&["repo", "add", "bad", &server.url]);
    assert!(line.contains(&server.url), "{line}");
    assert!(!home.repositories_yaml().exists());
}

#[test]
fn malformed_index_reports_the_line_and_keeps_the_cache() {
    let repo = fixture();
    let server = Server::static_dir(repo.path());
    let home = Home::new();
    home.ok(&["repo", "add", "stable", &server.url]);
    let cached = std::fs::read(home.repository_cache().join("stable-index.yaml")).unwrap();
    std::fs::write(
        repo.path().join("index.yaml"),
        "apiVersion: v1\nentries:\n  web:\n  - name: web\n    version: [1.0\n",
    )
    .unwrap();
    // A new mtime, so the static host does not answer 304.
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(repo.path().join("index.yaml"))
        .unwrap()
        .set_modified(later)
        .unwrap();
    let line = home.fails(&["repo", "update"]);
    assert!(
        line.contains("index.yaml:5:") || line.contains("index.yaml:6:"),
        "{line}"
    );
    assert!(line.contains("invalid index"), "{line}");
    assert_eq!(
        std::fs::read(home.repository_cache().join("stable-index.yaml")).unwrap(),
        cached
    );
}

#[test]
fn responses_over_the_size_cap_are_refused() {
    let repo = fixture();
    let server = Server::scripted(repo.path());
    let home = Home::new();
    // No Content-Length: the cap is enforced while reading (the body is 2 MiB).
    let out = home
        .cmd()
        .env("RUDDER_MAX_DOWNLOAD_BYTES", "1048576")
        .args(["repo", "add", "big", &format!("{}/big", server.url)])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        err.contains("larger than the limit of 1048576 bytes"),
        "{err}"
    );
    // With Content-Length: refused before reading.
    let out = home
        .cmd()
        .env("RUDDER_MAX_DOWNLOAD_BYTES", "100")
        .args(["repo", "add", "small", &server.url])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1));
    assert!(err.contains("larger than the limit of 100 bytes"), "{err}");
    assert!(!home.repositories_yaml().exists());
}

#[test]
fn corrupt_repositories_yaml_names_the_line() {
    let home = Home::new();
    home.write(
        "config/repositories.yaml",
        b"apiVersion: v1\nrepositories:\n- name: x\n  url: [\n",
    );
    for args in [
        &["repo", "list"][..],
        &["repo", "update"][..],
        &["repo", "add", "y", "http://127.0.0.1:1"][..],
        &["repo", "remove", "x"][..],
        &["search", "repo", "x"][..],
        &["pull", "x/web"][..],
    ] {
        let line = home.fails(args);
        assert!(line.contains("repositories.yaml:"), "{args:?}: {line}");
        let after_path = line.split("repositories.yaml:").nth(1).unwrap();
        assert!(
            after_path
                .split(':')
                .next()
                .unwrap()
                .parse::<usize>()
                .unwrap()
                >= 3,
            "{line}"
        );
    }
}

#[test]
fn remove_and_update_refuse_unknown_names() {
    let repo = fixture();
    let server = Server::static_dir(repo.path());
    let home = Home::new();
    let line = home.fails(&["repo", "update"]);
    assert_eq!(
        line,
        "Error: no repositories found. You must add one before updating"
    );
    home.ok(&["repo", "add", "stable", &server.url]);
    let line = home.fails(&["repo", "remove", "stable", "nope"]);
    assert_eq!(line, "Error: no repo named \"nope\" found");
    assert!(home.repository_cache().join("stable-index.yaml").exists());
    let line = home.fails(&["repo", "update", "nope"]);
    assert!(
        line.contains("no repositories found matching 'nope'"),
        "{line}"
    );
}

#[test]
fn credentials_go_to_the_repository_host_and_are_never_printed() {
    let repo = fixture();
    let server = Server::scripted(repo.path());
    let home = Home::new();
    let url = format!("{}/auth", server.url);
    let line = home.fails(&["repo", "add", "private", &url]);
    assert!(line.contains("HTTP 401"), "{line}");
    let out = home
        .cmd()
        .args([
            "--debug",
            "repo",
            "add",
            "private",
            &url,
            "--username",
            "user",
            "--password",
            "secret",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!all.contains("secret"), "{all}");
    // A failing update names the repository but not the password.
    let line = home.fails(&["--debug", "pull", "private/nope"]);
    assert!(!line.contains("secret"), "{line}");
    let config = std::fs::read_to_string(home.repositories_yaml()).unwrap();
    assert!(config.contains("username: user"));
}
