//! Loading a chart from a directory or a `.tgz`, as Helm's `pkg/chart/loader`: the files are
//! read (safely, see [`super::archive`] and `load/dir.rs`), then sorted into metadata, values,
//! schema, templates, other files and subcharts.

mod dir;
mod yaml;

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use super::archive::{Budget, read_archive_with};
use super::{ArchiveLimits, Chart, ChartError, ChartFile, Dependency, Metadata};

/// Subcharts nested deeper than this are refused (a guard against pathological charts).
const MAX_DEPTH: usize = 32;

/// Loads a chart from a directory or a `.tgz` archive path (decided by what the path is, not
/// by its extension), with the default [`ArchiveLimits`].
pub fn load(path: &Path) -> Result<Chart, ChartError> {
    load_with_limits(path, &ArchiveLimits::default())
}

/// [`load`] with explicit caps on the total size and number of files (subcharts included).
pub fn load_with_limits(path: &Path, limits: &ArchiveLimits) -> Result<Chart, ChartError> {
    let source = path.display().to_string();
    let meta = std::fs::metadata(path).map_err(|e| ChartError::Io {
        path: source.clone(),
        source: e,
    })?;
    let mut budget = Budget::new(limits);
    if meta.is_dir() {
        let files = dir::read_dir_files(path, &source, &mut budget)?;
        build_chart(&source, files, &mut budget, 0)
    } else if meta.is_file() {
        // A chart archive is compressed: its own size is held to the same cap.
        if meta.len() > limits.max_bytes {
            return Err(ChartError::Invalid {
                path: source,
                message: format!(
                    "archive file is larger than the limit of {} bytes",
                    limits.max_bytes
                ),
            });
        }
        let bytes = std::fs::read(path).map_err(|e| ChartError::Io {
            path: source.clone(),
            source: e,
        })?;
        load_archive(&source, &bytes, &mut budget, 0)
    } else {
        Err(ChartError::Invalid {
            path: source,
            message: "not a chart directory nor a chart archive".into(),
        })
    }
}

/// Loads a chart from a directory.
pub fn load_dir(path: &Path) -> Result<Chart, ChartError> {
    let source = path.display().to_string();
    let mut budget = Budget::new(&ArchiveLimits::default());
    let files = dir::read_dir_files(path, &source, &mut budget)?;
    build_chart(&source, files, &mut budget, 0)
}

/// Loads a chart from the bytes of a `.tgz` archive; `name` is used in errors.
pub fn load_archive_bytes(name: &str, bytes: &[u8]) -> Result<Chart, ChartError> {
    load_archive_bytes_with_limits(name, bytes, &ArchiveLimits::default())
}

/// [`load_archive_bytes`] with explicit caps on the total size and number of entries
/// (nested subchart archives included).
pub fn load_archive_bytes_with_limits(
    name: &str,
    bytes: &[u8],
    limits: &ArchiveLimits,
) -> Result<Chart, ChartError> {
    load_archive(name, bytes, &mut Budget::new(limits), 0)
}

/// Reads an archive on the shared budget and builds its chart.
fn load_archive(
    source: &str,
    bytes: &[u8],
    budget: &mut Budget,
    depth: usize,
) -> Result<Chart, ChartError> {
    let (_top, files) = read_archive_with(source, bytes, budget)?;
    build_chart(source, files, budget, depth)
}

/// `requirements.yaml` of v1 charts: only its dependencies matter.
#[derive(Deserialize)]
struct Requirements {
    #[serde(default)]
    dependencies: Option<Vec<Dependency>>,
}

