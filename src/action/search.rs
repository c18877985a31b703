//! `rudder search repo [KEYWORD]`: search the cached indexes of every configured repository.

use super::ActionError;
use crate::repo::search::{SearchQuery, SearchResult, search};
use crate::repo::{RepoError, RepoFile, RepoPaths, cache};

/// The hits, and the repositories that could not be searched (no or broken cache).
#[derive(Debug, Clone)]
pub struct SearchOutput {
    /// Matches, in Helm's order.
    pub results: Vec<SearchResult>,
    /// One note per repository skipped, e.g. `repository "x": no cached index ...`.
    pub warnings: Vec<String>,
}

/// Searches all configured repositories for `query`.
pub fn run(paths: &RepoPaths, query: &SearchQuery) -> Result<SearchOutput, ActionError> {
    let file = RepoFile::load_or_new(&paths.repository_config)?;
    if file.repositories.is_empty() {
        return Err(RepoError::Invalid("no repositories configured".into()).into());
    }
    let mut indexes = Vec::new();
    let mut warnings = Vec::new();
    for entry in &file.repositories {
        match cache::load_index(paths, &entry.name, &entry.url) {
            Ok(index) => indexes.push((entry.name.clone(), index)),
            Err(e) => warnings.push(format!(
                "repo {:?} is corrupt or missing, try `rudder repo update {}`: {e}",
                entry.name, entry.name
            )),
        }
    }
    let results = search(&indexes, query)?;
    // Freeing the parsed indexes costs time for nothing: the process is about to print and exit.
    std::mem::forget(indexes);
    Ok(SearchOutput { results, warnings })
}
