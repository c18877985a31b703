//! `rudder create` (placeholder until the create work lands).
use clap::Args;

/// Create a new chart.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Chart name (and directory).
    pub name: String,
}

pub fn run(_args: CreateArgs) -> anyhow::Result<()> {
    anyhow::bail!("create is not available yet")
}
