//! Rules on `crds/` (Helm's `rules/crds.go`): plain YAML (never templated) holding only
//! `apiextensions.k8s.io` CustomResourceDefinitions, on an API version the target still serves.

use yaml_serde::Value;

use super::source::{Entry, Source};
use super::{Linter, apis};
use crate::chart::Chart;
use crate::engine::manifest::split_documents;

/// Checks the CRD files of the top chart.
pub fn lint(src: &Source, chart: &Chart, target: Option<&semver::Version>, l: &mut Linter) {
    match src.entry("crds") {
        Entry::Missing => return,
        Entry::Dir => {}
        Entry::File(_) => {
            l.error("crds/", "not a directory");
            return;
        }
        Entry::Unreadable(e) => {
            l.error("crds/", e);
            return;
        }
    }
    let manifests = chart.crd_files().filter(|f| {
        [".yaml", ".yml", ".json"]
            .iter()
            .any(|ext| f.name.to_ascii_lowercase().ends_with(ext))
    });
    for file in manifests {
        let Ok(text) = std::str::from_utf8(&file.data) else {
            l.error(&file.name, "not valid UTF-8 text");
            continue;
        };
        for (index, doc) in split_documents(text).into_iter().enumerate() {
            let doc: Value = match super::parse_document(index, doc) {
                Ok(None) => continue,
                Ok(Some(v)) => v,
                Err(message) => {
                    l.error(&file.name, message);
                    break;
                }
            };
            let field = |k: &str| doc.get(k).and_then(Value::as_str).unwrap_or("");
            let (api_version, kind) = (field("apiVersion"), field("kind"));
            if !api_version.starts_with("apiextensions.k8s.io") {
                l.error(&file.name, "apiVersion is not in 'apiextensions.k8s.io'");
            }
            if kind != "CustomResourceDefinition" {
                l.error(&file.name, "object kind is not 'CustomResourceDefinition'");
            }
            if let Some((severity, text)) = apis::check(api_version, kind, target) {
                l.push(severity, &file.name, text);
            }
        }
    }
}
