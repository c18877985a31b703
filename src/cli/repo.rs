//! `rudder repo ...`: the chart repository command group. Each verb keeps its arguments in its
//! own file (`repo_index.rs`, `repo_serve.rs`, ...); this file only lists them.

use clap::Subcommand;

use super::{repo_index, repo_serve};

/// Work with chart repositories.
#[derive(Debug, Subcommand)]
pub enum RepoCommand {
    /// Generate an index file given a directory containing packaged charts.
    Index(repo_index::RepoIndexArgs),
    /// Serve a directory as a chart repository, with an HTML catalog at `/`.
    Serve(repo_serve::ServeArgs),
}

/// Runs one `repo` verb.
pub fn run(cmd: RepoCommand) -> anyhow::Result<()> {
    match cmd {
        RepoCommand::Index(args) => repo_index::run(args),
        RepoCommand::Serve(args) => repo_serve::run(args),
    }
}
