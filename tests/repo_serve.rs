//! `rudder repo serve`: the real binary on 127.0.0.1:0, spoken to over raw HTTP so that paths
//! reach the server exactly as an attacker would write them.

mod serve_support;

use rudder::repo::IndexFile;
use serve_support::{HOSTILE_README, OUR_CHARTS, SECRET, Server, build_repo, sha256_hex};

#[test]
fn announces_the_real_address_and_stops_cleanly_on_sigterm() {
    let fixture = build_repo();
    let mut server = Server::start(&fixture.repo);
    assert_eq!(
        server.banner,
        format!(
            "Serving {} on http://{}/",
            fixture.repo.display(),
            server.addr
        )
    );
    assert_ne!(server.addr.port(), 0);
    assert_eq!(server.get("/index.yaml").status, 200);
    let status = server.terminate();
    assert!(status.success(), "exit status after SIGTERM: {status:?}");
}

#[test]
fn serves_index_and_archives_byte_for_byte() {
    let fixture = build_repo();
    let server = Server::start(&fixture.repo);

    let index_bytes = std::fs::read(fixture.repo.join("index.yaml")).unwrap();
    let response = server.get("/index.yaml");
    assert_eq!(response.status, 200);
    assert_eq!(response.body, index_bytes);
    assert_eq!(response.header("content-type"), Some("application/x-yaml"));
    assert_eq!(
        response.header("etag"),
        Some(format!("\"{}\"", sha256_hex(&index_bytes)).as_str())
    );
    assert_eq!(
        response.header("content-length"),
        Some(index_bytes.len().to_string().as_str())
    );

    let (index, skipped) = IndexFile::parse(&index_bytes, "index.yaml").unwrap();
    assert!(skipped.is_empty());
    let mut archives = 0;
    for versions in index.entries.values() {
        for cv in versions {
            let url = &cv.urls[0];
            let bytes = std::fs::read(fixture.repo.join(url)).unwrap();
            let response = server.get(&format!("/{url}"));
            assert_eq!(response.status, 200, "{url}");
            assert!(response.body == bytes, "{url} differs from the file");
            assert_eq!(response.header("content-type"), Some("application/gzip"));
            assert_eq!(
                response.header("etag"),
                Some(format!("\"{}\"", cv.digest.as_deref().unwrap()).as_str()),
                "{url}: the ETag is the archive's sha256, as the index digest"
            );
            archives += 1;
        }
    }
    assert_eq!(archives, OUR_CHARTS.len() + 3);
}

#[test]
fn etag_revalidation_and_head() {
    let fixture = build_repo();
    let server = Server::start(&fixture.repo);
    let full = server.get("/redis-0.1.0.tgz");
    let tag = full.header("etag").unwrap().to_string();

    let not_modified = server.request("GET", "/redis-0.1.0.tgz", &[("If-None-Match", &tag)]);
    assert_eq!(not_modified.status, 304);
    assert!(not_modified.body.is_empty());
    assert_eq!(not_modified.header("etag"), Some(tag.as_str()));

    let weak = format!("\"nope\", W/{tag}");
    let not_modified = server.request("GET", "/redis-0.1.0.tgz", &[("If-None-Match", &weak)]);
    assert_eq!(not_modified.status, 304);

    let changed = server.request("GET", "/redis-0.1.0.tgz", &[("If-None-Match", "\"other\"")]);
    assert_eq!(changed.status, 200);
    assert_eq!(changed.body, full.body);

    let head = server.request("HEAD", "/redis-0.1.0.tgz", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty());
    assert_eq!(
        head.header("content-length"),
        Some(full.body.len().to_string().as_str())
    );
    assert_eq!(head.header("etag"), Some(tag.as_str()));
    assert_eq!(head.header("content-type"), Some("application/gzip"));

    let head_catalog = server.request("HEAD", "/", &[]);
    assert_eq!(head_catalog.status, 200);
    assert!(head_catalog.body.is_empty());
    assert_eq!(
        head_catalog.header("content-type"),
        Some("text/html; charset=utf-8")
    );
}

