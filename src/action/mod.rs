//! Verbs: one file per command, orchestration only. Each takes a plain request struct and
//! returns data; nothing here parses flags or prints.

pub mod connection;
pub mod create;
pub mod dependency;
pub mod dependency_update;
pub mod deploy;
pub mod diff;
pub mod get;
pub mod history;
pub mod install;
pub mod lint;
pub mod list;
pub mod names;
pub mod package;
pub mod progress;
pub mod pull;
pub mod recover;
pub mod render;
pub mod repo_add;
pub mod repo_index;
pub mod repo_list;
pub mod repo_remove;
pub mod repo_serve;
pub mod repo_update;
pub mod rollback;
pub mod sandbox;
pub mod search;
pub mod show;
pub mod signals;
pub mod status;
pub mod template;
pub mod test;
pub mod uninstall;
pub mod upgrade;

use crate::chart::ChartError;
use crate::engine::EngineError;
use crate::kube::KubeError;
use crate::repo::RepoError;
use crate::storage::StorageError;
use crate::values::ValuesError;

/// Why a verb failed. Each variant's message is one line naming what is at fault.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    /// The chart could not be loaded.
    #[error(transparent)]
    Chart(#[from] ChartError),
    /// Values could not be computed or failed the schema.
    #[error(transparent)]
    Values(#[from] ValuesError),
    /// A template failed to render.
    #[error(transparent)]
    Engine(#[from] EngineError),
    /// A repository, index or download problem.
    #[error(transparent)]
    Repo(#[from] RepoError),
    /// The cluster refused or could not be reached.
    #[error(transparent)]
    Kube(#[from] KubeError),
    /// Waiting for the release's resources failed (timed out, or one of them failed).
    #[error(transparent)]
    Wait(#[from] crate::kube::WaitError),
    /// Release storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// A request that cannot be carried out (bad name, unknown template, existing path ...).
    #[error("{0}")]
    Invalid(String),
    /// A file could not be written or read.
    #[error("{path}: {source}")]
    Io {
        /// The path at fault.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl ActionError {
    pub(crate) fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        ActionError::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }
}
