//! `rudder show chart|values|readme|crds|all CHART`.

use std::path::PathBuf;

use clap::Subcommand;

use crate::action::show::{ShowPart, run as show};

/// Show information about a chart.
#[derive(Debug, Subcommand)]
pub enum ShowCommand {
    /// Show the chart's definition (Chart.yaml).
    Chart { chart: PathBuf },
    /// Show the chart's values.yaml.
    Values { chart: PathBuf },
    /// Show the chart's README.
    Readme { chart: PathBuf },
    /// Show the chart's CRDs.
    Crds { chart: PathBuf },
    /// Show all of the above.
    All { chart: PathBuf },
}

pub fn run(cmd: ShowCommand) -> anyhow::Result<()> {
    let (chart, part) = match cmd {
        ShowCommand::Chart { chart } => (chart, ShowPart::Chart),
        ShowCommand::Values { chart } => (chart, ShowPart::Values),
        ShowCommand::Readme { chart } => (chart, ShowPart::Readme),
        ShowCommand::Crds { chart } => (chart, ShowPart::Crds),
        ShowCommand::All { chart } => (chart, ShowPart::All),
    };
    print!("{}", show(&chart, part)?);
    Ok(())
}
