//! `rudder package CHART... [-d DIR] [--version V] [--app-version V] [-u]`.

use crate::action::dependency_update::DependencyRequest;
use std::path::PathBuf;

use clap::Args;

use crate::action::package::{PackageRequest, run as package};

/// Package chart directories into versioned chart archives.
///
/// Each chart is loaded (honouring its .helmignore) and linted; a chart with lint errors or
/// missing subcharts is refused. The archive, NAME-VERSION.tgz, is reproducible: the same chart
/// always gives the same bytes (set SOURCE_DATE_EPOCH to choose the timestamp written into it).
#[derive(Debug, Args)]
pub struct PackageArgs {
    /// Chart directories to package.
    #[arg(value_name = "CHART", required = true)]
    pub charts: Vec<PathBuf>,
    /// Location to write the archives to (created if missing).
    #[arg(short = 'd', long, value_name = "DIR", default_value = ".")]
    pub destination: PathBuf,
    /// Set the chart's version to this SemVer version.
    #[arg(long, value_name = "VERSION")]
    pub version: Option<String>,
    /// Set the chart's appVersion.
    #[arg(long, value_name = "VERSION")]
    pub app_version: Option<String>,
    /// Update dependencies from Chart.yaml into charts/ before packaging (`dependency update`).
    #[arg(short = 'u', long)]
    pub dependency_update: bool,
}

/// Runs `rudder package`: one line per archive written, as Helm prints.
pub fn run(args: PackageArgs) -> anyhow::Result<()> {
    let req = PackageRequest {
        charts: args.charts,
        destination: args.destination,
        version: args.version,
        app_version: args.app_version,
        source_date_epoch: crate::chart::source_date_epoch()?,
    };
    if args.dependency_update {
        for chart in &req.charts {
            crate::action::dependency_update::update(&DependencyRequest {
                chart_dir: chart.clone(),
                skip_refresh: false,
                paths: crate::repo::RepoPaths::from_env(),
                source_date_epoch: req.source_date_epoch,
            })?;
        }
    }
    for path in package(&req)? {
        println!(
            "Successfully packaged chart and saved it to: {}",
            path.display()
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn flags_parse_beside_the_global_version_flag() {
        let cmd = super::super::Cli::command();
        cmd.clone().debug_assert();
        let m = cmd
            .try_get_matches_from([
                "rudder",
                "package",
                "c",
                "--version",
                "1.2.3",
                "-d",
                "out",
                "-u",
            ])
            .unwrap();
        let (_, sub) = m.subcommand().unwrap();
        assert_eq!(sub.get_one::<String>("version").unwrap(), "1.2.3");
        assert!(sub.get_flag("dependency_update"));
    }
}
