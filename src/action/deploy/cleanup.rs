//! Leaving nothing behind when a rollout fails (`--rollback-on-failure`, `--cleanup-on-fail`).
//!
//! Helm deletes on failure only what its kube client reports as created, and a failed install
//! with `--atomic` uninstalls the manifest (adopted objects included) while objects created
//! before a failure in a batch can be missed. rudder tracks creation itself: under the lock,
//! just before applying, every object of the new revision is read once ([`absent`]); those
//! that do not exist are what the rollout creates. After a failure each of them is read again
//! and deleted ([`delete_created`]) if it is there and carries this release's ownership
//! metadata (so an object someone else created meanwhile under the same name is left alone),
//! unless it is annotated `helm.sh/resource-policy: keep`. Whether the apply of an object
//! succeeded does not matter: a request that failed on the client side (a timeout) may still
//! have created the object, and an object of a concurrent group applied before another one of
//! the group failed was created all the same; both are found by reading.
//!
//! The hooks this operation ran are created objects too (before-hook-creation deletes a previous
//! instance and creates it anew), but Helm gives hooks no ownership metadata, so they are
//! tracked by their runs instead ([`delete_hooks_run_since`]): every hook whose `last_run`
//! started during the operation is deleted, unless kept.
//!
//! Not deleted, as Helm does not delete them either: CRDs installed from `crds/` (deleting a CRD
//! deletes every custom resource of it cluster-wide) and the namespace `--create-namespace`
//! made (it holds the release records Helm keeps, and may hold other things by then).

use kube::api::DeleteParams;
use serde_json::Value;

use super::hooks;
use super::ownership::foreign_owner;
use super::prune::is_kept;
use crate::action::ActionError;
use crate::kube::{Cluster, ObjectRef};
use crate::release::Release;
use crate::release::gotime::Time;

/// The objects of `objects` that do not exist in the cluster (read concurrently, at most
/// `limit` requests in flight), in their order.
pub fn absent(
    cluster: &Cluster,
    objects: &[Value],
    limit: usize,
) -> Result<Vec<Value>, ActionError> {
    let live = cluster.get_concurrent(objects, limit);
    let mut out = Vec::new();
    for (object, found) in objects.iter().zip(live) {
        if found?.is_none() {
            out.push(object.clone());
        }
    }
    Ok(out)
}

/// What [`delete_created`] did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cleanup {
    /// The objects deleted, in deletion order (reverse install order).
    pub deleted: Vec<ObjectRef>,
    /// The objects left because they are annotated `helm.sh/resource-policy: keep`.
    pub kept: Vec<ObjectRef>,
}

impl Cleanup {
    /// One clause for an error line: `deleted the 2 objects it had created` (and what was kept).
    pub fn summary(&self) -> String {
        let plural = |n: usize| if n == 1 { "" } else { "s" };
        if self.deleted.is_empty() && self.kept.is_empty() {
            return "no object it had created was left to delete".to_string();
        }
        let mut text = format!(
            "deleted the {} object{} it had created",
            self.deleted.len(),
            plural(self.deleted.len())
        );
        if !self.kept.is_empty() {
            let kept: Vec<String> = self.kept.iter().map(ToString::to_string).collect();
            text.push_str(&format!(
                ", kept {} (helm.sh/resource-policy: keep)",
                kept.join(", ")
            ));
        }
        text
    }
}

/// Deletes the objects of `created` (install order; found absent before the rollout) that now
/// exist and belong to release `name` in `namespace`, last-first, except kept ones. Every
/// deletion is attempted; failures are reported together.
pub fn delete_created(
    cluster: &Cluster,
    created: &[Value],
    name: &str,
    namespace: &str,
    limit: usize,
) -> Result<Cleanup, ActionError> {
    let mut cleanup = Cleanup::default();
    if created.is_empty() {
        return Ok(cleanup);
    }
    let live = cluster.get_concurrent(created, limit);
    let mut doomed = Vec::new();
    for (object, found) in created.iter().zip(live) {
        let Some(live) = found? else { continue };
        let id = ObjectRef::from_value(&live).or_else(|_| ObjectRef::from_value(object))?;
        if let Some(why) = foreign_owner(&live, name, namespace) {
            tracing::info!("not deleting {id}, which this operation did not create: {why}");
        } else if is_kept(&live) {
            cleanup.kept.push(id);
        } else {
            doomed.push(object.clone());
        }
    }
    let deleted = cluster.delete(&doomed)?;
    cleanup.deleted = deleted.into_iter().map(|(id, _)| id).collect();
    Ok(cleanup)
}

