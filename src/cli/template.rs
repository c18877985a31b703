//! `rudder template [NAME] CHART`.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::{ArgMatches, Args};

use super::chart_ref::ChartRefArgs;
use super::values_flags::ValuesArgs;
use crate::action::names::{generate_name, validate_release_name};
use crate::action::render::{RenderRequest, locate_chart};
use crate::action::template::{
    TemplateOutput, TemplateRequest, run as render_template, write_output_dir,
};
use crate::engine::{Capabilities, ReleaseInfo};

/// Render chart templates locally and print the manifests.
///
/// With one positional argument it is the chart and the release is named `release-name`.
#[derive(Debug, Args)]
#[command(disable_version_flag = true)]
pub struct TemplateArgs {
    /// `[NAME] CHART`: the release name (optional) and the chart (directory, .tgz, REPO/NAME or
    /// an http(s) URL).
    #[arg(value_name = "NAME|CHART", num_args = 1..=2, required = true)]
    pub args: Vec<String>,
    #[command(flatten)]
    pub values: ValuesArgs,
    #[command(flatten)]
    pub source: ChartRefArgs,
    /// Kubernetes version used for Capabilities.KubeVersion and kubeVersion checks.
    #[arg(long, value_name = "VERSION")]
    pub kube_version: Option<String>,
    /// Extra API versions for Capabilities.APIVersions (repeatable).
    #[arg(short = 'a', long = "api-versions", value_name = "GROUP/VERSION")]
    pub api_versions: Vec<String>,
    /// Include CRDs (from crds/) in the output.
    #[arg(long)]
    pub include_crds: bool,
    /// Only show manifests rendered from the given templates (repeatable; globs allowed).
    #[arg(short = 's', long = "show-only", value_name = "PATH")]
    pub show_only: Vec<String>,
    /// Write each template's output to files in this directory instead of stdout.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Leave test hooks out of the output.
    #[arg(long)]
    pub skip_tests: bool,
    /// Set Release.IsUpgrade instead of Release.IsInstall.
    #[arg(long)]
    pub is_upgrade: bool,
    /// Generate the release name (chart name + timestamp).
    #[arg(short = 'g', long)]
    pub generate_name: bool,
    /// A Tera template used to name the release.
    #[arg(long, value_name = "TEMPLATE")]
    pub name_template: Option<String>,
}

pub fn run(
    args: TemplateArgs,
    namespace: Option<String>,
    matches: &ArgMatches,
) -> anyhow::Result<()> {
    let (name, chart) = match args.args.as_slice() {
        [chart] => (None, chart.clone()),
        [name, chart] => (Some(name.clone()), chart.clone()),
        _ => unreachable!("clap enforces 1..=2 arguments"),
    };
    let chart = locate_chart(&chart, &args.source.to_options())?;
    let name = match (name, args.generate_name, &args.name_template) {
        (Some(n), _, _) => n,
        (None, _, Some(t)) => {
            let ctx = tera::Context::new();
            let rendered = tera::Tera::one_off(t, &ctx, false).map_err(|e| {
                anyhow::anyhow!(
                    "--name-template: {}",
                    e.to_string().lines().next().unwrap_or_default()
                )
            })?;
            rendered.trim().to_string()
        }
        (None, true, None) => {
            let chart_name = crate::chart::load(&chart)
                .map(|c| c.name().to_string())
                .unwrap_or_else(|_| "chart".into());
            generate_name(&chart_name)
        }
        (None, false, None) => "release-name".to_string(),
    };
    validate_release_name(&name)?;
    let capabilities = Capabilities::with(args.kube_version.as_deref(), &args.api_versions)
        .map_err(|e| anyhow::anyhow!("--kube-version: {e}"))?;
    let req = TemplateRequest {
        render: RenderRequest {
            chart,
            values: args.values.to_options(matches),
            release: ReleaseInfo {
                name,
                namespace: namespace.unwrap_or_else(|| "default".into()),
                revision: 1,
                is_install: !args.is_upgrade,
                is_upgrade: args.is_upgrade,
            },
            capabilities,
            lookup: None,
        },
        include_crds: args.include_crds,
        skip_tests: args.skip_tests,
        show_only: args.show_only,
    };
    let output = render_template(&req, &mut std::io::stdin().lock())?;
    match &args.output_dir {
        Some(dir) => {
            for path in write_output_dir(&output, dir)
                .with_context(|| format!("writing to {}", dir.display()))?
            {
                println!("wrote {}", path.display());
            }
        }
        None => write_stream(&output).context("writing to standard output")?,
    }
    // Freeing the render (hundreds of thousands of small allocations for a large chart) costs
    // more than the rest of the exit; the process ends now and the OS reclaims it at once.
    std::mem::forget(output);
    Ok(())
}

/// Writes the documents as [`TemplateOutput::to_yaml_stream`] does, straight to a buffered,
/// locked standard output (no copy of the whole stream in memory).
fn write_stream(output: &TemplateOutput) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    for d in &output.documents {
        out.write_all(b"---\n# Source: ")?;
        out.write_all(d.source.as_bytes())?;
        out.write_all(b"\n")?;
        out.write_all(d.content.as_bytes())?;
        out.write_all(b"\n")?;
    }
    out.flush()
}
