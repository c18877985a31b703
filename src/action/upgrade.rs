//! `rudder upgrade NAME CHART`: render a chart as the next revision of a release and roll it out
//! over the current one, as Helm's `action.Upgrade` does: refuse while another operation is
//! pending, compute values (`--reuse-values`, `--reset-values`, `--reset-then-reuse-values`, or
//! Helm's default of reusing the last config when none is given), record `pending-upgrade`,
//! apply, prune what the current revision had and the new one does not, then supersede the
//! previous revision and mark the new one deployed. `--install` installs a release that has no
//! history (or only uninstalled revisions). After a failed first install, upgrade works: it
//! applies over the failed revision and prunes against its manifest. `--cleanup-on-fail`
//! deletes what a failed upgrade created; `--rollback-on-failure` does too, then rolls back to
//! the last successful revision.
//! Pre-upgrade hooks run before the objects are applied, post-upgrade hooks after;
//! `--no-hooks` skips them, `--dry-run` never runs them.
//! Templates see the live cluster (`lookup`, `Capabilities`); the chart's CRDs are left alone
//! as Helm leaves them, unless `--upgrade-crds` (see [`super::deploy::crds`]).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use super::ActionError;
use super::connection::Connection;
use super::deploy::cleanup::RolloutFailure;
use super::deploy::rollout::Rollout;
use super::deploy::{self, DeployOptions, DryRun, crds, lock, objects, record};
use super::install::{LoadedInstall, install_loaded};
use super::names::validate_release_name;
use super::recover::recover_revision;
use super::render::{RenderRequest, RenderResult, render_with_values};
use super::rollback::{self, RollbackRequest};
use crate::chart::{self, Chart};
use crate::engine::ReleaseInfo;
use crate::release::{Release, Status};
use crate::storage::StorageError;
use crate::values::options::{ValueOptions, merge_maps};
use crate::values::{Values, coalesce};

/// How the new revision's values relate to the current one's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ValuesMode {
    /// Helm's default: the given values; with none given, the current release's.
    #[default]
    Default,
    /// `--reuse-values`: the current values (and the current chart's defaults) under the new.
    Reuse,
    /// `--reset-values`: only the chart's defaults and the new values.
    Reset,
    /// `--reset-then-reuse-values`: the new chart's defaults, the current values, the new ones.
    ResetThenReuse,
}

/// What to upgrade.
#[derive(Debug, Clone, Default)]
pub struct UpgradeRequest {
    /// The release name.
    pub name: String,
    /// The chart (directory or `.tgz`), already located.
    pub chart: PathBuf,
    /// `-f` and the `--set` family.
    pub values: ValueOptions,
    /// How values combine with the current release's.
    pub values_mode: ValuesMode,
    /// `--install`: install when the release does not exist.
    pub install: bool,
    /// `--history-max`: revisions kept (0: all).
    pub history_max: usize,
    /// `--description`.
    pub description: Option<String>,
    /// `--labels`: merged over the current record's labels (`null` removes one).
    pub labels: BTreeMap<String, String>,
    /// Cluster-side options (`create_namespace` and `skip_crds` matter with `--install`).
    pub deploy: DeployOptions,
    /// `--recover`: first mark a revision stuck by a dead operation failed (`rudder recover`).
    pub recover: bool,
}

