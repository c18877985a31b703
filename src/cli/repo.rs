//! `rudder repo ...`: the chart repository command group. Each verb's flags and handler live
//! in their own file (`repo_client.rs` for add/list/update/remove).

use clap::Subcommand;

use super::repo_client;

/// Add, list, update and remove chart repositories.
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
}

/// Runs one `repo` verb.
pub fn run(cmd: RepoCommand) -> anyhow::Result<()> {
    match cmd {
        RepoCommand::Add(a) => repo_client::add(a),
        RepoCommand::List(a) => repo_client::list(a),
        RepoCommand::Update(a) => repo_client::update(a),
        RepoCommand::Remove(a) => repo_client::remove(a),
    }
}
