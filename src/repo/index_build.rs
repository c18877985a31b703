//! Generating a repository's `index.yaml` from a directory of chart archives, as Helm's
//! `repo.IndexDirectory`, `IndexFile.Merge` and `IndexFile.WriteFile` do.
//!
//! The archives are `DIR/*.tgz` and `DIR/*/*.tgz` (Helm's globs `*.tgz` and `**/*.tgz`, where
//! `**` matches one directory level). Each becomes an entry: its `Chart.yaml` metadata, `urls`
//! (its path relative to `DIR`, joined to the base URL when one is given), `created` and
//! `digest` (sha256 of the archive). Unlike Helm, which silently skips an archive it cannot
//! load, an unreadable archive is an error naming the file: a repository missing a chart
//! without a word is worse than a refusal.
//!
//! The written index has Helm's layout: keys sorted alphabetically, timestamps quoted.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use super::index::{ChartVersion, IndexError, IndexFile, SkippedEntry};
use crate::chart::{self, ChartError};

/// Why an index could not be generated: names the archive, the index file (with its line) or
/// the directory at fault.
#[derive(Debug, thiserror::Error)]
pub enum IndexBuildError {
    /// A `.tgz` in the directory is not a loadable chart (the message names the file).
    #[error(transparent)]
    Chart(#[from] ChartError),
    /// The index given to merge is malformed (the message names the file and line).
    #[error(transparent)]
    Index(#[from] IndexError),
    /// A file or directory could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path at fault.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> IndexBuildError {
    let path = path.display().to_string();
    move |source| IndexBuildError::Io { path, source }
}

/// An RFC 3339 UTC timestamp for `created`/`generated`: `SOURCE_DATE_EPOCH` when given (so an
/// index can be reproduced), else now with nanoseconds, as Helm writes `time.Now()`.
pub fn timestamp(epoch: Option<u64>) -> String {
    use chrono::{DateTime, SecondsFormat, Utc};
    match epoch {
        Some(secs) => i64::try_from(secs)
            .ok()
            .and_then(|s| DateTime::<Utc>::from_timestamp(s, 0))
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
            .to_rfc3339_opts(SecondsFormat::Secs, true),
        None => Utc::now().to_rfc3339_opts(SecondsFormat::AutoSi, true),
    }
}

/// The chart archives of `dir` that Helm indexes: `*.tgz` then `*/*.tgz`, each group in name
/// order. Only regular files (or links to them) count.
pub fn find_archives(dir: &Path) -> Result<Vec<PathBuf>, IndexBuildError> {
    let mut top = Vec::new();
    let mut nested = Vec::new();
    for entry in sorted_entries(dir)? {
        if entry.is_dir() {
            nested.extend(
                sorted_entries(&entry)?
                    .into_iter()
                    .filter(|p| is_archive(p)),
            );
        } else if is_archive(&entry) {
            top.push(entry);
        }
    }
    top.extend(nested);
    Ok(top)
}

fn is_archive(path: &Path) -> bool {
    path.is_file()
        && path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.ends_with(".tgz"))
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, IndexBuildError> {
    let mut entries = std::fs::read_dir(dir)
        .map_err(io_error(dir))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(io_error(dir))?;
    entries.sort();
    Ok(entries)
}

/// Joins a path relative to the repository to its base URL (Helm's `urlutil.URLJoin`): an
/// empty base leaves the path relative; a query or fragment of the base stays at the end.
pub fn join_url(base: &str, rel: &str) -> String {
    if base.is_empty() {
        return rel.to_string();
    }
    let cut = base.find(['?', '#']).unwrap_or(base.len());
    let (head, tail) = base.split_at(cut);
    format!("{}/{}{tail}", head.trim_end_matches('/'), rel)
}

/// Builds the index of every chart archive in `dir` (see [`find_archives`]), with `base_url`
/// (may be empty) and `created` as every entry's creation time. Versions are sorted newest
/// first.
pub fn index_directory(
    dir: &Path,
    base_url: &str,
    created: &str,
) -> Result<IndexFile, IndexBuildError> {
    let mut index = IndexFile::new(created);
    for archive in find_archives(dir)? {
        let chart = chart::load(&archive)?;
        let digest = chart::digest_file(&archive).map_err(io_error(&archive))?;
        let rel = archive
            .strip_prefix(dir)
            .unwrap_or(&archive)
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let name = chart.metadata.name.clone();
        index.entries.entry(name).or_default().push(ChartVersion {
            metadata: chart.metadata,
            urls: vec![join_url(base_url, &rel)],
            created: Some(created.to_string()),
            removed: false,
            digest: Some(digest),
        });
    }
    index.sort_entries();
    Ok(index)
}

/// Reads an index file to merge with; a missing file counts as an empty index (Helm starts
/// from an empty one too). Entries Helm would skip are dropped and returned.
pub fn load_index_file(path: &Path) -> Result<(IndexFile, Vec<SkippedEntry>), IndexBuildError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(IndexFile::parse(&bytes, &path.display().to_string())?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok((IndexFile::new(""), Vec::new())),
        Err(e) => Err(io_error(path)(e)),
    }
}

/// Merges an existing index into a freshly generated one (`repo index --merge`): versions only
/// in `existing` are kept as they were (`created`, `digest`, `urls`); for versions in both the
/// archive on disk wins, as in Helm, but when its digest is unchanged the existing `created` is
/// kept, so re-indexing the same archives does not rewrite their dates.
pub fn merge(index: &mut IndexFile, existing: IndexFile) {
    for (name, versions) in existing.entries {
        for old in versions {
            let current = index.entries.entry(name.clone()).or_default();
            match current
                .iter_mut()
                .find(|cv| cv.metadata.version == old.metadata.version)
            {
                Some(cv) => {
                    if cv.digest.is_some() && cv.digest == old.digest && old.created.is_some() {
                        cv.created = old.created;
                    }
                }
                None => current.push(old),
            }
        }
    }
    index.sort_entries();
}

/// `index.yaml` text in Helm's layout: `apiVersion`, `entries` (each version's metadata with
/// Helm's field names, plus `urls`, `created`, `removed`, `digest`), `generated`, and the
/// optional `publicKeys`, `annotations` and `serverInfo`; keys sorted, timestamps quoted.
pub fn index_yaml(index: &IndexFile) -> String {
    let mut top = Map::new();
    top.insert(
        "apiVersion".into(),
        Value::String(index.api_version.clone()),
    );
    top.insert("generated".into(), Value::String(index.generated.clone()));
    let mut entries = Map::new();
    for (name, versions) in &index.entries {
        let list = versions.iter().map(version_value).collect();
        entries.insert(name.clone(), Value::Array(list));
    }
    top.insert("entries".into(), Value::Object(entries));
    if !index.public_keys.is_empty() {
        top.insert("publicKeys".into(), serde_json::json!(index.public_keys));
    }
    if !index.annotations.is_empty() {
        top.insert("annotations".into(), serde_json::json!(index.annotations));
    }
    if let Some(info) = &index.server_info {
        top.insert("serverInfo".into(), info.clone());
    }
    chart::to_helm_yaml(&Value::Object(top))
}

fn version_value(cv: &ChartVersion) -> Value {
    let mut value = chart::metadata_value(&cv.metadata);
    if let Value::Object(map) = &mut value {
        map.insert("urls".into(), serde_json::json!(cv.urls));
        if let Some(created) = &cv.created {
            map.insert("created".into(), Value::String(created.clone()));
        }
        if cv.removed {
            map.insert("removed".into(), Value::Bool(true));
        }
        if let Some(digest) = &cv.digest {
            map.insert("digest".into(), Value::String(digest.clone()));
        }
    }
    value
}

/// Writes `index` to `path` in Helm's layout, atomically.
pub fn write_index(index: &IndexFile, path: &Path) -> Result<(), IndexBuildError> {
    chart::write_atomic(path, index_yaml(index).as_bytes()).map_err(io_error(path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{Chart, Metadata, archive_bytes};

    fn write_chart(dir: &Path, rel: &str, name: &str, version: &str) -> Vec<u8> {
        let chart = Chart {
            metadata: Metadata {
                api_version: "v2".into(),
                name: name.into(),
                version: version.into(),
                app_version: Some("1.0".into()),
                ..Metadata::default()
            },
            source: name.into(),
            ..Chart::default()
        };
        let bytes = archive_bytes(&chart, None).unwrap();
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &bytes).unwrap();
        bytes
    }

    #[test]
    fn urls_join_as_helm() {
        assert_eq!(join_url("", "sub/a-1.tgz"), "sub/a-1.tgz");
        assert_eq!(
            join_url("https://x.io/charts/", "a.tgz"),
            "https://x.io/charts/a.tgz"
        );
        assert_eq!(join_url("https://x.io", "s/a.tgz"), "https://x.io/s/a.tgz");
        assert_eq!(
            join_url("https://x.io/c?t=1", "a.tgz"),
            "https://x.io/c/a.tgz?t=1"
        );
    }

    #[test]
    fn timestamps() {
        assert_eq!(timestamp(Some(1_767_225_600)), "2026-01-01T00:00:00Z");
        assert!(timestamp(None).ends_with('Z'));
    }

    #[test]
    fn indexes_top_level_and_one_level_down_only() {
        let dir = tempfile::tempdir().unwrap();
        let a1 = write_chart(dir.path(), "a-1.0.0.tgz", "a", "1.0.0");
        write_chart(dir.path(), "old/a-0.9.0.tgz", "a", "0.9.0");
        write_chart(dir.path(), "x/y/deep-1.0.0.tgz", "deep", "1.0.0");
        std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
        let index = index_directory(dir.path(), "https://r.io", "T").unwrap();
        assert_eq!(index.entries.keys().collect::<Vec<_>>(), ["a"]);
        let a = &index.entries["a"];
        assert_eq!(a[0].metadata.version, "1.0.0");
        assert_eq!(a[0].urls, ["https://r.io/a-1.0.0.tgz"]);
        assert_eq!(a[1].urls, ["https://r.io/old/a-0.9.0.tgz"]);
        assert_eq!(
            a[0].digest.as_deref(),
            Some(chart::digest_bytes(&a1).as_str())
        );
        assert_eq!(a[0].created.as_deref(), Some("T"));
    }

    #[test]
    fn a_corrupt_archive_is_named() {
        let dir = tempfile::tempdir().unwrap();
        write_chart(dir.path(), "a-1.0.0.tgz", "a", "1.0.0");
        std::fs::write(dir.path().join("bad-1.0.0.tgz"), "not gzip").unwrap();
        let e = index_directory(dir.path(), "", "T")
            .unwrap_err()
            .to_string();
        assert!(e.contains("bad-1.0.0.tgz"), "{e}");
    }

    #[test]
    fn merge_keeps_old_versions_and_unchanged_dates() {
        let dir = tempfile::tempdir().unwrap();
        write_chart(dir.path(), "a-1.0.0.tgz", "a", "1.0.0");
        write_chart(dir.path(), "a-2.0.0.tgz", "a", "2.0.0");
        let mut index = index_directory(dir.path(), "", "NEW").unwrap();
        let mut existing = index_directory(dir.path(), "", "OLD").unwrap();
        let old = &mut existing.entries.get_mut("a").unwrap();
        old[0].digest = Some("changed".into()); // 2.0.0 was rebuilt since
        let mut gone = old[1].clone();
        gone.metadata.version = "0.1.0".into();
        gone.urls = vec!["https://elsewhere/a-0.1.0.tgz".into()];
        old.push(gone);
        merge(&mut index, existing);
        let got: Vec<_> = index.entries["a"]
            .iter()
            .map(|cv| (cv.metadata.version.as_str(), cv.created.as_deref().unwrap()))
            .collect();
        assert_eq!(got, [("2.0.0", "NEW"), ("1.0.0", "OLD"), ("0.1.0", "OLD")]);
        assert_ne!(index.entries["a"][0].digest.as_deref(), Some("changed"));
    }

    #[test]
    fn yaml_is_helms_layout_and_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        write_chart(dir.path(), "a-1.0.0.tgz", "a", "1.0.0");
        let index = index_directory(dir.path(), "", "2026-01-01T00:00:00Z").unwrap();
        let mut index2 = index.clone();
        index2.generated = "2026-01-01T00:00:00Z".into();
        let text = index_yaml(&index2);
        let digest = &index.entries["a"][0].digest.clone().unwrap();
        assert_eq!(
            text,
            format!(
                "apiVersion: v1\nentries:\n  a:\n  - apiVersion: v2\n    appVersion: \"1.0\"\n    created: \"2026-01-01T00:00:00Z\"\n    digest: {digest}\n    name: a\n    urls:\n    - a-1.0.0.tgz\n    version: 1.0.0\ngenerated: \"2026-01-01T00:00:00Z\"\n"
            )
        );
        let (back, skipped) = IndexFile::parse(text.as_bytes(), "x").unwrap();
        assert!(skipped.is_empty());
        assert_eq!(back, index2);
    }

    #[test]
    fn merge_file_errors_name_the_line_and_missing_is_empty() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("index.yaml");
        std::fs::write(&path, "apiVersion: v1\nentries:\n  a: [\n").unwrap();
        let e = load_index_file(&path).unwrap_err().to_string();
        assert!(e.starts_with(&format!("{}:", path.display())), "{e}");
        let (empty, _) = load_index_file(&dir.path().join("none.yaml")).unwrap();
        assert!(empty.entries.is_empty());
    }
}
