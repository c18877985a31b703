//! `repositories.yaml`: the list of chart repositories the user added, in Helm's schema
//! (`apiVersion`, `generated`, `repositories[{name, url, username, password, certFile, keyFile,
//! caFile, insecure_skip_tls_verify, pass_credentials_all}]`), so a file written by either tool
//! reads in the other. Saved atomically with mode 0600: it holds credentials.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::error::RepoError;
use super::paths::write_atomic;

/// One configured repository (Helm's `repo.Entry`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct RepoEntry {
    /// The name charts are referred to by (`NAME/chart`).
    pub name: String,
    /// The repository's base URL (its `index.yaml` is at `URL/index.yaml`).
    pub url: String,
    /// HTTP basic auth user.
    #[serde(default)]
    pub username: String,
    /// HTTP basic auth password.
    #[serde(default)]
    pub password: String,
    /// Client certificate (PEM) for mutual TLS.
    #[serde(default, rename = "certFile")]
    pub cert_file: String,
    /// Client key (PEM) for mutual TLS.
    #[serde(default, rename = "keyFile")]
    pub key_file: String,
    /// CA bundle (PEM) to verify the server with.
    #[serde(default, rename = "caFile")]
    pub ca_file: String,
    /// Skip TLS certificate verification.
    #[serde(default)]
    pub insecure_skip_tls_verify: bool,
    /// Send the credentials to every host (chart URLs on other hosts), not only the repository's.
    #[serde(default)]
    pub pass_credentials_all: bool,
}

/// The whole `repositories.yaml` (Helm's `repo.File`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RepoFile {
    /// `v1`.
    #[serde(default)]
    pub api_version: String,
    /// When the file was written (RFC 3339).
    #[serde(default)]
    pub generated: String,
    /// The repositories, in the order they were added.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub repositories: Vec<RepoEntry>,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<RepoEntry>, D::Error> {
    Ok(Option::<Vec<RepoEntry>>::deserialize(d)?.unwrap_or_default())
}

impl RepoFile {
    /// An empty file, as Helm creates it on the first `repo add`.
    pub fn new() -> Self {
        RepoFile {
            api_version: super::index::API_VERSION.to_string(),
            generated: now(),
            repositories: Vec::new(),
        }
    }

    /// Reads `path`; a missing file is an error (callers that may create it use
    /// [`RepoFile::load_or_new`]). A corrupt file is reported as `path:LINE: message`.
    pub fn load(path: &Path) -> Result<Self, RepoError> {
        let bytes = std::fs::read(path).map_err(|e| RepoError::io(path, e))?;
        Self::parse(&bytes, &path.display().to_string())
    }

    /// [`RepoFile::load`], or an empty file when `path` does not exist.
    pub fn load_or_new(path: &Path) -> Result<Self, RepoError> {
        match std::fs::metadata(path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(RepoFile::new()),
            _ => Self::load(path),
        }
    }

    /// Parses the bytes of a `repositories.yaml` read from `source` (named in errors).
    pub fn parse(bytes: &[u8], source: &str) -> Result<Self, RepoError> {
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Ok(RepoFile::new());
        }
        let file: RepoFile = yaml_serde::from_slice(bytes).map_err(|e| RepoError::Config {
            path: source.to_string(),
            line: e.location().map(|l| l.line()).unwrap_or(0),
            message: crate::text::one_line(&e.to_string()),
        })?;
        for (i, r) in file.repositories.iter().enumerate() {
            if r.name.is_empty() || r.url.is_empty() {
                return Err(RepoError::Config {
                    path: source.to_string(),
                    line: 0,
                    message: format!("repositories[{i}]: an entry needs both name and url"),
                });
            }
        }
        Ok(file)
    }

    /// Writes the file atomically with mode 0600, updating `generated`.
    pub fn save(&mut self, path: &Path) -> Result<(), RepoError> {
        if self.api_version.is_empty() {
            self.api_version = super::index::API_VERSION.to_string();
        }
        self.generated = now();
        let text = yaml_serde::to_string(self).map_err(|e| RepoError::Invalid(e.to_string()))?;
        write_atomic(path, text.as_bytes()).map_err(|e| RepoError::io(path, e))
    }

    /// The repository called `name`.
    pub fn get(&self, name: &str) -> Option<&RepoEntry> {
        self.repositories.iter().find(|r| r.name == name)
    }

    /// Adds `entry`, or replaces the entry of the same name (Helm's `Update`).
    pub fn upsert(&mut self, entry: RepoEntry) {
        match self.repositories.iter_mut().find(|r| r.name == entry.name) {
            Some(existing) => *existing = entry,
            None => self.repositories.push(entry),
        }
    }

    /// Removes the repository called `name`; `false` when there was none.
    pub fn remove(&mut self, name: &str) -> bool {
        let before = self.repositories.len();
        self.repositories.retain(|r| r.name != name);
        self.repositories.len() != before
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HELM_FILE: &str = "apiVersion: \"\"
generated: \"0001-01-01T00:00:00Z\"
repositories:
- caFile: \"\"
  certFile: \"\"
  insecure_skip_tls_verify: false
  keyFile: \"\"
  name: stable
  pass_credentials_all: false
  password: \"\"
  url: https://charts.example.com
  username: \"\"
";

    #[test]
    fn reads_helms_file_and_round_trips() {
        let mut f = RepoFile::parse(HELM_FILE.as_bytes(), "r.yaml").unwrap();
        assert_eq!(f.get("stable").unwrap().url, "https://charts.example.com");
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("repositories.yaml");
        f.upsert(RepoEntry {
            name: "b".into(),
            url: "https://b".into(),
            username: "u".into(),
            password: "p".into(),
            ..RepoEntry::default()
        });
        f.save(&path).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        for key in [
            "certFile:",
            "keyFile:",
            "caFile:",
            "insecure_skip_tls_verify:",
            "pass_credentials_all:",
            "apiVersion: v1",
        ] {
            assert!(text.contains(key), "{key} missing in {text}");
        }
        let back = RepoFile::load(&path).unwrap();
        assert_eq!(back.repositories, f.repositories);
        assert!(back.clone().remove("b"));
        let mut back = back;
        assert!(!back.remove("zzz"));
    }

    #[test]
    fn corrupt_file_names_the_line() {
        let err = RepoFile::parse(b"apiVersion: v1\nrepositories:\n- name: [x\n", "r.yaml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("r.yaml:"), "{err}");
        assert!(!err.contains('\n'));
        let err = RepoFile::parse(b"repositories: 3\n", "r.yaml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("r.yaml:1:"), "{err}");
        let err = RepoFile::parse(b"repositories:\n- name: x\n", "r.yaml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("r.yaml:2:"), "{err}");
        assert!(err.contains("missing field `url`"), "{err}");
        let err = RepoFile::parse(b"repositories:\n- name: x\n  url: ''\n", "r.yaml")
            .unwrap_err()
            .to_string();
        assert!(err.contains("needs both name and url"), "{err}");
    }
}
