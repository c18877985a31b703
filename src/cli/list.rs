//! `rudder list`: releases as Helm's `list` prints them (table, `--short`, `-o json|yaml` with
//! Helm's field names); objects that fail to decode are named in a warning on stderr.

use clap::Args;
use serde::Serialize;

use super::go_time::{go_format, go_time};
use super::output::{OutputFormat, structured, table};
use crate::action::connection::ConnectOptions;
use crate::action::list::{ListRequest, SortBy, StateFilter, list};
use crate::release::Release;

/// List releases.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// List releases across all namespaces.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,
    /// Show all releases without any state filter applied.
    #[arg(short = 'a', long)]
    pub all: bool,
    /// Show deployed releases (the default, with --failed, when no state flag is given).
    #[arg(long)]
    pub deployed: bool,
    /// Show failed releases.
    #[arg(long)]
    pub failed: bool,
    /// Show pending releases (pending-install, pending-upgrade, pending-rollback).
    #[arg(long)]
    pub pending: bool,
    /// Show superseded releases.
    #[arg(long)]
    pub superseded: bool,
    /// Show uninstalled releases (kept with `uninstall --keep-history`).
    #[arg(long)]
    pub uninstalled: bool,
    /// Show releases that are being uninstalled.
    #[arg(long)]
    pub uninstalling: bool,
    /// A regular expression; only releases whose name matches are listed.
    #[arg(short = 'f', long, value_name = "REGEX")]
    pub filter: Option<String>,
    /// A label query on the releases (`k=v`, `k==v`, `k!=v`, comma-separated).
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,
    /// Print release names only.
    #[arg(short = 'q', long)]
    pub short: bool,
    /// Sort by release date (newest first).
    #[arg(short = 'd', long)]
    pub date: bool,
    /// Reverse the sort order.
    #[arg(short = 'r', long)]
    pub reverse: bool,
    /// Maximum number of releases to list (0: no limit).
    #[arg(short = 'm', long, default_value_t = 256, value_name = "N")]
    pub max: usize,
    /// Skip this many releases first.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub offset: usize,
    /// Do not print the header row of the table.
    #[arg(long)]
    pub no_headers: bool,
    /// Format UPDATED with a Go time layout, e.g. "2006-01-02 15:04:05Z0700".
    #[arg(long, value_name = "LAYOUT")]
    pub time_format: Option<String>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

/// One row of `list`, with Helm's JSON field names (`revision` is a string, as in Helm).
#[derive(Debug, Serialize)]
struct Row {
    name: String,
    namespace: String,
    revision: String,
    updated: String,
    status: String,
    chart: String,
    app_version: String,
}

/// `NAME-VERSION` of the release's chart, or `MISSING` (Helm's `formatChartName`).
pub fn chart_name(release: &Release) -> String {
    match &release.chart {
        Some(c) => format!("{}-{}", c.metadata.name, c.metadata.version),
        None => "MISSING".into(),
    }
}

/// The chart's appVersion, or `MISSING` when the release has no chart.
pub fn app_version(release: &Release) -> String {
    match &release.chart {
        Some(c) => c.metadata.app_version.clone().unwrap_or_default(),
        None => "MISSING".into(),
    }
}

fn row(r: &Release, time_format: Option<&str>) -> Row {
    Row {
        name: r.name.clone(),
        namespace: r.namespace.clone(),
        revision: r.version.to_string(),
        updated: r.info.last_deployed.as_ref().map_or_else(
            || "-".to_string(),
            |t| match time_format {
                Some(layout) if !layout.is_empty() => go_format(t, layout),
                _ => go_time(t),
            },
        ),
        status: r.info.status.as_str().to_string(),
        chart: chart_name(r),
        app_version: app_version(r),
    }
}

/// Runs `list`.
pub fn run(args: ListArgs, connect: ConnectOptions) -> anyhow::Result<()> {
    let req = ListRequest {
        connect,
        all_namespaces: args.all_namespaces,
        states: StateFilter {
            all: args.all,
            deployed: args.deployed,
            failed: args.failed,
            pending: args.pending,
            superseded: args.superseded,
            uninstalled: args.uninstalled,
            uninstalling: args.uninstalling,
        },
        filter: args.filter,
        selector: args.selector,
        sort: if args.date {
            SortBy::Date
        } else {
            SortBy::Name
        },
        reverse: args.reverse,
        limit: args.max,
        offset: args.offset,
    };
    let result = list(&req)?;
    for e in &result.undecodable {
        eprintln!("WARNING: skipping a release that cannot be decoded: {e}");
    }
    let out = if args.short {
        let names: Vec<&str> = result.releases.iter().map(|r| r.name.as_str()).collect();
        match structured(args.output, &names)? {
            Some(text) => text,
            None => names.iter().map(|n| format!("{n}\n")).collect(),
        }
    } else {
        let layout = args.time_format.as_deref();
        let rows: Vec<Row> = result.releases.iter().map(|r| row(r, layout)).collect();
        match structured(args.output, &rows)? {
            Some(text) => text,
            None => {
                let cells: Vec<Vec<String>> = rows
                    .into_iter()
                    .map(|r| {
                        vec![
                            r.name,
                            r.namespace,
                            r.revision,
                            r.updated,
                            r.status,
                            r.chart,
                            r.app_version,
                        ]
                    })
                    .collect();
                const HEADERS: [&str; 7] = [
                    "NAME",
                    "NAMESPACE",
                    "REVISION",
                    "UPDATED",
                    "STATUS",
                    "CHART",
                    "APP VERSION",
                ];
                if args.no_headers {
                    // Columns sized by the rows alone; the blank header line is dropped.
                    let text = table(&[""; 7], &cells);
                    text.split_once('\n')
                        .map(|(_, rest)| rest.to_string())
                        .unwrap_or_default()
                } else {
                    table(&HEADERS, &cells)
                }
            }
        }
    };
    print!("{out}");
    Ok(())
}
