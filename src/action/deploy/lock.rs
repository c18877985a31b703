//! One operation at a time on a release. The pending record of the new revision IS the lock:
//! creating Secret (or ConfigMap) `sh.helm.release.v1.NAME.vN` is atomic, so of two operations
//! racing for revision N exactly one gets it and the other meets 409 AlreadyExists. The record
//! carries who holds it and a lease as annotations (Helm ignores annotations, so Helm still
//! reads the record):
//!
//! - [`HOLDER_ANNOTATION`] `user@host pid N`, [`ACQUIRED_ANNOTATION`] when it was taken,
//! - [`RENEWED_ANNOTATION`] the last renewal, [`LEASE_ANNOTATION`] how long a renewal lasts.
//!
//! A background thread renews the lease every third of it with a conditional update
//! (resourceVersion), and the write that finishes the operation (deployed or failed) is
//! conditional too and clears the annotations; an operation that finds its lock taken over
//! (`rudder recover --force`) records nothing. Why annotations rather than a
//! `coordination.k8s.io` Lease: one object means one atomic create decides the race, nothing
//! can be left half-taken (a Lease without its record or the reverse), and the state a user
//! sees (`pending-upgrade` in `history`) is the lock itself.
//!
//! A pending record whose lease is fresh is refused naming the holder and since when; one whose
//! lease expired, or that has no lease at all (left by Helm, or by a client killed before it
//! wrote one), is refused saying the holder is gone and naming `rudder recover NAME` /
//! `--recover`.

use std::sync::{Mutex, mpsc};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

use crate::action::ActionError;
use crate::kube::{Cluster, ObjectStore, StoreKind};
use crate::release::{ObjectKind, Release, Stamp, Status, object_name, to_object};
use crate::storage::{Storage, StorageError};

/// Who holds the lock: `user@host pid N`.
pub const HOLDER_ANNOTATION: &str = "rudder.dev/lock-holder";
/// When the lock was taken (RFC 3339).
pub const ACQUIRED_ANNOTATION: &str = "rudder.dev/lock-acquired";
/// When the holder last renewed the lease (RFC 3339).
pub const RENEWED_ANNOTATION: &str = "rudder.dev/lock-renewed";
/// How long a renewal keeps the lock (`30s`).
pub const LEASE_ANNOTATION: &str = "rudder.dev/lock-lease";
/// The environment variable that sets the lease (`3s`, `500ms`, `1m`).
pub const LEASE_ENV: &str = "RUDDER_LOCK_LEASE";
/// The lease when [`LEASE_ENV`] is not set.
pub const DEFAULT_LEASE: Duration = Duration::from_secs(30);

/// The lease this process takes locks with: [`LEASE_ENV`], else [`DEFAULT_LEASE`].
pub fn lease_duration() -> Result<Duration, ActionError> {
    match std::env::var(LEASE_ENV) {
        Ok(text) if !text.trim().is_empty() => crate::sandbox::delay::parse_duration(&text)
            .filter(|d| !d.is_zero())
            .ok_or_else(|| {
                ActionError::Invalid(format!(
                    "{LEASE_ENV}={text:?}: expected a positive duration such as 30s or 500ms"
                ))
            }),
        _ => Ok(DEFAULT_LEASE),
    }
}

/// This process as a lock holder: `user@host pid N`.
pub fn holder_identity() -> String {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into());
    format!("{user}@{host} pid {}", std::process::id())
}

fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn format_lease(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

/// What the stored record of a revision says about its lock.
#[derive(Debug, Clone, PartialEq)]
pub struct LockInfo {
    /// The release name.
    pub name: String,
    /// The revision.
    pub version: u64,
    /// Its status as stored (`pending-upgrade` ...).
    pub status: String,
    /// The holder, if the record names one.
    pub holder: Option<String>,
    /// When the lock was taken.
    pub acquired: Option<DateTime<Utc>>,
    /// The last renewal.
    pub renewed: Option<DateTime<Utc>>,
    /// The lease length.
    pub lease: Option<Duration>,
    /// The record's resourceVersion (for a conditional write), if it is a cluster object.
    pub resource_version: Option<String>,
}

impl LockInfo {
    /// When the lease runs out (`None`: no lease recorded).
    pub fn expires(&self) -> Option<DateTime<Utc>> {
        let lease = chrono::Duration::from_std(self.lease?).ok()?;
        Some(self.renewed.or(self.acquired)? + lease)
    }

    /// Whether a live holder still renews the lease at `now`.
    pub fn is_fresh(&self, now: DateTime<Utc>) -> bool {
        self.expires().is_some_and(|e| e > now)
    }

    fn holder_text(&self) -> String {
        self.holder
            .clone()
            .unwrap_or_else(|| "an unknown holder".into())
    }

    fn since_text(&self) -> String {
        self.acquired
            .map(|t| format!(" since {}", rfc3339(t)))
            .unwrap_or_default()
    }

    /// Why an operation may not start while this lock stands (one line).
    pub fn refusal(&self, now: DateTime<Utc>) -> String {
        let head = format!(
            "release {:?} is locked: revision {} is {}",
            self.name, self.version, self.status
        );
        if self.is_fresh(now) {
            let renewed = self
                .renewed
                .map(|r| {
                    format!(
                        ", renewed {:.1}s ago",
                        (now - r).num_milliseconds() as f64 / 1000.0
                    )
                })
                .unwrap_or_default();
            return format!(
                "{head}, held by {}{} (lease {}{renewed}): another operation is in progress; try again when it finishes",
                self.holder_text(),
                self.since_text(),
                self.lease.map(format_lease).unwrap_or_default(),
            );
        }
        format!("{head} but {}: {}", self.gone_text(), self.way_out())
    }

    /// How the holder is known to be gone: `holder X (since T) is gone: its lease expired at E`
    /// or `no lock holder is recorded (...)`.
    pub fn gone_text(&self) -> String {
        match self.expires() {
            Some(e) => format!(
                "its holder {}{} is gone: the lease expired at {}",
                self.holder_text(),
                self.since_text(),
                rfc3339(e)
            ),
            None => "no lock holder is recorded (another operation left it: Helm's, or a client that died before taking the lock)".into(),
        }
    }

    fn way_out(&self) -> String {
        format!(
            "run \"rudder recover {}\" (or upgrade/rollback with --recover) to mark revision {} failed and proceed",
            self.name, self.version
        )
    }
}

fn store_kind(storage: &Storage) -> Option<(ObjectKind, StoreKind)> {
    match storage.driver().name() {
        "Secret" => Some((ObjectKind::Secret, StoreKind::Secret)),
        "ConfigMap" => Some((ObjectKind::ConfigMap, StoreKind::ConfigMap)),
        _ => None,
    }
}

fn annotation<'a>(object: &'a Value, key: &str) -> Option<&'a str> {
    object
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(key))
        .and_then(Value::as_str)
}

