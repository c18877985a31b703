//! `rudder repo list`: the configured repositories, name and URL (Helm's `repo list`).

use serde::Serialize;

use super::ActionError;
use crate::repo::{RepoError, RepoFile, RepoPaths};

/// One listed repository, with Helm's JSON field names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepoListItem {
    /// The repository name.
    pub name: String,
    /// Its URL.
    pub url: String,
}

/// The configured repositories in file order; none at all is an error, as in Helm.
pub fn run(paths: &RepoPaths) -> Result<Vec<RepoListItem>, ActionError> {
    let file = match RepoFile::load(&paths.repository_config) {
        Err(RepoError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            RepoFile::new()
        }
        other => other?,
    };
    if file.repositories.is_empty() {
        return Err(RepoError::Invalid("no repositories to show".into()).into());
    }
    Ok(file
        .repositories
        .into_iter()
        .map(|r| RepoListItem {
            name: r.name,
            url: r.url,
        })
        .collect())
}
