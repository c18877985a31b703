//! `rudder recover NAME [--force]`: unstick a release whose latest revision was left pending by
//! an operation that died, printing what was recorded.

use anyhow::Context;
use clap::Args;

use crate::action::connection::{ConnectOptions, connect};
use crate::action::recover::{RecoverRequest, recover};

/// Mark a release revision left pending by a dead operation failed.
#[derive(Debug, Args)]
pub struct RecoverArgs {
    /// The release name.
    pub name: String,
    /// Recover even while the lock holder's lease is fresh (only if you know it is gone).
    #[arg(long)]
    pub force: bool,
}

/// Runs `rudder recover`.
pub fn run(args: RecoverArgs, connect_opts: &ConnectOptions) -> anyhow::Result<()> {
    let conn = connect(connect_opts)?;
    let release = recover(
        &conn,
        &RecoverRequest {
            name: args.name,
            force: args.force,
        },
    )
    .context("RECOVER FAILED")?;
    println!(
        "Release {:?} revision {} marked failed ({}). The next operation can proceed.",
        release.name, release.version, release.info.description
    );
    Ok(())
}
