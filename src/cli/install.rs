//! `rudder install`, `rudder upgrade` and `rudder rollback`: flags in, a release out, printed as
//! Helm prints it (the status block, `-o json|yaml`, and with `--dry-run` the hooks and manifest).

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Context as _;
use clap::{ArgMatches, Args};

use super::chart_ref::ChartRefArgs;
use super::output::OutputFormat;
use super::values_flags::ValuesArgs;
use crate::action::connection::{ConnectOptions, connect};
use crate::action::deploy::{DEFAULT_TIMEOUT, DeployOptions, DryRun};
use crate::action::install::{InstallRequest, install};
use crate::action::render::locate_chart;
use crate::action::rollback::{RollbackRequest, rollback};
use crate::action::upgrade::{UpgradeRequest, ValuesMode, upgrade};
use crate::release::Release;
use crate::storage::DEFAULT_HISTORY_MAX;

/// Flags every deploying verb shares.
#[derive(Debug, Clone, Args)]
pub struct DeployArgs {
    /// Simulate: `client` (default when given bare) renders only; `server` also has the API
    /// server validate every object; nothing is stored either way.
    #[arg(long, value_name = "MODE", num_args = 0..=1, require_equals = true,
          default_missing_value = "client")]
    pub dry_run: Option<String>,
    /// Take over fields another field manager owns (server-side apply conflicts).
    #[arg(long)]
    pub force_conflicts: bool,
    /// Adopt existing objects even if another release, or nobody, owns them (taking over their
    /// fields too).
    #[arg(long)]
    pub take_ownership: bool,
    /// How long to wait for each cluster operation (CRDs Established, each hook, --wait): 300s,
    /// 5m, 1h2m3s.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
    /// Wait until the release's resources are ready (Deployments available, Pods ready, PVCs
    /// bound...), at most --timeout; a resource that fails ends the wait at once. Helm 4's
    /// strategies are accepted: `watcher` (the default) and `legacy` wait, `hookOnly` does not.
    #[arg(long, value_name = "STRATEGY", num_args = 0..=1, require_equals = true,
          default_missing_value = "watcher", value_parser = parse_wait)]
    pub wait: Option<bool>,
    /// With --wait: also wait until the release's Jobs have completed.
    #[arg(long)]
    pub wait_for_jobs: bool,
    /// The output format.
    #[arg(short = 'o', long, value_enum, default_value_t = OutputFormat::Table)]
    pub output: OutputFormat,
    /// Do not run the chart's hooks (pre-/post-install, -upgrade, -rollback).
    #[arg(long)]
    pub no_hooks: bool,
}

impl DeployArgs {
    fn options(&self) -> anyhow::Result<DeployOptions> {
        let dry_run = match &self.dry_run {
            None => DryRun::None,
            Some(mode) => DryRun::parse(mode).map_err(anyhow::Error::msg)?,
        };
        Ok(DeployOptions {
            force_conflicts: self.force_conflicts,
            take_ownership: self.take_ownership,
            dry_run,
            timeout: self.timeout.unwrap_or(DEFAULT_TIMEOUT),
            no_hooks: self.no_hooks,
            wait: self.wait.unwrap_or(false),
            wait_for_jobs: self.wait_for_jobs,
            progress: super::progress::sink(),
            ..DeployOptions::default()
        })
    }
}

/// `--upgrade-crds` and `--force-upgrade-crds` (install and upgrade).
#[derive(Debug, Clone, Args)]
pub struct CrdArgs {
    /// Also apply the chart's CRDs (crds/) that changed (Helm only creates missing ones);
    /// refuses dropping a stored version or removing schema fields.
    #[arg(long)]
    pub upgrade_crds: bool,
    /// With --upgrade-crds: apply such unsafe CRD changes anyway.
    #[arg(long, requires = "upgrade_crds")]
    pub force_upgrade_crds: bool,
}

impl CrdArgs {
    fn set(&self, deploy: &mut DeployOptions) {
        deploy.upgrade_crds = self.upgrade_crds;
        deploy.force_upgrade_crds = self.force_upgrade_crds;
    }
}