/// Sorts the files of one chart (named relative to its root) into a [`Chart`], as Helm's
/// `LoadFiles`; `source` names the chart in errors (`dir`, `x.tgz`, `parent/charts/sub`).
fn build_chart(
    source: &str,
    mut files: Vec<ChartFile>,
    budget: &mut Budget,
    depth: usize,
) -> Result<Chart, ChartError> {
    let at = |name: &str| format!("{source}/{name}");
    let invalid = |name: &str, message: String| ChartError::Invalid {
        path: at(name),
        message,
    };
    if depth > MAX_DEPTH {
        return Err(invalid(
            "charts",
            format!("subcharts are nested more than {MAX_DEPTH} levels deep"),
        ));
    }
    files.sort_by(|a, b| a.name.cmp(&b.name));

    let Some(chart_yaml) = files.iter().find(|f| f.name == "Chart.yaml") else {
        return Err(invalid(
            "Chart.yaml",
            "file is missing (every chart needs a Chart.yaml)".into(),
        ));
    };
    let text = utf8(&chart_yaml.data, &at("Chart.yaml"))?;
    let mut metadata: Metadata =
        yaml_serde::from_str(text).map_err(|e| yaml::yaml_error(&at("Chart.yaml"), &e))?;
    // Helm 2 charts may omit apiVersion: Helm reads them as v1.
    if metadata.api_version.is_empty() {
        metadata.api_version = "v1".into();
    }
    let v1 = metadata.api_version == "v1";

    let mut chart = Chart {
        source: source.to_string(),
        ..Chart::default()
    };
    let mut subcharts: BTreeMap<String, Vec<ChartFile>> = BTreeMap::new();
    for file in files {
        match file.name.as_str() {
            "Chart.yaml" => {}
            "Chart.lock" => {
                yaml::parse_any(utf8(&file.data, &at(&file.name))?, &at(&file.name))?;
                chart.raw_lock = Some(file.data);
            }
            "values.yaml" => {
                let text = utf8(&file.data, &at(&file.name))?;
                // One reader for values files everywhere (YAML 1.1 types, documents merged as Helm's LoadValues).
                chart.values =
                    crate::values::yaml::parse_values(&at(&file.name), text).map_err(|e| {
                        ChartError::Invalid {
                            path: e.location,
                            message: e.message,
                        }
                    })?;
                chart.raw_values = Some(text.to_string());
            }
            "values.schema.json" => {
                let schema = serde_json::from_slice(&file.data).map_err(|e| {
                    let message = e.to_string();
                    let message = message
                        .rsplit_once(" at line ")
                        .map_or(message.as_str(), |(m, _)| m)
                        .to_string();
                    ChartError::Invalid {
                        path: format!("{}:{}:{}", at(&file.name), e.line(), e.column()),
                        message,
                    }
                })?;
                chart.schema = Some(schema);
                chart.raw_schema = Some(file.data);
            }
            "requirements.yaml" => {
                let text = utf8(&file.data, &at(&file.name))?;
                let reqs: Requirements = yaml_serde::from_str(text)
                    .map_err(|e| yaml::yaml_error(&at(&file.name), &e))?;
                if let Some(deps) = reqs.dependencies {
                    metadata.dependencies = deps;
                }
                if v1 {
                    chart.files.push(file);
                }
            }
            "requirements.lock" => {
                yaml::parse_any(utf8(&file.data, &at(&file.name))?, &at(&file.name))?;
                if v1 {
                    chart.files.push(file);
                }
            }
            name if name.starts_with("templates/") => chart.templates.push(file),
            name if name.starts_with("charts/") => {
                if name.ends_with(".prov") {
                    chart.files.push(file);
                    continue;
                }
                let rest = &name["charts/".len()..];
                let (group, inner) = match rest.split_once('/') {
                    Some((group, inner)) => (group.to_string(), inner.to_string()),
                    None => (rest.to_string(), String::new()),
                };
                subcharts.entry(group).or_default().push(ChartFile {
                    name: inner,
                    data: file.data,
                });
            }
            _ => chart.files.push(file),
        }
    }
    metadata
        .validate()
        .map_err(|message| invalid("Chart.yaml", message))?;
    chart.metadata = metadata;

    for (group, files) in subcharts {
        // Helm skips `charts/_x` and `charts/.x`.
        if group.starts_with('_') || group.starts_with('.') {
            continue;
        }
        let sub_source = at(&format!("charts/{group}"));
        let is_plain_file = files.iter().any(|f| f.name.is_empty());
        let sub = if group.ends_with(".tgz") && is_plain_file {
            load_archive(&sub_source, &files[0].data, budget, depth + 1)?
        } else if is_plain_file {
            return Err(ChartError::Invalid {
                path: sub_source,
                message: "not a chart: charts/ may only hold chart directories and .tgz \
                          archives (Helm refuses other files there too)"
                    .into(),
            });
        } else {
            build_chart(&sub_source, files, budget, depth + 1)?
        };
        chart.dependencies.push(sub);
    }
    chart
        .dependencies
        .sort_by(|a, b| (a.name(), a.source.as_str()).cmp(&(b.name(), b.source.as_str())));
    Ok(chart)
}

/// A chart text file as UTF-8, or an error naming it.
fn utf8<'a>(data: &'a [u8], path: &str) -> Result<&'a str, ChartError> {
    std::str::from_utf8(data).map_err(|e| ChartError::Invalid {
        path: path.to_string(),
        message: format!("not valid UTF-8 text: {e}"),
    })
}
