//! Chart references end to end: `rudder pull`, `template` and `show` with `REPO/NAME` and a
//! version range, `--repo URL`, and http URLs, served by real HTTP servers on 127.0.0.1.

mod repo_support;

use repo_support::{FixtureRepo, Home, Server, chart_tgz, files_under, sha256, tgz};

fn fixture() -> FixtureRepo {
    let mut repo = FixtureRepo::new();
    for v in [
        "1.0.0",
        "1.2.0",
        "1.2.5",
        "1.10.0",
        "2.0.0",
        "2.1.0-rc.1",
        "3.0.0-beta.1",
    ] {
        repo.add_chart("web", v);
    }
    repo.write_index();
    repo
}

fn setup() -> (FixtureRepo, Server, Home) {
    let repo = fixture();
    let server = Server::static_dir(repo.path());
    let home = Home::new();
    home.ok(&["repo", "add", "r", &server.url]);
    (repo, server, home)
}

/// The version `pull` chose, from the file name it wrote in `dir`.
fn pulled(home: &Home, extra: &[&str]) -> String {
    let dest = tempfile::tempdir().unwrap();
    let mut args = vec!["pull", "r/web", "-d", dest.path().to_str().unwrap()];
    args.extend_from_slice(extra);
    home.ok(&args);
    let files = files_under(dest.path());
    assert_eq!(files.len(), 1, "{files:?}");
    files[0]
        .trim_start_matches("web-")
        .trim_end_matches(".tgz")
        .to_string()
}

#[test]
fn version_ranges_resolve_as_helm_does() {
    let (_repo, _server, home) = setup();
    let cases: &[(&[&str], &str)] = &[
        (&[], "2.0.0"),
        (&["--devel"], "3.0.0-beta.1"),
        (&["--version", "1.2.0"], "1.2.0"),
        (&["--version", "^1.2"], "1.10.0"),
        (&["--version", "~1.2"], "1.2.5"),
        (&["--version", "1.x"], "1.10.0"),
        (&["--version", ">=1.2.1, <1.10"], "1.2.5"),
        (&["--version", "1.0.0 - 1.2.0"], "1.2.0"),
        (&["--version", "~1.0 || ^2"], "2.0.0"),
        (&["--version", ">=2.1.0-0"], "3.0.0-beta.1"),
        (&["--version", "^2", "--devel"], "2.0.0"),
    ];
    for (flags, want) in cases {
        assert_eq!(pulled(&home, flags), *want, "{flags:?}");
    }
}

#[test]
fn a_range_matching_nothing_lists_the_available_versions() {
    let (_repo, _server, home) = setup();
    let dest = tempfile::tempdir().unwrap();
    let line = home.fails(&[
        "pull",
        "r/web",
        "--version",
        "^9",
        "-d",
        dest.path().to_str().unwrap(),
    ]);
    assert!(line.contains("no version matching \"^9\""), "{line}");
    assert!(
        line.contains("available: 3.0.0-beta.1, 2.1.0-rc.1, 2.0.0, 1.10.0"),
        "{line}"
    );
    assert!(files_under(dest.path()).is_empty());
    let line = home.fails(&["pull", "r/nope"]);
    assert!(line.contains("chart \"nope\" not found"), "{line}");
    let line = home.fails(&["pull", "other/web"]);
    assert!(line.contains("repo \"other\" not found"), "{line}");
}

#[test]
fn pull_untar_and_archive_cache() {
    let (_repo, mut server, home) = setup();
    let dest = tempfile::tempdir().unwrap();
    let d = dest.path().to_str().unwrap();
    home.ok(&["pull", "r/web", "--version", "1.2.0", "-d", d]);
    let archive = dest.path().join("web-1.2.0.tgz");
    assert_eq!(std::fs::read(&archive).unwrap(), chart_tgz("web", "1.2.0"));
    home.ok(&[
        "pull",
        "r/web",
        "--version",
        "1.2.0",
        "-d",
        d,
        "--untar",
        "--untardir",
        "out",
    ]);
    let chart_yaml = std::fs::read_to_string(dest.path().join("out/web/Chart.yaml")).unwrap();
    assert!(chart_yaml.contains("version: 1.2.0"));
    let line = home.fails(&[
        "pull",
        "r/web",
        "--version",
        "1.2.0",
        "-d",
        d,
        "--untar",
        "--untardir",
        "out",
    ]);
    assert!(line.contains("already exists"), "{line}");
    // --untar into a destination that does not exist yet (default --untardir `.`).
    let fresh = dest.path().join("new/dir");
    home.ok(&["pull", "r/web", "-d", fresh.to_str().unwrap(), "--untar"]);
    assert!(fresh.join("web/Chart.yaml").exists());
    // The archive is cached by digest: with the server gone, the same version still resolves.
    assert!(
        home.archive_cache()
            .join(format!("sha256-{}.tgz", sha256(&chart_tgz("web", "1.2.0"))))
            .exists()
    );
    server.stop();
    let again = tempfile::tempdir().unwrap();
    home.ok(&[
        "pull",
        "r/web",
        "--version",
        "1.2.0",
        "-d",
        again.path().to_str().unwrap(),
    ]);
    assert!(again.path().join("web-1.2.0.tgz").exists());
}

