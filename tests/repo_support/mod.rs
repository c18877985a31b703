//! Shared pieces of the repository client's tests: fixture repositories (chart archives built
//! with tar + flate2, `index.yaml` written with `IndexFile`), real HTTP servers on 127.0.0.1
//! (`python3 -m http.server`, and `server.py` for misbehaving responses), and an isolated
//! rudder home (config, cache, data directories in a temp dir).
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use rudder::chart::Metadata;
use rudder::repo::{ChartVersion, IndexFile};
use sha2::Digest;

/// A running HTTP server, killed when dropped.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// Requests seen by `server.py` (one JSON object per line); empty for the static server.
    pub hits: PathBuf,
    _hits_dir: tempfile::TempDir,
}

impl Server {
    /// `python3 -m http.server` over `dir`: a plain static host rudder did not write.
    pub fn static_dir(dir: &Path) -> Server {
        let mut child = Command::new("python3")
            .args([
                "-u",
                "-m",
                "http.server",
                "0",
                "--bind",
                "127.0.0.1",
                "--directory",
            ])
            .arg(dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start python3 -m http.server");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        // "Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ..."
        let port = line
            .split_whitespace()
            .skip_while(|w| *w != "port")
            .nth(1)
            .unwrap_or_else(|| panic!("unexpected http.server banner {line:?}"))
            .to_string();
        let hits_dir = tempfile::tempdir().unwrap();
        Server {
            child,
            url: format!("http://127.0.0.1:{port}"),
            hits: hits_dir.path().join("hits"),
            _hits_dir: hits_dir,
        }
    }

    /// `tests/repo_support/server.py` over `dir`.
    pub fn scripted(dir: &Path) -> Server {
        let hits_dir = tempfile::tempdir().unwrap();
        let hits = hits_dir.path().join("hits");
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/repo_support/server.py");
        let mut child = Command::new("python3")
            .arg("-u")
            .arg(script)
            .arg(dir)
            .arg(&hits)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start server.py");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        Server {
            child,
            url: format!("http://127.0.0.1:{}", line.trim()),
            hits,
            _hits_dir: hits_dir,
        }
    }

    /// The requests `server.py` logged.
    pub fn requests(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.hits)
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// Stops the server now.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

/// sha256 hex of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A gzip'd tar with the given `(path, content)` entries, paths written verbatim (so tests can
/// build hostile archives too).
pub fn tgz(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut builder = tar::Builder::new(enc);
    for (path, data) in entries {
        let mut header = tar::Header::new_gnu();
        let name = &mut header.as_old_mut().name;
        name[..path.len()].copy_from_slice(path.as_bytes());
        header.set_size(data.len() as u64);
        header.set_mode(0o644);
        header.set_entry_type(tar::EntryType::Regular);
        header.set_cksum();
        builder.append(&header, *data).unwrap();
    }
    builder.into_inner().unwrap().finish().unwrap()
}

/// A small valid chart archive `name-version` whose ConfigMap shows the version.
pub fn chart_tgz(name: &str, version: &str) -> Vec<u8> {
    let chart_yaml = format!(
        "apiVersion: v2\nname: {name}\nversion: {version}\nappVersion: \"app-{version}\"\ndescription: The {name} chart\n"
    );
    let template = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ Release.Name }}-{{ Chart.Name }}\ndata:\n  version: \"{{ Chart.Version }}\"\n  greeting: {{ Values.greeting }}\n";
    tgz(&[
        (&format!("{name}/Chart.yaml"), chart_yaml.as_bytes()),
        (&format!("{name}/values.yaml"), b"greeting: hello\n"),
        (
            &format!("{name}/templates/configmap.yaml"),
            template.as_bytes(),
        ),
    ])
}

/// A fixture repository directory: archives plus an `index.yaml` describing them.
pub struct FixtureRepo {
    /// The directory served.
    pub dir: tempfile::TempDir,
    /// The index being built.
    pub index: IndexFile,
}

impl Default for FixtureRepo {
    fn default() -> Self {
        Self::new()
    }
}

impl FixtureRepo {
    /// An empty repository.
    pub fn new() -> Self {
        FixtureRepo {
            dir: tempfile::tempdir().unwrap(),
            index: IndexFile::new("2026-01-01T00:00:00Z"),
        }
    }

