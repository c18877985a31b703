//! The repository client's error: one line naming the file:line, the URL, the repository or
//! the chart at fault. Credentials never appear in it (URLs are shown without user info).

use super::index::IndexError;

/// Why a repository operation failed.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// `repositories.yaml` (or another config file) does not parse or has a bad shape.
    #[error("{path}:{line}: {message}")]
    Config {
        /// The file.
        path: String,
        /// 1-based line (0 when unknown).
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path at fault.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A download failed (unreachable, HTTP status, too many redirects, body too large ...).
    #[error("{url}: {message}")]
    Http {
        /// The URL, without credentials.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// An index could not be parsed, or a chart/version is not in it.
    #[error(transparent)]
    Index(#[from] IndexError),
    /// A downloaded archive does not have the digest its index promises.
    #[error(
        "digest mismatch for {url}: the index says sha256:{expected}, the download is sha256:{actual}"
    )]
    DigestMismatch {
        /// Where the archive came from.
        url: String,
        /// The digest in the index.
        expected: String,
        /// The digest of what was downloaded.
        actual: String,
    },
    /// A request that cannot be carried out (unknown repository, duplicate name, bad reference ...).
    #[error("{0}")]
    Invalid(String),
}

impl RepoError {
    /// An I/O error on `path`.
    pub fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        RepoError::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }
}
