//! `rudder status NAME`: Helm's status block with a RESOURCES section (each object of the
//! manifest and what the cluster says of it), or the release record as JSON/YAML (without its
//! chart, as Helm's `status` strips it).

use clap::Args;

use super::output::{OutputFormat, table};
use super::release_print::render;
use crate::action::connection::ConnectOptions;
use crate::action::status::{ResourceState, StatusRequest, status};

/// Display the status of the named release.
#[derive(Debug, Args)]
pub struct StatusArgs {
    /// The release name.
    #[arg(value_name = "RELEASE_NAME")]
    pub name: String,
    /// Show this revision instead of the latest.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub revision: u64,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

/// The RESOURCES section: one row per object of the manifest.
pub fn resources_section(resources: &[ResourceState]) -> String {
    if resources.is_empty() {
        return String::new();
    }
    let rows: Vec<Vec<String>> = resources
        .iter()
        .map(|r| {
            vec![
                r.kind.clone(),
                r.name.clone(),
                r.namespace.clone(),
                r.state.clone(),
            ]
        })
        .collect();
    format!(
        "RESOURCES:\n{}\n",
        table(&["KIND", "NAME", "NAMESPACE", "STATUS"], &rows)
    )
}

/// Runs `status`.
pub fn run(args: StatusArgs, connect: ConnectOptions) -> anyhow::Result<()> {
    let table_output = args.output == OutputFormat::Table;
    let mut result = status(&StatusRequest {
        connect,
        name: args.name,
        revision: args.revision,
        resources: table_output,
    })?;
    result.release.chart = None;
    let extra = resources_section(&result.resources);
    print!("{}", render(&result.release, args.output, &extra)?);
    Ok(())
}
