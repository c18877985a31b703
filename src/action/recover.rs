//! `rudder recover NAME`: the way out of a release stuck in a pending state because the
//! operation that held it died (process killed, network cut) or was Helm's. The stuck revision
//! is marked failed ("recovered: holder X gone since T") with a conditional write, so the next
//! operation can proceed; no hand-editing of Secrets. While the holder's lease is fresh it
//! refuses unless forced. `upgrade --recover` and `rollback --recover` do the same first.

use chrono::Utc;

use super::ActionError;
use super::connection::Connection;
use super::deploy::lock::{self, LockInfo};
use super::names::validate_release_name;
use crate::kube::Cluster;
use crate::release::{Release, Status};
use crate::storage::{Storage, StorageError};

/// What to recover.
#[derive(Debug, Clone, Default)]
pub struct RecoverRequest {
    /// The release name.
    pub name: String,
    /// `--force`: recover even while the holder's lease is fresh.
    pub force: bool,
}

/// Marks the stuck (pending) latest revision of `req.name` failed; returns it as recorded.
pub fn recover(conn: &Connection, req: &RecoverRequest) -> Result<Release, ActionError> {
    validate_release_name(&req.name)?;
    conn.cluster.server_version()?;
    let storage = conn.default_storage();
    let last = storage.last(&req.name).map_err(|e| match e {
        StorageError::NotFound { .. } => {
            ActionError::Invalid(format!("release {:?}: release: not found", req.name))
        }
        e => e.into(),
    })?;
    if !last.info.status.is_pending() {
        return Err(ActionError::Invalid(format!(
            "release {:?} is not locked: its latest revision {} is {}; nothing to recover",
            req.name, last.version, last.info.status
        )));
    }
    recover_revision(&conn.cluster, &storage, last, req.force, false)
}

/// Marks the pending revision `last` failed, unless its holder's lease is fresh and `force` is
/// not given. The write is conditional: if the record changed meanwhile, nothing is written.
/// With `dry_run` nothing is written at all: the revision is returned as it would be recorded
/// (for `upgrade --dry-run --recover` and `diff upgrade --recover`).
pub fn recover_revision(
    cluster: &Cluster,
    storage: &Storage,
    mut last: Release,
    force: bool,
    dry_run: bool,
) -> Result<Release, ActionError> {
    let info = lock::read(cluster, storage, &last)?;
    let now = Utc::now();
    let fresh = info.is_fresh(now);
    if fresh && !force {
        return Err(ActionError::Invalid(format!(
            "{}; not recovering while the lease is fresh (rudder recover --force if you know the holder is gone)",
            info.refusal(now)
        )));
    }
    last.info.status = Status::Failed;
    last.info.description = description(&info, fresh);
    if dry_run {
        return Ok(last);
    }
    lock::write_if_unchanged(cluster, storage, &last, info.resource_version.as_deref()).map_err(
        |e| match e {
            ActionError::Kube(k) if k.is_conflict() => ActionError::Invalid(format!(
                "release {:?} revision {} changed while recovering it (its holder may be alive); nothing was written",
                last.name, last.version
            )),
            e => e,
        },
    )?;
    tracing::info!(
        "release {:?} revision {}: {}",
        last.name,
        last.version,
        last.info.description
    );
    Ok(last)
}

/// The description the recovered revision gets.
fn description(info: &LockInfo, fresh: bool) -> String {
    let holder = info.holder.as_deref().unwrap_or("unknown");
    let since = |t: Option<chrono::DateTime<Utc>>| {
        t.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_else(|| "an unknown time".into())
    };
    if fresh {
        format!(
            "recovered (forced): holder {holder} still held the lease (renewed {})",
            since(info.renewed)
        )
    } else if info.lease.is_some() {
        format!(
            "recovered: holder {holder} gone since {}",
            since(info.renewed.or(info.acquired))
        )
    } else {
        format!(
            "recovered: {} was left with no lock holder recorded",
            info.status
        )
    }
}
