//! `rudder dependency list|update|build`: the dependencies a chart declares in `Chart.yaml`,
//! their state in `charts/`, and `Chart.lock`.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::ActionError;
use crate::chart::{self, Chart, Dependency, Metadata, constraint_matches, parse_constraint};

/// One row of `dependency list`: a declared dependency and what `charts/` holds for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DependencyStatus {
    /// The dependency's chart name.
    pub name: String,
    /// The version range declared in `Chart.yaml`.
    pub version: String,
    /// The repository declared in `Chart.yaml`.
    pub repository: String,
    /// Helm's status words: `ok` (a matching archive), `unpacked` (a matching directory),
    /// `missing`, `wrong version`, `invalid version`, `misnamed`, `corrupt`, `too many matches`,
    /// `mispackaged`.
    pub status: String,
}

/// What `dependency list` returns: the rows, and the archives in `charts/` that no declared
/// dependency accounts for (Helm warns about those).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DependencyListing {
    /// One row per declared dependency, in `Chart.yaml` order.
    pub dependencies: Vec<DependencyStatus>,
    /// Archives under `charts/` not named by any dependency.
    pub undeclared: Vec<String>,
}

/// Reads the chart at `chart_dir` (a directory) and reports each dependency's status.
pub fn list(chart_dir: &Path) -> Result<DependencyListing, ActionError> {
    let metadata = read_metadata(chart_dir)?;
    let charts_dir = chart_dir.join("charts");
    let dependencies = metadata
        .dependencies
        .iter()
        .map(|dep| DependencyStatus {
            name: dep.name.clone(),
            version: dep.version.clone(),
            repository: dep.repository.clone(),
            status: status(&charts_dir, dep).to_string(),
        })
        .collect();
    let mut undeclared = Vec::new();
    for archive in archives_in(&charts_dir) {
        let loaded = chart::load(&archive);
        let known = match &loaded {
            Ok(c) => metadata.dependencies.iter().any(|d| d.name == c.name()),
            Err(_) => false,
        };
        if !known {
            undeclared.push(archive.display().to_string());
        }
    }
    Ok(DependencyListing {
        dependencies,
        undeclared,
    })
}

/// `Chart.yaml` of a chart directory, validated (the dependency verbs work on directories only).
pub(crate) fn read_metadata(chart_dir: &Path) -> Result<Metadata, ActionError> {
    if !chart_dir.is_dir() {
        return Err(ActionError::Invalid(format!(
            "{}: not a chart directory (dependency commands work on unpacked charts)",
            chart_dir.display()
        )));
    }
    let path = chart_dir.join("Chart.yaml");
    let text = std::fs::read_to_string(&path).map_err(|e| ActionError::io(&path, e))?;
    let metadata: Metadata = yaml_serde::from_str(&text).map_err(|e| {
        let at = match e.location() {
            Some(l) => format!("{}:{}", path.display(), l.line()),
            None => path.display().to_string(),
        };
        ActionError::Invalid(format!("{at}: {}", crate::text::one_line(&e.to_string())))
    })?;
    metadata
        .validate()
        .map_err(|m| ActionError::Invalid(format!("{}: {m}", path.display())))?;
    Ok(metadata)
}

/// The `.tgz` files directly under `charts/`, sorted.
fn archives_in(charts_dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(charts_dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "tgz"))
        .collect();
    out.sort();
    out
}

/// Helm's `dependencyStatus`: archives named `NAME-<semver>.tgz` first, then a `charts/NAME`
/// directory.
fn status(charts_dir: &Path, dep: &Dependency) -> &'static str {
    let prefix = format!("{}-", dep.name);
    let candidates: Vec<PathBuf> = archives_in(charts_dir)
        .into_iter()
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix))
        })
        .collect();
    let versioned: Vec<&PathBuf> = candidates
        .iter()
        .filter(|p| {
            let stem = p.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            semver::Version::parse(stem.trim_start_matches(&prefix)).is_ok()
        })
        .collect();
    let archive = match (candidates.len(), versioned.len()) {
        (1, _) => Some(&candidates[0]),
        (_, 1) => Some(versioned[0]),
        (n, v) if n > 1 && v > 1 => return "too many matches",
        _ => None,
    };
    if let Some(archive) = archive {
        return match chart::load(archive) {
            Err(_) => "corrupt",
            Ok(c) => version_status(&c, dep, true),
        };
    }
    let folder = charts_dir.join(&dep.name);
    if !folder.exists() {
        return "missing";
    }
    if !folder.is_dir() {
        return "mispackaged";
    }
    match chart::load(&folder) {
        Err(_) => "corrupt",
        Ok(c) => match version_status(&c, dep, false) {
            "ok" => "unpacked",
            other => other,
        },
    }
}

fn version_status(c: &Chart, dep: &Dependency, archive: bool) -> &'static str {
    if c.name() != dep.name {
        // Helm looks a directory up among the loaded subcharts by name: not there is "missing".
        return if archive { "misnamed" } else { "missing" };
    }
    if archive && c.metadata.version == dep.version {
        return "ok";
    }
    // An empty range does not parse for Helm (Masterminds) either.
    let Ok(alternatives) = parse_constraint(&dep.version).and_then(|a| {
        if dep.version.trim().is_empty() {
            Err(String::new())
        } else {
            Ok(a)
        }
    }) else {
        return "invalid version";
    };
    let Ok(v) = semver::Version::parse(&c.metadata.version) else {
        return "invalid version";
    };
    if constraint_matches(&alternatives, &v) {
        "ok"
    } else {
        "wrong version"
    }
}
