//! `rudder dependency list|update|build CHART`.

use std::path::PathBuf;

use clap::Subcommand;

use super::output::{OutputFormat, structured, table};
use crate::action::dependency;

/// Manage a chart's dependencies.
#[derive(Debug, Subcommand)]
pub enum DependencyCommand {
    /// List the dependencies of a chart and their status in charts/.
    #[command(visible_alias = "ls")]
    List {
        /// The chart directory.
        #[arg(default_value = ".")]
        chart: PathBuf,
        /// Output format.
        #[arg(short, long, value_enum, default_value_t)]
        output: OutputFormat,
    },
}

/// Runs a `dependency` subcommand.
pub fn run(cmd: DependencyCommand) -> anyhow::Result<()> {
    match cmd {
        DependencyCommand::List { chart, output } => {
            let listing = dependency::list(&chart)?;
            for path in &listing.undeclared {
                eprintln!("WARNING: {path:?} is not in Chart.yaml.");
            }
            if let Some(text) = structured(output, &listing.dependencies)? {
                print!("{text}");
                return Ok(());
            }
            if listing.dependencies.is_empty() {
                println!(
                    "WARNING: no dependencies at {}",
                    chart.join("charts").display()
                );
                return Ok(());
            }
            let rows: Vec<Vec<String>> = listing
                .dependencies
                .iter()
                .map(|d| {
                    vec![
                        d.name.clone(),
                        d.version.clone(),
                        d.repository.clone(),
                        d.status.clone(),
                    ]
                })
                .collect();
            print!(
                "{}",
                table(&["NAME", "VERSION", "REPOSITORY", "STATUS"], &rows)
            );
            Ok(())
        }
    }
}
