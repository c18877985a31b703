//! `rudder lint`: examine charts for problems before they reach a cluster, with Helm's rules
//! (`pkg/lint`) and severities. Each chart gives a [`LintReport`]; printing is the CLI's job.
//!
//! Rules run in Helm's order: `Chart.yaml`, `values.yaml`, templates (the chart renders through
//! the shared pipeline with the given values, and each object is checked), dependencies, CRDs.

mod apis;
mod chartfile;
mod crds;
mod deps;
mod names;
mod objects;
mod source;
mod templates;
mod values;

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::ActionError;
use crate::chart::{self, ChartError};
use crate::engine::Capabilities;
use crate::values::{Values, options::ValueOptions};

pub use chartfile::invalid_chart_name;

/// How bad a finding is. Errors fail the lint; warnings fail it with `--strict`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing (a missing icon, a missing values.yaml).
    Info,
    /// Breaks a convention or will break on some clusters (deprecated APIs, odd names).
    Warning,
    /// Will not install or not work.
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "INFO",
            Severity::Warning => "WARNING",
            Severity::Error => "ERROR",
        })
    }
}

/// One finding: its severity, the file it is about (relative to the chart, possibly with
/// `:line:column`), and what is wrong. Displays as Helm prints it: `[ERROR] path: text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LintMessage {
    /// How bad it is.
    pub severity: Severity,
    /// `Chart.yaml`, `values.yaml`, `templates/x.yaml`, `templates/` ...
    pub path: String,
    /// What is wrong, on one line.
    pub text: String,
}

impl fmt::Display for LintMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}: {}", self.severity, self.path, self.text)
    }
}

/// The findings on one chart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LintReport {
    /// The chart as it was named on the command line (or found under `charts/`).
    pub chart: String,
    /// Findings in rule order.
    pub messages: Vec<LintMessage>,
}

impl LintReport {
    /// Whether the chart fails: any error, or with `strict` any warning.
    pub fn failed(&self, strict: bool) -> bool {
        let threshold = if strict {
            Severity::Warning
        } else {
            Severity::Error
        };
        self.messages.iter().any(|m| m.severity >= threshold)
    }

    /// Whether anything above INFO was found (what `--quiet` still prints).
    pub fn has_warnings_or_errors(&self) -> bool {
        self.messages
            .iter()
            .any(|m| m.severity >= Severity::Warning)
    }
}

/// Collects findings while the rules run.
#[derive(Debug, Default)]
pub(crate) struct Linter {
    messages: Vec<LintMessage>,
}

impl Linter {
    fn push(&mut self, severity: Severity, path: impl Into<String>, text: impl Into<String>) {
        self.messages.push(LintMessage {
            severity,
            path: path.into(),
            text: text.into(),
        });
    }
    fn error(&mut self, path: impl Into<String>, text: impl Into<String>) {
        self.push(Severity::Error, path, text);
    }
    fn warning(&mut self, path: impl Into<String>, text: impl Into<String>) {
        self.push(Severity::Warning, path, text);
    }
    fn info(&mut self, path: impl Into<String>, text: impl Into<String>) {
        self.push(Severity::Info, path, text);
    }
    fn has_errors(&self) -> bool {
        self.messages.iter().any(|m| m.severity == Severity::Error)
    }
}

/// What `rudder lint` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct LintRequest {
    /// Chart directories or archives, in command-line order.
    pub charts: Vec<PathBuf>,
    /// `-f` and the `--set` family, applied to every chart.
    pub values: ValueOptions,
    /// `Release.Namespace` while rendering.
    pub namespace: String,
    /// `--kube-version`: the Kubernetes version for `Capabilities` and for deprecations.
    pub kube_version: Option<String>,
    /// `--with-subcharts`: also lint the charts found under each chart's `charts/`.
    pub with_subcharts: bool,
}

/// Options of one chart's lint (values already merged).
#[derive(Debug, Clone, Default)]
pub struct LintOptions {
    /// User values, coalesced with each chart's defaults.
    pub values: Values,
    /// `Release.Namespace`.
    pub namespace: String,
    /// `Capabilities` while rendering.
    pub capabilities: Capabilities,
    /// The Kubernetes version deprecations are judged for; `None`: every deprecation warns.
    pub target: Option<semver::Version>,
}

/// Lints every chart of the request (and, with `with_subcharts`, their subcharts), reading
/// `-f -` from `stdin` once. Fails only on bad options (values flags, `--kube-version`); a
/// chart that cannot even be read gets a report with that error.
pub fn run(
    req: &LintRequest,
    stdin: &mut dyn std::io::Read,
) -> Result<Vec<LintReport>, ActionError> {
    let capabilities = Capabilities::with(req.kube_version.as_deref(), &[])
        .map_err(|e| ActionError::Invalid(format!("--kube-version: {e}")))?;
    let target = req.kube_version.as_ref().map(|_| capabilities.semver());
    let opts = LintOptions {
        values: req.values.merge(stdin)?,
        namespace: if req.namespace.is_empty() {
            "default".into()
        } else {
            req.namespace.clone()
        },
        capabilities,
        target,
    };
    let mut paths = req.charts.clone();
    if req.with_subcharts {
        for chart in &req.charts {
            paths.extend(subchart_paths(chart));
        }
    }
    Ok(paths.iter().map(|p| lint_chart(p, &opts)).collect())
}