/// Deletes the resources of the hooks of `release` that started running at or after `since`
/// (this operation created them), last-run first, except those annotated
/// `helm.sh/resource-policy: keep`; returns the ones deleted (found already gone included: a
/// `hook-failed` policy may have removed them first).
pub fn delete_hooks_run_since(
    cluster: &Cluster,
    release: &Release,
    since: Time,
) -> Result<Vec<ObjectRef>, ActionError> {
    let mut ran: Vec<_> = release
        .hooks
        .iter()
        .filter(|h| h.last_run.started_at.is_some_and(|t| t >= since))
        .collect();
    ran.sort_by_key(|h| std::cmp::Reverse(h.last_run.started_at));
    let (deleted, _kept) = hooks::delete_resources(
        cluster,
        ran,
        &release.name,
        &release.namespace,
        &DeleteParams::background(),
    )?;
    Ok(deleted)
}

/// A failed rollout: the error, and with `--rollback-on-failure` / `--cleanup-on-fail` what
/// deleting the objects it created came to. The revision is recorded failed by then.
#[derive(Debug)]
pub struct RolloutFailure {
    /// Why the rollout failed.
    pub error: ActionError,
    /// The cleanup of created objects (`None`: not asked for), boxed to keep the error small.
    pub cleanup: Option<Box<Result<Cleanup, ActionError>>>,
}

impl RolloutFailure {
    /// The failure without a cleanup.
    pub fn plain(error: ActionError) -> RolloutFailure {
        RolloutFailure {
            error,
            cleanup: None,
        }
    }
}

impl From<RolloutFailure> for ActionError {
    /// One line: the error, what the cleanup deleted, or Helm's wording when the cleanup failed.
    fn from(f: RolloutFailure) -> ActionError {
        match f.cleanup.map(|c| *c) {
            None => f.error,
            Some(Ok(c)) if c.deleted.is_empty() && c.kept.is_empty() => f.error,
            Some(Ok(c)) => ActionError::Invalid(format!("{} ({})", f.error, c.summary())),
            Some(Err(e)) => ActionError::Invalid(format!(
                "an error occurred while cleaning up resources. original error: {}: unable to cleanup resources: {e}",
                f.error
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(name: &str) -> ObjectRef {
        ObjectRef::from_value(&serde_json::json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": name, "namespace": "apps"}
        }))
        .unwrap()
    }

    #[test]
    fn failure_messages_say_what_was_undone() {
        let err = || ActionError::Invalid("Service apps/web-svc: forbidden".into());
        let plain: ActionError = RolloutFailure::plain(err()).into();
        assert_eq!(plain.to_string(), "Service apps/web-svc: forbidden");
        let nothing: ActionError = RolloutFailure {
            error: err(),
            cleanup: Some(Box::new(Ok(Cleanup::default()))),
        }
        .into();
        assert_eq!(nothing.to_string(), "Service apps/web-svc: forbidden");
        let some: ActionError = RolloutFailure {
            error: err(),
            cleanup: Some(Box::new(Ok(Cleanup {
                deleted: vec![id("a"), id("b")],
                kept: vec![id("k")],
            }))),
        }
        .into();
        let text = some.to_string();
        assert!(
            text.starts_with(
                "Service apps/web-svc: forbidden (deleted the 2 objects it had created, kept "
            ),
            "{text}"
        );
        assert!(text.contains("(helm.sh/resource-policy: keep)"), "{text}");
        let one = Cleanup {
            deleted: vec![id("a")],
            kept: vec![],
        };
        assert_eq!(one.summary(), "deleted the 1 object it had created");
        assert_eq!(
            Cleanup::default().summary(),
            "no object it had created was left to delete"
        );
        let failed: ActionError = RolloutFailure {
            error: err(),
            cleanup: Some(Box::new(Err(ActionError::Invalid(
                "ConfigMap apps/a: timeout".into(),
            )))),
        }
        .into();
        assert_eq!(
            failed.to_string(),
            "an error occurred while cleaning up resources. original error: Service apps/web-svc: forbidden: unable to cleanup resources: ConfigMap apps/a: timeout"
        );
    }
}
