//! The pipeline install, upgrade and rollback share: turn a manifest into objects, stamp them
//! with Helm's ownership metadata, refuse to take over objects that belong to someone else,
//! apply them group by group in install order (concurrently within a group), delete what the
//! previous revision had and the new one does not, build the release record, and run the
//! hooks around the objects ([`hooks`]).

pub mod apply;
pub mod cleanup;
pub mod crds;
pub mod hooks;
pub mod lock;
pub mod lookup;
pub mod objects;
pub mod ownership;
pub mod prune;
pub mod record;
pub mod rollout;
pub mod wait;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use self::objects::ObjectKey;
use crate::action::ActionError;
use crate::engine::{Capabilities, Lookup};
use crate::kube::{ApplyOptions, Cluster};
use crate::release::Release;
use crate::storage::{Storage, StorageError};

/// How `--dry-run` was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DryRun {
    /// A real operation.
    #[default]
    None,
    /// `--dry-run` / `--dry-run=client`: render only; no cluster contact, no record.
    Client,
    /// `--dry-run=server`: the server validates every object (`dryRun=All`); nothing is stored.
    Server,
}

impl DryRun {
    /// Reads `--dry-run[=client|server]` (`true`/`false` as older Helm spelled it too).
    pub fn parse(text: &str) -> Result<DryRun, String> {
        match text {
            "" | "client" | "true" => Ok(DryRun::Client),
            "server" => Ok(DryRun::Server),
            "none" | "false" => Ok(DryRun::None),
            other => Err(format!(
                "invalid --dry-run value {other:?}: use client, server or none"
            )),
        }
    }

    /// Whether nothing may be written.
    pub fn is_dry(self) -> bool {
        self != DryRun::None
    }
}

/// The knobs every deploying verb shares.
#[derive(Debug, Clone)]
pub struct DeployOptions {
    /// `--force-conflicts`: take over fields another field manager owns.
    pub force_conflicts: bool,
    /// `--take-ownership`: adopt existing objects whatever their current owner (and take over
    /// the fields their previous managers own, as adopting means).
    pub take_ownership: bool,
    /// `--dry-run`.
    pub dry_run: DryRun,
    /// `--timeout`: how long to wait for CRDs to be Established.
    pub timeout: Duration,
    /// `--skip-crds`: do not install the chart's `crds/`.
    pub skip_crds: bool,
    /// `--create-namespace`: create the release namespace if missing.
    pub create_namespace: bool,
    /// Requests in flight at once within an install-order group.
    pub concurrency: usize,
    /// `--wait`: wait until the release's resources are ready (or, on uninstall, gone).
    pub wait: bool,
    /// `--wait-for-jobs`: with `--wait`, also wait for Jobs to complete.
    pub wait_for_jobs: bool,
    /// Where waiting and hooks report what they are doing.
    pub progress: crate::action::progress::ProgressSink,
    /// `--rollback-on-failure` (`--atomic`): a failed install deletes what it created and its
    /// record; a failed upgrade deletes what it created and rolls back to the last successful
    /// revision. Implies `wait`.
    pub rollback_on_failure: bool,
    /// `--cleanup-on-fail` (upgrade): a failed upgrade deletes the objects it created.
    pub cleanup_on_fail: bool,
    /// `--no-hooks`: do not run the chart's hooks.
    pub no_hooks: bool,
    /// Render against the live cluster (`lookup`) even in client dry-run mode: `diff` runs the
    /// upgrade that way and must see what the real upgrade would render.
    pub render_live: bool,
    /// `--upgrade-crds`: apply changed CRDs of the chart's `crds/` (Helm only creates missing
    /// ones), refusing unsafe changes (see [`crds`]).
    pub upgrade_crds: bool,
    /// `--force-upgrade-crds`: with `--upgrade-crds`, apply unsafe CRD changes too.
    pub force_upgrade_crds: bool,
}

/// The field manager release objects are applied as: `rudder` (the kube layer's), so
/// `managedFields` tell which tool last applied what. Fields that Helm's CLI (field manager
/// [`HELM_FIELD_MANAGER`]) applied to objects of the same release are taken over without
/// `--force-conflicts`: upgrading and rolling back a release Helm installed is the point (see
/// [`apply::apply_in_order`]); a conflict with any other manager is reported.
pub const RELEASE_FIELD_MANAGER: &str = crate::kube::FIELD_MANAGER;

/// Helm's own server-side apply field manager (its program name).
pub const HELM_FIELD_MANAGER: &str = "helm";

impl DeployOptions {
    /// Whether a rollout must know which objects it creates, to delete them if it fails.
    pub fn tracks_created(&self) -> bool {
        self.rollback_on_failure || self.cleanup_on_fail
    }

