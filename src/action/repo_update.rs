//! `rudder repo update [NAME...]`: refresh the cached indexes of all (or the named)
//! repositories in parallel, with conditional GET; a repository that fails keeps its cache.

use super::ActionError;
use crate::repo::sync::{SyncOutcome, fetch_index};
use crate::repo::{RepoEntry, RepoError, RepoFile, RepoPaths};

/// The result for one repository.
#[derive(Debug)]
pub struct RepoUpdateReport {
    /// The repository name.
    pub name: String,
    /// Its URL.
    pub url: String,
    /// What happened: updated, not modified, or why it failed.
    pub result: Result<SyncOutcome, RepoError>,
}

/// Updates the repositories `names` (all when empty). Unknown names are an error before any
/// download; per-repository failures are in the reports.
pub fn run(paths: &RepoPaths, names: &[String]) -> Result<Vec<RepoUpdateReport>, ActionError> {
    let file = match RepoFile::load(&paths.repository_config) {
        Err(RepoError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            RepoFile::new()
        }
        other => other?,
    };
    if file.repositories.is_empty() {
        return Err(RepoError::Invalid(
            "no repositories found. You must add one before updating".into(),
        )
        .into());
    }
    let missing: Vec<&str> = names
        .iter()
        .filter(|n| file.get(n).is_none())
        .map(String::as_str)
        .collect();
    if !missing.is_empty() {
        return Err(RepoError::Invalid(format!(
            "no repositories found matching '{}'. Nothing will be updated",
            missing.join(", ")
        ))
        .into());
    }
    let selected: Vec<&RepoEntry> = file
        .repositories
        .iter()
        .filter(|r| names.is_empty() || names.contains(&r.name))
        .collect();
    let reports = std::thread::scope(|scope| {
        let handles: Vec<_> = selected
            .iter()
            .map(|entry| scope.spawn(move || fetch_index(paths, entry, true)))
            .collect();
        handles
            .into_iter()
            .zip(&selected)
            .map(|(h, entry)| RepoUpdateReport {
                name: entry.name.clone(),
                url: entry.url.clone(),
                result: h.join().unwrap_or_else(|_| {
                    Err(RepoError::Invalid("the update thread panicked".into()))
                }),
            })
            .collect()
    });
    Ok(reports)
}