#[test]
fn missing_files_and_other_methods() {
    let fixture = build_repo();
    let server = Server::start(&fixture.repo);
    let missing = server.get("/redis-9.9.9.tgz");
    assert_eq!(missing.status, 404);
    assert_eq!(missing.text(), "404 page not found\n");
    assert_eq!(
        missing.header("content-type"),
        Some("text/plain; charset=utf-8")
    );
    assert_eq!(
        server.get("/icons").status,
        404,
        "directories are not listed"
    );

    let post = server.request("POST", "/index.yaml", &[("Content-Length", "0")]);
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
    let delete = server.request("DELETE", "/redis-0.1.0.tgz", &[]);
    assert_eq!(delete.status, 405);
    assert!(fixture.repo.join("redis-0.1.0.tgz").exists());
}

#[test]
fn nothing_outside_the_directory_is_served() {
    let fixture = build_repo();
    let server = Server::start(&fixture.repo);
    let secret = fixture.tmp.path().join("secret.txt");
    let absolute = format!("/{}", secret.display());
    let attempts = [
        "/../secret.txt",
        "/icons/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/icons%2f..%2f..%2fsecret.txt",
        "/..%5csecret.txt",
        "/.%2e/secret.txt",
        "//secret.txt",
        absolute.as_str(),
        "/%2f..%2fsecret.txt",
        "/leak.txt",
        "/charts/../../secret.txt",
        "/charts/%2e%2e/%2e%2e",
        "/index.yaml%00.tgz",
    ];
    for path in attempts {
        let response = server.get(path);
        assert!(
            response.status == 400 || response.status == 404,
            "{path}: status {}",
            response.status
        );
        assert!(
            !response.text().contains(SECRET),
            "{path} leaked the secret"
        );
    }
    // An absolute URI in the request line is reduced to its path, which is then checked.
    let absolute_form = format!("http://{}/../secret.txt", server.addr);
    let response = server.get(&absolute_form);
    assert_ne!(response.status, 200);
    assert!(!response.text().contains(SECRET));
}

#[test]
fn catalog_lists_every_chart_and_escapes_the_readme() {
    let fixture = build_repo();
    let server = Server::start(&fixture.repo);
    let index_bytes = std::fs::read(fixture.repo.join("index.yaml")).unwrap();
    let (index, _) = IndexFile::parse(&index_bytes, "index.yaml").unwrap();

    let page = server.get("/");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    let html = page.text();
    assert!(html.contains("id=\"search\""), "no search box");
    for (name, versions) in &index.entries {
        assert!(
            html.contains(&format!("id=\"chart-{name}\"")),
            "{name} missing"
        );
        for cv in versions {
            assert!(
                html.contains(&format!("href=\"/{}\"", cv.urls[0])),
                "{name} {}: no archive link",
                cv.metadata.version
            );
        }
    }
    assert!(html.contains("Escapes &lt;b&gt;everything&lt;/b&gt; &amp; more"));
    assert!(html.contains("<img class=\"icon\" src=\"/icons/hostile.svg\""));
    assert!(
        !html.contains("example.com"),
        "outside icons are never loaded"
    );
    assert!(
        no_outside_loads(&html),
        "the page loads something from outside"
    );

    let detail = server.get("/charts/hostile");
    assert_eq!(detail.status, 200);
    let html = detail.text();
    assert!(html.contains("Chart version 0.2.0"), "latest version shown");
    assert!(html.contains("<h1>Hostile</h1>"), "README rendered: {html}");
    assert!(
        html.contains("&lt;script&gt;alert('readme')&lt;/script&gt;"),
        "{html}"
    );
    assert!(
        !html.contains("<script"),
        "README injected a script: {html}"
    );
    assert!(!html.contains("<img src=x"), "README injected markup");
    assert!(
        !html.contains("javascript:"),
        "README link kept a script URL"
    );
    assert!(HOSTILE_README.contains("<script>"));
    assert!(
        html.contains("greeting: &quot;&lt;hello &amp; bye&gt;&quot;"),
        "values shown"
    );

    let older = server.get("/charts/hostile/0.1.0");
    assert_eq!(older.status, 200);
    assert!(older.text().contains("Chart version 0.1.0"));

    let redis = server.get("/charts/redis").text();
    let readme =
        std::fs::read_to_string(serve_support::rudder_root().join("charts/redis/README.md"))
            .unwrap();
    let title = readme.lines().next().unwrap().trim_start_matches("# ");
    assert!(redis.contains(&format!("<h1>{title}</h1>")), "{redis}");

    assert_eq!(server.get("/charts/nope").status, 404);
    assert_eq!(server.get("/charts/redis/9.9.9").status, 404);
}

