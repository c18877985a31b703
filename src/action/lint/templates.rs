//! Rules on templates (Helm's `rules/template.go`): the chart renders with the given values
//! through the shared pipeline (coalescing, schema, engine), and every YAML document each
//! template produces is a valid Kubernetes object.

use std::path::PathBuf;

use yaml_serde::Value;

use super::source::{Entry, Source};
use super::{LintOptions, Linter, objects, values};
use crate::action::ActionError;
use crate::action::render::{RenderRequest, render_with_values};
use crate::chart::Chart;
use crate::engine::manifest::split_documents;
use crate::engine::{EngineError, ReleaseInfo, Rendered};
use crate::values::ValuesError;

/// Where problems of the templates as a whole are reported.
pub const DIR: &str = "templates/";

/// The release name templates see while linting (Helm's).
const RELEASE_NAME: &str = "test-release";

/// Template file extensions Helm accepts.
const EXTENSIONS: &[&str] = &[".yaml", ".yml", ".tpl", ".txt"];

/// `templates/` exists and is a directory: a missing one is a warning, as Helm's.
pub fn check_dir(src: &Source, l: &mut Linter) {
    match src.entry("templates") {
        Entry::Dir => {}
        Entry::Missing => l.warning(DIR, "directory does not exist"),
        Entry::File(_) => l.error(DIR, "not a directory"),
        Entry::Unreadable(e) => l.error(DIR, e),
    }
}

fn extension(name: &str) -> &str {
    let base = name.rsplit('/').next().unwrap_or(name);
    base.rfind('.').map(|i| &base[i..]).unwrap_or("")
}

fn is_yaml(name: &str) -> bool {
    matches!(
        extension(name).to_ascii_lowercase().as_str(),
        ".yaml" | ".yml"
    )
}

/// Lints the templates of a loaded chart: file names, the render, then each rendered object.
pub fn lint(chart: &Chart, opts: &LintOptions, l: &mut Linter) {
    for t in &chart.templates {
        let ext = extension(&t.name);
        if !EXTENSIONS.contains(&ext) {
            l.error(
                &t.name,
                format!("file extension '{ext}' not valid. Valid extensions are .yaml, .yml, .tpl, or .txt"),
            );
        }
    }
    if chart.is_library() {
        return; // library charts only provide named templates: nothing renders
    }
    let Some(rendered) = render(chart, opts, l) else {
        return;
    };
    let prefix = format!("{}/", chart.name());
    for (source, text) in &rendered.outputs {
        let Some(rel) = source.strip_prefix(&prefix) else {
            continue;
        };
        // Subcharts' templates are linted with the subcharts (`--with-subcharts`), as Helm.
        if rel.starts_with("templates/") && is_yaml(rel) {
            check_output(rel, &text.text(), opts.target.as_ref(), l);
        }
    }
}

/// Renders the chart. A template whose output is not YAML is reported and left out, and the
/// render retried, so that one broken template does not hide the findings of the others.
fn render(chart: &Chart, opts: &LintOptions, l: &mut Linter) -> Option<Rendered> {
    let req = RenderRequest {
        chart: PathBuf::from(&chart.source),
        values: Default::default(),
        release: ReleaseInfo {
            name: RELEASE_NAME.into(),
            namespace: opts.namespace.clone(),
            ..ReleaseInfo::default()
        },
        capabilities: opts.capabilities.clone(),
        lookup: None,
    };
    let top = chart.name().to_string();
    let mut current = chart.clone();
    loop {
        match render_with_values(current.clone(), opts.values.clone(), &req) {
            Ok(result) => return Some(result.rendered),
            Err(ActionError::Engine(EngineError::Manifest {
                template,
                index,
                message,
            })) => {
                l.error(
                    relative(&top, &template),
                    format!("document {index}: {message}"),
                );
                if !remove_template(&mut current, &template) {
                    return None;
                }
            }
            Err(ActionError::Engine(e)) => {
                let (path, text) = split_position(&top, &e.to_string());
                l.error(path, text);
                return None;
            }
            Err(ActionError::Values(e)) => {
                report_values_error(&e, l);
                return None;
            }
            Err(e) => {
                l.error(DIR, e.to_string());
                return None;
            }
        }
    }
}

