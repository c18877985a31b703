//! `uninstall NAME`: as Helm's `pkg/action/uninstall.go`: mark the latest revision
//! `uninstalling`, delete the objects of its manifest last-first (skipping those annotated
//! `helm.sh/resource-policy: keep`, counting absent ones as deleted) with the requested
//! propagation, then remove every revision record, or with `--keep-history` keep them and mark
//! the latest `uninstalled`. `pre-delete` hooks run before the objects are deleted (a failure
//! stops the uninstall, the record left `uninstalling` with the hooks' runs, as Helm leaves it),
//! `post-delete` hooks after (a failure is reported once the release is gone, as Helm does);
//! then, unlike Helm, which leaves them behind, the hooks' own resources are deleted too unless
//! annotated `helm.sh/resource-policy: keep` (CRDs are never deleted). `--no-hooks` skips all
//! of this.
//!
//! The uninstalling record is the lock ([`lock::acquire_existing`]): it carries the holder and a
//! lease renewed while hooks run and objects are deleted, so an upgrade, rollback or second
//! uninstall started meanwhile is refused naming the holder. Objects already deleted by hand are
//! reported as already gone.

use std::time::Duration;

use kube::api::DeleteParams;

use super::ActionError;
use super::connection::{ConnectOptions, Connection, connect};
use super::deploy::hooks::{self, HookRunner};
use super::deploy::prune::is_kept;
use super::deploy::wait::wait_for_deletion;
use super::deploy::{DEFAULT_TIMEOUT, lock};
use super::names::validate_release_name;
use super::progress::ProgressSink;
use super::status::{manifest_objects, release_content};
use crate::kube::ObjectRef;
use crate::release::{HookEvent, Release, Status, gotime};
use crate::storage::{Storage, StorageError};

/// `--cascade`: how the API server deletes the objects' dependents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Cascade {
    /// Dependents are deleted in the background (Helm's default).
    #[default]
    Background,
    /// Dependents are left alone.
    Orphan,
    /// The owner goes once its dependents are gone.
    Foreground,
}

impl Cascade {
    fn params(self) -> DeleteParams {
        match self {
            Cascade::Background => DeleteParams::background(),
            Cascade::Orphan => DeleteParams::orphan(),
            Cascade::Foreground => DeleteParams::foreground(),
        }
    }
}

/// What to uninstall and how.
#[derive(Debug, Clone, Default)]
pub struct UninstallRequest {
    /// Where to connect.
    pub connect: ConnectOptions,
    /// The release name.
    pub name: String,
    /// Keep the revision records, the latest marked `uninstalled`.
    pub keep_history: bool,
    /// Change nothing; report the release that would be uninstalled.
    pub dry_run: bool,
    /// Deletion propagation.
    pub cascade: Cascade,
    /// A custom description for the `uninstalled` revision.
    pub description: Option<String>,
    /// Treat a missing release as done.
    pub ignore_not_found: bool,
    /// `--no-hooks`: run no pre-/post-delete hooks and leave hook resources alone.
    pub no_hooks: bool,
    /// `--wait`: wait until every deleted object is gone (at most `timeout`).
    pub wait: bool,
    /// `--timeout`: how long each hook may take, and how long `wait` waits (`None`: Helm's 5m).
    pub timeout: Option<Duration>,
    /// Where hooks and waiting report what they are doing.
    pub progress: ProgressSink,
}

/// What an uninstall did.
#[derive(Debug, Clone, Default)]
pub struct UninstallResult {
    /// The release as last recorded (`None`: absent and `ignore_not_found`).
    pub release: Option<Release>,
    /// The objects deleted, in deletion order.
    pub deleted: Vec<ObjectRef>,
    /// The objects found already gone (deleted by hand, or their kind no longer served).
    pub already_gone: Vec<ObjectRef>,
    /// The objects kept by their resource policy, as `[Kind] name`.
    pub kept: Vec<String>,
}

