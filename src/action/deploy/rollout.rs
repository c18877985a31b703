//! The part of install, upgrade and rollback after the new revision's record is built: store it
//! pending, apply its objects, prune what the previous revision had and it does not, then mark
//! the previous deployed revisions superseded and the new one deployed. A failure marks the new
//! revision failed with the reason (the previous one stays deployed) and is returned. The pending
//! record is the operation's lock, its lease renewed while objects are applied ([`super::lock`]).

use serde_json::Value;

use super::apply::apply_in_order;
use super::lock;
use super::prune::prune;
use super::wait;
use super::{DeployOptions, record};
use crate::action::ActionError;
use crate::kube::Cluster;
use crate::release::{Release, Status};
use crate::storage::Storage;

/// One rollout: where it goes and how.
pub struct Rollout<'a> {
    /// The cluster.
    pub cluster: &'a Cluster,
    /// Release storage (its `max_history` prunes old revisions when the new one is stored).
    pub storage: &'a Storage,
    /// The verb's options.
    pub opts: &'a DeployOptions,
}

impl Rollout<'_> {
    /// Stores `release` (pending), applies `objects` (stamped, install order), prunes the
    /// objects of `previous` missing from them, and records the outcome: on success
    /// `supersede` (the revisions deployed until now) become superseded and `release` deployed
    /// with description `done`; on failure `release` is failed with
    /// `"<failed_prefix> failed: <reason>"`.
    pub fn run(
        &self,
        release: &mut Release,
        objects: &[Value],
        previous: &[Value],
        supersede: Vec<Release>,
        done: &str,
        failed_prefix: &str,
    ) -> Result<(), ActionError> {
        // The pending record is the lock (see `lock`): one operation at a time.
        let held = lock::acquire(self.cluster, self.storage, release)?;
        let applied = held.while_held(self.cluster, || {
            self.apply_and_prune(release, objects, previous)
        });
        if let Err(e) = applied {
            record::set_status(
                release,
                Status::Failed,
                format!("{failed_prefix} failed: {e}"),
            );
            if let Err(store) = held.finish(self.cluster, self.storage, release) {
                tracing::warn!("recording the failure of {}: {store}", release.name);
            }
            return Err(e);
        }
        // Still ours (not recovered by someone else meanwhile) before touching other revisions.
        held.renew(self.cluster)?;
        for mut old in supersede
            .into_iter()
            .filter(|r| r.version != release.version)
        {
            old.info.status = Status::Superseded;
            self.storage.update(&old)?;
        }
        record::set_status(release, Status::Deployed, done);
        held.finish(self.cluster, self.storage, release)?;
        Ok(())
    }

    fn apply_and_prune(
        &self,
        release: &Release,
        objects: &[Value],
        previous: &[Value],
    ) -> Result<(), ActionError> {
        let apply = self.opts.apply_options();
        let limit = self.opts.concurrency;
        apply_in_order(self.cluster, objects, &apply, false, limit)?;
        tracing::info!("applied {} object(s) of {}", objects.len(), release.name);
        let deleted = prune(self.cluster, previous, objects, &release.namespace, limit)?;
        for id in deleted {
            tracing::info!(
                "deleted {id}, which revision {} no longer has",
                release.version
            );
        }
        wait::wait_for_ready(self.cluster, objects, &release.namespace, self.opts)?;
        Ok(())
    }
}
