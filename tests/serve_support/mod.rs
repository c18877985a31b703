//! Shared by the `repo serve` tests: a repository built in a temp directory from our charts (plus
//! a hostile one), the `rudder repo serve` process, and a raw HTTP client that sends paths
//! exactly as written (no normalisation of `..`).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use rudder::repo::{ChartVersion, IndexFile};
use sha2::{Digest, Sha256};

/// Our charts packaged into the fixture repository.
pub const OUR_CHARTS: &[&str] = &["redis", "nginx", "lobsters", "personal-cluster"];

/// The README of the hostile fixture chart: markup that must never reach the page as markup.
pub const HOSTILE_README: &str = "# Hostile\n\n<script>alert('readme')</script>\n\n\
    Inline <img src=x onerror=alert(1)> html and a [bad link](javascript:alert(2)).\n";

/// A file outside the repository that no request may reach.
pub const SECRET: &str = "top-secret-outside-the-repo";

/// A repository directory in a temp dir: `repo/` holds the archives, `index.yaml` and an icon;
/// `secret.txt` sits beside it, and `repo/leak.txt` is a symlink to it.
pub struct FixtureRepo {
    /// The temp dir (removed on drop); holds `repo/`, `secret.txt` and the chart sources.
    pub tmp: tempfile::TempDir,
    /// The repository directory to serve.
    pub repo: PathBuf,
}

/// Hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Packages `chart_dir` as Helm does (`NAME/...` inside a gzip'd tar) into `repo`, returning
/// the index entry for it with `urls: [FILE]`.
pub fn package(chart_dir: &Path, repo: &Path) -> ChartVersion {
    let chart = rudder::chart::load_dir(chart_dir).expect("fixture chart loads");
    let meta = chart.metadata;
    let file = format!("{}-{}.tgz", meta.name, meta.version);
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    tar.follow_symlinks(false);
    tar.append_dir_all(&meta.name, chart_dir).unwrap();
    let bytes = tar.into_inner().unwrap().finish().unwrap();
    std::fs::write(repo.join(&file), &bytes).unwrap();
    ChartVersion {
        metadata: meta,
        urls: vec![file],
        created: Some("2026-01-01T00:00:00Z".to_string()),
        removed: false,
        digest: Some(sha256_hex(&bytes)),
    }
}

/// Writes `files` (relative path, text) under `dir`.
pub fn write_files(dir: &Path, files: &[(&str, &str)]) {
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

/// Writes `index` as `repo/index.yaml` (through the crate's own model and serde).
pub fn write_index(repo: &Path, index: &IndexFile) {
    let text = yaml_serde::to_string(index).unwrap();
    std::fs::write(repo.join("index.yaml"), text).unwrap();
}

/// Builds the fixture repository: [`OUR_CHARTS`] plus `hostile` (two versions, a README full
/// of markup, an icon served from the repository) and `plain` (no README, an outside icon).
pub fn build_repo() -> FixtureRepo {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir_all(repo.join("icons")).unwrap();
    std::fs::write(tmp.path().join("secret.txt"), SECRET).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(tmp.path().join("secret.txt"), repo.join("leak.txt")).unwrap();
    std::fs::write(
        repo.join("icons/hostile.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1 1\"><rect width=\"1\" height=\"1\"/></svg>\n",
    )
    .unwrap();

    let mut index = IndexFile::new("2026-01-01T00:00:00Z");
    let mut add = |cv: ChartVersion| {
        index
            .entries
            .entry(cv.metadata.name.clone())
            .or_default()
            .push(cv);
    };
    let charts = rudder_root().join("charts");
    for name in OUR_CHARTS {
        add(package(&charts.join(name), &repo));
    }
    let sources = tmp.path().join("sources");
    for version in ["0.1.0", "0.2.0"] {
        let dir = sources.join(format!("hostile-{version}"));
        let chart_yaml = format!(
            "apiVersion: v2\nname: hostile\nversion: {version}\nappVersion: \"1.{version}\"\n\
             description: \"Escapes <b>everything</b> & more\"\nkeywords: [xss, \"quote\\\"s\"]\n\
             icon: icons/hostile.svg\n"
        );
        write_files(
            &dir,
            &[
                ("Chart.yaml", &chart_yaml),
                ("values.yaml", "# defaults\ngreeting: \"<hello & bye>\"\n"),
                ("README.md", HOSTILE_README),
                (
                    "templates/cm.yaml",
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
                ),
            ],
        );
        add(package(&dir, &repo));
    }
    let plain = sources.join("plain");
    write_files(
        &plain,
        &[
            (
                "Chart.yaml",
                "apiVersion: v2\nname: plain\nversion: 1.0.0\ndescription: Nothing to see\n\
                 icon: https://example.com/plain.png\n",
            ),
            (
                "templates/cm.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: y\n",
            ),
        ],
    );
    add(package(&plain, &repo));
    index.sort_entries();
    write_index(&repo, &index);
    FixtureRepo { tmp, repo }
}

/// The repository root of rudder itself.
pub fn rudder_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A running `rudder repo serve`, stopped (SIGTERM, then kill) when dropped.
pub struct Server {
    /// The `rudder repo serve` process.
    pub child: Child,
    /// The address it announced.
    pub addr: SocketAddr,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// The line it announced itself with.
    pub banner: String,
}

impl Server {
    /// Starts `rudder repo serve DIR --listen 127.0.0.1:0` and waits for its announcement.
    pub fn start(dir: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_rudder"))
            .args(["repo", "serve"])
            .arg(dir)
            .args(["--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start rudder repo serve");
        let mut banner = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut banner)
            .unwrap();
        let url = banner
            .trim()
            .rsplit(" on ")
            .next()
            .unwrap_or_default()
            .to_string();
        let Some(host_port) = url
            .strip_prefix("http://")
            .and_then(|u| u.strip_suffix('/'))
        else {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "unexpected banner {banner:?}; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let addr: SocketAddr = host_port.parse().unwrap();
        Server {
            child,
            addr,
            base: format!("http://{addr}"),
            banner: banner.trim().to_string(),
        }
    }

    /// Sends SIGTERM and waits (at most 10 s) for the exit status.
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
        }
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("rudder repo serve did not stop within 10 s of SIGTERM");
    }

    /// A raw request to this server.
    pub fn request(&self, method: &str, path: &str, headers: &[(&str, &str)]) -> HttpResponse {
        request(self.addr, method, path, headers)
    }

    /// `GET path`.
    pub fn get(&self, path: &str) -> HttpResponse {
        self.request("GET", path, &[])
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A response read off the wire.
#[derive(Debug)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// Header names and values, in order.
    pub headers: Vec<(String, String)>,
    /// The body bytes (empty for HEAD and 304).
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends one HTTP/1.1 request with `path` exactly as given and reads the whole response.
pub fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> HttpResponse {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no header end in {:?}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let body = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status: u16 = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    HttpResponse {
        status,
        headers,
        body,
    }
}
