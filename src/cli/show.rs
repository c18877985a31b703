//! `rudder show chart|values|readme|crds|all CHART`.

use clap::{Args, Subcommand};

use super::chart_ref::ChartRefArgs;
use crate::action::render::locate_chart;
use crate::action::show::{ShowPart, run as show};

/// Show information about a chart.
#[derive(Debug, Subcommand)]
pub enum ShowCommand {
    /// Show the chart's definition (Chart.yaml).
    Chart(ShowArgs),
    /// Show the chart's values.yaml.
    Values(ShowArgs),
    /// Show the chart's README.
    Readme(ShowArgs),
    /// Show the chart's CRDs.
    Crds(ShowArgs),
    /// Show all of the above.
    All(ShowArgs),
}

/// The chart to show and where it comes from.
#[derive(Debug, Args)]
#[command(disable_version_flag = true)]
pub struct ShowArgs {
    /// A chart directory, a .tgz, REPO/NAME, or an http(s) URL.
    pub chart: String,
    #[command(flatten)]
    pub source: ChartRefArgs,
}

pub fn run(cmd: ShowCommand) -> anyhow::Result<()> {
    let (args, part) = match cmd {
        ShowCommand::Chart(a) => (a, ShowPart::Chart),
        ShowCommand::Values(a) => (a, ShowPart::Values),
        ShowCommand::Readme(a) => (a, ShowPart::Readme),
        ShowCommand::Crds(a) => (a, ShowPart::Crds),
        ShowCommand::All(a) => (a, ShowPart::All),
    };
    let path = locate_chart(&args.chart, &args.source.to_options())?;
    print!("{}", show(&path, part)?);
    Ok(())
}