/// Upgrades `req.name` through `conn`; returns the new revision as recorded.
pub fn upgrade(
    conn: &Connection,
    req: &UpgradeRequest,
    stdin: &mut dyn std::io::Read,
) -> Result<Release, ActionError> {
    validate_release_name(&req.name)?;
    let chart = chart::load(&req.chart)?;
    let given = req.values.merge(stdin)?;
    let opts = &req.deploy;
    let namespace = conn.namespace().to_string();
    let capabilities = deploy::capabilities(&conn.cluster)?;
    let storage = conn.storage(&namespace, req.history_max);
    let mut history = match storage.history(&req.name) {
        Ok(h) => h,
        Err(StorageError::NotFound { .. }) => Vec::new(),
        Err(e) => return Err(e.into()),
    };
    if history.iter().all(|r| r.info.status == Status::Uninstalled) {
        if !req.install {
            return Err(ActionError::Invalid(format!(
                "{:?} has no deployed releases",
                req.name
            )));
        }
        tracing::info!("release {:?} does not exist; installing it", req.name);
        return install_loaded(
            conn,
            LoadedInstall {
                name: &req.name,
                chart,
                user_values: given,
                description: req.description.clone(),
                labels: req.labels.clone(),
                deploy: opts,
            },
        );
    }
    if req.recover
        && let Some(stuck) = history.pop_if(|r| r.info.status.is_pending())
    {
        history.push(recover_revision(
            &conn.cluster,
            &storage,
            stuck,
            false,
            opts.dry_run.is_dry(),
        )?);
    }
    let last = history.last().expect("history is not empty");
    lock::check(&conn.cluster, &storage, last)?;
    let deployed = deploy::deployed_revisions(&storage, &req.name)?;
    // The revision to build on: the deployed one, else the last (a failed install or upgrade
    // with nothing deployed).
    let current = deployed.last().unwrap_or(last).clone();
    let (chart, user_values) = values_for(chart, given, &current, req.values_mode)?;
    let version = last.version + 1;
    let mut render_req = RenderRequest {
        chart: PathBuf::new(),
        values: ValueOptions::default(),
        release: ReleaseInfo {
            name: req.name.clone(),
            namespace: namespace.clone(),
            revision: version,
            is_install: false,
            is_upgrade: true,
        },
        capabilities,
        lookup: opts.lookup(&conn.cluster),
    };
    let mut result = render_with_values(chart, user_values, &render_req)?;
    let previous = deploy::release_objects(&current)?;
    let record = |result: &RenderResult| -> Result<(Vec<Value>, Release), ActionError> {
        let objects = deploy::stamped(
            objects::from_rendered(&result.rendered.manifests)?,
            &req.name,
            &namespace,
        );
        let release = record::build(record::NewRevision {
            name: &req.name,
            namespace: &namespace,
            version,
            chart: &result.chart,
            config: result.user_values.clone(),
            rendered: &result.rendered,
            status: Status::PendingUpgrade,
            description: "Preparing upgrade".into(),
            labels: merge_labels(&current.labels, &req.labels),
            first_deployed: current.info.first_deployed,
        })?;
        Ok((objects, release))
    };
    let (mut objects, mut release) = record(&result)?;
    if opts.dry_run == DryRun::Client {
        release.info.description = "Dry run complete".into();
        return Ok(release);
    }
    let cluster = &conn.cluster;
    // Helm leaves CRDs alone on upgrade; `--upgrade-crds` applies changed ones first.
    if crds::sync(cluster, &result.rendered.crds, opts, false)?.changed() {
        render_req.capabilities = deploy::capabilities(cluster)?;
        result = render_with_values(result.chart, result.user_values, &render_req)?;
        (objects, release) = record(&result)?;
    }
    if deploy::preflight(cluster, opts, &objects, &previous, &req.name, &namespace)? {
        release.info.description = "Dry run complete".into();
        return Ok(release);
    }
    let done = req
        .description
        .clone()
        .unwrap_or_else(|| "Upgrade complete".to_string());
    let outcome = Rollout {
        cluster,
        storage: &storage,
        opts,
    }
    .run(
        &mut release,
        &objects,
        &previous,
        deployed,
        &done,
        &format!("Upgrade {:?}", req.name),
    );
    match outcome {
        Ok(()) => Ok(release),
        Err(failure) if opts.rollback_on_failure => Err(roll_back_failed(conn, req, failure)),
        Err(failure) => Err(failure.into()),
    }
}