/// Uninstalls `req.name`.
pub fn uninstall(req: &UninstallRequest) -> Result<UninstallResult, ActionError> {
    let conn = connect(&req.connect)?;
    conn.cluster.server_version()?;
    let name = req.name.as_str();
    if req.dry_run {
        return match release_content(&conn, name, 0) {
            Ok(r) => Ok(UninstallResult {
                release: Some(r),
                ..UninstallResult::default()
            }),
            Err(ActionError::Storage(e)) if e.is_not_found() && req.ignore_not_found => {
                Ok(UninstallResult::default())
            }
            Err(e) => Err(e),
        };
    }
    validate_release_name(name)
        .map_err(|_| ActionError::Invalid(format!("uninstall: Release name is invalid: {name}")))?;
    let storage = conn.default_storage();
    let mut revisions = match storage.history(name) {
        Ok(h) => h,
        Err(e) if e.is_not_found() && req.ignore_not_found => {
            return Ok(UninstallResult::default());
        }
        Err(e) => {
            let why = if e.is_not_found() {
                "release: not found".to_string()
            } else {
                e.to_string()
            };
            return Err(ActionError::Invalid(format!(
                "uninstall: Release not loaded: {name}: {why}"
            )));
        }
    };
    let Some(mut release) = revisions.pop() else {
        return Err(ActionError::Invalid(format!(
            "uninstall: Release not loaded: {name}: release: not found"
        )));
    };
    revisions.push(release.clone());

    if release.info.status == Status::Uninstalled {
        if req.keep_history {
            return Err(ActionError::Invalid(format!(
                "the release named {name:?} is already deleted"
            )));
        }
        purge(&storage, &revisions)?;
        return Ok(UninstallResult {
            release: Some(release),
            ..UninstallResult::default()
        });
    }
    // The lock: a pending revision (another operation) or an uninstall whose holder is alive
    // refuses; then the record is marked uninstalling with this process as holder, a write
    // conditional on the record being as read (see `lock::acquire_existing`).
    let cluster = &conn.cluster;
    lock::check(cluster, &storage, &release)?;
    let info = lock::read(cluster, &storage, &release)?;
    let before = release.clone();
    release.info.status = Status::Uninstalling;
    release.info.deleted = Some(gotime::now());
    release.info.description = "Deletion in progress (or silently failed)".into();
    let held = lock::acquire_existing(
        cluster,
        &storage,
        &release,
        info.resource_version.as_deref(),
    )?;
    // An upgrade that stored a newer revision between our read and our lock wins: give the
    // record back as it was and refuse.
    if let Ok(newer) = storage.last(name)
        && newer.version > release.version
    {
        held.finish(cluster, &storage, &before)?;
        return Err(lock::refusal(cluster, &storage, &newer));
    }

    let namespace = release.namespace.clone();
    let timeout = req.timeout.unwrap_or(DEFAULT_TIMEOUT);
    let mut errors = Vec::new();
    let deletion = held.while_held(cluster, || {
        let runner = HookRunner {
            cluster,
            namespace: &namespace,
            timeout,
            progress: &req.progress,
        };
        if !req.no_hooks {
            runner
                .run(&mut release.hooks, HookEvent::PreDelete, &|_| true)
                .map_err(|e| ActionError::Invalid(format!("uninstall: {e}")))?;
        }
        let mut deletion = delete_objects(&conn, &release, req.cascade)?;
        if !req.no_hooks {
            if let Err(e) = runner.run(&mut release.hooks, HookEvent::PostDelete, &|_| true) {
                errors.push(e.to_string());
            }
            // CRDs stay, as for the release's own objects.
            let hooks = release
                .hooks
                .iter()
                .rev()
                .filter(|h| h.kind != "CustomResourceDefinition");
            match hooks::delete_resources(
                cluster,
                hooks,
                &release.name,
                &release.namespace,
                &req.cascade.params(),
            ) {
                Ok((gone, kept)) => {
                    deletion.deleted.extend(gone);
                    deletion.kept.extend(kept);
                }
                Err(e) => errors.push(e.to_string()),
            }
        }
        // As Helm: a failed wait does not stop the uninstall; it is reported once it is done.
        if req.wait
            && let Err(e) = wait_for_deletion(
                cluster,
                &deletion.deleted,
                &namespace,
                timeout,
                &req.progress,
            )
        {
            errors.push(e.to_string());
        }
        Ok(deletion)
    });
    let deletion = match deletion {
        Ok(d) => d,
        Err(e) => {
            // The record stays `uninstalling` (as Helm leaves it, with the hooks' runs) but
            // unlocked: retry works.
            if let Err(store) = held.finish(cluster, &storage, &release) {
                tracing::warn!("releasing the lock on {name}: {store}");
            }
            return Err(e);
        }
    };

    release.info.status = Status::Uninstalled;
    release.info.description = req
        .description
        .clone()
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "Uninstallation complete".into());
    if req.keep_history {
        held.finish(cluster, &storage, &release)?;
    } else {
        purge(&storage, &revisions).map_err(|e| {
            ActionError::Invalid(format!("uninstall: Failed to purge the release: {e}"))
        })?;
    }
    if !errors.is_empty() {
        return Err(ActionError::Invalid(format!(
            "uninstallation completed with {} error(s): {}",
            errors.len(),
            errors.join("; ")
        )));
    }
    Ok(UninstallResult {
        release: Some(release),
        deleted: deletion.deleted,
        already_gone: deletion.already_gone,
        kept: deletion.kept,
    })
}

fn purge(storage: &Storage, revisions: &[Release]) -> Result<(), StorageError> {
    for r in revisions {
        storage.delete(&r.name, r.version)?;
    }
    Ok(())
}

/// What deleting a release's objects came to.
#[derive(Debug, Default)]
struct Deletion {
    deleted: Vec<ObjectRef>,
    already_gone: Vec<ObjectRef>,
    kept: Vec<String>,
}

/// Deletes the release's objects last-first; every deletion is attempted and the failures are
/// reported together.
fn delete_objects(
    conn: &Connection,
    release: &Release,
    cascade: Cascade,
) -> Result<Deletion, ActionError> {
    let objects = manifest_objects(release).map_err(|e| {
        ActionError::Invalid(format!(
            "corrupted release record. You must manually delete the resources: {e}"
        ))
    })?;
    let mut out = Deletion::default();
    let mut errors = Vec::new();
    for object in objects.iter().rev() {
        if is_kept(object) {
            let id = ObjectRef::from_value(object)?;
            out.kept.push(format!("[{}] {}", id.kind, id.name));
            continue;
        }
        match conn
            .cluster
            .delete_with(object, Some(&release.namespace), &cascade.params())
        {
            Ok((id, crate::kube::Deletion::Deleted)) => out.deleted.push(id),
            Ok((id, crate::kube::Deletion::AlreadyGone)) => out.already_gone.push(id),
            Err(e) => errors.push(e),
        }
    }
    out.kept.reverse();
    if !errors.is_empty() {
        let all = errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        return Err(ActionError::Invalid(format!(
            "failed to delete release {}: {all}",
            release.name
        )));
    }
    Ok(out)
}
