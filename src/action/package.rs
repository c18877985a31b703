//! `rudder package CHART...`: each chart directory checked (it loads, lints without errors,
//! ships its declared subcharts) and written as a reproducible `NAME-VERSION.tgz`, as Helm's
//! `action.Package` does. Nothing is printed; the written paths are returned.

use std::path::{Path, PathBuf};

use super::ActionError;
use super::lint::{self, LintRequest, Severity};
use crate::chart::{self, Chart};

/// What `rudder package` was asked to do.
#[derive(Debug, Clone, Default)]
pub struct PackageRequest {
    /// Chart directories, in command-line order.
    pub charts: Vec<PathBuf>,
    /// `-d/--destination`: where the archives go (created if missing).
    pub destination: PathBuf,
    /// `--version`: replaces the chart's version (must be SemVer 2).
    pub version: Option<String>,
    /// `--app-version`: replaces the chart's appVersion.
    pub app_version: Option<String>,
    /// `SOURCE_DATE_EPOCH`, the timestamp written into the archive (else a constant).
    pub source_date_epoch: Option<u64>,
}

/// Packages every chart of the request in order and returns the archives written. Stops at
/// the first chart that fails; an archive is written whole or not at all.
pub fn run(req: &PackageRequest) -> Result<Vec<PathBuf>, ActionError> {
    req.charts.iter().map(|c| package_chart(c, req)).collect()
}

/// Checks and packages one chart directory; returns the archive's path.
pub fn package_chart(path: &Path, req: &PackageRequest) -> Result<PathBuf, ActionError> {
    let meta = std::fs::metadata(path).map_err(|e| ActionError::io(path, e))?;
    if !meta.is_dir() {
        return Err(ActionError::Invalid(format!(
            "{}: not a chart directory (package takes a chart directory)",
            path.display()
        )));
    }
    let mut chart = chart::load_dir(path)?;
    refuse_lint_errors(path)?;
    check_dependencies(path, &chart)?;
    apply_overrides(&mut chart, req)?;
    // As Helm: the default destination `.` is reported as the absolute working directory.
    let dest = if req.destination == Path::new(".") {
        std::env::current_dir().map_err(|e| ActionError::io(".", e))?
    } else {
        req.destination.clone()
    };
    Ok(chart::save(&chart, &dest, req.source_date_epoch)?)
}

/// Lints the chart as `rudder lint CHART` would and refuses it when there is an error.
fn refuse_lint_errors(path: &Path) -> Result<(), ActionError> {
    let req = LintRequest {
        charts: vec![path.to_path_buf()],
        ..LintRequest::default()
    };
    let reports = lint::run(&req, &mut std::io::empty())?;
    let errors: Vec<String> = reports
        .iter()
        .flat_map(|r| &r.messages)
        .filter(|m| m.severity == Severity::Error)
        .map(|m| crate::text::one_line(&m.to_string()))
        .collect();
    if errors.is_empty() {
        return Ok(());
    }
    Err(ActionError::Invalid(format!(
        "{}: lint found {} error(s), not packaging: {}",
        path.display(),
        errors.len(),
        errors.join("; ")
    )))
}

/// Every dependency declared in Chart.yaml must be shipped in `charts/` (Helm's
/// `CheckDependencies`).
fn check_dependencies(path: &Path, chart: &Chart) -> Result<(), ActionError> {
    let mut missing: Vec<&str> = Vec::new();
    for dep in &chart.metadata.dependencies {
        let shipped = chart.dependencies.iter().any(|c| c.name() == dep.name);
        if !shipped && !missing.contains(&dep.name.as_str()) {
            missing.push(&dep.name);
        }
    }
    if missing.is_empty() {
        return Ok(());
    }
    Err(ActionError::Invalid(format!(
        "{}/Chart.yaml: found in Chart.yaml, but missing in charts/ directory: {}",
        path.display(),
        missing.join(", ")
    )))
}

/// `--version` and `--app-version`.
fn apply_overrides(chart: &mut Chart, req: &PackageRequest) -> Result<(), ActionError> {
    if let Some(version) = &req.version {
        semver::Version::parse(version).map_err(|e| {
            ActionError::Invalid(format!(
                "--version {version:?} is not a valid SemVer 2 version: {e}"
            ))
        })?;
        chart.metadata.version = version.clone();
    }
    if let Some(app_version) = &req.app_version {
        chart.metadata.app_version = Some(app_version.clone());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, files: &[(&str, &str)]) {
        for (name, text) in files {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }

    const CHART: &str = "apiVersion: v2\nname: web\nversion: 1.0.0\nicon: https://x.io/i.png\n";

    #[test]
    fn overrides_name_the_archive() {
        let dir = tempfile::tempdir().unwrap();
        let chart = dir.path().join("web");
        write(&chart, &[("Chart.yaml", CHART), ("values.yaml", "a: 1\n")]);
        let req = PackageRequest {
            charts: vec![chart.clone()],
            destination: dir.path().join("out"),
            version: Some("2.0.0-rc.1".into()),
            app_version: Some("9".into()),
            ..PackageRequest::default()
        };
        let written = run(&req).unwrap();
        assert_eq!(written, [dir.path().join("out/web-2.0.0-rc.1.tgz")]);
        let back = chart::load(&written[0]).unwrap();
        assert_eq!(back.metadata.version, "2.0.0-rc.1");
        assert_eq!(back.metadata.app_version.as_deref(), Some("9"));

        let bad = PackageRequest {
            version: Some("2.0".into()),
            ..req.clone()
        };
        let e = run(&bad).unwrap_err().to_string();
        assert!(e.starts_with("--version \"2.0\""), "{e}");
    }

    #[test]
    fn missing_subcharts_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let chart = dir.path().join("web");
        let text = format!(
            "{CHART}dependencies:\n- name: db\n  version: 1.0.0\n  repository: file://../db\n"
        );
        write(&chart, &[("Chart.yaml", &text)]);
        let req = PackageRequest {
            charts: vec![chart.clone()],
            destination: dir.path().to_path_buf(),
            ..PackageRequest::default()
        };
        let e = run(&req).unwrap_err().to_string();
        assert!(e.ends_with("missing in charts/ directory: db"), "{e}");
        assert!(!dir.path().join("web-1.0.0.tgz").exists());
    }
}
