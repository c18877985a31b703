//! `rudder rollback NAME [REVISION]`: roll a release back to an earlier revision as Helm's
//! `action.Rollback` does: the target (default: the one before the last) is copied into a new
//! revision (last + 1) with its chart, config and stored manifest (not re-rendered), recorded
//! `pending-rollback`, applied, what the last revision had and the target does not is pruned,
//! then the previous deployed revision is superseded and the new one deployed, "Rollback to N".
//! The target's hooks are copied with it: pre-rollback hooks run before the objects are applied,
//! post-rollback hooks after; `--no-hooks` skips them.

use super::ActionError;
use super::connection::Connection;
use super::deploy::rollout::Rollout;
use super::deploy::{self, DeployOptions, DryRun, lock};
use super::names::validate_release_name;
use super::recover::recover_revision;
use crate::release::{Release, Status, gotime};
use crate::storage::StorageError;

/// What to roll back.
#[derive(Debug, Clone, Default)]
pub struct RollbackRequest {
    /// The release name.
    pub name: String,
    /// The revision to go back to; `None` (or 0): the one before the last.
    pub revision: Option<u64>,
    /// `--history-max`: revisions kept (0: all).
    pub history_max: usize,
    /// Cluster-side options.
    pub deploy: DeployOptions,
    /// `--recover`: first mark a revision stuck by a dead operation failed (`rudder recover`).
    pub recover: bool,
}

/// Rolls `req.name` back; returns the new revision as recorded.
pub fn rollback(conn: &Connection, req: &RollbackRequest) -> Result<Release, ActionError> {
    validate_release_name(&req.name)?;
    let opts = &req.deploy;
    let namespace = conn.namespace().to_string();
    // The first request: an unreachable server fails here, before any record is read.
    conn.cluster.server_version()?;
    let storage = conn.storage(&namespace, req.history_max);
    let mut last = storage.last(&req.name).map_err(|e| match e {
        StorageError::NotFound { .. } => {
            ActionError::Invalid(format!("release {:?}: release: not found", req.name))
        }
        e => e.into(),
    })?;
    if req.recover && last.info.status.is_pending() {
        last = recover_revision(&conn.cluster, &storage, last, false, opts.dry_run.is_dry())?;
    }
    lock::check(&conn.cluster, &storage, &last)?;
    let target_version = match req.revision {
        Some(v) if v > 0 => v,
        _ => last.version.saturating_sub(1),
    };
    if target_version == 0 {
        return Err(ActionError::Invalid(format!(
            "release {:?} has no revision before {} to roll back to",
            req.name, last.version
        )));
    }
    let target = storage
        .get(&req.name, target_version)
        .map_err(|e| match e {
            StorageError::NotFound { .. } => ActionError::Invalid(format!(
                "release {:?} has no revision {target_version}: release: not found",
                req.name
            )),
            e => e.into(),
        })?;
    let objects = deploy::stamped(deploy::release_objects(&target)?, &req.name, &namespace);
    let previous = deploy::release_objects(&last)?;
    let description = format!("Rollback to {target_version}");
    let now = gotime::now();
    let mut release = Release {
        version: last.version + 1,
        namespace: namespace.clone(),
        ..target.clone()
    };
    release.info.first_deployed = last.info.first_deployed.or(target.info.first_deployed);
    release.info.last_deployed = Some(now);
    release.info.deleted = None;
    release.info.status = Status::PendingRollback;
    release.info.description = description.clone();
    if opts.dry_run == DryRun::Client {
        release.info.description = "Dry run complete".into();
        return Ok(release);
    }
    let cluster = &conn.cluster;
    if deploy::preflight(cluster, opts, &objects, &previous, &req.name, &namespace)? {
        release.info.description = "Dry run complete".into();
        return Ok(release);
    }
    let deployed = deploy::deployed_revisions(&storage, &req.name)?;
    Rollout {
        cluster,
        storage: &storage,
        opts,
    }
    .run(
        &mut release,
        &objects,
        &previous,
        deployed,
        &description,
        &format!("Rollback {:?}", req.name),
    )?;
    Ok(release)
}