    /// Adds an archive (written as `NAME-VERSION.tgz`) with its entry; returns the entry to tweak.
    pub fn add_archive(&mut self, name: &str, version: &str, bytes: &[u8]) -> &mut ChartVersion {
        let file = format!("{name}-{version}.tgz");
        std::fs::write(self.dir.path().join(&file), bytes).unwrap();
        let cv = ChartVersion {
            metadata: Metadata {
                api_version: "v2".into(),
                name: name.into(),
                version: version.into(),
                app_version: Some(format!("app-{version}")),
                description: Some(format!("The {name} chart")),
                keywords: vec![format!("{name}-keyword")],
                ..Metadata::default()
            },
            urls: vec![file],
            created: Some("2026-01-01T00:00:00Z".into()),
            removed: false,
            digest: Some(sha256(bytes)),
        };
        let versions = self.index.entries.entry(name.to_string()).or_default();
        versions.push(cv);
        versions.last_mut().unwrap()
    }

    /// Adds a valid chart `name` `version`.
    pub fn add_chart(&mut self, name: &str, version: &str) -> &mut ChartVersion {
        let bytes = chart_tgz(name, version);
        self.add_archive(name, version, &bytes)
    }

    /// Writes `index.yaml` (in the directory, or in `sub` below it).
    pub fn write_index(&self) {
        let yaml = yaml_serde::to_string(&self.index).unwrap();
        std::fs::write(self.dir.path().join("index.yaml"), yaml).unwrap();
    }

    /// The directory's path.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }
}

/// An isolated rudder home: every config/cache/data directory inside one temp dir.
pub struct Home {
    /// The temp dir.
    pub dir: tempfile::TempDir,
}

impl Default for Home {
    fn default() -> Self {
        Self::new()
    }
}

impl Home {
    /// A fresh home.
    pub fn new() -> Self {
        Home {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// `rudder` with this home's environment.
    pub fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::cargo_bin("rudder").unwrap();
        cmd.env("HOME", self.dir.path())
            .env("RUDDER_CONFIG_HOME", self.dir.path().join("config"))
            .env("RUDDER_CACHE_HOME", self.dir.path().join("cache"))
            .env("RUDDER_DATA_HOME", self.dir.path().join("data"))
            .env_remove("RUDDER_REPOSITORY_CONFIG")
            .env_remove("RUDDER_REPOSITORY_CACHE")
            .env_remove("RUDDER_MAX_DOWNLOAD_BYTES")
            .env_remove("RUST_LOG")
            .env_remove("http_proxy")
            .env_remove("https_proxy")
            .env_remove("HTTP_PROXY")
            .env_remove("HTTPS_PROXY")
            .current_dir(self.dir.path());
        cmd
    }

    /// `repositories.yaml`.
    pub fn repositories_yaml(&self) -> PathBuf {
        self.dir.path().join("config/repositories.yaml")
    }

    /// The cache directory of indexes.
    pub fn repository_cache(&self) -> PathBuf {
        self.dir.path().join("cache/repository")
    }

    /// The archive cache directory.
    pub fn archive_cache(&self) -> PathBuf {
        self.dir.path().join("cache/archives")
    }

    /// Runs `rudder ARGS`, asserting success; returns (stdout, stderr).
    pub fn ok(&self, args: &[&str]) -> (String, String) {
        let out = self.cmd().args(args).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(out.status.success(), "rudder {args:?} failed: {stderr}");
        (stdout, stderr)
    }

    /// Runs `rudder ARGS`, asserting exit code 1 and a one-line `Error: ...` on stderr; returns
    /// that line.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(out.status.code(), Some(1), "rudder {args:?}: {stderr}");
        let error_lines: Vec<&str> = stderr
            .lines()
            .filter(|l| l.starts_with("Error: "))
            .collect();
        assert_eq!(error_lines.len(), 1, "one Error line expected: {stderr}");
        let line = error_lines[0];
        assert!(!stderr.contains("panicked"), "{stderr}");
        line.to_string()
    }

    /// Writes bytes somewhere in the home and returns the path.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        let mut f = std::fs::File::create(&p).unwrap();
        f.write_all(bytes).unwrap();
        p
    }
}

/// Every file under `dir` (relative paths, sorted); empty if `dir` does not exist.
pub fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    out.sort();
    out
}
