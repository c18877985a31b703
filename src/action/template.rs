//! `rudder template`: render a chart locally and return the documents Helm would print.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use super::ActionError;
use super::render::{RenderRequest, RenderResult, load_and_render};

/// Options of `rudder template` beyond the shared render request.
#[derive(Debug, Clone, Default)]
pub struct TemplateRequest {
    /// Chart, values, release and capabilities.
    pub render: RenderRequest,
    /// `--include-crds`: print the CRDs of `crds/` first.
    pub include_crds: bool,
    /// `--skip-tests`: leave out test hooks.
    pub skip_tests: bool,
    /// `--show-only`: template paths (relative to the chart, globs allowed) to keep.
    pub show_only: Vec<String>,
}

/// One printed document: `# Source: <source>` then the content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// `chart/templates/x.yaml` (or `chart/crds/x.yaml`).
    pub source: String,
    /// The YAML text.
    pub content: String,
}

/// What `template` produced.
#[derive(Debug, Clone)]
pub struct TemplateOutput {
    /// Documents in print order: CRDs (if asked), manifests in install order, then hooks.
    pub documents: Vec<Document>,
    /// The rest of the render, for callers that want more (chart, values, notes, outputs); the
    /// source and content of its manifests and hooks have moved into `documents`.
    pub result: RenderResult,
}

impl TemplateOutput {
    /// The documents as Helm prints them: `---\n# Source: S\nCONTENT\n` each.
    pub fn to_yaml_stream(&self) -> String {
        let mut out = String::new();
        for d in &self.documents {
            out.push_str("---\n# Source: ");
            out.push_str(&d.source);
            out.push('\n');
            out.push_str(&d.content);
            out.push('\n');
        }
        out
    }
}

/// The part of a source path after the chart name (`templates/x.yaml`), what `--show-only` matches.
fn relative_to_chart(source: &str) -> &str {
    source
        .split_once('/')
        .map(|(_, rest)| rest)
        .unwrap_or(source)
}

/// Renders and selects the documents `rudder template` prints.
pub fn run(
    req: &TemplateRequest,
    stdin: &mut dyn std::io::Read,
) -> Result<TemplateOutput, ActionError> {
    let mut result = load_and_render(&req.render, stdin)?;
    let r = &mut result.rendered;
    let mut documents = Vec::new();
    if req.include_crds {
        for crd in &r.crds {
            documents.push(Document {
                source: crd.source.clone(),
                content: crd.content.trim().to_string(),
            });
        }
    }
    // Moved, not copied: a large render's documents are megabytes. The rest of each manifest
    // (its parsed head) stays in `result`, freed with it or never (see `cli::template`).
    for m in &mut r.manifests {
        documents.push(Document {
            source: std::mem::take(&mut m.source),
            content: std::mem::take(&mut m.content),
        });
    }
    for h in &mut r.hooks {
        if req.skip_tests && h.is_test() {
            continue;
        }
        documents.push(Document {
            source: std::mem::take(&mut h.manifest.source),
            content: std::mem::take(&mut h.manifest.content),
        });
    }
    if !req.show_only.is_empty() {
        let mut kept = Vec::new();
        for pattern in &req.show_only {
            let pattern = pattern.replace('\\', "/");
            let matcher = globset::GlobBuilder::new(&pattern)
                .literal_separator(true)
                .build()
                .map_err(|e| ActionError::Invalid(format!("--show-only {pattern:?}: {e}")))?
                .compile_matcher();
            let before = kept.len();
            for d in &documents {
                if matcher.is_match(relative_to_chart(&d.source)) && !kept.contains(d) {
                    kept.push(d.clone());
                }
            }
            if kept.len() == before {
                return Err(ActionError::Invalid(format!(
                    "--show-only {pattern:?}: could not find template {pattern} in chart {}",
                    result.chart.name()
                )));
            }
        }
        // Keep print order, not pattern order.
        documents.retain(|d| kept.contains(d));
    }
    Ok(TemplateOutput { documents, result })
}

/// `--output-dir`: writes each template's documents under `dir/<source path>`, as Helm does.
/// Everything is rendered before anything is written, and no path leaves `dir`.
pub fn write_output_dir(output: &TemplateOutput, dir: &Path) -> Result<Vec<PathBuf>, ActionError> {
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    for d in &output.documents {
        let text = files.entry(d.source.clone()).or_default();
        text.push_str("---\n# Source: ");
        text.push_str(&d.source);
        text.push('\n');
        text.push_str(&d.content);
        text.push('\n');
    }
    let mut written = Vec::new();
    for (source, text) in &files {
        let rel = Path::new(source);
        if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(ActionError::Invalid(format!(
                "refusing to write {source:?} outside {}",
                dir.display()
            )));
        }
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| ActionError::io(parent, e))?;
        }
        let tmp = path.with_extension("rudder-tmp");
        std::fs::write(&tmp, text).map_err(|e| ActionError::io(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| ActionError::io(&path, e))?;
        written.push(path);
    }
    Ok(written)
}
