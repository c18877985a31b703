//! `rudder repo index DIR [--url URL] [--merge FILE]`: writes `DIR/index.yaml` for the chart
//! archives in DIR, as Helm's `repo index` (see `crate::repo::index_build`). Nothing is printed.

use std::path::PathBuf;

use super::ActionError;
use crate::repo::index::SkippedEntry;
use crate::repo::index_build::{self, IndexBuildError};

/// What `rudder repo index` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct RepoIndexRequest {
    /// The directory holding the archives; `index.yaml` is written there.
    pub dir: PathBuf,
    /// `--url`: the repository's URL, prefixed to every archive's path (empty: relative URLs).
    pub url: String,
    /// `--merge`: an existing index whose versions absent from DIR are kept.
    pub merge: Option<PathBuf>,
    /// `SOURCE_DATE_EPOCH`: the `created`/`generated` time (else now).
    pub source_date_epoch: Option<u64>,
}

/// What was written.
#[derive(Debug, Clone)]
pub struct RepoIndexOutcome {
    /// The `index.yaml` written.
    pub index: PathBuf,
    /// How many chart versions it lists.
    pub versions: usize,
    /// Entries of the merged index that were invalid and dropped (Helm warns about these).
    pub skipped: Vec<SkippedEntry>,
}

impl From<IndexBuildError> for ActionError {
    fn from(e: IndexBuildError) -> Self {
        match e {
            IndexBuildError::Chart(e) => ActionError::Chart(e),
            IndexBuildError::Io { path, source } => ActionError::Io { path, source },
            other => ActionError::Invalid(other.to_string()),
        }
    }
}

/// Indexes `req.dir` (merging `req.merge` if given) and writes `index.yaml` there atomically.
pub fn run(req: &RepoIndexRequest) -> Result<RepoIndexOutcome, ActionError> {
    let meta = std::fs::metadata(&req.dir).map_err(|e| ActionError::io(&req.dir, e))?;
    if !meta.is_dir() {
        return Err(ActionError::Invalid(format!(
            "{}: not a directory",
            req.dir.display()
        )));
    }
    let now = index_build::timestamp(req.source_date_epoch);
    let mut index = index_build::index_directory(&req.dir, &req.url, &now)?;
    let mut skipped = Vec::new();
    if let Some(merge) = &req.merge {
        let (existing, dropped) = index_build::load_index_file(merge)?;
        skipped = dropped;
        index_build::merge(&mut index, existing);
    }
    let path = req.dir.join("index.yaml");
    index_build::write_index(&index, &path)?;
    Ok(RepoIndexOutcome {
        index: path,
        versions: index.entries.values().map(Vec::len).sum(),
        skipped,
    })
}
