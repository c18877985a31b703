//! The part of install, upgrade and rollback after the new revision's record is built: store it
//! pending, apply its objects, prune what the previous revision had and it does not, then mark
//! the previous deployed revisions superseded and the new one deployed. A failure marks the new
//! revision failed with the reason (the previous one stays deployed) and is returned; with
//! `--rollback-on-failure` or `--cleanup-on-fail` the objects the rollout created are deleted
//! first ([`super::cleanup`]). The pending record is the operation's lock, its lease renewed
//! while objects are applied ([`super::lock`]). The release's hooks run around the objects
//! (pre- before, post- after, by the pending status: install, upgrade or rollback), unless
//! `--no-hooks`; their `last_run` goes into the record.

use serde_json::Value;

use super::apply::apply_in_order;
use super::cleanup::{self, RolloutFailure};
use super::hooks::{self, HookRunner};
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
    /// `"<failed_prefix> failed: <reason>"` and, when the options ask for it
    /// ([`DeployOptions::tracks_created`]), the objects this rollout created are deleted
    /// again ([`cleanup`]). What happens to the release record after that (removed after an
    /// install, a rollback after an upgrade) is the verb's business.
    pub fn run(
        &self,
        release: &mut Release,
        objects: &[Value],
        previous: &[Value],
        supersede: Vec<Release>,
        done: &str,
        failed_prefix: &str,
    ) -> Result<(), RolloutFailure> {
        // The pending record is the lock (see `lock`): one operation at a time.
        let held =
            lock::acquire(self.cluster, self.storage, release).map_err(RolloutFailure::plain)?;
        let events = hooks::events_for(release.info.status).filter(|_| !self.opts.no_hooks);
        let mut created = Vec::new();
        // Hooks that start from now on are this operation's (see `cleanup`).
        let started = crate::release::gotime::now();
        let applied = held.while_held(self.cluster, || {
            if self.opts.tracks_created() {
                // Read under the lock, right before applying: what is absent now, we create.
                created = cleanup::absent(self.cluster, objects, self.opts.concurrency)?;
            }
            if let Some((pre, _)) = events {
                self.run_hooks(release, pre)?;
            }
            self.apply_and_prune(release, objects, previous)?;
            if let Some((_, post)) = events {
                self.run_hooks(release, post)?;
            }
            Ok::<_, ActionError>(())
        });
        let outcome = match applied {
            Ok(()) => {
                // Still ours (not recovered by someone else meanwhile) before touching other
                // revisions; if not, the record is someone else's to write and nothing is undone.
                held.renew(self.cluster).map_err(RolloutFailure::plain)?;
                self.supersede(supersede, release)
            }
            Err(e) => Err(e),
        };
        let Err(e) = outcome else {
            record::set_status(release, Status::Deployed, done);
            return held
                .finish(self.cluster, self.storage, release)
                .map_err(RolloutFailure::plain);
        };
        record::set_status(
            release,
            Status::Failed,
            format!("{failed_prefix} failed: {e}"),
        );
        if let Err(store) = held.finish(self.cluster, self.storage, release) {
            tracing::warn!("recording the failure of {}: {store}", release.name);
            // The record is not ours any more (or unwritable): whoever holds it now may be
            // applying the same objects, so nothing is deleted behind its back.
            if self.opts.tracks_created() {
                return Err(RolloutFailure::plain(ActionError::Invalid(format!(
                    "{e}; the failure could not be recorded ({store}), so the objects this operation created were not deleted"
                ))));
            }
        }
        let cleanup = self.opts.tracks_created().then(|| {
            let mut result = cleanup::delete_created(
                self.cluster,
                &created,
                &release.name,
                &release.namespace,
                self.opts.concurrency,
            );
            if let Ok(done) = &mut result {
                match cleanup::delete_hooks_run_since(self.cluster, release, started) {
                    Ok(hooks) => done.deleted.extend(hooks),
                    Err(e) => result = Err(e),
                }
            }
            Box::new(result)
        });
        Err(RolloutFailure { error: e, cleanup })
    }

    /// Marks the revisions deployed until now (but `release`) superseded.
    fn supersede(&self, supersede: Vec<Release>, release: &Release) -> Result<(), ActionError> {
        for mut old in supersede
            .into_iter()
            .filter(|r| r.version != release.version)
        {
            old.info.status = Status::Superseded;
            self.storage.update(&old)?;
        }
        Ok(())
    }

    /// Runs the release's hooks of `event`, recording their runs in `release`.
    fn run_hooks(
        &self,
        release: &mut Release,
        event: crate::release::HookEvent,
    ) -> Result<(), ActionError> {
        let runner = HookRunner {
            cluster: self.cluster,
            namespace: &release.namespace,
            timeout: self.opts.timeout,
            progress: &self.opts.progress,
        };
        let mut recorded = std::mem::take(&mut release.hooks);
        let ran = runner.run(&mut recorded, event, &|_| true);
        release.hooks = recorded;
        ran?;
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
