//! Chart references, wherever a verb takes a chart: a directory, a `.tgz`, `REPO/NAME` (with a
//! version range, pre-releases only with `devel`), a chart name with `--repo URL`, or an
//! `http(s)://…/x.tgz` URL — resolved, as Helm's `LocateChart` does, to a local directory or
//! archive. Archives from a repository are verified against the index digest before anything is
//! written and are cached by digest, so a second resolution does not download again.

use std::path::{Path, PathBuf};

use super::cache::{self, CachedIndex, CachedVersion, normalize_digest, sha256_hex};
use super::config::RepoFile;
use super::error::RepoError;
use super::http::{Fetched, HttpClient, HttpOptions, redact, resolve_url};
use super::index::{IndexError, IndexFile, VersionMatcher};
use super::paths::RepoPaths;
use super::sync::index_url;

/// A parsed chart reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChartRef {
    /// A chart directory or archive on disk.
    Local(PathBuf),
    /// `REPO/NAME`: chart NAME of the configured repository REPO.
    Repo {
        /// The repository name.
        repo: String,
        /// The chart name.
        chart: String,
    },
    /// An absolute `http(s)://` URL of a chart archive.
    Url(String),
    /// A bare chart name looked up in the repository at `--repo URL`.
    InRepoUrl {
        /// The repository URL.
        repo_url: String,
        /// The chart name.
        chart: String,
    },
}

impl ChartRef {
    /// Classifies `reference` as Helm does: an existing path wins; `./x`, `/x` must exist; then
    /// URLs; then `REPO/NAME`. With `repo_url` (`--repo`), the reference is a chart name there.
    pub fn parse(reference: &str, repo_url: Option<&str>) -> Result<ChartRef, RepoError> {
        if let Some(url) = repo_url.filter(|u| !u.is_empty()) {
            return Ok(ChartRef::InRepoUrl {
                repo_url: url.to_string(),
                chart: reference.to_string(),
            });
        }
        if reference.is_empty() {
            return Err(RepoError::Invalid("no chart given".into()));
        }
        let path = Path::new(reference);
        if path.exists() {
            return Ok(ChartRef::Local(path.to_path_buf()));
        }
        if path.is_absolute() || reference.starts_with('.') {
            return Err(RepoError::Invalid(format!("path {reference:?} not found")));
        }
        if let Some((scheme, _)) = reference.split_once("://") {
            return match scheme {
                "http" | "https" => Ok(ChartRef::Url(reference.to_string())),
                other => Err(RepoError::Invalid(format!(
                    "{}: unsupported scheme {other:?} (http and https are supported)",
                    redact(reference)
                ))),
            };
        }
        match reference.split_once('/') {
            Some((repo, chart))
                if !repo.is_empty() && !chart.is_empty() && !chart.contains('/') =>
            {
                Ok(ChartRef::Repo {
                    repo: repo.to_string(),
                    chart: chart.to_string(),
                })
            }
            _ => Err(RepoError::Invalid(format!(
                "chart {reference:?} not found: not a chart directory or archive, nor REPO/NAME, nor an http(s) URL"
            ))),
        }
    }
}

/// How to resolve a reference.
#[derive(Debug, Clone)]
pub struct ResolveOptions {
    /// `--version`: a SemVer range (empty: the newest).
    pub version: String,
    /// `--devel`: let pre-releases match.
    pub devel: bool,
    /// `--repo URL`: look the chart name up in that repository.
    pub repo_url: Option<String>,
    /// TLS/auth for URL and `--repo` downloads (configured repositories use their own).
    pub http: HttpOptions,
    /// Configuration and cache locations.
    pub paths: RepoPaths,
}

/// A reference resolved to something on disk.
#[derive(Debug, Clone, PartialEq)]
pub struct ResolvedChart {
    /// The chart directory or archive (for downloads, the cached archive).
    pub path: PathBuf,
    /// For downloads, the archive's file name as served (`web-1.2.0.tgz`), what `pull` saves.
    pub file_name: Option<String>,
    /// For repository charts, the index entry that was chosen.
    pub version: Option<CachedVersion>,
}

/// Resolves `reference` to a local chart, downloading (and verifying) it when needed.
pub fn resolve(reference: &str, opts: &ResolveOptions) -> Result<ResolvedChart, RepoError> {
    match ChartRef::parse(reference, opts.repo_url.as_deref())? {
        ChartRef::Local(path) => Ok(ResolvedChart {
            path,
            file_name: None,
            version: None,
        }),
        ChartRef::Url(url) => {
            let client = HttpClient::new(&opts.http, &url)?;
            let bytes = download(&client, &url)?;
            let path = cache::store_archive(&opts.paths, &bytes)?;
            Ok(ResolvedChart {
                path,
                file_name: Some(file_name_of(&url)),
                version: None,
            })
        }
        ChartRef::Repo { repo, chart } => {
            let file = RepoFile::load_or_new(&opts.paths.repository_config)?;
            let entry = file.get(&repo).ok_or_else(|| {
                RepoError::Invalid(format!(
                    "repo {repo:?} not found (add it with `rudder repo add {repo} URL`)"
                ))
            })?;
            let index = cache::load_index(&opts.paths, &repo, &entry.url)?;
            let cv = find_version(&index, &chart, &opts.version, opts.devel, &repo)?;
            let client = HttpClient::new(&HttpOptions::from(entry), &entry.url)?;
            fetch_verified(&opts.paths, &client, &entry.url, cv)
        }
        ChartRef::InRepoUrl { repo_url, chart } => {
            let client = HttpClient::new(&opts.http, &repo_url)?;
            let url = index_url(&repo_url)?;
            let bytes = download(&client, &url)?;
            let (index, _) = IndexFile::parse(&bytes, &redact(&url))?;
            let index = CachedIndex::from_index(&index, &repo_url, String::new());
            let cv = find_version(
                &index,
                &chart,
                &opts.version,
                opts.devel,
                &redact(&repo_url),
            )?;
            fetch_verified(&opts.paths, &client, &repo_url, cv)
        }
    }
}

