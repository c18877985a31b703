//! `rudder dependency update|build`: resolve the dependencies of `Chart.yaml` to exact versions,
//! vendor them into `charts/` as archives, and write `Chart.lock` (update); or reproduce
//! `charts/` from `Chart.lock` (build). Helm's semantics: `file://` dependencies are packaged
//! from their directory, `@name` / `alias:name` name a configured repository (the lock records its
//! URL), an http(s) URL is looked up among configured repositories or fetched directly, and a
//! dependency without a repository must already be in `charts/`.
//!
//! Nothing is half-done: archives are fetched into a staging directory inside the chart, and
//! only when every one of them is there do they replace the old ones and the lock is written.

use std::path::{Path, PathBuf};

use super::ActionError;
use super::dependency::read_metadata;
use crate::chart::{
    self, Dependency, LOCK_FILE, Lock, LockedDependency, constraint_matches, parse_constraint,
    requirements_digest,
};
use crate::repo::config::{RepoEntry, RepoFile};
use crate::repo::http::HttpOptions;
use crate::repo::paths::RepoPaths;
use crate::repo::reference::{ResolveOptions, resolve};
use crate::repo::sync::fetch_index;

/// What `dependency update` / `build` takes.
#[derive(Debug, Clone)]
pub struct DependencyRequest {
    /// The chart directory.
    pub chart_dir: PathBuf,
    /// `--skip-refresh`: use the cached repository indexes as they are.
    pub skip_refresh: bool,
    /// Configuration and cache locations.
    pub paths: RepoPaths,
    /// `SOURCE_DATE_EPOCH` for archives packaged from `file://` dependencies.
    pub source_date_epoch: Option<u64>,
}

/// What was done, for the CLI to report.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DependencyReport {
    /// The repositories whose index was refreshed.
    pub refreshed: Vec<String>,
    /// Archives written into `charts/`.
    pub saved: Vec<PathBuf>,
    /// Older archives of the same dependencies removed from `charts/`.
    pub deleted: Vec<PathBuf>,
    /// Dependencies without a repository, expected as directories in `charts/`.
    pub local: Vec<String>,
    /// Whether `Chart.lock` was (re)written.
    pub lock_written: bool,
    /// `build` without a `Chart.lock` runs an update, as Helm does.
    pub ran_update: bool,
}

/// Where a locked dependency's archive comes from.
#[derive(Debug, Clone)]
enum Source {
    /// Already in `charts/` (no repository).
    Vendored,
    /// A chart directory to package.
    Directory(PathBuf),
    /// A configured repository (by name).
    Repo(RepoEntry),
    /// A repository URL that is not configured.
    Url(String),
}

/// `dependency update`.
pub fn update(req: &DependencyRequest) -> Result<DependencyReport, ActionError> {
    let metadata = read_metadata(&req.chart_dir)?;
    let mut report = DependencyReport::default();
    if metadata.dependencies.is_empty() {
        return Ok(report);
    }
    let repos = RepoFile::load_or_new(&req.paths.repository_config).map_err(repo_err)?;
    let (requirements, sources) = map_repositories(&req.chart_dir, &metadata.dependencies, &repos)?;
    report.refreshed = refresh(req, &sources)?;
    let mut locked = Vec::new();
    for (dep, source) in requirements.iter().zip(&sources) {
        locked.push(LockedDependency {
            name: dep.name.clone(),
            repository: dep.repository.clone(),
            version: resolve_version(req, dep, source)?,
        });
    }
    let lock = Lock {
        digest: requirements_digest(&requirements, &locked),
        dependencies: locked,
        generated: now(),
    };
    vendor(req, &lock, &sources, &mut report)?;
    let old = read_lock(&req.chart_dir)?;
    let unchanged = old
        .as_ref()
        .is_some_and(|o| o.digest == lock.digest && o.dependencies == lock.dependencies);
    if !unchanged {
        let path = req.chart_dir.join(LOCK_FILE);
        chart::write_atomic(&path, lock.to_yaml().as_bytes())
            .map_err(|e| ActionError::io(&path, e))?;
        report.lock_written = true;
    }
    Ok(report)
}

