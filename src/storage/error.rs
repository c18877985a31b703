//! Storage errors: each names the storage object or the release concerned.

use crate::release::ReleaseError;

/// Why a storage operation failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StorageError {
    /// No such revision, or no revision matched a query (Helm's `release: not found`).
    #[error("{object}: release: not found")]
    NotFound {
        /// The object or query that found nothing.
        object: String,
    },
    /// A create found the revision already stored (Helm's `release: already exists`).
    #[error("{object}: release: already exists")]
    AlreadyExists {
        /// The object that exists.
        object: String,
    },
    /// The release has no deployed revision (Helm's wording).
    #[error("{name:?} has no deployed releases")]
    NoDeployedReleases {
        /// The release name.
        name: String,
    },
    /// The backend failed (API error, refused write ...).
    #[error("{object}: {message}")]
    Backend {
        /// The object or query concerned.
        object: String,
        /// What the backend said.
        message: String,
    },
    /// A stored release could not be decoded.
    #[error(transparent)]
    Release(#[from] ReleaseError),
}

impl StorageError {
    /// Whether this is [`StorageError::NotFound`].
    pub fn is_not_found(&self) -> bool {
        matches!(self, StorageError::NotFound { .. })
    }
}
