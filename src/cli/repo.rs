//! `rudder repo ...`: the chart repository command group. Each verb keeps its arguments in its
//! own file (`repo_client.rs` for add/list/update/remove, `repo_index.rs`, `repo_serve.rs`);
//! this file only lists them.

use clap::Subcommand;

use super::{repo_client, repo_index, repo_serve};

/// Add, list, update, remove, index and serve chart repositories.
#[derive(Debug, Subcommand)]
pub enum RepoCommand {
    /// Add a chart repository (its index is fetched and validated first).
    Add(repo_client::AddArgs),
    /// List chart repositories.
    #[command(alias = "ls")]
    List(repo_client::ListArgs),
    /// Update the cached indexes of chart repositories.
    #[command(alias = "up")]
    Update(repo_client::UpdateArgs),
    /// Remove chart repositories.
    #[command(alias = "rm")]
    Remove(repo_client::RemoveArgs),
    /// Generate an index file given a directory containing packaged charts.
    Index(repo_index::RepoIndexArgs),
    /// Serve a directory as a chart repository, with an HTML catalog at `/`.
    Serve(repo_serve::ServeArgs),
}

/// Runs one `repo` verb.
pub fn run(cmd: RepoCommand) -> anyhow::Result<()> {
    match cmd {
        RepoCommand::Add(a) => repo_client::add(a),
        RepoCommand::List(a) => repo_client::list(a),
        RepoCommand::Update(a) => repo_client::update(a),
        RepoCommand::Remove(a) => repo_client::remove(a),
        RepoCommand::Index(args) => repo_index::run(args),
        RepoCommand::Serve(args) => repo_serve::run(args),
    }
}