/// `chart/templates/x.yaml` → `templates/x.yaml` (subcharts keep `charts/sub/...`).
fn relative<'a>(top: &str, source: &'a str) -> &'a str {
    source
        .strip_prefix(top)
        .and_then(|rest| rest.strip_prefix('/'))
        .unwrap_or(source)
}

/// Splits an engine error `chart/templates/x.yaml:3:14: message` into the lint path
/// (`templates/x.yaml:3:14`) and the message; errors naming no template go to `templates/`.
fn split_position(top: &str, message: &str) -> (String, String) {
    if let Some((head, rest)) = message.split_once(": ") {
        let rel = relative(top, head);
        if rel != head && !head.contains(' ') {
            return (rel.to_string(), rest.to_string());
        }
    }
    (DIR.to_string(), message.to_string())
}

/// Removes the template named by a render source (`top/charts/sub/templates/x.yaml`) from the
/// chart tree; false when no such template is found.
fn remove_template(chart: &mut Chart, source: &str) -> bool {
    let rest = relative(chart.name(), source);
    if rest == source {
        return false;
    }
    remove_in(chart, rest)
}

fn remove_in(chart: &mut Chart, rest: &str) -> bool {
    if let Some(after) = rest.strip_prefix("charts/") {
        let Some((sub, inner)) = after.split_once('/') else {
            return false;
        };
        return chart
            .dependencies
            .iter_mut()
            .filter(|d| d.name() == sub)
            .any(|d| remove_in(d, inner));
    }
    let before = chart.templates.len();
    chart.templates.retain(|t| t.name != rest);
    chart.templates.len() != before
}

/// Values errors (coalescing, schema) on `values.yaml`: one message per schema violation.
fn report_values_error(e: &ValuesError, l: &mut Linter) {
    let mut lines = e.message.lines();
    lines.next(); // the header: "values don't meet the specifications ..."
    let mut chart = String::new();
    let mut reported = false;
    for line in lines {
        let line = line.trim_end();
        if let Some(violation) = line.strip_prefix("- ") {
            let text = if chart.is_empty() {
                format!("values don't meet the schema: {violation}")
            } else {
                format!("values don't meet the schema of chart {chart}: {violation}")
            };
            l.error(values::FILE, text);
            reported = true;
        } else if let Some(name) = line.strip_suffix(':') {
            chart = name.trim().to_string();
        }
    }
    if !reported {
        let text = format!("{}: {}", e.location, e.message);
        l.error(values::FILE, crate::text::one_line(&text));
    }
}

