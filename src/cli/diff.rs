//! `rudder diff upgrade|rollback` and `rudder upgrade --dry-run --diff`: the plan the action
//! computes, printed as a unified diff per object under a helm-diff style header
//! (`default, web-config, ConfigMap (v1) has changed:`), coloured on a terminal unless
//! `--no-color` or `NO_COLOR`; `-o json|yaml` lists {kind, name, namespace, change, diff}.
//! `--detailed-exitcode` makes a plan with changes exit 2 (see [`ChangesFound`]).

use std::io::IsTerminal as _;

use anyhow::Context as _;
use clap::{ArgMatches, Args, Subcommand};
use serde::Serialize;
use similar::{ChangeTag, TextDiff};

use super::install::{RollbackArgs, UpgradeArgs, rollback_request, upgrade_request};
use super::output::OutputFormat;
use crate::action::connection::{ConnectOptions, connect};
use crate::action::diff::{Change, DiffOptions, ObjectDiff, Plan, diff_rollback, diff_upgrade};

/// Flags of every diffing command.
#[derive(Debug, Clone, Args)]
pub struct DiffFlags {
    /// Diff against the live objects (server-side dry-run apply) instead of the release's
    /// stored manifest.
    #[arg(long)]
    pub live: bool,
    /// Show Secret values (masked by default).
    #[arg(long)]
    pub show_secrets: bool,
    /// No colour even on a terminal (NO_COLOR does the same).
    #[arg(long)]
    pub no_color: bool,
    /// Exit 2 when there are changes (0 when none, 1 on error).
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Lines of context around each change.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub context: usize,
}

impl DiffFlags {
    fn options(&self) -> DiffOptions {
        DiffOptions {
            live: self.live,
            show_secrets: self.show_secrets,
        }
    }
}

/// `rudder diff`.
#[derive(Debug, Subcommand)]
pub enum DiffCommand {
    /// Show what `rudder upgrade NAME CHART` with the same flags would change.
    Upgrade(Box<UpgradeArgs>),
    /// Show what `rudder rollback NAME [REVISION]` would change.
    Rollback(DiffRollbackArgs),
}

/// `rudder diff rollback`.
#[derive(Debug, Args)]
pub struct DiffRollbackArgs {
    #[command(flatten)]
    rollback: RollbackArgs,
    #[command(flatten)]
    flags: DiffFlags,
}

/// A diff found changes and `--detailed-exitcode` was given: the process exits 2, printing
/// nothing more.
#[derive(Debug, thiserror::Error)]
#[error("changes found")]
pub struct ChangesFound;

/// Runs `rudder diff ...`; `matches` are the verb's own (for the order of `--set` flags).
pub fn run(
    cmd: DiffCommand,
    connect_opts: &ConnectOptions,
    matches: Option<&ArgMatches>,
) -> anyhow::Result<()> {
    match cmd {
        DiffCommand::Upgrade(args) => {
            let matches = matches.context("internal: no matches for diff upgrade")?;
            run_upgrade_diff(connect_opts, &args, matches)
        }
        DiffCommand::Rollback(args) => {
            let req = rollback_request(&args.rollback)?;
            let conn = connect(connect_opts)?;
            let plan = diff_rollback(&conn, &req, &args.flags.options()).context("DIFF FAILED")?;
            print_plan(&plan, args.rollback.deploy.output, &args.flags)
        }
    }
}

/// The diff of an upgrade (`rudder diff upgrade`, `rudder upgrade --dry-run --diff`).
pub fn run_upgrade_diff(
    connect_opts: &ConnectOptions,
    args: &UpgradeArgs,
    matches: &ArgMatches,
) -> anyhow::Result<()> {
    let req = upgrade_request(args, matches)?;
    let conn = connect(connect_opts)?;
    let plan = diff_upgrade(
        &conn,
        &req,
        &args.diff_flags.options(),
        &mut std::io::stdin().lock(),
    )
    .context("DIFF FAILED")?;
    print_plan(&plan, args.deploy.output, &args.diff_flags)
}

/// Prints `plan` in `format`; with `--detailed-exitcode` and changes, [`ChangesFound`].
fn print_plan(plan: &Plan, format: OutputFormat, flags: &DiffFlags) -> anyhow::Result<()> {
    let changed: Vec<&ObjectDiff> = plan
        .objects
        .iter()
        .filter(|o| o.change != Change::Unchanged)
        .collect();
    let text = match format {
        OutputFormat::Table => {
            let color = use_color(flags.no_color);
            changed
                .iter()
                .map(|o| render_object(o, flags.context, color))
                .collect::<String>()
        }
        _ => {
            let rows: Vec<JsonRow> = changed
                .iter()
                .map(|o| JsonRow {
                    kind: &o.kind,
                    api_version: &o.api_version,
                    name: &o.name,
                    namespace: &o.namespace,
                    change: o.change,
                    hook: o.hook.as_deref(),
                    diff: unified(o, flags.context, false),
                })
                .collect();
            super::output::structured(format, &rows)?.unwrap_or_default()
        }
    };
    print!("{text}");
    if flags.detailed_exitcode && plan.has_changes() {
        return Err(ChangesFound.into());
    }
    Ok(())
}