/// `dependency build`: `charts/` from `Chart.lock`, refusing a lock out of sync with Chart.yaml.
pub fn build(req: &DependencyRequest) -> Result<DependencyReport, ActionError> {
    let metadata = read_metadata(&req.chart_dir)?;
    let Some(lock) = read_lock(&req.chart_dir)? else {
        let mut report = update(req)?;
        report.ran_update = true;
        return Ok(report);
    };
    let repos = RepoFile::load_or_new(&req.paths.repository_config).map_err(repo_err)?;
    let (requirements, sources) = map_repositories(&req.chart_dir, &metadata.dependencies, &repos)?;
    if requirements_digest(&requirements, &lock.dependencies) != lock.digest {
        return Err(ActionError::Invalid(format!(
            "{}: the lock file is out of sync with the dependencies file (Chart.yaml); \
             run `rudder dependency update`",
            req.chart_dir.join(LOCK_FILE).display()
        )));
    }
    let mut report = DependencyReport {
        refreshed: refresh(req, &sources)?,
        ..DependencyReport::default()
    };
    // The lock lists the dependencies in Chart.yaml order, so it pairs with `sources`.
    vendor(req, &lock, &sources, &mut report)?;
    Ok(report)
}

/// Reads `Chart.lock` next to `Chart.yaml`, if there is one.
pub fn read_lock(chart_dir: &Path) -> Result<Option<Lock>, ActionError> {
    let path = chart_dir.join(LOCK_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok(Some(Lock::parse(&text, &path.display().to_string())?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(ActionError::io(&path, e)),
    }
}

fn repo_err(e: crate::repo::RepoError) -> ActionError {
    ActionError::Repo(e)
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

/// Helm's `resolveRepoNames`: where each dependency comes from, with `@name` / `alias:name`
/// replaced by the repository's URL (what the lock records and its digest covers).
fn map_repositories(
    chart_dir: &Path,
    deps: &[Dependency],
    repos: &RepoFile,
) -> Result<(Vec<Dependency>, Vec<Source>), ActionError> {
    let mut requirements = Vec::new();
    let mut sources = Vec::new();
    let mut missing = Vec::new();
    for dep in deps {
        let mut dep = dep.clone();
        let repository = dep.repository.clone();
        let source = if repository.is_empty() {
            Source::Vendored
        } else if let Some(path) = repository.strip_prefix("file://") {
            let dir = if Path::new(path).is_absolute() {
                PathBuf::from(path)
            } else {
                chart_dir.join(path)
            };
            if !dir.exists() {
                return Err(ActionError::Invalid(format!(
                    "dependency {:?}: directory {} not found",
                    dep.name,
                    dir.display()
                )));
            }
            Source::Directory(dir)
        } else if let Some(name) = repository
            .strip_prefix('@')
            .or_else(|| repository.strip_prefix("alias:"))
        {
            match repos.get(name) {
                Some(entry) => {
                    dep.repository = entry.url.clone();
                    Source::Repo(entry.clone())
                }
                None => {
                    missing.push(repository.clone());
                    Source::Vendored
                }
            }
        } else if repository.starts_with("http://") || repository.starts_with("https://") {
            let same = |u: &str| u.trim_end_matches('/') == repository.trim_end_matches('/');
            match repos.repositories.iter().find(|e| same(&e.url)) {
                Some(entry) => Source::Repo(entry.clone()),
                None => Source::Url(repository.clone()),
            }
        } else {
            return Err(ActionError::Invalid(format!(
                "dependency {:?}: repository {repository:?} is not supported \
                 (an http(s) URL, @name, alias:name or file://path)",
                dep.name
            )));
        };
        requirements.push(dep);
        sources.push(source);
    }
    if !missing.is_empty() {
        return Err(ActionError::Invalid(format!(
            "no repository definition for {}: add them with `rudder repo add NAME URL`",
            missing.join(", ")
        )));
    }
    Ok((requirements, sources))
}

/// Refreshes the index of every configured repository a dependency uses (once each).
fn refresh(req: &DependencyRequest, sources: &[Source]) -> Result<Vec<String>, ActionError> {
    let mut done: Vec<String> = Vec::new();
    if req.skip_refresh {
        return Ok(done);
    }
    for source in sources {
        if let Source::Repo(entry) = source
            && !done.contains(&entry.name)
        {
            fetch_index(&req.paths, entry, true).map_err(repo_err)?;
            done.push(entry.name.clone());
        }
    }
    Ok(done)
}

/// The exact version a dependency resolves to now.
fn resolve_version(
    req: &DependencyRequest,
    dep: &Dependency,
    source: &Source,
) -> Result<String, ActionError> {
    match source {
        Source::Vendored => {
            let dir = req.chart_dir.join("charts").join(&dep.name);
            if !dir.exists() {
                return Err(ActionError::Invalid(format!(
                    "dependency {:?} declares no repository and {} does not exist",
                    dep.name,
                    dir.display()
                )));
            }
            Ok(dep.version.clone())
        }
        Source::Directory(dir) => {
            let loaded = chart::load(dir)?;
            let version = loaded.metadata.version.clone();
            let ok = semver::Version::parse(&version).is_ok_and(|v| {
                dep.version.trim().is_empty()
                    || parse_constraint(&dep.version)
                        .is_ok_and(|alts| constraint_matches(&alts, &v))
            });
            if !ok {
                return Err(ActionError::Invalid(format!(
                    "dependency {:?}: {} has version {version}, which does not match {:?}",
                    dep.name,
                    dir.display(),
                    dep.version
                )));
            }
            Ok(version)
        }
        Source::Repo(_) | Source::Url(_) => {
            let resolved = fetch(req, &dep.name, &dep.version, source)?;
            Ok(resolved.1)
        }
    }
}

/// Downloads (or finds in the cache) `name` at `range` from a repository source: the archive
/// path and the exact version.
fn fetch(
    req: &DependencyRequest,
    name: &str,
    range: &str,
    source: &Source,
) -> Result<(PathBuf, String), ActionError> {
    let (reference, repo_url, http) = match source {
        Source::Repo(entry) => (
            format!("{}/{name}", entry.name),
            None,
            HttpOptions::from(entry),
        ),
        Source::Url(url) => (name.to_string(), Some(url.clone()), HttpOptions::default()),
        _ => unreachable!("fetch is only called for repository sources"),
    };
    let opts = ResolveOptions {
        version: range.to_string(),
        devel: false,
        repo_url,
        http,
        paths: req.paths.clone(),
    };
    let resolved = resolve(&reference, &opts)
        .map_err(|e| ActionError::Invalid(format!("dependency {name:?}: {e}")))?;
    let version = resolved
        .version
        .as_ref()
        .map(|v| v.version.clone())
        .unwrap_or_default();
    Ok((resolved.path, version))
}

/// Puts the locked archives into `charts/`: staged first, then moved in; older archives of
/// the same dependencies are removed.
fn vendor(
    req: &DependencyRequest,
    lock: &Lock,
    sources: &[Source],
    report: &mut DependencyReport,
) -> Result<(), ActionError> {
    let charts = req.chart_dir.join("charts");
    std::fs::create_dir_all(&charts).map_err(|e| ActionError::io(&charts, e))?;
    let staging = tempfile::Builder::new()
        .prefix(".tmpcharts-")
        .tempdir_in(&charts)
        .map_err(|e| ActionError::io(&charts, e))?;
    let mut staged: Vec<(PathBuf, String, String)> = Vec::new();
    for (locked, source) in lock.dependencies.iter().zip(sources) {
        let file = format!("{}-{}.tgz", locked.name, locked.version);
        let target = staging.path().join(&file);
        match source {
            Source::Vendored => {
                report.local.push(locked.name.clone());
                continue;
            }
            Source::Directory(dir) => {
                let loaded = chart::load(dir)?;
                let bytes = chart::archive_bytes(&loaded, req.source_date_epoch)?;
                std::fs::write(&target, bytes).map_err(|e| ActionError::io(&target, e))?;
            }
            Source::Repo(_) | Source::Url(_) => {
                let exact = format!("={}", locked.version);
                let (archive, _) = fetch(req, &locked.name, &exact, source)?;
                std::fs::copy(&archive, &target).map_err(|e| ActionError::io(&target, e))?;
            }
        }
        staged.push((target, file, locked.name.clone()));
    }
    let keep: Vec<&str> = staged.iter().map(|(_, f, _)| f.as_str()).collect();
    for (_, _, name) in &staged {
        for old in old_archives(&charts, name) {
            let file = old.file_name().and_then(|f| f.to_str()).unwrap_or("");
            if !keep.contains(&file) && !report.deleted.contains(&old) {
                std::fs::remove_file(&old).map_err(|e| ActionError::io(&old, e))?;
                report.deleted.push(old);
            }
        }
    }
    for (from, file, _) in staged {
        let to = charts.join(&file);
        std::fs::rename(&from, &to).map_err(|e| ActionError::io(&to, e))?;
        report.saved.push(to);
    }
    Ok(())
}

/// Archives in `charts/` that are versions of `name` (`NAME-<semver>.tgz`).
fn old_archives(charts: &Path, name: &str) -> Vec<PathBuf> {
    let prefix = format!("{name}-");
    let mut out: Vec<PathBuf> = std::fs::read_dir(charts)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_prefix(&prefix))
                .and_then(|rest| rest.strip_suffix(".tgz"))
                .is_some_and(|v| semver::Version::parse(v).is_ok())
        })
        .collect();
    out.sort();
    out
}
