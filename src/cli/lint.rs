//! `rudder lint` (placeholder until the lint work lands).
use clap::{ArgMatches, Args};

/// Examine charts for possible issues.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Charts to lint.
    #[arg(required = true)]
    pub charts: Vec<String>,
}

pub fn run(_args: LintArgs, _m: &ArgMatches) -> anyhow::Result<()> {
    anyhow::bail!("lint is not available yet")
}
