//! `rudder lint [CHART...]`: prints each chart's findings as Helm does, then a summary; the
//! exit code is 1 when a chart fails (errors, or warnings with `--strict`).

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{ArgMatches, Args};
use serde::Serialize;

use super::output::{OutputFormat, structured};
use super::values_flags::ValuesArgs;
use crate::action::lint::{LintMessage, LintReport, LintRequest, Severity, run as lint};

/// Examine charts for possible issues.
///
/// Runs a series of tests on each chart: [ERROR] messages for what will fail to install,
/// [WARNING] for what breaks convention or will break on some clusters, [INFO] for advice.
#[derive(Debug, Args)]
pub struct LintArgs {
    /// Charts to lint: directories or .tgz archives (default: the current directory).
    #[arg(value_name = "CHART")]
    pub charts: Vec<String>,
    #[command(flatten)]
    pub values: ValuesArgs,
    /// Fail on lint warnings.
    #[arg(long)]
    pub strict: bool,
    /// Also lint the charts under each chart's charts/ directory.
    #[arg(long)]
    pub with_subcharts: bool,
    /// Print only warnings and errors.
    #[arg(long)]
    pub quiet: bool,
    /// Kubernetes version used for Capabilities and deprecation checks (e.g. 1.29).
    #[arg(long, value_name = "VERSION")]
    pub kube_version: Option<String>,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

/// A chart's report with its verdict, for `-o json|yaml`.
#[derive(Serialize)]
struct JsonReport<'a> {
    chart: &'a str,
    failed: bool,
    messages: &'a [LintMessage],
}

/// Runs `rudder lint`.
pub fn run(args: LintArgs, namespace: Option<String>, matches: &ArgMatches) -> anyhow::Result<()> {
    let charts = if args.charts.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.charts.iter().map(PathBuf::from).collect()
    };
    let req = LintRequest {
        charts,
        values: args.values.to_options(matches),
        namespace: namespace.unwrap_or_default(),
        kube_version: args.kube_version.clone(),
        with_subcharts: args.with_subcharts,
    };
    let reports = lint(&req, &mut std::io::stdin().lock())?;
    let failed = reports.iter().filter(|r| r.failed(args.strict)).count();
    let json: Vec<JsonReport> = reports
        .iter()
        .map(|r| JsonReport {
            chart: &r.chart,
            failed: r.failed(args.strict),
            messages: &r.messages,
        })
        .collect();
    match structured(args.output, &json)? {
        Some(text) => print!("{text}"),
        None => print!("{}", format_reports(&reports, args.quiet)),
    }
    let summary = format!(
        "{} chart(s) linted, {failed} chart(s) failed",
        reports.len()
    );
    if failed > 0 {
        anyhow::bail!(summary);
    }
    if args.output == OutputFormat::Table
        && (!args.quiet || reports.iter().any(LintReport::has_warnings_or_errors))
    {
        println!("{summary}");
    }
    Ok(())
}

/// Helm's text layout: `==> Linting CHART`, one line per finding, a blank line.
fn format_reports(reports: &[LintReport], quiet: bool) -> String {
    let mut out = String::new();
    for r in reports {
        if quiet && !r.has_warnings_or_errors() {
            continue;
        }
        let _ = writeln!(out, "==> Linting {}", r.chart);
        for m in &r.messages {
            if !quiet || m.severity > Severity::Info {
                let _ = writeln!(out, "{m}");
            }
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_helms_and_quiet_drops_info() {
        let msg = |severity, text: &str| LintMessage {
            severity,
            path: "Chart.yaml".into(),
            text: text.into(),
        };
        let reports = vec![
            LintReport {
                chart: "a".into(),
                messages: vec![msg(Severity::Info, "icon is recommended")],
            },
            LintReport {
                chart: "b".into(),
                messages: vec![
                    msg(Severity::Info, "icon is recommended"),
                    msg(Severity::Error, "version is required"),
                ],
            },
        ];
        assert_eq!(
            format_reports(&reports, false),
            "==> Linting a\n[INFO] Chart.yaml: icon is recommended\n\n==> Linting b\n[INFO] Chart.yaml: icon is recommended\n[ERROR] Chart.yaml: version is required\n\n"
        );
        assert_eq!(
            format_reports(&reports, true),
            "==> Linting b\n[ERROR] Chart.yaml: version is required\n\n"
        );
    }
}