/// Install a chart as a new release.
#[derive(Debug, Args)]
#[command(disable_version_flag = true)]
pub struct InstallArgs {
    /// `[NAME] CHART`: the release name (omitted with --generate-name) and the chart
    /// (directory, .tgz, REPO/NAME or an http(s) URL).
    #[arg(value_name = "NAME|CHART", num_args = 1..=2, required = true)]
    pub args: Vec<String>,
    #[command(flatten)]
    pub values: ValuesArgs,
    #[command(flatten)]
    pub source: ChartRefArgs,
    #[command(flatten)]
    pub deploy: DeployArgs,
    /// Generate the release name (chart name + timestamp).
    #[arg(short = 'g', long)]
    pub generate_name: bool,
    /// Create the release namespace if it does not exist.
    #[arg(long)]
    pub create_namespace: bool,
    /// A custom description of the release.
    #[arg(long)]
    pub description: Option<String>,
    /// Labels on the release record (k=v,k2=v2; repeatable).
    #[arg(long, value_name = "K=V,...")]
    pub labels: Vec<String>,
    /// Do not install the chart's CRDs (crds/).
    #[arg(long)]
    pub skip_crds: bool,
    /// On failure, delete every object this operation created and remove the release record
    /// (an upgrade: roll back to the last successful revision). Implies waiting for readiness.
    #[arg(long, visible_alias = "atomic")]
    pub rollback_on_failure: bool,
    #[command(flatten)]
    pub crds: CrdArgs,
}

/// `rudder install`.
pub fn run_install(
    connect_opts: &ConnectOptions,
    args: InstallArgs,
    matches: &ArgMatches,
) -> anyhow::Result<()> {
    let (name, chart) = match (args.args.as_slice(), args.generate_name) {
        ([chart], true) => (None, chart.clone()),
        ([name, chart], _) => (Some(name.clone()), chart.clone()),
        ([_], false) => anyhow::bail!("must either provide a release name or --generate-name"),
        _ => anyhow::bail!("expected NAME CHART"),
    };
    let mut deploy = args.deploy.options()?;
    deploy.create_namespace = args.create_namespace;
    deploy.skip_crds = args.skip_crds;
    deploy.rollback_on_failure = args.rollback_on_failure;
    deploy.wait |= args.rollback_on_failure;
    args.crds.set(&mut deploy);
    let chart = locate_chart(&chart, &args.source.to_options())?;
    let req = InstallRequest {
        name,
        generate_name: args.generate_name,
        chart,
        values: args.values.to_options(matches),
        description: args.description.clone(),
        labels: parse_labels(&args.labels)?,
        deploy,
    };
    let conn = connect(connect_opts)?;
    let release =
        install(&conn, &req, &mut std::io::stdin().lock()).context("INSTALLATION FAILED")?;
    print_release(&release, args.deploy.output, req.deploy.dry_run.is_dry())
}

/// Upgrade a release to a new chart or new values.
#[derive(Debug, Args)]
#[command(disable_version_flag = true)]
pub struct UpgradeArgs {
    /// The release name.
    pub name: String,
    /// The chart (directory, .tgz, REPO/NAME or an http(s) URL).
    pub chart: String,
    #[command(flatten)]
    pub values: ValuesArgs,
    #[command(flatten)]
    pub source: ChartRefArgs,
    #[command(flatten)]
    pub deploy: DeployArgs,
    /// Install the release if it does not exist.
    #[arg(short = 'i', long)]
    pub install: bool,
    /// Reuse the last release's values (and its chart's defaults), merging the given ones over.
    #[arg(long, conflicts_with_all = ["reset_values", "reset_then_reuse_values"])]
    pub reuse_values: bool,
    /// Reset the values to the chart's defaults plus the given ones.
    #[arg(long, conflicts_with = "reset_then_reuse_values")]
    pub reset_values: bool,
    /// Use the new chart's defaults, then the last release's values, then the given ones.
    #[arg(long)]
    pub reset_then_reuse_values: bool,
    /// Revisions kept per release (0: no limit).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_HISTORY_MAX)]
    pub history_max: usize,
    /// With --install: create the release namespace if it does not exist.
    #[arg(long)]
    pub create_namespace: bool,
    /// A custom description of the new revision.
    #[arg(long)]
    pub description: Option<String>,
    /// Labels on the release record, merged over the current ones (k=null removes k).
    #[arg(long, value_name = "K=V,...")]
    pub labels: Vec<String>,
    /// With --install: do not install the chart's CRDs (crds/).
    #[arg(long)]
    pub skip_crds: bool,
    #[command(flatten)]
    pub crds: CrdArgs,
    /// With --dry-run: print what would change (a diff per object) instead of the manifest.
    #[arg(long)]
    pub diff: bool,
    #[command(flatten)]
    pub diff_flags: super::diff::DiffFlags,
    /// First mark a revision left pending by a dead operation failed (as `rudder recover`).
    #[arg(long)]
    pub recover: bool,
    /// On failure, delete every object this operation created and roll back to the last
    /// successful revision (with --install on a new release: remove it). Implies waiting for readiness.
    #[arg(long, visible_alias = "atomic")]
    pub rollback_on_failure: bool,
    /// On failure, delete the objects this upgrade created (without rolling back).
    #[arg(long)]
    pub cleanup_on_fail: bool,
}

