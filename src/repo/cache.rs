//! The client's on-disk cache: each repository's `index.yaml` exactly as downloaded (Helm's
//! `NAME-index.yaml`, plus `NAME-charts.txt`), a compact parsed form of it with the HTTP
//! validators (`NAME-index.rudder.json`, read by `search` and chart resolution instead of
//! re-parsing the YAML), and downloaded chart archives keyed by their sha256 digest.
//!
//! Every file is replaced atomically; the compact form records the size and modification time
//! of the YAML it was made from and is rebuilt when they no longer match.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::Digest as _;

use super::error::RepoError;
use super::http::Validators;
use super::index::{ChartVersion, IndexFile};
use super::paths::{RepoPaths, write_atomic};

/// Bumped whenever [`CachedIndex`] changes shape; older files are rebuilt.
const FORMAT: u32 = 1;

/// The parts of a repository index the client uses, newest version first per chart.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CachedIndex {
    /// [`FORMAT`] of the file.
    pub format: u32,
    /// The repository URL the index came from.
    pub url: String,
    /// HTTP validators of the response, for conditional GET.
    #[serde(default)]
    pub validators: Validators,
    /// sha256 (hex) of the `index.yaml` bytes.
    pub sha256: String,
    /// Length of the cached `index.yaml` when this form was written.
    pub yaml_len: u64,
    /// Modification time (ns since the epoch) of the cached `index.yaml` when written.
    pub yaml_mtime: u128,
    /// Chart name → versions, newest first.
    pub entries: BTreeMap<String, Vec<CachedVersion>>,
}

/// One chart version as the client needs it: to search, to resolve and to verify.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct CachedVersion {
    /// The chart's name (the `entries` key, normally).
    pub name: String,
    /// SemVer version.
    pub version: String,
    /// `appVersion`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_version: Option<String>,
    /// One-line description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Search keywords.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// Download URLs (absolute or relative to the repository).
    pub urls: Vec<String>,
    /// sha256 of the archive.
    pub digest: String,
    /// Whether the chart is deprecated.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deprecated: bool,
}

impl From<&ChartVersion> for CachedVersion {
    fn from(cv: &ChartVersion) -> Self {
        CachedVersion {
            name: cv.metadata.name.clone(),
            version: cv.metadata.version.clone(),
            app_version: cv.metadata.app_version.clone(),
            description: cv.metadata.description.clone(),
            keywords: cv.metadata.keywords.clone(),
            urls: cv.urls.clone(),
            digest: cv.digest.clone().unwrap_or_default(),
            deprecated: cv.metadata.deprecated,
        }
    }
}

impl CachedIndex {
    /// The compact form of a parsed index.
    pub fn from_index(index: &IndexFile, url: &str, sha256: String) -> Self {
        CachedIndex {
            format: FORMAT,
            url: url.to_string(),
            validators: Validators::default(),
            sha256,
            yaml_len: 0,
            yaml_mtime: 0,
            entries: index
                .entries
                .iter()
                .map(|(k, vs)| (k.clone(), vs.iter().map(CachedVersion::from).collect()))
                .collect(),
        }
    }
}

/// Lowercase hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = sha2::Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

fn mtime_ns(meta: &std::fs::Metadata) -> u128 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// Stores a freshly downloaded index of repository `name`: the YAML bytes, the chart list and
/// the compact form (with `validators`), each replaced atomically.
pub fn store_index(
    paths: &RepoPaths,
    name: &str,
    yaml: &[u8],
    mut compact: CachedIndex,
    validators: Validators,
) -> Result<(), RepoError> {
    let yaml_path = paths.index_file(name);
    write_atomic(&yaml_path, yaml).map_err(|e| RepoError::io(&yaml_path, e))?;
    let charts_path = paths.charts_file(name);
    let mut charts = String::new();
    for chart in compact.entries.keys() {
        charts.push_str(chart);
        charts.push('\n');
    }
    write_atomic(&charts_path, charts.as_bytes()).map_err(|e| RepoError::io(&charts_path, e))?;
    let meta = std::fs::metadata(&yaml_path).map_err(|e| RepoError::io(&yaml_path, e))?;
    compact.validators = validators;
    compact.yaml_len = meta.len();
    compact.yaml_mtime = mtime_ns(&meta);
    write_compact(paths, name, &compact)
}

fn write_compact(paths: &RepoPaths, name: &str, compact: &CachedIndex) -> Result<(), RepoError> {
    let path = paths.compact_file(name);
    let json = serde_json::to_vec(compact).map_err(|e| RepoError::Invalid(e.to_string()))?;
    write_atomic(&path, &json).map_err(|e| RepoError::io(&path, e))
}

/// The compact form of repository `name`'s cached index if it is current (it matches the
/// cached YAML), else `None`.
pub fn fresh_compact(paths: &RepoPaths, name: &str) -> Option<CachedIndex> {
    let yaml_meta = std::fs::metadata(paths.index_file(name)).ok()?;
    let bytes = std::fs::read(paths.compact_file(name)).ok()?;
    let compact: CachedIndex = serde_json::from_slice(&bytes).ok()?;
    (compact.format == FORMAT
        && compact.yaml_len == yaml_meta.len()
        && compact.yaml_mtime == mtime_ns(&yaml_meta))
    .then_some(compact)
}

