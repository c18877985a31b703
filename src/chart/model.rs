//! The chart model shared by every verb.

use serde_json::{Map, Value};

use super::Metadata;

/// A file of a chart, addressed by its path relative to the chart root with `/` separators
/// (e.g. `templates/deployment.yaml`, `files/nginx.conf`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartFile {
    /// Path relative to the chart root, always with `/` separators.
    pub name: String,
    /// The raw bytes.
    pub data: Vec<u8>,
}

/// A loaded chart: metadata, default values, templates, other files and its subcharts.
///
/// Mirrors Helm's `chart.Chart`: `templates` holds everything under `templates/`, `files` every
/// other file (README, crds/, LICENSE, arbitrary data files) except `Chart.yaml`, `values.yaml`,
/// `values.schema.json`, `Chart.lock` and the `charts/` directory, whose entries become
/// `dependencies` (already loaded subcharts, whether shipped as directories or `.tgz`).
#[derive(Debug, Clone, Default)]
pub struct Chart {
    /// Parsed and validated `Chart.yaml`.
    pub metadata: Metadata,
    /// Parsed `values.yaml` (an empty map when the file is absent or empty).
    pub values: Map<String, Value>,
    /// The text of `values.yaml` as shipped, for `show values`.
    pub raw_values: Option<String>,
    /// Parsed `values.schema.json`, if any.
    pub schema: Option<Value>,
    /// The bytes of `values.schema.json` as shipped, so `package` writes the file unchanged.
    pub raw_schema: Option<Vec<u8>>,
    /// The bytes of `Chart.lock` as shipped, so `package` keeps it as Helm does.
    pub raw_lock: Option<Vec<u8>>,
    /// Files under `templates/`, sorted by name.
    pub templates: Vec<ChartFile>,
    /// Every other file of the chart, sorted by name.
    pub files: Vec<ChartFile>,
    /// Subcharts found in `charts/`, sorted by name.
    pub dependencies: Vec<Chart>,
    /// Where the chart was loaded from (a directory, an archive, or `parent/charts/x`), for errors.
    pub source: String,
}

impl Chart {
    /// The chart's name from `Chart.yaml`.
    pub fn name(&self) -> &str {
        &self.metadata.name
    }

    /// Whether this is a library chart (partials only; cannot be installed).
    pub fn is_library(&self) -> bool {
        self.metadata.chart_type.as_deref() == Some("library")
    }

    /// The CRD files shipped under `crds/` (not templated), sorted by name.
    pub fn crd_files(&self) -> impl Iterator<Item = &ChartFile> {
        self.files.iter().filter(|f| f.name.starts_with("crds/"))
    }

    /// A file by exact relative name, among `files` (not templates).
    pub fn file(&self, name: &str) -> Option<&ChartFile> {
        self.files.iter().find(|f| f.name == name)
    }

    /// The README, if the chart has one (any case of `README.md` / `README.txt` / `README`).
    pub fn readme(&self) -> Option<&ChartFile> {
        self.files.iter().find(|f| {
            let lower = f.name.to_ascii_lowercase();
            lower == "readme.md" || lower == "readme.txt" || lower == "readme"
        })
    }
}