    /// How objects are applied: as [`RELEASE_FIELD_MANAGER`], forcing conflicts with
    /// `--force-conflicts`, and with `--take-ownership` (an adopted object's fields belong to
    /// whoever created it).
    pub fn apply_options(&self) -> ApplyOptions {
        ApplyOptions {
            force_conflicts: self.force_conflicts || self.take_ownership,
            field_manager: RELEASE_FIELD_MANAGER.to_string(),
        }
    }
}

/// Helm's default `--timeout`.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// Requests in flight within one install-order group unless told otherwise.
pub const DEFAULT_CONCURRENCY: usize = 12;

impl Default for DeployOptions {
    fn default() -> Self {
        DeployOptions {
            force_conflicts: false,
            take_ownership: false,
            dry_run: DryRun::None,
            timeout: DEFAULT_TIMEOUT,
            skip_crds: false,
            create_namespace: false,
            concurrency: DEFAULT_CONCURRENCY,
            wait: false,
            wait_for_jobs: false,
            progress: Default::default(),
            rollback_on_failure: false,
            cleanup_on_fail: false,
            no_hooks: false,
            render_live: false,
            upgrade_crds: false,
            force_upgrade_crds: false,
        }
    }
}

impl DeployOptions {
    /// What `lookup(...)` reads while rendering: the live cluster unless this is a client dry
    /// run (Helm's rule: `template` and `--dry-run=client` see `{}`), or a diff's.
    pub fn lookup(&self, cluster: &Arc<Cluster>) -> Option<Arc<dyn Lookup>> {
        (self.dry_run != DryRun::Client || self.render_live)
            .then(|| lookup::ClusterLookup::shared(cluster.clone()))
    }
}

/// Capabilities from the server, as Helm reads them from a live cluster: its Kubernetes version
/// (the first request of a deploying verb, so an unreachable server fails here, before any
/// record is touched) and every `group/version` and `group/version/Kind` its discovery serves
/// (one pass, cached for the run).
pub fn capabilities(cluster: &Cluster) -> Result<Capabilities, ActionError> {
    let version = cluster.server_version()?;
    let mut caps = Capabilities::with(Some(&version), &[]).unwrap_or_else(|e| {
        tracing::debug!("server version {version:?} not understood ({e}); using the default");
        Capabilities::default()
    });
    let served = cluster.served_apis()?.api_versions();
    if served.is_empty() {
        // Helm's answer to a server whose discovery lists nothing: the default set.
        tracing::debug!("discovery listed no API versions; using the default set");
    } else {
        caps.api_versions = served;
    }
    Ok(caps)
}

/// `objects` with the ownership metadata of release `name` in `namespace`.
pub fn stamped(mut objects: Vec<Value>, name: &str, namespace: &str) -> Vec<Value> {
    for o in &mut objects {
        ownership::stamp(o, name, namespace);
    }
    objects
}

/// What upgrade and rollback do before changing anything: refuse objects that belong to someone
/// else (those in `previous` are the release's own), and with `--dry-run=server` have the server
/// validate every object. Returns whether the operation ends here (a server dry run).
pub fn preflight(
    cluster: &Cluster,
    opts: &DeployOptions,
    objects: &[Value],
    previous: &[Value],
    name: &str,
    namespace: &str,
) -> Result<bool, ActionError> {
    ownership::check(
        cluster,
        objects,
        &keys(previous, namespace),
        name,
        namespace,
        opts.take_ownership,
        opts.concurrency,
    )?;
    if opts.dry_run != DryRun::Server {
        return Ok(false);
    }
    apply::apply_in_order(
        cluster,
        objects,
        &opts.apply_options(),
        true,
        opts.concurrency,
    )?;
    Ok(true)
}

/// The identities of `objects`, for "is this already part of the release?".
pub fn keys(objects: &[Value], namespace: &str) -> HashSet<ObjectKey> {
    objects
        .iter()
        .map(|o| ObjectKey::of(o, namespace))
        .collect()
}

/// Every deployed revision of `name` (normally one; more only after a crash), for superseding.
pub fn deployed_revisions(storage: &Storage, name: &str) -> Result<Vec<Release>, ActionError> {
    match storage.deployed_all(name) {
        Ok(d) => Ok(d),
        Err(StorageError::NoDeployedReleases { .. } | StorageError::NotFound { .. }) => {
            Ok(Vec::new())
        }
        Err(e) => Err(e.into()),
    }
}

/// The objects of a stored revision's manifest.
pub fn release_objects(release: &Release) -> Result<Vec<Value>, ActionError> {
    objects::from_manifest_text(
        &release.manifest,
        &format!("release {:?} revision {}", release.name, release.version),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dry_run_flag_values() {
        assert_eq!(DryRun::parse("").unwrap(), DryRun::Client);
        assert_eq!(DryRun::parse("client").unwrap(), DryRun::Client);
        assert_eq!(DryRun::parse("server").unwrap(), DryRun::Server);
        assert_eq!(DryRun::parse("none").unwrap(), DryRun::None);
        assert!(DryRun::parse("bogus").unwrap_err().contains("bogus"));
        assert!(!DryRun::None.is_dry());
    }
}
