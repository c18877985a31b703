//! `rudder test NAME`: run the release's `test` hooks, as Helm's `ReleaseTesting`: the latest
//! revision's hooks of event `test` (those `--filter` selects), in hook order, each waited for
//! until it completes; their runs are recorded in the stored release (Helm updates it), and
//! with `--logs` the test Pods' logs are collected before any delete policy removes them. A
//! failed test does not lose the others' records: the release is stored either way and the
//! failure returned alongside it.

use std::time::Duration;

use super::ActionError;
use super::connection::Connection;
use super::deploy::hooks::HookRunner;
use super::deploy::hooks::logs::PodLog;
use super::deploy::lock;
use super::names::validate_release_name;
use super::progress::ProgressSink;
use crate::release::{Hook, HookEvent, Release};
use crate::storage::StorageError;

/// `--filter`: which tests run, by name (`name=X` includes, `!name=X` excludes).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TestFilter {
    /// Only these (when not empty).
    pub include: Vec<String>,
    /// Never these.
    pub exclude: Vec<String>,
}

impl TestFilter {
    /// Reads `--filter` values as Helm does (each may hold several, comma-separated):
    /// `name=X`, `!name=X` (or `! name=X`). Any other attribute is refused, naming it.
    pub fn parse(flags: &[String]) -> Result<TestFilter, ActionError> {
        let mut filter = TestFilter::default();
        for item in flags.iter().flat_map(|f| f.split(',')) {
            let item = item.trim();
            if item.is_empty() {
                continue;
            }
            if let Some(name) = item.strip_prefix("name=") {
                filter.include.push(name.to_string());
            } else if let Some(name) = item
                .strip_prefix('!')
                .map(str::trim_start)
                .and_then(|rest| rest.strip_prefix("name="))
            {
                filter.exclude.push(name.to_string());
            } else {
                return Err(ActionError::Invalid(format!(
                    "--filter {item:?}: expected name=NAME or !name=NAME"
                )));
            }
        }
        Ok(filter)
    }

    /// Whether the test hook `hook` runs.
    pub fn accepts(&self, hook: &Hook) -> bool {
        !self.exclude.contains(&hook.name)
            && (self.include.is_empty() || self.include.contains(&hook.name))
    }
}

/// What to test.
#[derive(Debug, Clone, Default)]
pub struct TestRequest {
    /// The release name.
    pub name: String,
    /// How long each test may take (`None`: Helm's 5m).
    pub timeout: Option<Duration>,
    /// `--filter`.
    pub filter: TestFilter,
    /// `--logs`: collect the test Pods' logs.
    pub logs: bool,
    /// Where each test's start and end are reported.
    pub progress: ProgressSink,
}

/// What a test run did.
#[derive(Debug, Clone)]
pub struct TestResult {
    /// The release as stored after the run (its test hooks' `last_run` filled in).
    pub release: Release,
    /// The test Pods' logs (with `--logs`), in run order.
    pub logs: Vec<PodLog>,
    /// Why the run failed (a test failed, or could not be started), if it did.
    pub failure: Option<String>,
}

/// Runs the tests of `req.name`. An `Err` means nothing could be run (no such release, a
/// locked one, the record could not be stored); failed tests are in [`TestResult::failure`].
pub fn test(conn: &Connection, req: &TestRequest) -> Result<TestResult, ActionError> {
    conn.cluster.server_version()?;
    validate_release_name(&req.name).map_err(|_| {
        ActionError::Invalid(format!(
            "releaseTest: Release name is invalid: {}",
            req.name
        ))
    })?;
    let storage = conn.default_storage();
    let mut release = storage.last(&req.name).map_err(|e| match e {
        StorageError::NotFound { .. } => {
            ActionError::Invalid(format!("release {:?}: release: not found", req.name))
        }
        e => e.into(),
    })?;
    lock::check(&conn.cluster, &storage, &release)?;
    let namespace = release.namespace.clone();
    let runner = HookRunner {
        cluster: &conn.cluster,
        namespace: &namespace,
        timeout: req.timeout.unwrap_or(super::deploy::DEFAULT_TIMEOUT),
        progress: &req.progress,
    };
    let filter = &req.filter;
    let select = |h: &Hook| filter.accepts(h);
    let mut logs = Vec::new();
    let ran = if req.logs {
        runner.run_collecting(&mut release.hooks, HookEvent::Test, &select, &mut logs)
    } else {
        runner.run(&mut release.hooks, HookEvent::Test, &select)
    };
    storage.update(&release)?;
    Ok(TestResult {
        release,
        logs,
        failure: ran.err().map(|e| e.to_string()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_as_helm() {
        let f = TestFilter::parse(&["name=a,name=b".into(), "! name=c".into()]).unwrap();
        assert_eq!(f.include, vec!["a", "b"]);
        assert_eq!(f.exclude, vec!["c"]);
        let hook = |n: &str| Hook {
            name: n.into(),
            ..Hook::default()
        };
        assert!(f.accepts(&hook("a")));
        assert!(!f.accepts(&hook("d")));
        let only_not = TestFilter::parse(&["!name=c".into()]).unwrap();
        assert!(only_not.accepts(&hook("d")));
        assert!(!only_not.accepts(&hook("c")));
        let e = TestFilter::parse(&["kind=Pod".into()]).unwrap_err();
        assert!(e.to_string().contains("\"kind=Pod\""), "{e}");
    }
}
