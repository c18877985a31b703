//! Fetching a repository's `index.yaml` into the cache: what `repo add` and `repo update` share.
//! The index is downloaded (conditionally when a cached copy has validators), fully parsed and
//! validated, and only then does it replace the cached copy — a failure leaves the cache as it
//! was.

use super::cache::{self, CachedIndex};
use super::config::RepoEntry;
use super::error::RepoError;
use super::http::{Fetched, HttpClient, HttpOptions, redact};
use super::index::IndexFile;
use super::paths::RepoPaths;

/// What fetching an index did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncOutcome {
    /// A new index was downloaded and cached.
    Updated,
    /// The server answered `304 Not Modified`; the cached index is current.
    NotModified,
}

/// The URL of a repository's index: `URL/index.yaml` (query string kept).
pub fn index_url(repo_url: &str) -> Result<String, RepoError> {
    let mut url = reqwest::Url::parse(repo_url).map_err(|e| {
        RepoError::Invalid(format!(
            "invalid repository URL {:?}: {e}",
            redact(repo_url)
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(RepoError::Invalid(format!(
            "invalid repository URL {:?}: only http and https are supported",
            redact(repo_url)
        )));
    }
    let path = format!("{}/index.yaml", url.path().trim_end_matches('/'));
    url.set_path(&path);
    Ok(url.to_string())
}

/// Downloads, validates and caches the index of `entry`. With `conditional`, the validators of
/// the cached copy are sent and a `304` keeps it.
pub fn fetch_index(
    paths: &RepoPaths,
    entry: &RepoEntry,
    conditional: bool,
) -> Result<SyncOutcome, RepoError> {
    let url = index_url(&entry.url)?;
    let client = HttpClient::new(&HttpOptions::from(entry), &entry.url)?;
    let cached = if conditional {
        cache::fresh_compact(paths, &entry.name).filter(|c| c.url == entry.url)
    } else {
        None
    };
    let validators = cached.as_ref().map(|c| &c.validators);
    let started = std::time::Instant::now();
    let (bytes, validators) = match client.get(&url, validators)? {
        Fetched::NotModified if cached.is_some() => return Ok(SyncOutcome::NotModified),
        Fetched::NotModified => {
            // A 304 to an unconditional request: ask again without validators.
            match client.get(&url, None)? {
                Fetched::Body { bytes, validators } => (bytes, validators),
                Fetched::NotModified => {
                    return Err(RepoError::Http {
                        url: redact(&url),
                        message: "unexpected 304 Not Modified".into(),
                    });
                }
            }
        }
        Fetched::Body { bytes, validators } => (bytes, validators),
    };
    tracing::debug!(elapsed = ?started.elapsed(), bytes = bytes.len(), "index downloaded");
    let started = std::time::Instant::now();
    let (index, skipped) = IndexFile::parse(&bytes, &redact(&url))?;
    tracing::debug!(elapsed = ?started.elapsed(), "index parsed");
    for s in &skipped {
        tracing::warn!(
            "skipping entry {} {} of {}: {}",
            s.name,
            s.version,
            entry.name,
            s.reason
        );
    }
    let compact = CachedIndex::from_index(&index, &entry.url, cache::sha256_hex(&bytes));
    drop(index);
    cache::store_index(paths, &entry.name, &bytes, compact, validators)?;
    Ok(SyncOutcome::Updated)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_url_appends_index_yaml() {
        assert_eq!(
            index_url("https://h/charts").unwrap(),
            "https://h/charts/index.yaml"
        );
        assert_eq!(
            index_url("https://h/charts/?a=b").unwrap(),
            "https://h/charts/index.yaml?a=b"
        );
        assert!(index_url("ftp://h").is_err());
        assert!(index_url("not a url").is_err());
    }
}
