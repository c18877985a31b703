//! `rudder dependency list|update|build CHART`.

use std::path::PathBuf;

use clap::Subcommand;

use super::output::{OutputFormat, structured, table};
use crate::action::dependency;
use crate::action::dependency_update::{self, DependencyReport, DependencyRequest};
use crate::repo::RepoPaths;

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
    /// Resolve Chart.yaml's dependencies, vendor them into charts/ and write Chart.lock.
    #[command(visible_alias = "up")]
    Update(UpdateArgs),
    /// Rebuild charts/ from Chart.lock (an update when there is no lock).
    Build(UpdateArgs),
}

/// Flags of `dependency update` and `dependency build`.
#[derive(Debug, clap::Args)]
pub struct UpdateArgs {
    /// The chart directory.
    #[arg(default_value = ".")]
    chart: PathBuf,
    /// Do not refresh the cached repository indexes first.
    #[arg(long)]
    skip_refresh: bool,
}

impl UpdateArgs {
    fn request(&self) -> anyhow::Result<DependencyRequest> {
        Ok(DependencyRequest {
            chart_dir: self.chart.clone(),
            skip_refresh: self.skip_refresh,
            paths: RepoPaths::from_env(),
            source_date_epoch: crate::chart::source_date_epoch()?,
        })
    }
}

/// Prints what an update/build did, as Helm words it, on stderr (stdout stays for data).
fn report(r: &DependencyReport) {
    if r.ran_update {
        eprintln!(
            "No Chart.lock found: resolving the dependencies of Chart.yaml (as `dependency update`)."
        );
    }
    for name in &r.refreshed {
        eprintln!("...Successfully got an update from the {name:?} chart repository");
    }
    for name in &r.local {
        eprintln!(
            "Dependency {name} did not declare a repository. Assuming it exists in the charts directory"
        );
    }
    eprintln!("Saving {} charts", r.saved.len());
    for path in &r.deleted {
        eprintln!("Deleting outdated chart {}", path.display());
    }
    if r.lock_written {
        eprintln!("Wrote Chart.lock");
    }
}

/// Runs a `dependency` subcommand.
pub fn run(cmd: DependencyCommand) -> anyhow::Result<()> {
    match cmd {
        DependencyCommand::Update(args) => {
            let r = dependency_update::update(&args.request()?)?;
            if r.saved.is_empty() && r.local.is_empty() {
                eprintln!(
                    "No dependencies found in {}",
                    args.chart.join("Chart.yaml").display()
                );
            } else {
                report(&r);
            }
            Ok(())
        }
        DependencyCommand::Build(args) => {
            report(&dependency_update::build(&args.request()?)?);
            Ok(())
        }
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
