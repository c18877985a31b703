//! `index.yaml`, the catalogue of a static chart repository, in Helm's format (`repo.IndexFile`):
//! `apiVersion: v1`, `entries` mapping each chart name to its versions (newest first), each
//! version being the chart's `Chart.yaml` metadata plus `urls`, `created` and `digest`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::chart::{Metadata, constraint_matches, parse_constraint};

mod chunked;

/// The API version Helm writes in `index.yaml` (and `repositories.yaml`).
pub const API_VERSION: &str = "v1";

/// A repository's `index.yaml`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexFile {
    /// Optional server metadata, kept as read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_info: Option<serde_json::Value>,
    /// Always `v1`; an index without it is refused, as Helm does.
    #[serde(default)]
    pub api_version: String,
    /// When the index was generated (RFC 3339, kept as text so re-writing keeps it byte-exact).
    #[serde(default)]
    pub generated: String,
    /// Chart name → versions, newest first once [`IndexFile::sort_entries`] ran.
    #[serde(default)]
    pub entries: BTreeMap<String, Vec<ChartVersion>>,
    /// Keys for provenance checks, kept as read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub public_keys: Vec<String>,
    /// Free-form annotations of the repository.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
}

/// One version of one chart in an index: its metadata and where to download it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChartVersion {
    /// The chart's `Chart.yaml` fields, inline as Helm writes them.
    #[serde(flatten)]
    pub metadata: Metadata,
    /// Download URLs, absolute or relative to the repository URL; the first one is used.
    #[serde(default)]
    pub urls: Vec<String>,
    /// When this version was added to the index (RFC 3339 text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Set by some repositories on versions that were withdrawn.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub removed: bool,
    /// `sha256` of the archive, hex: every download is checked against it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest: Option<String>,
}

/// Why an index could not be read or a chart could not be found in it. Each message names the
/// index (file or URL) and, where it applies, the line or the entry.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// The index is not valid YAML or does not have the index's shape.
    #[error("{index}:{line}: invalid index: {message}")]
    Malformed {
        /// The file or URL of the index.
        index: String,
        /// 1-based line of the problem (0 when unknown).
        line: usize,
        /// What the YAML parser or the shape check said.
        message: String,
    },
    /// The index has no `apiVersion`.
    #[error("{0}: invalid index: no API version specified")]
    NoApiVersion(String),
    /// No chart of that name in the index.
    #[error("chart {name:?} not found in {index}")]
    NoChart {
        /// The chart asked for.
        name: String,
        /// The repository or index.
        index: String,
    },
    /// The chart exists but no version matches the constraint.
    #[error(
        "chart {name:?} has no version matching {constraint:?} in {index} (available: {available})"
    )]
    NoVersion {
        /// The chart asked for.
        name: String,
        /// The version constraint that matched nothing.
        constraint: String,
        /// The repository or index.
        index: String,
        /// The versions there are, newest first (abridged).
        available: String,
    },
    /// The version constraint itself does not parse.
    #[error("invalid version constraint {constraint:?}: {message}")]
    BadConstraint {
        /// The constraint as given.
        constraint: String,
        /// Why it does not parse.
        message: String,
    },
}

/// An index entry that was dropped while loading, with the reason (Helm logs and skips these).
#[derive(Debug, Clone, PartialEq)]
pub struct SkippedEntry {
    /// The chart name (the `entries` key).
    pub name: String,
    /// The version text, if there was one.
    pub version: String,
    /// Why it was skipped.
    pub reason: String,
}

impl IndexFile {
    /// An empty index with the current API version and `generated` set to `generated`.
    pub fn new(generated: impl Into<String>) -> Self {
        IndexFile {
            api_version: API_VERSION.to_string(),
            generated: generated.into(),
            ..IndexFile::default()
        }
    }