/// Every `src=` of the page is local (`/...`) or `data:`.
fn no_outside_loads(html: &str) -> bool {
    html.split("src=\"")
        .skip(1)
        .all(|rest| rest.starts_with('/') && !rest.starts_with("//") || rest.starts_with("data:"))
}

#[test]
fn a_changed_index_is_picked_up_while_serving() {
    let fixture = build_repo();
    let server = Server::start(&fixture.repo);
    let before = server.get("/index.yaml");
    assert!(!server.get("/").text().contains("id=\"chart-added\""));

    let bytes = std::fs::read(fixture.repo.join("index.yaml")).unwrap();
    let (mut index, _) = IndexFile::parse(&bytes, "index.yaml").unwrap();
    let dir = fixture.tmp.path().join("sources/added");
    serve_support::write_files(
        &dir,
        &[(
            "Chart.yaml",
            "apiVersion: v2\nname: added\nversion: 3.0.0\ndescription: Added later\n",
        )],
    );
    let cv = serve_support::package(&dir, &fixture.repo);
    index.entries.insert("added".to_string(), vec![cv]);
    serve_support::write_index(&fixture.repo, &index);

    let after = server.get("/index.yaml");
    assert_ne!(after.header("etag"), before.header("etag"));
    assert_eq!(
        after.body,
        std::fs::read(fixture.repo.join("index.yaml")).unwrap()
    );
    let stale = server.request(
        "GET",
        "/index.yaml",
        &[("If-None-Match", before.header("etag").unwrap())],
    );
    assert_eq!(stale.status, 200, "an old ETag must not get a 304");
    assert!(server.get("/").text().contains("id=\"chart-added\""));
    assert_eq!(server.get("/charts/added").status, 200);
}

#[test]
fn tampered_archive_is_reported_not_shown() {
    let fixture = build_repo();
    let server = Server::start(&fixture.repo);
    std::fs::write(fixture.repo.join("hostile-0.1.0.tgz"), b"not the archive").unwrap();
    let html = server.get("/charts/hostile/0.1.0").text();
    assert!(html.contains("does not match the index digest"), "{html}");
    assert!(!html.contains("<h1>Hostile</h1>"));
}

#[test]
fn bad_directory_and_busy_address_are_one_line_errors() {
    let fixture = build_repo();
    let missing = fixture.tmp.path().join("nope");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rudder"))
        .args(["repo", "serve"])
        .arg(&missing)
        .args(["--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with(&format!("Error: {}: ", missing.display())),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    let file = fixture.repo.join("index.yaml");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rudder"))
        .args(["repo", "serve"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));

    let server = Server::start(&fixture.repo);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_rudder"))
        .args(["repo", "serve"])
        .arg(&fixture.repo)
        .args(["--listen", &server.addr.to_string()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with(&format!("Error: cannot listen on {}: ", server.addr)),
        "{err}"
    );
}

#[test]
fn empty_and_broken_indexes_are_explained_on_the_page() {
    let tmp = tempfile::tempdir().unwrap();
    let server = Server::start(tmp.path());
    assert_eq!(server.get("/index.yaml").status, 404);
    let page = server.get("/");
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("has no index.yaml yet"),
        "{}",
        page.text()
    );
    assert!(page.text().contains("0 charts"));

    std::fs::write(
        tmp.path().join("index.yaml"),
        "apiVersion: v1\nentries:\n  web: [\n",
    )
    .unwrap();
    let page = server.get("/");
    assert_eq!(page.status, 500);
    let index = tmp.path().join("index.yaml");
    assert!(
        page.text().contains(&format!("{}:", index.display())),
        "the error names the index: {}",
        page.text()
    );
    assert_eq!(server.get("/charts/web").status, 500);
}