/// `rudder upgrade`.
pub fn run_upgrade(
    connect_opts: &ConnectOptions,
    args: UpgradeArgs,
    matches: &ArgMatches,
) -> anyhow::Result<()> {
    if args.diff {
        if args.deploy.dry_run.is_none() {
            anyhow::bail!(
                "--diff needs --dry-run (or use `rudder diff upgrade`): an upgrade prints no diff"
            );
        }
        return super::diff::run_upgrade_diff(connect_opts, &args, matches);
    }
    let req = upgrade_request(&args, matches)?;
    let conn = connect(connect_opts)?;
    let release = upgrade(&conn, &req, &mut std::io::stdin().lock()).context("UPGRADE FAILED")?;
    if args.deploy.output == OutputFormat::Table {
        if release.version == 1 {
            println!(
                "Release {:?} does not exist. Installing it now.",
                release.name
            );
        } else {
            println!(
                "Release {:?} has been upgraded. Happy Helming!",
                release.name
            );
        }
    }
    print_release(&release, args.deploy.output, req.deploy.dry_run.is_dry())
}

/// The upgrade `args` ask for (shared with `rudder diff upgrade`).
pub(super) fn upgrade_request(
    args: &UpgradeArgs,
    matches: &ArgMatches,
) -> anyhow::Result<UpgradeRequest> {
    let mut deploy = args.deploy.options()?;
    deploy.create_namespace = args.create_namespace;
    deploy.skip_crds = args.skip_crds;
    deploy.rollback_on_failure = args.rollback_on_failure;
    deploy.cleanup_on_fail = args.cleanup_on_fail;
    deploy.wait |= args.rollback_on_failure;
    args.crds.set(&mut deploy);
    let values_mode = if args.reuse_values {
        ValuesMode::Reuse
    } else if args.reset_values {
        ValuesMode::Reset
    } else if args.reset_then_reuse_values {
        ValuesMode::ResetThenReuse
    } else {
        ValuesMode::Default
    };
    let chart = locate_chart(&args.chart, &args.source.to_options())?;
    let req = UpgradeRequest {
        name: args.name.clone(),
        chart,
        values: args.values.to_options(matches),
        values_mode,
        install: args.install,
        history_max: args.history_max,
        description: args.description.clone(),
        labels: parse_labels(&args.labels)?,
        deploy,
        recover: args.recover,
    };
    Ok(req)
}

/// Roll a release back to a previous revision.
#[derive(Debug, Args)]
pub struct RollbackArgs {
    /// The release name.
    pub name: String,
    /// The revision to roll back to (default: the previous one).
    pub revision: Option<u64>,
    #[command(flatten)]
    pub deploy: DeployArgs,
    /// Revisions kept per release (0: no limit).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_HISTORY_MAX)]
    pub history_max: usize,
    /// First mark a revision left pending by a dead operation failed (as `rudder recover`).
    #[arg(long)]
    pub recover: bool,
}

/// `rudder rollback`.
pub fn run_rollback(connect_opts: &ConnectOptions, args: RollbackArgs) -> anyhow::Result<()> {
    let req = rollback_request(&args)?;
    let conn = connect(connect_opts)?;
    let release = rollback(&conn, &req).context("ROLLBACK FAILED")?;
    if args.deploy.output == OutputFormat::Table && !req.deploy.dry_run.is_dry() {
        println!("Rollback was a success! Happy Helming!");
    }
    print_release(&release, args.deploy.output, req.deploy.dry_run.is_dry())
}

