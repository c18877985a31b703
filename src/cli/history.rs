//! `rudder history NAME`: a release's revisions as Helm prints them (table with ANSI-C dates,
//! or `-o json|yaml` with Helm's field names).

use clap::Args;
use serde::Serialize;

use super::list::{app_version, chart_name};
use super::output::{OutputFormat, structured, table};
use super::release_print::ansic;
use crate::action::connection::ConnectOptions;
use crate::action::history::{DEFAULT_MAX, HistoryRequest, history};
use crate::release::gotime;

/// Fetch release history.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The release name.
    #[arg(value_name = "RELEASE_NAME")]
    pub name: String,
    /// Maximum number of revisions to include (the newest).
    #[arg(long, default_value_t = DEFAULT_MAX, value_name = "N")]
    pub max: usize,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

/// One revision, with Helm's JSON field names.
#[derive(Debug, Serialize)]
struct Row {
    revision: u64,
    updated: String,
    status: String,
    chart: String,
    app_version: String,
    description: String,
}

/// Runs `history`.
pub fn run(args: HistoryArgs, connect: ConnectOptions) -> anyhow::Result<()> {
    let revisions = history(&HistoryRequest {
        connect,
        name: args.name,
        max: args.max,
    })?;
    let rows: Vec<Row> = revisions
        .iter()
        .map(|r| Row {
            revision: r.version,
            updated: r
                .info
                .last_deployed
                .as_ref()
                .map_or_else(|| "0001-01-01T00:00:00Z".to_string(), gotime::format),
            status: r.info.status.as_str().to_string(),
            chart: chart_name(r),
            app_version: app_version(r),
            description: r.info.description.clone(),
        })
        .collect();
    let out = match structured(args.output, &rows)? {
        Some(text) => text,
        None => {
            let cells: Vec<Vec<String>> = revisions
                .iter()
                .zip(rows)
                .map(|(r, row)| {
                    let updated = r
                        .info
                        .last_deployed
                        .as_ref()
                        .map_or_else(|| "Mon Jan  1 00:00:00 0001".to_string(), ansic);
                    vec![
                        row.revision.to_string(),
                        updated,
                        row.status,
                        row.chart,
                        row.app_version,
                        row.description,
                    ]
                })
                .collect();
            table(
                &[
                    "REVISION",
                    "UPDATED",
                    "STATUS",
                    "CHART",
                    "APP VERSION",
                    "DESCRIPTION",
                ],
                &cells,
            )
        }
    };
    print!("{out}");
    Ok(())
}
