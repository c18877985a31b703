//! `rudder repo index DIR [--url URL] [--merge FILE]`.

use std::path::PathBuf;

use clap::Args;

use crate::action::repo_index::{RepoIndexRequest, run as repo_index};

/// Generate an index file given a directory containing packaged charts.
///
/// Reads DIR (its *.tgz and */*.tgz), and writes DIR/index.yaml listing every chart version
/// with its metadata, URL and sha256 digest. --url makes the URLs absolute. --merge keeps the
/// versions of an existing index that DIR no longer holds (and the creation date of archives
/// that did not change). SOURCE_DATE_EPOCH, when set, fixes the timestamps written.
#[derive(Debug, Args)]
pub struct RepoIndexArgs {
    /// Directory holding the chart archives.
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,
    /// URL of the chart repository (prefixed to each archive's path).
    #[arg(long, value_name = "URL", default_value = "")]
    pub url: String,
    /// Merge the generated index into the given index.
    #[arg(long, value_name = "FILE")]
    pub merge: Option<PathBuf>,
}

/// Runs `rudder repo index`; invalid entries dropped from the merged index are reported on
/// stderr, as Helm logs them.
pub fn run(args: RepoIndexArgs) -> anyhow::Result<()> {
    let outcome = repo_index(&RepoIndexRequest {
        dir: args.dir,
        url: args.url,
        merge: args.merge,
        source_date_epoch: crate::chart::source_date_epoch()?,
    })?;
    for s in &outcome.skipped {
        eprintln!(
            "WARNING: skipping invalid entry for chart {:?} {:?}: {}",
            s.name, s.version, s.reason
        );
    }
    Ok(())
}