/// The rollback `args` ask for (shared with `rudder diff rollback`).
pub(super) fn rollback_request(args: &RollbackArgs) -> anyhow::Result<RollbackRequest> {
    Ok(RollbackRequest {
        name: args.name.clone(),
        revision: args.revision,
        history_max: args.history_max,
        deploy: args.deploy.options()?,
        recover: args.recover,
    })
}

/// Prints a release as Helm does after a deploying verb.
fn print_release(release: &Release, format: OutputFormat, dry_run: bool) -> anyhow::Result<()> {
    let extra = if dry_run {
        dry_run_sections(release)
    } else {
        String::new()
    };
    print!(
        "{}",
        super::release_print::render_sections(release, format, "", &extra)?
    );
    Ok(())
}

/// `HOOKS:` and `MANIFEST:` as Helm prints them for a dry run.
fn dry_run_sections(release: &Release) -> String {
    let mut out = String::new();
    if !release.hooks.is_empty() {
        out.push_str("HOOKS:\n");
        for h in &release.hooks {
            out.push_str("---\n# Source: ");
            out.push_str(&h.path);
            out.push('\n');
            out.push_str(&h.manifest);
            out.push('\n');
        }
    }
    out.push_str("MANIFEST:\n");
    out.push_str(&release.manifest);
    out.push('\n');
    out
}

/// `--labels a=b,c=d` (repeatable) to a map; a value `null` removes the label on upgrade.
pub fn parse_labels(flags: &[String]) -> anyhow::Result<BTreeMap<String, String>> {
    let mut labels = BTreeMap::new();
    for flag in flags {
        for pair in flag.split(',').filter(|p| !p.trim().is_empty()) {
            let (k, v) = pair
                .split_once('=')
                .with_context(|| format!("--labels {pair:?}: expected KEY=VALUE"))?;
            let k = k.trim();
            if k.is_empty() {
                anyhow::bail!("--labels {pair:?}: empty key");
            }
            labels.insert(k.to_string(), v.trim().to_string());
        }
    }
    Ok(labels)
}

/// `--wait[=STRATEGY]` as Helm 4 spells it: whether resources are waited for.
pub fn parse_wait(text: &str) -> Result<bool, String> {
    match text {
        "watcher" | "legacy" | "true" => Ok(true),
        "hookOnly" | "false" => Ok(false),
        other => Err(format!(
            "invalid --wait value {other:?}: use watcher, legacy or hookOnly"
        )),
    }
}

/// Go's duration syntax as Helm's `--timeout` takes it (`300s`, `5m`, `1h2m3.5s`, `500ms`); a
/// bare number is seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    if let Ok(secs) = t.parse::<f64>() {
        return Duration::try_from_secs_f64(secs).map_err(|e| format!("{text:?}: {e}"));
    }
    let bad = || format!("invalid duration {text:?}: use e.g. 300s, 5m or 1h2m3s");
    let mut total = 0f64;
    let mut rest = t;
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(bad)?;
        let n: f64 = rest[..num_len].parse().map_err(|_| bad())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            _ => return Err(bad()),
        };
        total += n * scale;
        rest = &rest[unit_len..];
    }
    Duration::try_from_secs_f64(total).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_labels() {
        assert_eq!(parse_duration("300s").unwrap(), Duration::from_secs(300));
        assert_eq!(parse_duration("1h2m3s").unwrap(), Duration::from_secs(3723));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("7").unwrap(), Duration::from_secs(7));
        assert!(parse_duration("5x").is_err());
        assert!(parse_duration("").is_err());
        let l = parse_labels(&["a=1,b=2".into(), "c=".into()]).unwrap();
        assert_eq!(l.len(), 3);
        assert_eq!(l["c"], "");
        assert!(parse_labels(&["nope".into()]).is_err());
        assert_eq!(parse_wait("watcher"), Ok(true));
        assert_eq!(parse_wait("hookOnly"), Ok(false));
        assert!(parse_wait("soon").unwrap_err().contains("soon"));
    }
}
