//! `rudder repo ...`: the chart repository command group. Each subcommand's arguments live in
//! their own file (`repo_index.rs`, ...).

use clap::Subcommand;

use super::repo_index::{self, RepoIndexArgs};

/// Add, list, remove, update, and index chart repositories.
#[derive(Debug, Subcommand)]
pub enum RepoCommand {
    /// Generate an index file given a directory containing packaged charts.
    Index(RepoIndexArgs),
}

/// Runs one `rudder repo` subcommand.
pub fn run(cmd: RepoCommand) -> anyhow::Result<()> {
    match cmd {
        RepoCommand::Index(args) => repo_index::run(args),
    }
}