/// The charts under `chart/charts/` (at any depth): directories holding a `Chart.yaml`, and
/// `.tgz`/`.tar.gz` archives, in name order — what `--with-subcharts` lints, as Helm.
pub fn subchart_paths(chart: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    walk(&chart.join("charts"), &mut found);
    found
}

/// Parses one document of a YAML stream for the lint rules: `Ok(None)` for an empty or
/// comment-only document, `Err` with the one-line message lint reports as
/// `document N: unable to parse YAML: ...`.
fn parse_document(index: usize, doc: &str) -> Result<Option<yaml_serde::Value>, String> {
    match yaml_serde::from_str::<yaml_serde::Value>(doc) {
        Ok(yaml_serde::Value::Null) => Ok(None),
        Ok(v) => Ok(Some(v)),
        Err(e) => Err(format!(
            "document {index}: unable to parse YAML: {}",
            crate::text::one_line(&e.to_string())
        )),
    }
}

fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path.is_dir() {
            if path.join("Chart.yaml").is_file() {
                found.push(path.clone());
            }
            walk(&path, found);
        } else if name.ends_with(".tgz") || name.ends_with(".tar.gz") {
            found.push(path);
        }
    }
}

/// Lints one chart (a directory or an archive).
pub fn lint_chart(path: &Path, opts: &LintOptions) -> LintReport {
    let mut l = Linter::default();
    lint_into(path, opts, &mut l);
    LintReport {
        chart: path.display().to_string(),
        messages: l.messages,
    }
}

fn lint_into(path: &Path, opts: &LintOptions, l: &mut Linter) {
    let src = match source::Source::open(path) {
        Ok(src) => src,
        Err(e) => {
            l.error("", format!("unable to open the chart: {e}"));
            return;
        }
    };
    if !chartfile::lint(&src, l) {
        return;
    }
    values::lint(&src, l);
    templates::check_dir(&src, l);
    let chart = match chart::load(path) {
        Ok(c) => c,
        Err(e) => {
            // A chart that fails its Chart.yaml or values.yaml rules fails to load for the same
            // reason: say it once.
            if !l.has_errors() {
                let (at, text) = load_error(path, &e);
                l.error(at, text);
            }
            return;
        }
    };
    // Without its declared subcharts the chart cannot render; as Helm, the templates are then
    // not linted, and the dependency rule says what is missing.
    if deps::all_shipped(&chart) {
        templates::lint(&chart, opts, l);
    }
    deps::lint(&chart, l);
    crds::lint(&src, &chart, opts.target.as_ref(), l);
}

/// A load error as a lint path (relative to the chart) and message.
fn load_error(chart: &Path, e: &ChartError) -> (String, String) {
    let root = format!("{}/", chart.display());
    let (path, text) = match e {
        ChartError::Invalid { path, message } => (path.clone(), message.clone()),
        ChartError::Io { path, source } => (path.clone(), source.to_string()),
        ChartError::Archive { .. } => (String::new(), e.to_string()),
    };
    let rel = path.strip_prefix(&root).unwrap_or(&path).to_string();
    (rel, format!("unable to load chart: {text}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(severity: Severity) -> LintMessage {
        LintMessage {
            severity,
            path: "Chart.yaml".into(),
            text: "x".into(),
        }
    }

    #[test]
    fn strictness_decides_what_fails() {
        let report = |s: Vec<Severity>| LintReport {
            chart: "c".into(),
            messages: s.into_iter().map(msg).collect(),
        };
        assert!(!report(vec![Severity::Info]).failed(true));
        assert!(!report(vec![Severity::Info, Severity::Warning]).failed(false));
        assert!(report(vec![Severity::Warning]).failed(true));
        assert!(report(vec![Severity::Error]).failed(false));
        assert!(!report(vec![Severity::Info]).has_warnings_or_errors());
        assert_eq!(
            msg(Severity::Warning).to_string(),
            "[WARNING] Chart.yaml: x"
        );
    }

    #[test]
    fn subcharts_are_found_at_any_depth() {
        let dir = tempfile::tempdir().unwrap();
        let charts = dir.path().join("charts");
        std::fs::create_dir_all(charts.join("a/charts/b")).unwrap();
        std::fs::create_dir_all(charts.join("notachart")).unwrap();
        std::fs::write(charts.join("a/Chart.yaml"), "").unwrap();
        std::fs::write(charts.join("a/charts/b/Chart.yaml"), "").unwrap();
        std::fs::write(charts.join("c-1.0.0.tgz"), "").unwrap();
        std::fs::write(charts.join("README"), "").unwrap();
        let found: Vec<String> = subchart_paths(dir.path())
            .iter()
            .map(|p| p.strip_prefix(dir.path()).unwrap().display().to_string())
            .collect();
        assert_eq!(
            found,
            vec!["charts/a", "charts/a/charts/b", "charts/c-1.0.0.tgz"]
        );
    }

    #[test]
    fn bad_kube_version_is_refused() {
        let req = LintRequest {
            kube_version: Some("banana".into()),
            ..Default::default()
        };
        let err = run(&req, &mut std::io::empty()).unwrap_err();
        assert!(err.to_string().starts_with("--kube-version:"), "{err}");
    }
}
