//! `rudder uninstall NAME...`: uninstall releases, printing what Helm prints (the objects kept
//! by their resource policy, then `release "NAME" uninstalled`).

use clap::{Args, ValueEnum};

use crate::action::connection::ConnectOptions;
use crate::action::uninstall::{Cascade, UninstallRequest, uninstall};

/// `--cascade`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum CascadeArg {
    /// Delete dependents in the background.
    #[default]
    Background,
    /// Leave dependents.
    Orphan,
    /// Delete dependents first.
    Foreground,
}

/// Uninstall releases.
#[derive(Debug, Args)]
pub struct UninstallArgs {
    /// The releases to uninstall.
    #[arg(value_name = "RELEASE_NAME", required = true)]
    pub names: Vec<String>,
    /// Keep the release history, the last revision marked `uninstalled`.
    #[arg(long)]
    pub keep_history: bool,
    /// Simulate: change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// How dependents of the deleted objects are deleted.
    #[arg(long, value_enum, default_value_t)]
    pub cascade: CascadeArg,
    /// A custom description for the uninstalled revision.
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,
    /// Treat a release that does not exist as uninstalled.
    #[arg(long)]
    pub ignore_not_found: bool,
    /// Run no pre-/post-delete hooks (and leave the hooks' resources alone).
    #[arg(long)]
    pub no_hooks: bool,
    /// Wait until every deleted object is gone, at most --timeout (Helm 4's strategies are
    /// accepted: `watcher` and `legacy` wait, `hookOnly` does not).
    #[arg(long, value_name = "STRATEGY", num_args = 0..=1, require_equals = true,
          default_missing_value = "watcher", value_parser = super::install::parse_wait)]
    pub wait: Option<bool>,
    /// How long each hook may take and --wait waits: 300s, 5m, 1h2m3s.
    #[arg(long, value_name = "DURATION", value_parser = super::install::parse_duration)]
    pub timeout: Option<std::time::Duration>,
}

/// Runs `uninstall`, one release after the other (stopping at the first failure, as Helm).
pub fn run(args: UninstallArgs, connect: ConnectOptions) -> anyhow::Result<()> {
    let cascade = match args.cascade {
        CascadeArg::Background => Cascade::Background,
        CascadeArg::Orphan => Cascade::Orphan,
        CascadeArg::Foreground => Cascade::Foreground,
    };
    for name in args.names {
        let result = uninstall(&UninstallRequest {
            connect: connect.clone(),
            name: name.clone(),
            keep_history: args.keep_history,
            dry_run: args.dry_run,
            cascade,
            description: args.description.clone(),
            ignore_not_found: args.ignore_not_found,
            no_hooks: args.no_hooks,
            wait: args.wait.unwrap_or(false),
            timeout: args.timeout,
            progress: super::progress::sink(),
        })?;
        if !result.kept.is_empty() {
            println!("These resources were kept due to the resource policy:");
            for k in &result.kept {
                println!("{k}");
            }
            println!();
        }
        if !result.already_gone.is_empty() {
            println!("These resources were already gone (deleted outside the release):");
            for id in &result.already_gone {
                println!("[{}] {}", id.kind, id.name);
            }
            println!();
        }
        println!("release \"{name}\" uninstalled");
    }
    Ok(())
}