/// `--rollback-on-failure` after a failed upgrade, as Helm's `failRelease`: the objects the
/// upgrade created are deleted (by the rollout; Helm leaves them), then the release is rolled
/// back to its last successful (deployed or superseded) revision as a new revision "Rollback to
/// N", waiting as the upgrade would have. When the lock was not ours (no cleanup ran) the
/// error is the plain one.
fn roll_back_failed(
    conn: &Connection,
    req: &UpgradeRequest,
    failure: RolloutFailure,
) -> ActionError {
    let name = &req.name;
    let error = failure.error;
    let cleaned = match failure.cleanup.map(|c| *c) {
        None => return error,
        Some(Ok(c)) => Ok(c.summary()),
        Some(Err(e)) => Err(format!("unable to cleanup resources: {e}")),
    };
    let namespace = conn.namespace().to_string();
    let storage = conn.storage(&namespace, req.history_max);
    let target = match storage.history(name) {
        Ok(history) => history
            .into_iter()
            .filter(|r| matches!(r.info.status, Status::Deployed | Status::Superseded))
            .map(|r| r.version)
            .max(),
        Err(e) => {
            return ActionError::Invalid(format!(
                "an error occurred while rolling back the release. original upgrade error: {error}: reading its history: {e}"
            ));
        }
    };
    let Some(target) = target else {
        return ActionError::Invalid(format!(
            "unable to find a previously successful release when attempting to rollback. original upgrade error: {error}"
        ));
    };
    let rollback = RollbackRequest {
        name: name.clone(),
        revision: Some(target),
        history_max: req.history_max,
        deploy: DeployOptions {
            dry_run: DryRun::None,
            rollback_on_failure: false,
            cleanup_on_fail: false,
            ..req.deploy.clone()
        },
        recover: false,
    };
    let rolled = rollback::rollback(conn, &rollback);
    match (rolled, cleaned) {
        (Ok(_), Ok(summary)) => ActionError::Invalid(format!(
            "release {name} failed, and has been rolled back due to rollback-on-failure being set: {error} ({summary})"
        )),
        (Ok(_), Err(cleanup)) => ActionError::Invalid(format!(
            "release {name} failed, and has been rolled back due to rollback-on-failure being set: {error} (but {cleanup})"
        )),
        (Err(e), Ok(summary)) => ActionError::Invalid(format!(
            "an error occurred while rolling back the release. original upgrade error: {error} ({summary}): {e}"
        )),
        (Err(e), Err(cleanup)) => ActionError::Invalid(format!(
            "an error occurred while rolling back the release. original upgrade error: {error} ({cleanup}): {e}"
        )),
    }
}

/// Helm's `reuseValues`: the chart to render and the values to record for the new revision.
pub fn values_for(
    mut chart: Chart,
    given: Values,
    current: &Release,
    mode: ValuesMode,
) -> Result<(Chart, Values), ActionError> {
    let over_current = |given: Values| {
        let mut merged = current.config.clone();
        merge_maps(&mut merged, given);
        merged
    };
    Ok(match mode {
        ValuesMode::Reset => (chart, given),
        ValuesMode::ResetThenReuse => (chart, over_current(given)),
        ValuesMode::Reuse => {
            // The current chart's defaults coalesced with the current values stand in for the
            // new chart's defaults, as Helm does.
            if let Some(stored) = &current.chart {
                let old = stored
                    .to_chart(&format!(
                        "release {:?} revision {}",
                        current.name, current.version
                    ))
                    .map_err(|e| ActionError::Storage(StorageError::Release(e)))?;
                chart.values = coalesce::coalesce_values(&old, &current.config)?;
            }
            (chart, over_current(given))
        }
        ValuesMode::Default if given.is_empty() && !current.config.is_empty() => {
            tracing::info!(
                "reusing the values of revision {} (no values given)",
                current.version
            );
            (chart, current.config.clone())
        }
        ValuesMode::Default => (chart, given),
    })
}

/// The current record's labels with `new` over them; a value `null` removes a label.
pub fn merge_labels(
    current: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> BTreeMap<String, String> {
    let mut labels = current.clone();
    for (k, v) in new {
        if v == "null" {
            labels.remove(k);
        } else {
            labels.insert(k.clone(), v.clone());
        }
    }
    labels
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn values(v: serde_json::Value) -> Values {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn values_modes_as_helm() {
        let current = Release {
            config: values(json!({"a": 1, "b": {"c": 2}})),
            ..Release::default()
        };
        let chart = Chart::default();
        let given = values(json!({"b": {"d": 3}}));
        let (_, v) = values_for(chart.clone(), given.clone(), &current, ValuesMode::Reset).unwrap();
        assert_eq!(v, given);
        let (_, v) = values_for(
            chart.clone(),
            given.clone(),
            &current,
            ValuesMode::ResetThenReuse,
        )
        .unwrap();
        assert_eq!(v, values(json!({"a": 1, "b": {"c": 2, "d": 3}})));
        let (_, v) =
            values_for(chart.clone(), Values::new(), &current, ValuesMode::Default).unwrap();
        assert_eq!(v, current.config);
        let (_, v) = values_for(chart, given.clone(), &current, ValuesMode::Default).unwrap();
        assert_eq!(v, given);
    }

    #[test]
    fn labels_merge_and_null_removes() {
        let cur = BTreeMap::from([("a".to_string(), "1".to_string()), ("b".into(), "2".into())]);
        let new = BTreeMap::from([
            ("a".to_string(), "null".to_string()),
            ("c".into(), "3".into()),
        ]);
        let m = merge_labels(&cur, &new);
        assert_eq!(m.keys().collect::<Vec<_>>(), vec!["b", "c"]);
    }
}