/// One object in `-o json|yaml`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonRow<'a> {
    kind: &'a str,
    api_version: &'a str,
    name: &'a str,
    namespace: &'a str,
    change: Change,
    #[serde(skip_serializing_if = "Option::is_none")]
    hook: Option<&'a str>,
    diff: String,
}

/// Colour only on a terminal, and not with `--no-color` or a non-empty `NO_COLOR`.
fn use_color(no_color: bool) -> bool {
    color_wanted(
        no_color,
        std::env::var_os("NO_COLOR").as_deref(),
        std::io::stdout().is_terminal(),
    )
}

/// The colour decision from its inputs: `--no-color`, `NO_COLOR` (set and not empty turns
/// colour off, as no-color.org says) and whether stdout is a terminal.
fn color_wanted(no_color: bool, no_color_env: Option<&std::ffi::OsStr>, terminal: bool) -> bool {
    let env_off = no_color_env.is_some_and(|v| !v.is_empty());
    !no_color && !env_off && terminal
}

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const YELLOW: &str = "\x1b[33m";
const RESET: &str = "\x1b[0m";

/// The header and unified diff of one object.
fn render_object(o: &ObjectDiff, context: usize, color: bool) -> String {
    let what = match o.change {
        Change::Added => "has been added",
        Change::Removed => "has been removed",
        Change::Changed | Change::Unchanged => "has changed",
    };
    let hook = o
        .hook
        .as_ref()
        .map(|events| format!(" [hook {events}]"))
        .unwrap_or_default();
    let header = format!(
        "{}, {}, {} ({}){hook} {what}:",
        o.namespace, o.name, o.kind, o.api_version
    );
    let mut out = paint(&header, YELLOW, color);
    out.push('\n');
    out.push_str(&unified(o, context, color));
    out.push('\n');
    out
}

/// The unified diff of `o`'s two sides (`@@` hunks, `-`/`+`/` ` lines).
fn unified(o: &ObjectDiff, context: usize, color: bool) -> String {
    let diff = TextDiff::from_lines(&o.old, &o.new);
    let mut out = String::new();
    for hunk in diff.unified_diff().context_radius(context).iter_hunks() {
        out.push_str(&paint(&hunk.header().to_string(), CYAN, color));
        out.push('\n');
        for change in hunk.iter_changes() {
            let (sign, colour) = match change.tag() {
                ChangeTag::Delete => ('-', Some(RED)),
                ChangeTag::Insert => ('+', Some(GREEN)),
                ChangeTag::Equal => (' ', None),
            };
            let line = format!("{sign}{}", change.value().trim_end_matches('\n'));
            match colour {
                Some(c) => out.push_str(&paint(&line, c, color)),
                None => out.push_str(&line),
            }
            out.push('\n');
        }
    }
    out
}

fn paint(text: &str, colour: &str, on: bool) -> String {
    if on {
        format!("{colour}{text}{RESET}")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(change: Change, old: &str, new: &str) -> ObjectDiff {
        ObjectDiff {
            api_version: "v1".into(),
            kind: "ConfigMap".into(),
            namespace: "default".into(),
            name: "web-config".into(),
            change,
            old: old.into(),
            new: new.into(),
            hook: None,
        }
    }

    #[test]
    fn colour_only_on_a_terminal_without_opt_outs() {
        use std::ffi::OsStr;
        assert!(color_wanted(false, None, true));
        assert!(color_wanted(false, Some(OsStr::new("")), true));
        assert!(!color_wanted(false, None, false));
        assert!(!color_wanted(true, None, true));
        assert!(!color_wanted(false, Some(OsStr::new("1")), true));
    }

    #[test]
    fn header_and_hunks_with_and_without_colour() {
        let o = object(Change::Changed, "a: 1\nb: 2\nc: 3\n", "a: 1\nb: 9\nc: 3\n");
        let plain = render_object(&o, 3, false);
        assert_eq!(
            plain,
            "default, web-config, ConfigMap (v1) has changed:\n@@ -1,3 +1,3 @@\n a: 1\n-b: 2\n+b: 9\n c: 3\n\n"
        );
        let coloured = render_object(&o, 0, true);
        assert!(
            coloured.contains(&format!("{RED}-b: 2{RESET}")),
            "{coloured}"
        );
        assert!(coloured.contains(&format!("{GREEN}+b: 9{RESET}")));
        assert!(!coloured.contains(" a: 1"), "context 0: {coloured}");
        let added = render_object(&object(Change::Added, "", "x: 1\n"), 3, false);
        assert!(added.starts_with("default, web-config, ConfigMap (v1) has been added:\n"));
        assert!(added.contains("+x: 1\n"));
    }
}
