//! `uninstall NAME`: as Helm's `pkg/action/uninstall.go`: mark the latest revision
//! `uninstalling`, delete the objects of its manifest last-first (skipping those annotated
//! `helm.sh/resource-policy: keep`, counting absent ones as deleted) with the requested
//! propagation, then remove every revision record, or with `--keep-history` keep them and mark
//! the latest `uninstalled`. Hooks are not run.

use kube::api::DeleteParams;
use serde_json::Value;

use super::ActionError;
use super::connection::{ConnectOptions, Connection, connect};
use super::deploy::lock;
use super::deploy::wait::wait_for_deletion;
use super::names::validate_release_name;
use super::progress::ProgressSink;
use super::status::{manifest_objects, release_content};
use crate::kube::ObjectRef;
use crate::release::{Release, Status, gotime};
use crate::storage::{Storage, StorageError};

/// The annotation that keeps an object on uninstall, and its value.
pub const RESOURCE_POLICY_ANNOTATION: &str = "helm.sh/resource-policy";
/// The [`RESOURCE_POLICY_ANNOTATION`] value that keeps the object.
pub const KEEP_POLICY: &str = "keep";

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
    /// `--wait`: wait until every deleted object is gone (at most `timeout`).
    pub wait: bool,
    /// How long `wait` waits.
    pub timeout: std::time::Duration,
    /// Where waiting reports what it is doing.
    pub progress: ProgressSink,
}

/// What an uninstall did.
#[derive(Debug, Clone, Default)]
pub struct UninstallResult {
    /// The release as last recorded (`None`: absent and `ignore_not_found`).
    pub release: Option<Release>,
    /// The objects deleted (or found already gone), in deletion order.
    pub deleted: Vec<ObjectRef>,
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
    lock::check(&conn.cluster, &storage, &release)?;

    release.info.status = Status::Uninstalling;
    release.info.deleted = Some(gotime::now());
    release.info.description = "Deletion in progress (or silently failed)".into();
    if let Err(e) = storage.update(&release) {
        tracing::debug!("uninstall: failed to store the uninstalling release: {e}");
    }

    let (deleted, kept) = delete_objects(&conn, &release, req.cascade)?;
    // As Helm: a failed wait does not stop the uninstall; it is reported once it is done.
    let waited = match req.wait {
        true => wait_for_deletion(
            &conn.cluster,
            &deleted,
            &release.namespace,
            req.timeout,
            &req.progress,
        ),
        false => Ok(()),
    };

    release.info.status = Status::Uninstalled;
    release.info.description = req
        .description
        .clone()
        .filter(|d| !d.is_empty())
        .unwrap_or_else(|| "Uninstallation complete".into());
    if req.keep_history {
        storage.update(&release)?;
    } else {
        purge(&storage, &revisions).map_err(|e| {
            ActionError::Invalid(format!("uninstall: Failed to purge the release: {e}"))
        })?;
    }
    if let Err(e) = waited {
        return Err(ActionError::Invalid(format!(
            "uninstallation completed with 1 error(s): {e}"
        )));
    }
    Ok(UninstallResult {
        release: Some(release),
        deleted,
        kept,
    })
}

fn purge(storage: &Storage, revisions: &[Release]) -> Result<(), StorageError> {
    for r in revisions {
        storage.delete(&r.name, r.version)?;
    }
    Ok(())
}

/// Whether the object asks to be kept on uninstall.
fn is_kept(object: &Value) -> bool {
    object
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(RESOURCE_POLICY_ANNOTATION))
        .and_then(Value::as_str)
        .is_some_and(|p| p.trim().eq_ignore_ascii_case(KEEP_POLICY))
}

/// Deletes the release's objects last-first; every deletion is attempted and the failures are
/// reported together.
fn delete_objects(
    conn: &Connection,
    release: &Release,
    cascade: Cascade,
) -> Result<(Vec<ObjectRef>, Vec<String>), ActionError> {
    let objects = manifest_objects(release).map_err(|e| {
        ActionError::Invalid(format!(
            "corrupted release record. You must manually delete the resources: {e}"
        ))
    })?;
    let mut kept = Vec::new();
    let mut deleted = Vec::new();
    let mut errors = Vec::new();
    for object in objects.iter().rev() {
        if is_kept(object) {
            let id = ObjectRef::from_value(object)?;
            kept.push(format!("[{}] {}", id.kind, id.name));
            continue;
        }
        match conn
            .cluster
            .delete_with(object, Some(&release.namespace), &cascade.params())
        {
            Ok((id, _)) => deleted.push(id),
            Err(e) => errors.push(e),
        }
    }
    kept.reverse();
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
    Ok((deleted, kept))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keep_policy_is_read_like_helm() {
        let obj = |p: &str| json!({"metadata": {"annotations": {RESOURCE_POLICY_ANNOTATION: p}}});
        assert!(is_kept(&obj("keep")));
        assert!(is_kept(&obj(" Keep ")));
        assert!(!is_kept(&obj("delete")));
        assert!(!is_kept(&json!({"metadata": {}})));
    }
}
