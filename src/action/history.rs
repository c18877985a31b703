//! `history NAME`: the revisions of one release, newest `max` of them, oldest first (Helm's
//! `pkg/action/history.go` plus the trimming its command does).

use super::ActionError;
use super::connection::{ConnectOptions, connect};
use crate::release::Release;
use crate::storage::StorageError;

/// Helm's default `--max`.
pub const DEFAULT_MAX: usize = 256;

/// Whose history, and how much of it.
#[derive(Debug, Clone, Default)]
pub struct HistoryRequest {
    /// Where to connect.
    pub connect: ConnectOptions,
    /// The release name.
    pub name: String,
    /// Keep only the newest `max` revisions (0 keeps none, as Helm's `--max 0`).
    pub max: usize,
}

/// The revisions of `req.name`, oldest first, at most `req.max` (the newest ones).
pub fn history(req: &HistoryRequest) -> Result<Vec<Release>, ActionError> {
    let conn = connect(&req.connect)?;
    conn.cluster.server_version()?;
    let storage = conn.default_storage();
    let mut revisions = storage
        .history(&req.name)
        .map_err(|e| named_not_found(e, &req.name))?;
    let skip = revisions.len().saturating_sub(req.max);
    revisions.drain(..skip);
    Ok(revisions)
}

/// A storage "not found" about a query becomes one naming the release: `NAME: release: not
/// found` (Helm prints `release: not found`); other errors pass through.
pub(crate) fn named_not_found(e: StorageError, name: &str) -> ActionError {
    match e {
        StorageError::NotFound { .. } => ActionError::Storage(StorageError::NotFound {
            object: name.to_string(),
        }),
        other => ActionError::Storage(other),
    }
}