/// The cached index of repository `name` (at `url`): the compact form when current, else the
/// cached YAML parsed again (and the compact form rewritten, best effort). No cache at all is an
/// error telling the user to run `repo update`.
pub fn load_index(paths: &RepoPaths, name: &str, url: &str) -> Result<CachedIndex, RepoError> {
    if let Some(c) = fresh_compact(paths, name) {
        return Ok(c);
    }
    let yaml_path = paths.index_file(name);
    let yaml = match std::fs::read(&yaml_path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(RepoError::Invalid(format!(
                "no cached index for repository {name:?} (run `rudder repo update {name}`)"
            )));
        }
        Err(e) => return Err(RepoError::io(&yaml_path, e)),
    };
    let (index, _skipped) = IndexFile::parse(&yaml, &yaml_path.display().to_string())?;
    let mut compact = CachedIndex::from_index(&index, url, sha256_hex(&yaml));
    if let Ok(meta) = std::fs::metadata(&yaml_path) {
        compact.yaml_len = meta.len();
        compact.yaml_mtime = mtime_ns(&meta);
        if let Err(e) = write_compact(paths, name, &compact) {
            tracing::debug!(error = %e, "could not rewrite the compact index");
        }
    }
    Ok(compact)
}

/// Deletes every cached file of repository `name` (missing files are fine).
pub fn remove_index(paths: &RepoPaths, name: &str) -> Result<(), RepoError> {
    for path in [
        paths.index_file(name),
        paths.charts_file(name),
        paths.compact_file(name),
    ] {
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(RepoError::io(&path, e)),
        }
    }
    Ok(())
}

/// The cached archive with `digest`, if present and still intact (re-hashed on every use).
pub fn cached_archive(paths: &RepoPaths, digest: &str) -> Option<PathBuf> {
    let digest = normalize_digest(digest);
    let path = paths.archive_file(&digest);
    let bytes = std::fs::read(&path).ok()?;
    if sha256_hex(&bytes) == digest {
        Some(path)
    } else {
        let _ = std::fs::remove_file(&path);
        None
    }
}

/// Puts an archive in the cache under its own sha256 and returns the path.
pub fn store_archive(paths: &RepoPaths, bytes: &[u8]) -> Result<PathBuf, RepoError> {
    let path = paths.archive_file(&sha256_hex(bytes));
    write_atomic(&path, bytes).map_err(|e| RepoError::io(&path, e))?;
    Ok(path)
}

/// A digest as written in indexes (`sha256:abc…` or `abc…`, any case) → lowercase hex.
pub fn normalize_digest(digest: &str) -> String {
    digest
        .trim()
        .trim_start_matches("sha256:")
        .to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn paths(dir: &Path) -> RepoPaths {
        RepoPaths::from_lookup(|k| match k {
            "RUDDER_CACHE_HOME" => Some(dir.join("cache").display().to_string()),
            "RUDDER_CONFIG_HOME" => Some(dir.join("config").display().to_string()),
            _ => None,
        })
    }

    const YAML: &str = "apiVersion: v1
entries:
  web:
  - {apiVersion: v2, name: web, version: 1.0.0, digest: aa, urls: [web-1.0.0.tgz], keywords: [x]}
";

    #[test]
    fn compact_form_round_trips_and_is_invalidated_by_a_new_yaml() {
        let dir = tempfile::tempdir().unwrap();
        let p = paths(dir.path());
        let (index, _) = IndexFile::parse(YAML.as_bytes(), "i").unwrap();
        let compact = CachedIndex::from_index(&index, "http://h", sha256_hex(YAML.as_bytes()));
        let v = Validators {
            etag: Some("\"e1\"".into()),
            last_modified: None,
        };
        store_index(&p, "r", YAML.as_bytes(), compact, v.clone()).unwrap();
        let fresh = fresh_compact(&p, "r").unwrap();
        assert_eq!(fresh.validators, v);
        assert_eq!(fresh.entries["web"][0].keywords, ["x"]);
        assert_eq!(
            std::fs::read_to_string(p.charts_file("r")).unwrap(),
            "web\n"
        );
        // Someone rewrites the YAML: the compact form is stale and rebuilt from the YAML.
        let other = YAML.replace("1.0.0", "2.0.0");
        std::fs::write(p.index_file("r"), &other).unwrap();
        assert!(fresh_compact(&p, "r").is_none());
        let loaded = load_index(&p, "r", "http://h").unwrap();
        assert_eq!(loaded.entries["web"][0].version, "2.0.0");
        assert!(fresh_compact(&p, "r").is_some());
        remove_index(&p, "r").unwrap();
        let err = load_index(&p, "r", "http://h").unwrap_err().to_string();
        assert!(err.contains("rudder repo update r"), "{err}");
    }

    #[test]
    fn archives_are_keyed_and_checked_by_digest() {
        let dir = tempfile::tempdir().unwrap();
        let p = paths(dir.path());
        let path = store_archive(&p, b"archive").unwrap();
        let digest = sha256_hex(b"archive");
        assert_eq!(
            cached_archive(&p, &format!("sha256:{digest}")),
            Some(path.clone())
        );
        std::fs::write(&path, b"tampered").unwrap();
        assert_eq!(cached_archive(&p, &digest), None);
        assert!(!path.exists());
    }
}
