//! `rudder pull REF`: download a chart from a repository or URL.

use std::path::PathBuf;

use clap::Args;

use super::chart_ref::ChartRefArgs;
use crate::action::pull::{PullRequest, run as pull};

/// Download a chart from a repository and (optionally) unpack it.
#[derive(Debug, Args)]
#[command(disable_version_flag = true)]
pub struct PullArgs {
    /// `REPO/NAME`, a chart name with --repo, or an http(s) URL of an archive.
    #[arg(value_name = "CHART")]
    pub reference: String,
    #[command(flatten)]
    pub chart: ChartRefArgs,
    /// Directory to write the chart to.
    #[arg(short = 'd', long, default_value = ".", value_name = "DIR")]
    pub destination: PathBuf,
    /// Unpack the chart after downloading it.
    #[arg(long)]
    pub untar: bool,
    /// Where to unpack the chart with --untar (relative to the destination).
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub untardir: PathBuf,
}

/// Runs `pull`.
pub fn run(args: PullArgs) -> anyhow::Result<()> {
    let req = PullRequest {
        reference: args.reference,
        resolve: args.chart.to_options(),
        destination: args.destination,
        untar: args.untar,
        untar_dir: args.untardir,
    };
    let path = pull(&req)?;
    tracing::debug!(path = %path.display(), "pulled");
    Ok(())
}