fn time_annotation(object: &Value, key: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(annotation(object, key)?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The lock state of `release` as its stored record says (a memory driver has no record
/// object: no holder, no lease).
pub fn read(
    cluster: &Cluster,
    storage: &Storage,
    release: &Release,
) -> Result<LockInfo, ActionError> {
    let mut info = LockInfo {
        name: release.name.clone(),
        version: release.version,
        status: release.info.status.as_str().to_string(),
        holder: None,
        acquired: None,
        renewed: None,
        lease: None,
        resource_version: None,
    };
    let Some((_, kind)) = store_kind(storage) else {
        return Ok(info);
    };
    let name = object_name(&release.name, release.version);
    let Some(object) = cluster.store(kind, &release.namespace).get(&name)? else {
        return Err(StorageError::NotFound {
            object: kind_describe(kind, &release.namespace, &name),
        }
        .into());
    };
    if let Some(status) = object
        .pointer("/metadata/labels/status")
        .and_then(Value::as_str)
    {
        info.status = status.to_string();
    }
    info.holder = annotation(&object, HOLDER_ANNOTATION).map(str::to_string);
    info.acquired = time_annotation(&object, ACQUIRED_ANNOTATION);
    info.renewed = time_annotation(&object, RENEWED_ANNOTATION);
    info.lease =
        annotation(&object, LEASE_ANNOTATION).and_then(crate::sandbox::delay::parse_duration);
    info.resource_version = object
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok(info)
}

fn kind_describe(kind: StoreKind, namespace: &str, name: &str) -> String {
    format!("{} {namespace}/{name}", kind.kind().to_ascii_lowercase())
}

/// Refuses to start an operation while `last` is pending, naming its holder and since when, or
/// saying the holder is gone and how to recover.
///
/// An `uninstalling` revision is locked too while its holder (a rudder uninstall, see
/// [`acquire_existing`]) renews the lease; without a fresh lease (Helm's, or a dead client's)
/// it is not, so a stuck uninstall can be retried as Helm allows.
pub fn check(cluster: &Cluster, storage: &Storage, last: &Release) -> Result<(), ActionError> {
    if last.info.status == Status::Uninstalling {
        let info = read(cluster, storage, last)?;
        let now = Utc::now();
        return match info.is_fresh(now) {
            true => Err(ActionError::Invalid(info.refusal(now))),
            false => Ok(()),
        };
    }
    if !last.info.status.is_pending() {
        return Ok(());
    }
    Err(refusal(cluster, storage, last))
}

/// The error refusing an operation on the pending revision `last` (or why its lock could not
/// be read).
pub fn refusal(cluster: &Cluster, storage: &Storage, last: &Release) -> ActionError {
    match read(cluster, storage, last) {
        Ok(info) => ActionError::Invalid(info.refusal(Utc::now())),
        Err(e) => e,
    }
}

/// Writes `release` over its stored record only if the record is still at `resource_version`
/// (a cluster object; with the memory driver an ordinary update). The annotations are dropped:
/// the write that ends an operation releases its lock.
pub fn write_if_unchanged(
    cluster: &Cluster,
    storage: &Storage,
    release: &Release,
    resource_version: Option<&str>,
) -> Result<(), ActionError> {
    let Some((object_kind, kind)) = store_kind(storage) else {
        return Ok(storage.update(release)?);
    };
    let mut object = to_object(object_kind, release, Stamp::modified_now());
    if let Some(rv) = resource_version {
        object["metadata"]["resourceVersion"] = rv.into();
    }
    cluster.store(kind, &release.namespace).update(&object)?;
    Ok(())
}

/// A lock this process holds on a pending revision: the record as this process last wrote it,
/// so every later write is conditional on nobody else having written since (no extra reads).
#[derive(Debug)]
pub struct Held {
    name: String,
    namespace: String,
    version: u64,
    lease: Duration,
    kind: Option<(ObjectKind, StoreKind)>,
    /// The stored record after this process's last write (`None` with the memory driver).
    last: Mutex<Option<Value>>,
}

/// Stores `release` (pending) as the lock: history pruned to make room as [`Storage::create`]
/// does, then the record created with the holder and lease. A record of that revision already
/// there means another operation got there first: refused naming it.
pub fn acquire(
    cluster: &Cluster,
    storage: &Storage,
    release: &Release,
) -> Result<Held, ActionError> {
    let held = Held::new(storage, release)?;
    let (lease, kind) = (held.lease, held.kind);
    let Some((object_kind, store)) = kind else {
        storage.create(release)?;
        return Ok(held);
    };
    if storage.max_history > 0 {
        match storage.prune(&release.name, storage.max_history - 1) {
            Ok(()) | Err(StorageError::NotFound { .. }) => {}
            Err(e) => return Err(e.into()),
        }
    }
    let mut object = to_object(object_kind, release, Stamp::created_now());
    object["metadata"]["annotations"] = lock_annotations(lease);
    match cluster.store(store, &release.namespace).create(&object) {
        Ok(stored) => {
            held.remember(stored);
            // An uninstall that locked the previous revision between our check and our
            // create wins (it re-checks for newer revisions after locking, so one of the two
            // always sees the other): give the new record back and refuse.
            if let Some(uninstalling) = uninstall_in_progress(cluster, storage, release)? {
                storage.delete(&release.name, release.version)?;
                return Err(ActionError::Invalid(format!(
                    "another operation got there first: {}",
                    uninstalling.refusal(Utc::now())
                )));
            }
            Ok(held)
        }
        Err(e) if e.is_already_exists() => {
            let info = read(cluster, storage, release)?;
            Err(ActionError::Invalid(format!(
                "another operation got there first: {}",
                info.refusal(Utc::now())
            )))
        }
        Err(e) => Err(e.into()),
    }
}

/// The lock of an uninstall running on the revision before `release`, if one holds it.
fn uninstall_in_progress(
    cluster: &Cluster,
    storage: &Storage,
    release: &Release,
) -> Result<Option<LockInfo>, ActionError> {
    if release.version < 2 {
        return Ok(None);
    }
    let previous = match storage.get(&release.name, release.version - 1) {
        Ok(p) => p,
        Err(StorageError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if previous.info.status != Status::Uninstalling {
        return Ok(None);
    }
    let info = read(cluster, storage, &previous)?;
    Ok(info.is_fresh(Utc::now()).then_some(info))
}

/// Takes the lock on the stored record of an existing revision, for an operation that writes
/// no new revision (uninstall): `release` (already in its new state, e.g. `uninstalling`) is
/// written over the record with the holder and lease, only if the record is still at
/// `resource_version` (as [`read`] found it). A write in between means another operation got
/// there first: refused naming it.
pub fn acquire_existing(
    cluster: &Cluster,
    storage: &Storage,
    release: &Release,
    resource_version: Option<&str>,
) -> Result<Held, ActionError> {
    let held = Held::new(storage, release)?;
    let (lease, kind) = (held.lease, held.kind);
    let Some((object_kind, store)) = kind else {
        storage.update(release)?;
        return Ok(held);
    };
    let mut object = to_object(object_kind, release, Stamp::modified_now());
    object["metadata"]["annotations"] = lock_annotations(lease);
    if let Some(rv) = resource_version {
        object["metadata"]["resourceVersion"] = rv.into();
    }
    match cluster.store(store, &release.namespace).update(&object) {
        Ok(stored) => {
            held.remember(stored);
            Ok(held)
        }
        Err(e) if e.is_conflict() || e.is_not_found() => {
            let now = match read(cluster, storage, release) {
                Ok(info) => info.status,
                Err(_) => "deleted".into(),
            };
            Err(ActionError::Invalid(format!(
                "another operation got there first: release {:?} revision {} changed while this one started (now {now})",
                release.name, release.version
            )))
        }
        Err(e) => Err(e.into()),
    }
}

/// The annotations that make a record a lock held by this process since now.
fn lock_annotations(lease: Duration) -> Value {
    let now = rfc3339(Utc::now());
    serde_json::json!({
        HOLDER_ANNOTATION: holder_identity(),
        ACQUIRED_ANNOTATION: now,
        RENEWED_ANNOTATION: now,
        LEASE_ANNOTATION: format_lease(lease),
    })
}

impl Held {
    /// The lock on `release`'s record in `storage`, not yet taken (`RUDDER_LOCK_LEASE` read).
    fn new(storage: &Storage, release: &Release) -> Result<Held, ActionError> {
        Ok(Held {
            name: release.name.clone(),
            namespace: release.namespace.clone(),
            version: release.version,
            lease: lease_duration()?,
            kind: store_kind(storage),
            last: Mutex::new(None),
        })
    }

    fn remember(&self, stored: Value) {
        *self.last.lock().unwrap_or_else(|p| p.into_inner()) = Some(stored);
    }

    fn last(&self) -> Option<Value> {
        self.last.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Replaces the record with `object` if nobody wrote it since this process did.
    fn put(
        &self,
        cluster: &Cluster,
        kind: StoreKind,
        mut object: Value,
    ) -> Result<(), ActionError> {
        let rv = self
            .last()
            .and_then(|o| o.pointer("/metadata/resourceVersion").cloned())
            .unwrap_or(Value::Null);
        object["metadata"]["resourceVersion"] = rv;
        match cluster.store(kind, &self.namespace).update(&object) {
            Ok(stored) => {
                self.remember(stored);
                Ok(())
            }
            Err(e) if e.is_conflict() || e.is_not_found() => Err(self.lost(cluster, kind)),
            Err(e) => Err(e.into()),
        }
    }

    /// Why the lock is no longer ours: someone else wrote (or deleted) the record.
    fn lost(&self, cluster: &Cluster, kind: StoreKind) -> ActionError {
        let name = object_name(&self.name, self.version);
        let now = match cluster.store(kind, &self.namespace).get(&name) {
            Ok(Some(o)) => o
                .pointer("/metadata/labels/status")
                .and_then(Value::as_str)
                .unwrap_or("unknown")
                .to_string(),
            Ok(None) => "deleted".to_string(),
            Err(e) => format!("unreadable: {e}"),
        };
        ActionError::Invalid(format!(
            "lost the lock on release {:?} revision {}: the record was changed by someone else while this operation ran (now {now}); its outcome was not recorded",
            self.name, self.version
        ))
    }

    /// Extends the lease (a conditional update); fails if the lock was taken over.
    pub fn renew(&self, cluster: &Cluster) -> Result<(), ActionError> {
        let (Some((_, kind)), Some(mut object)) = (self.kind, self.last()) else {
            return Ok(());
        };
        object["metadata"]["annotations"][RENEWED_ANNOTATION] = rfc3339(Utc::now()).into();
        self.put(cluster, kind, object)
    }

    /// Runs `work` while a background thread renews the lease every third of it.
    pub fn while_held<T>(&self, cluster: &Cluster, work: impl FnOnce() -> T) -> T {
        let period = self.lease / 3;
        std::thread::scope(|scope| {
            let (stop, stopped) = mpsc::channel::<()>();
            scope.spawn(move || {
                while let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(period) {
                    if let Err(e) = self.renew(cluster) {
                        tracing::warn!("renewing the lock: {e}");
                    }
                }
            });
            let out = work();
            drop(stop);
            out
        })
    }

    /// Records the outcome `release` (deployed or failed), releasing the lock (no annotations),
    /// only if nobody else wrote the record since this process did.
    pub fn finish(
        &self,
        cluster: &Cluster,
        storage: &Storage,
        release: &Release,
    ) -> Result<(), ActionError> {
        match self.kind {
            Some((object_kind, kind)) => {
                let object = to_object(object_kind, release, Stamp::modified_now());
                self.put(cluster, kind, object)
            }
            None => Ok(storage.update(release)?),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(renewed_ago: i64, lease: Option<u64>) -> LockInfo {
        let now = Utc::now();
        LockInfo {
            name: "web".into(),
            version: 3,
            status: "pending-upgrade".into(),
            holder: lease.map(|_| "alice@box pid 7".into()),
            acquired: lease.map(|_| now - chrono::Duration::seconds(renewed_ago + 5)),
            renewed: lease.map(|_| now - chrono::Duration::seconds(renewed_ago)),
            lease: lease.map(Duration::from_secs),
            resource_version: None,
        }
    }

    #[test]
    fn fresh_lock_names_holder_and_since() {
        let i = info(2, Some(30));
        assert!(i.is_fresh(Utc::now()));
        let m = i.refusal(Utc::now());
        assert!(m.contains("alice@box pid 7 since "), "{m}");
        assert!(m.contains("another operation is in progress"), "{m}");
        assert!(!m.contains("recover"), "{m}");
    }

    #[test]
    fn expired_or_missing_lease_names_the_way_out() {
        let i = info(40, Some(30));
        assert!(!i.is_fresh(Utc::now()));
        let m = i.refusal(Utc::now());
        assert!(m.contains("is gone: the lease expired at"), "{m}");
        assert!(m.contains("rudder recover web"), "{m}");
        let helm = info(0, None);
        let m = helm.refusal(Utc::now());
        assert!(m.contains("no lock holder is recorded"), "{m}");
        assert!(m.contains("--recover"), "{m}");
    }

    #[test]
    fn lease_formats() {
        assert_eq!(format_lease(Duration::from_secs(30)), "30s");
        assert_eq!(format_lease(Duration::from_millis(1500)), "1500ms");
        assert!(holder_identity().contains(" pid "));
    }
}
