//! `rudder create NAME [--starter DIR]`.

use std::path::PathBuf;

use clap::Args;

use crate::action::create::{CreateRequest, run as create};

/// Create a new chart with the given name.
///
/// Scaffolds NAME/ with Chart.yaml, values.yaml (and its schema), .helmignore and templates in
/// rudder's chart language: a Deployment, Service, ServiceAccount, an Ingress, HTTPRoute and
/// HorizontalPodAutoscaler (off by default), NOTES.txt and a connection test. NAME may be a
/// path; its last component is the chart name.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Chart name (and directory).
    #[arg(value_name = "NAME")]
    pub name: PathBuf,
    /// A chart directory to start from instead of the built-in scaffold (`<CHARTNAME>` in its
    /// files is replaced by the name).
    #[arg(short = 'p', long, value_name = "DIR")]
    pub starter: Option<PathBuf>,
}

/// Runs `rudder create`.
pub fn run(args: CreateArgs) -> anyhow::Result<()> {
    let created = create(&CreateRequest {
        path: args.name,
        starter: args.starter,
    })?;
    println!("Creating {}", created.dir.display());
    Ok(())
}