    /// Parses `index.yaml` bytes read from `source` (a path or URL, used in messages). Entries
    /// that are invalid (no metadata, bad version, no `urls`, no `digest`) are dropped and returned
    /// beside the index, as Helm drops them with a warning; versions are sorted newest first.
    pub fn parse(bytes: &[u8], source: &str) -> Result<(IndexFile, Vec<SkippedEntry>), IndexError> {
        let mut index = match chunked::parse(bytes) {
            Some(index) => index,
            None => yaml_serde::from_slice(bytes).map_err(|e| IndexError::Malformed {
                index: source.to_string(),
                line: e.location().map(|l| l.line()).unwrap_or(0),
                message: crate::text::one_line(&e.to_string()),
            })?,
        };
        if index.api_version.is_empty() {
            return Err(IndexError::NoApiVersion(source.to_string()));
        }
        let mut skipped = Vec::new();
        for (name, versions) in index.entries.iter_mut() {
            versions.retain(|cv| match cv.problem() {
                None => true,
                Some(reason) => {
                    skipped.push(SkippedEntry {
                        name: name.clone(),
                        version: cv.metadata.version.clone(),
                        reason,
                    });
                    false
                }
            });
        }
        index.entries.retain(|_, v| !v.is_empty());
        index.sort_entries();
        Ok((index, skipped))
    }

    /// Sorts every chart's versions newest first by SemVer precedence (Helm's `SortEntries`).
    pub fn sort_entries(&mut self) {
        for versions in self.entries.values_mut() {
            versions.sort_by_cached_key(|cv| {
                std::cmp::Reverse(semver::Version::parse(&cv.metadata.version).ok())
            });
        }
    }

    /// The newest version of `name` that satisfies `constraint` (a Helm SemVer range; empty means
    /// any). Pre-releases are considered only with `devel` or when the constraint names one, as
    /// Helm does. `source` names the repository in errors.
    pub fn find(
        &self,
        name: &str,
        constraint: &str,
        devel: bool,
        source: &str,
    ) -> Result<&ChartVersion, IndexError> {
        let versions = self.entries.get(name).ok_or_else(|| IndexError::NoChart {
            name: name.to_string(),
            index: source.to_string(),
        })?;
        let matcher = VersionMatcher::new(constraint, devel)?;
        versions
            .iter()
            .find(|cv| matcher.matches(&cv.metadata.version))
            .ok_or_else(|| IndexError::NoVersion {
                name: name.to_string(),
                constraint: constraint.to_string(),
                index: source.to_string(),
                available: abridged_versions(versions),
            })
    }
}

fn abridged_versions(versions: &[ChartVersion]) -> String {
    const SHOWN: usize = 10;
    let mut list: Vec<&str> = versions
        .iter()
        .take(SHOWN)
        .map(|cv| cv.metadata.version.as_str())
        .collect();
    if versions.len() > SHOWN {
        list.push("...");
    }
    if list.is_empty() {
        "none".to_string()
    } else {
        list.join(", ")
    }
}

impl ChartVersion {
    /// Why this entry cannot be used, or `None` when it is valid (Helm's `ChartVersion.Validate`
    /// plus the `urls` and `digest` every download needs).
    pub fn problem(&self) -> Option<String> {
        if let Err(e) = self.metadata.validate() {
            return Some(e);
        }
        if self.urls.is_empty() {
            return Some("no urls".to_string());
        }
        if self.digest.as_deref().unwrap_or("").is_empty() {
            return Some("no digest".to_string());
        }
        None
    }
}

/// A Helm version constraint ready to test versions against: `^1.2`, `~1.2.3`, `>=1, <2`, `1.x`,
/// `a || b`, `1.2 - 1.4`, or empty for any version.
#[derive(Debug, Clone)]
pub struct VersionMatcher {
    alternatives: Vec<semver::VersionReq>,
    devel: bool,
}

impl VersionMatcher {
    /// Parses `constraint`; `devel` lets pre-release versions match (Helm's `--devel`, which
    /// widens the constraint with `-0`). A constraint naming a pre-release also admits them.
    pub fn new(constraint: &str, devel: bool) -> Result<Self, IndexError> {
        let constraint = constraint.trim();
        let devel = devel || constraint.contains('-') && !constraint.contains(" - ");
        let alternatives = if constraint.is_empty() {
            Vec::new()
        } else {
            parse_constraint(constraint).map_err(|message| IndexError::BadConstraint {
                constraint: constraint.to_string(),
                message,
            })?
        };
        Ok(VersionMatcher {
            alternatives,
            devel,
        })
    }