/// The newest version of `chart` in `index` matching the range (Helm's `IndexFile.Get`).
pub fn find_version(
    index: &CachedIndex,
    chart: &str,
    constraint: &str,
    devel: bool,
    source: &str,
) -> Result<CachedVersion, RepoError> {
    let versions = index
        .entries
        .get(chart)
        .ok_or_else(|| IndexError::NoChart {
            name: chart.to_string(),
            index: source.to_string(),
        })?;
    let matcher = VersionMatcher::new(constraint, devel)?;
    versions
        .iter()
        .find(|cv| matcher.matches(&cv.version))
        .cloned()
        .ok_or_else(|| {
            let mut shown: Vec<&str> = versions
                .iter()
                .take(10)
                .map(|v| v.version.as_str())
                .collect();
            if versions.len() > 10 {
                shown.push("...");
            }
            let constraint = if constraint.is_empty() {
                if devel {
                    "*"
                } else {
                    "* (no pre-releases without --devel)"
                }
            } else {
                constraint
            };
            RepoError::Index(IndexError::NoVersion {
                name: chart.to_string(),
                constraint: constraint.to_string(),
                index: source.to_string(),
                available: shown.join(", "),
            })
        })
}

/// Downloads the archive of `cv` (URL relative to `repo_url`) unless the cache has its digest,
/// verifies the digest, and caches it. A mismatch writes nothing.
fn fetch_verified(
    paths: &RepoPaths,
    client: &HttpClient,
    repo_url: &str,
    cv: CachedVersion,
) -> Result<ResolvedChart, RepoError> {
    let first = cv.urls.first().ok_or_else(|| {
        RepoError::Invalid(format!(
            "chart {} {} has no download URL",
            cv.name, cv.version
        ))
    })?;
    let url = resolve_url(repo_url, first)?;
    let expected = normalize_digest(&cv.digest);
    let file_name = Some(file_name_of(&url));
    if let Some(path) = cache::cached_archive(paths, &expected) {
        tracing::debug!(path = %path.display(), "archive found in the cache");
        return Ok(ResolvedChart {
            path,
            file_name,
            version: Some(cv),
        });
    }
    let bytes = download(client, &url)?;
    let actual = sha256_hex(&bytes);
    if actual != expected {
        return Err(RepoError::DigestMismatch {
            url: redact(&url),
            expected,
            actual,
        });
    }
    let path = cache::store_archive(paths, &bytes)?;
    Ok(ResolvedChart {
        path,
        file_name,
        version: Some(cv),
    })
}

fn download(client: &HttpClient, url: &str) -> Result<Vec<u8>, RepoError> {
    match client.get(url, None)? {
        Fetched::Body { bytes, .. } => Ok(bytes),
        Fetched::NotModified => Err(RepoError::Http {
            url: redact(url),
            message: "unexpected 304 Not Modified".into(),
        }),
    }
}

/// The last path segment of a URL (`https://h/c/web-1.0.0.tgz?x` → `web-1.0.0.tgz`).
fn file_name_of(url: &str) -> String {
    reqwest::Url::parse(url)
        .ok()
        .and_then(|u| {
            u.path_segments()
                .and_then(|mut s| s.next_back().map(str::to_string))
        })
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "chart.tgz".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_references() {
        let dir = tempfile::tempdir().unwrap();
        let local = dir.path().display().to_string();
        assert_eq!(
            ChartRef::parse(&local, None).unwrap(),
            ChartRef::Local(dir.path().to_path_buf())
        );
        assert_eq!(
            ChartRef::parse("stable/web", None).unwrap(),
            ChartRef::Repo {
                repo: "stable".into(),
                chart: "web".into()
            }
        );
        assert_eq!(
            ChartRef::parse("https://h/web-1.0.0.tgz", None).unwrap(),
            ChartRef::Url("https://h/web-1.0.0.tgz".into())
        );
        assert_eq!(
            ChartRef::parse("web", Some("https://h")).unwrap(),
            ChartRef::InRepoUrl {
                repo_url: "https://h".into(),
                chart: "web".into()
            }
        );
        for bad in ["./missing", "/no/such/dir", "web", "a/b/c", "oci://r/x", ""] {
            assert!(ChartRef::parse(bad, None).is_err(), "{bad}");
        }
        let err = ChartRef::parse("./missing", None).unwrap_err().to_string();
        assert_eq!(err, "path \"./missing\" not found");
    }

    #[test]
    fn file_names_come_from_the_url_path() {
        assert_eq!(
            file_name_of("https://h/c/web-1.0.0.tgz?x=1"),
            "web-1.0.0.tgz"
        );
        assert_eq!(file_name_of("https://h/"), "chart.tgz");
    }
}