#[test]
fn template_and_show_take_repository_references() {
    let (_repo, server, home) = setup();
    let (out, _) = home.ok(&[
        "template",
        "rel",
        "r/web",
        "--version",
        "~1.2",
        "--set",
        "greeting=hi",
    ]);
    assert!(out.contains("name: rel-web"), "{out}");
    assert!(out.contains("version: \"1.2.5\""), "{out}");
    assert!(out.contains("greeting: hi"), "{out}");
    let (out, _) = home.ok(&["show", "chart", "r/web", "--devel"]);
    assert!(out.contains("version: 3.0.0-beta.1"), "{out}");
    let (out, _) = home.ok(&["show", "values", "r/web"]);
    assert_eq!(out, "greeting: hello\n");
    // --repo URL without adding the repository, and a plain URL.
    let (out, _) = home.ok(&[
        "template",
        "web",
        "--repo",
        &server.url,
        "--version",
        "1.0.0",
    ]);
    assert!(out.contains("version: \"1.0.0\""), "{out}");
    let (out, _) = home.ok(&["show", "chart", &format!("{}/web-1.10.0.tgz", server.url)]);
    assert!(out.contains("version: 1.10.0"), "{out}");
    let dest = tempfile::tempdir().unwrap();
    home.ok(&[
        "pull",
        &format!("{}/web-2.0.0.tgz", server.url),
        "-d",
        dest.path().to_str().unwrap(),
    ]);
    assert!(dest.path().join("web-2.0.0.tgz").exists());
    let line = home.fails(&["template", "./no-such-chart"]);
    assert_eq!(line, "Error: path \"./no-such-chart\" not found");
}

#[test]
fn digest_mismatch_leaves_nothing_on_disk() {
    let mut repo = FixtureRepo::new();
    let good = chart_tgz("web", "1.0.0");
    repo.add_archive("web", "1.0.0", &good).digest = Some("ab".repeat(32));
    repo.write_index();
    let server = Server::static_dir(repo.path());
    let home = Home::new();
    home.ok(&["repo", "add", "r", &server.url]);
    let dest = tempfile::tempdir().unwrap();
    let line = home.fails(&["pull", "r/web", "-d", dest.path().to_str().unwrap()]);
    assert!(line.contains("digest mismatch"), "{line}");
    assert!(line.contains(&"ab".repeat(32)), "{line}");
    assert!(line.contains(&sha256(&good)), "{line}");
    assert!(files_under(dest.path()).is_empty());
    assert!(files_under(&home.archive_cache()).is_empty());
    let line = home.fails(&["template", "r/web"]);
    assert!(line.contains("digest mismatch"), "{line}");
}

#[test]
fn entries_without_digest_or_urls_are_skipped() {
    let mut repo = FixtureRepo::new();
    repo.add_chart("web", "1.0.0");
    repo.add_chart("web", "2.0.0").digest = None;
    repo.add_chart("web", "3.0.0").urls.clear();
    repo.write_index();
    let server = Server::static_dir(repo.path());
    let home = Home::new();
    let (_, err) = home.ok(&["repo", "add", "r", &server.url]);
    assert!(err.contains("2.0.0") && err.contains("no digest"), "{err}");
    assert!(err.contains("3.0.0") && err.contains("no urls"), "{err}");
    assert_eq!(pulled(&home, &[]), "1.0.0");
    let line = home.fails(&["pull", "r/web", "--version", "2.0.0"]);
    assert!(line.contains("available: 1.0.0"), "{line}");
}

#[test]
fn archives_with_traversal_are_refused() {
    let mut repo = FixtureRepo::new();
    let evil = tgz(&[
        (
            "web/Chart.yaml",
            b"apiVersion: v2\nname: web\nversion: 1.0.0\n",
        ),
        ("web/../../escaped.txt", b"pwned"),
    ]);
    repo.add_archive("web", "1.0.0", &evil);
    repo.write_index();
    let server = Server::static_dir(repo.path());
    let home = Home::new();
    home.ok(&["repo", "add", "r", &server.url]);
    let dest = tempfile::tempdir().unwrap();
    let d = dest.path().join("d");
    let line = home.fails(&["pull", "r/web", "-d", d.to_str().unwrap(), "--untar"]);
    assert!(line.contains(".."), "{line}");
    assert!(
        files_under(dest.path()).is_empty(),
        "{:?}",
        files_under(dest.path())
    );
    assert!(!home.dir.path().join("escaped.txt").exists());
    let line = home.fails(&["template", "r/web"]);
    assert!(line.contains(".."), "{line}");
}

#[test]
fn an_index_made_by_helm_works() {
    let repo = tempfile::tempdir().unwrap();
    for v in ["0.1.0", "0.2.0"] {
        std::fs::write(
            repo.path().join(format!("web-{v}.tgz")),
            chart_tgz("web", v),
        )
        .unwrap();
    }
    let script = "import sys, helm_python\nhelm_python.repo_index_generate(sys.argv[1])\n";
    let status = std::process::Command::new(repo_support_python())
        .args(["-c", script])
        .arg(repo.path())
        .status()
        .unwrap();
    assert!(status.success());
    let server = Server::static_dir(repo.path());
    let home = Home::new();
    home.ok(&["repo", "add", "helm", &server.url]);
    let (out, _) = home.ok(&["template", "x", "helm/web"]);
    assert!(out.contains("version: \"0.2.0\""), "{out}");
    let (out, _) = home.ok(&["search", "repo", "web", "-o", "json"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json[0]["name"], "helm/web");
    assert_eq!(json[0]["version"], "0.2.0");
}

fn repo_support_python() -> std::path::PathBuf {
    std::env::var_os("RUDDER_HELM_PYTHON")
        .map(Into::into)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python")
        })
}
