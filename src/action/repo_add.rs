//! `rudder repo add NAME URL`: fetch and validate the repository's index, then record the
//! repository in `repositories.yaml` (Helm's `repo add`).

use super::ActionError;
use crate::repo::sync::fetch_index;
use crate::repo::{RepoEntry, RepoError, RepoFile, RepoPaths};

/// What to add.
#[derive(Debug, Clone)]
pub struct RepoAddRequest {
    /// The repository as it will be saved (name, URL, credentials, TLS files).
    pub entry: RepoEntry,
    /// Replace an existing repository of the same name (`--force-update`).
    pub force_update: bool,
    /// Where the configuration and cache live.
    pub paths: RepoPaths,
}

/// What `repo add` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepoAddOutcome {
    /// The repository was added (or replaced with `--force-update`).
    Added,
    /// The same repository with the same configuration was already there; nothing changed.
    Unchanged,
}

/// Adds the repository of `req` after downloading and validating its index.
pub fn run(req: &RepoAddRequest) -> Result<RepoAddOutcome, ActionError> {
    let name = &req.entry.name;
    if name.contains('/') {
        return Err(RepoError::Invalid(format!(
            "repository name ({name}) contains '/', please specify a different name without '/'"
        ))
        .into());
    }
    if name.is_empty() || name.starts_with('.') {
        return Err(RepoError::Invalid(format!("invalid repository name {name:?}")).into());
    }
    let config_path = &req.paths.repository_config;
    let mut file = RepoFile::load_or_new(config_path)?;
    if !req.force_update
        && let Some(existing) = file.get(name)
    {
        if *existing == req.entry {
            return Ok(RepoAddOutcome::Unchanged);
        }
        return Err(RepoError::Invalid(format!(
            "repository name ({name}) already exists, please specify a different name"
        ))
        .into());
    }
    fetch_index(&req.paths, &req.entry, false).map_err(|e| {
        RepoError::Invalid(format!(
            "looks like {:?} is not a valid chart repository or cannot be reached: {e}",
            crate::repo::http::redact(&req.entry.url)
        ))
    })?;
    file.upsert(req.entry.clone());
    file.save(config_path)?;
    Ok(RepoAddOutcome::Added)
}