/// Checks one template's rendered output (`rel`: `templates/x.yaml`).
fn check_output(rel: &str, text: &str, target: Option<&semver::Version>, l: &mut Linter) {
    if let Some(first) = text.lines().find(|line| !line.trim().is_empty())
        && (first.starts_with(' ') || first.starts_with('\t'))
    {
        l.warning(
            rel,
            format!("document starts with an illegal indent: {first:?}, which may cause parsing problems"),
        );
    }
    for (index, doc) in split_documents(text).into_iter().enumerate() {
        let doc: Value = match super::parse_document(index, doc) {
            Ok(None) => continue,
            Ok(Some(v)) => v,
            Err(message) => {
                l.error(rel, message);
                return;
            }
        };
        for (severity, finding) in objects::check(&doc, index, target) {
            l.push(severity, rel, finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{ChartFile, Metadata};

    fn chart(name: &str, templates: &[(&str, &str)]) -> Chart {
        Chart {
            metadata: Metadata {
                api_version: "v2".into(),
                name: name.into(),
                version: "1.0.0".into(),
                ..Default::default()
            },
            templates: templates
                .iter()
                .map(|(n, d)| ChartFile {
                    name: n.to_string(),
                    data: d.as_bytes().to_vec(),
                })
                .collect(),
            source: name.into(),
            ..Default::default()
        }
    }

    fn run(c: &Chart) -> Vec<String> {
        let mut l = Linter::default();
        lint(c, &LintOptions::default(), &mut l);
        l.messages.iter().map(|m| m.to_string()).collect()
    }

    const CM: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ Release.Name }}\n";

    #[test]
    fn clean_templates_pass() {
        let c = chart(
            "c",
            &[
                ("templates/cm.yaml", CM),
                ("templates/empty.yaml", "{% if false %}x: 1{% endif %}"),
                (
                    "templates/_h.tpl",
                    "{% component c_x() %}x{% endcomponent c_x %}",
                ),
                ("templates/NOTES.txt", "hello"),
            ],
        );
        assert!(run(&c).is_empty(), "{:?}", run(&c));
    }

    #[test]
    fn broken_yaml_is_reported_and_the_rest_still_linted() {
        let c = chart(
            "c",
            &[
                ("templates/a.yaml", "a: [\n"),
                (
                    "templates/b.yaml",
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n",
                ),
            ],
        );
        let m = run(&c);
        assert_eq!(m.len(), 2, "{m:?}");
        assert!(
            m[0].starts_with("[ERROR] templates/a.yaml: document 0: invalid YAML"),
            "{m:?}"
        );
        assert!(
            m[1].starts_with("[WARNING] templates/b.yaml: object name does not conform"),
            "{m:?}"
        );
    }

    #[test]
    fn render_errors_name_the_template_and_position() {
        let c = chart("c", &[("templates/a.yaml", "a: {{ Values.missing.x }}\n")]);
        let m = run(&c);
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].starts_with("[ERROR] templates/a.yaml:1:"), "{m:?}");
    }

    #[test]
    fn extensions_and_indent() {
        let c = chart(
            "c",
            &[
                ("templates/a.json", "{}"),
                (
                    "templates/b.yaml",
                    "\n  # note\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n",
                ),
            ],
        );
        let m = run(&c);
        assert_eq!(
            m,
            vec![
                "[ERROR] templates/a.json: file extension '.json' not valid. Valid extensions are .yaml, .yml, .tpl, or .txt",
                "[WARNING] templates/b.yaml: document starts with an illegal indent: \"  # note\", which may cause parsing problems",
            ]
        );
    }

    #[test]
    fn subchart_templates_are_left_to_with_subcharts() {
        let mut c = chart("c", &[("templates/cm.yaml", CM)]);
        c.dependencies.push(chart(
            "s",
            &[(
                "templates/x.yaml",
                "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad\n",
            )],
        ));
        assert!(run(&c).is_empty(), "{:?}", run(&c));
    }

    #[test]
    fn broken_subchart_yaml_is_an_error_on_its_path() {
        let mut c = chart("c", &[("templates/cm.yaml", CM)]);
        c.dependencies
            .push(chart("s", &[("templates/x.yaml", "a: [\n")]));
        let m = run(&c);
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(
            m[0].starts_with("[ERROR] charts/s/templates/x.yaml: document 0:"),
            "{m:?}"
        );
    }

    #[test]
    fn position_split() {
        assert_eq!(
            split_position("c", "c/templates/a.yaml:3:14: boom: x"),
            ("templates/a.yaml:3:14".to_string(), "boom: x".to_string())
        );
        assert_eq!(
            split_position("c", "chart c requires kubeVersion: >=9"),
            (
                "templates/".to_string(),
                "chart c requires kubeVersion: >=9".to_string()
            )
        );
    }

    #[test]
    fn schema_report_is_split_per_violation() {
        let e = ValuesError::new(
            "chart web",
            "values don't meet the specifications of the schema(s) in the following chart(s):\nweb:\n- at '/replicaCount': got string, want integer\n- at '': missing property 'image'",
        );
        let mut l = Linter::default();
        report_values_error(&e, &mut l);
        let m: Vec<String> = l.messages.iter().map(|m| m.to_string()).collect();
        assert_eq!(
            m,
            vec![
                "[ERROR] values.yaml: values don't meet the schema of chart web: at '/replicaCount': got string, want integer",
                "[ERROR] values.yaml: values don't meet the schema of chart web: at '': missing property 'image'",
            ]
        );
        let mut l = Linter::default();
        report_values_error(&ValuesError::new("--set a", "bad\nthing"), &mut l);
        assert_eq!(
            l.messages[0].to_string(),
            "[ERROR] values.yaml: --set a: bad thing"
        );
    }
}