    /// Whether `version` (SemVer text) satisfies the constraint.
    pub fn matches(&self, version: &str) -> bool {
        let Ok(v) = semver::Version::parse(version) else {
            return false;
        };
        if !v.pre.is_empty() && !self.devel {
            return false;
        }
        if self.alternatives.is_empty() {
            return true;
        }
        if !v.pre.is_empty() {
            // semver's VersionReq only admits pre-releases of the same major.minor.patch as a
            // comparator that names one; Helm's `--devel` admits any. Compare the release part.
            let mut release = v.clone();
            release.pre = semver::Prerelease::EMPTY;
            return constraint_matches(&self.alternatives, &v)
                || constraint_matches(&self.alternatives, &release);
        }
        constraint_matches(&self.alternatives, &v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = "apiVersion: v1
entries:
  web:
  - apiVersion: v2
    name: web
    version: 1.2.0
    digest: aa
    urls: [web-1.2.0.tgz]
    extraField: kept-out
  - apiVersion: v2
    name: web
    version: 1.10.0
    digest: bb
    urls: [web-1.10.0.tgz]
  - apiVersion: v2
    name: web
    version: 2.0.0-rc.1
    digest: cc
    urls: [web-2.0.0-rc.1.tgz]
  - apiVersion: v2
    name: web
    version: 3.0.0
    urls: [web-3.0.0.tgz]
generated: \"2026-01-01T00:00:00Z\"
";

    #[test]
    fn parses_sorts_and_skips_invalid_entries() {
        let (index, skipped) = IndexFile::parse(INDEX.as_bytes(), "test/index.yaml").unwrap();
        let versions: Vec<_> = index.entries["web"]
            .iter()
            .map(|cv| cv.metadata.version.as_str())
            .collect();
        assert_eq!(versions, ["2.0.0-rc.1", "1.10.0", "1.2.0"]);
        assert_eq!(skipped.len(), 1);
        assert_eq!(skipped[0].version, "3.0.0");
        assert_eq!(skipped[0].reason, "no digest");
    }

    #[test]
    fn find_honours_ranges_and_devel() {
        let (index, _) = IndexFile::parse(INDEX.as_bytes(), "repo").unwrap();
        let v = |c: &str, devel: bool| {
            index
                .find("web", c, devel, "repo")
                .map(|cv| cv.metadata.version.clone())
        };
        assert_eq!(v("", false).unwrap(), "1.10.0");
        assert_eq!(v("", true).unwrap(), "2.0.0-rc.1");
        assert_eq!(v("~1.2", false).unwrap(), "1.2.0");
        assert_eq!(v("1.2.0", false).unwrap(), "1.2.0");
        assert_eq!(v("1.2", false).unwrap(), "1.2.0");
        assert_eq!(v("1.x", false).unwrap(), "1.10.0");
        assert_eq!(v(">= 1.2.0, < 1.3", false).unwrap(), "1.2.0");
        assert_eq!(v("1.2.0 - 1.9", false).unwrap(), "1.2.0");
        assert_eq!(v("1.2.0 || 1.10.0", false).unwrap(), "1.10.0");
        assert_eq!(v("^1", false).unwrap(), "1.10.0");
        assert_eq!(v(">=2.0.0-0", false).unwrap(), "2.0.0-rc.1");
        let err = v("^5", false).unwrap_err().to_string();
        assert!(
            err.contains("available: 2.0.0-rc.1, 1.10.0, 1.2.0"),
            "{err}"
        );
        let err = index
            .find("nope", "", false, "repo")
            .unwrap_err()
            .to_string();
        assert_eq!(err, "chart \"nope\" not found in repo");
    }

    #[test]
    fn malformed_index_names_the_line() {
        let err = IndexFile::parse(b"apiVersion: v1\nentries:\n  web: [\n", "x/index.yaml")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("x/index.yaml:"), "{err}");
        assert!(err.contains("invalid index"), "{err}");
        let err = IndexFile::parse(b"entries: {}\n", "x")
            .unwrap_err()
            .to_string();
        assert_eq!(err, "x: invalid index: no API version specified");
    }
}
