//! `rudder get values|manifest|notes|hooks|metadata|all NAME`: the parts of a stored release,
//! printed as Helm's `get` subcommands print them.

use std::fmt::Write as _;

use clap::{Args, Subcommand};
use serde_json::Value;

use super::output::OutputFormat;
use super::release_print::ansic;
use crate::action::connection::ConnectOptions;
use crate::action::get::{GetRequest, ReleaseMetadata, get, metadata, values};
use crate::chart::to_helm_yaml;
use crate::release::Release;

/// Download extended information of a named release.
#[derive(Debug, Subcommand)]
pub enum GetCommand {
    /// The values of a release (user-supplied, or computed with --all).
    Values(ValuesArgs),
    /// The rendered manifest of a release.
    Manifest(ReleaseArgs),
    /// The notes of a release.
    Notes(ReleaseArgs),
    /// The hooks of a release.
    Hooks(ReleaseArgs),
    /// The metadata of a release (chart, versions, status, deployment time).
    Metadata(MetadataArgs),
    /// Everything: status, values, hooks, manifest and notes.
    All(ReleaseArgs),
}

/// A release and revision.
#[derive(Debug, Args)]
pub struct ReleaseArgs {
    /// The release name.
    #[arg(value_name = "RELEASE_NAME")]
    pub name: String,
    /// Get this revision instead of the latest.
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub revision: u64,
}

/// `get values`.
#[derive(Debug, Args)]
pub struct ValuesArgs {
    #[command(flatten)]
    release: ReleaseArgs,
    /// Dump all (computed) values.
    #[arg(short = 'a', long)]
    all: bool,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t)]
    output: OutputFormat,
}

/// `get metadata`.
#[derive(Debug, Args)]
pub struct MetadataArgs {
    #[command(flatten)]
    release: ReleaseArgs,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t)]
    output: OutputFormat,
}

fn fetch(args: &ReleaseArgs, connect: ConnectOptions) -> anyhow::Result<Release> {
    Ok(get(&GetRequest {
        connect,
        name: args.name.clone(),
        revision: args.revision,
    })?)
}

/// Values as Helm's output encoders write a Go map: an empty user-supplied map is Go's nil
/// map (`null`).
fn values_value(release: &Release, all: bool) -> anyhow::Result<Value> {
    let vals = values(release, all)?;
    Ok(if vals.is_empty() && !all {
        Value::Null
    } else {
        Value::Object(vals)
    })
}

fn encode(format: OutputFormat, value: &Value) -> anyhow::Result<String> {
    Ok(match format {
        OutputFormat::Json => serde_json::to_string(value)? + "\n",
        OutputFormat::Yaml | OutputFormat::Table => to_helm_yaml(value),
    })
}

/// Runs a `get` subcommand.
pub fn run(cmd: GetCommand, connect: ConnectOptions) -> anyhow::Result<()> {
    let out = match cmd {
        GetCommand::Values(args) => {
            let release = fetch(&args.release, connect)?;
            let vals = values_value(&release, args.all)?;
            let body = encode(args.output, &vals)?;
            match args.output {
                OutputFormat::Table if args.all => format!("COMPUTED VALUES:\n{body}"),
                OutputFormat::Table => format!("USER-SUPPLIED VALUES:\n{body}"),
                _ => body,
            }
        }
        GetCommand::Manifest(args) => format!("{}\n", fetch(&args, connect)?.manifest),
        GetCommand::Notes(args) => {
            let notes = fetch(&args, connect)?.info.notes;
            if notes.is_empty() {
                String::new()
            } else {
                format!("NOTES:\n{notes}\n")
            }
        }
        GetCommand::Hooks(args) => hooks_text(&fetch(&args, connect)?),
        GetCommand::Metadata(args) => {
            let meta = metadata(&fetch(&args.release, connect)?);
            match args.output {
                OutputFormat::Table => metadata_text(&meta),
                OutputFormat::Json => serde_json::to_string(&meta)? + "\n",
                OutputFormat::Yaml => to_helm_yaml(&serde_json::to_value(&meta)?),
            }
        }
        GetCommand::All(args) => all_text(&fetch(&args, connect)?)?,
    };
    print!("{out}");
    Ok(())
}

fn hooks_text(release: &Release) -> String {
    release
        .hooks
        .iter()
        .map(|h| format!("---\n# Source: {}\n{}\n", h.path, h.manifest))
        .collect()
}

/// `k=v,k=v` with keys sorted (the form of Kubernetes' `labels.Set.String()`).
fn pairs(map: &std::collections::BTreeMap<String, String>) -> String {
    map.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn metadata_text(m: &ReleaseMetadata) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "NAME: {}", m.name);
    let _ = writeln!(out, "CHART: {}", m.chart);
    let _ = writeln!(out, "VERSION: {}", m.version);
    let _ = writeln!(out, "APP_VERSION: {}", m.app_version);
    let _ = writeln!(out, "ANNOTATIONS: {}", pairs(&m.annotations));
    let _ = writeln!(out, "LABELS: {}", pairs(&m.labels));
    let _ = writeln!(out, "DEPENDENCIES: {}", m.dependency_names());
    let _ = writeln!(out, "NAMESPACE: {}", m.namespace);
    let _ = writeln!(out, "REVISION: {}", m.revision);
    let _ = writeln!(out, "STATUS: {}", m.status);
    let _ = writeln!(out, "DEPLOYED_AT: {}", m.deployed_at);
    out
}

/// Helm's `get all`: the status block with chart details, both sets of values, hooks,
/// manifest and notes.
fn all_text(r: &Release) -> anyhow::Result<String> {
    let mut out = String::new();
    let _ = writeln!(out, "NAME: {}", r.name);
    if let Some(t) = &r.info.last_deployed {
        let _ = writeln!(out, "LAST DEPLOYED: {}", ansic(t));
    }
    let _ = writeln!(out, "NAMESPACE: {}", r.namespace);
    let _ = writeln!(out, "STATUS: {}", r.info.status);
    let _ = writeln!(out, "REVISION: {}", r.version);
    if let Some(c) = &r.chart {
        let _ = writeln!(out, "CHART: {}", c.metadata.name);
        let _ = writeln!(out, "VERSION: {}", c.metadata.version);
        let app = c.metadata.app_version.as_deref().unwrap_or_default();
        let _ = writeln!(out, "APP_VERSION: {app}");
    }
    let _ = writeln!(out, "DESCRIPTION: {}", r.info.description);
    out.push_str(&super::release_print::test_suite(r));
    let user = encode(OutputFormat::Yaml, &values_value(r, false)?)?;
    let _ = writeln!(out, "USER-SUPPLIED VALUES:\n{user}");
    let computed = encode(OutputFormat::Yaml, &values_value(r, true)?)?;
    let _ = writeln!(out, "COMPUTED VALUES:\n{computed}");
    let _ = writeln!(out, "HOOKS:");
    out.push_str(&hooks_text(r));
    let _ = writeln!(out, "MANIFEST:\n{}", r.manifest);
    let notes = r.info.notes.trim();
    if !notes.is_empty() {
        let _ = writeln!(out, "NOTES:\n{notes}");
    }
    Ok(out)
}
