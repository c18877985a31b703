//! `rudder install NAME CHART`: render a chart and deploy it as revision 1 of a new release (or
//! the next revision of one whose history was kept through an uninstall), as Helm's
//! `action.Install` does: name checks, CRDs first, `--create-namespace`, ownership checks, a
//! `pending-install` record, the objects applied, then `deployed` or `failed`. Templates see
//! the live cluster (`lookup`, `Capabilities`), and are rendered again when installing the
//! chart's CRDs changed what it serves.
//! Pre-install hooks run before the objects are applied, post-install hooks after (see
//! [`super::deploy::hooks`]); `--no-hooks` skips them, `--dry-run` never runs them. With
//! `--rollback-on-failure` a failed install deletes what it created and its record.
//!
//! A failure before the pending record is written (an ownership conflict, a kind the cluster
//! does not serve, a CRD that never becomes Established) records nothing, as Helm: the
//! operation is refused before it changes the release (CRDs already installed stay, as Helm
//! keeps them).

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

use super::ActionError;
use super::connection::Connection;
use super::deploy::rollout::Rollout;
use super::deploy::{
    self, DeployOptions, DryRun, crds, objects, ownership, record, record::NewRevision,
};
use super::names::{generate_name, validate_release_name};
use super::render::{RenderRequest, RenderResult, render_with_values};
use crate::chart::{self, Chart};
use crate::engine::{Capabilities, ReleaseInfo};
use crate::release::{Release, Status};
use crate::storage::{DEFAULT_HISTORY_MAX, StorageError};
use crate::values::Values;
use crate::values::options::ValueOptions;

/// What to install.
#[derive(Debug, Clone, Default)]
pub struct InstallRequest {
    /// The release name (`None` with `generate_name`).
    pub name: Option<String>,
    /// `--generate-name`: chart name plus a timestamp.
    pub generate_name: bool,
    /// The chart (directory or `.tgz`), already located.
    pub chart: PathBuf,
    /// `-f` and the `--set` family.
    pub values: ValueOptions,
    /// `--description`: the description of the deployed revision.
    pub description: Option<String>,
    /// `--labels`: labels on the release record.
    pub labels: BTreeMap<String, String>,
    /// Cluster-side options.
    pub deploy: DeployOptions,
}

/// The parts of an install once the chart is loaded and values merged (shared with
/// `upgrade --install`).
#[derive(Debug)]
pub struct LoadedInstall<'a> {
    /// The release name, validated.
    pub name: &'a str,
    /// The chart.
    pub chart: Chart,
    /// The user-supplied values.
    pub user_values: Values,
    /// `--description`.
    pub description: Option<String>,
    /// `--labels`.
    pub labels: BTreeMap<String, String>,
    /// Cluster-side options.
    pub deploy: &'a DeployOptions,
}

/// Installs `req` through `conn`; returns the release as recorded (or, with `--dry-run`, as it
/// would be). `stdin` serves `-f -`.
pub fn install(
    conn: &Connection,
    req: &InstallRequest,
    stdin: &mut dyn std::io::Read,
) -> Result<Release, ActionError> {
    let chart = chart::load(&req.chart)?;
    let name = match (&req.name, req.generate_name) {
        (Some(n), false) => n.clone(),
        (None, true) => generate_name(chart.name()),
        (Some(_), true) => {
            return Err(ActionError::Invalid(
                "cannot use a release name together with --generate-name".into(),
            ));
        }
        (None, false) => {
            return Err(ActionError::Invalid(
                "must either provide a release name or --generate-name".into(),
            ));
        }
    };
    validate_release_name(&name)?;
    let user_values = req.values.merge(stdin)?;
    install_loaded(
        conn,
        LoadedInstall {
            name: &name,
            chart,
            user_values,
            description: req.description.clone(),
            labels: req.labels.clone(),
            deploy: &req.deploy,
        },
    )
}

/// Installs an already loaded chart with merged values.
pub fn install_loaded(conn: &Connection, req: LoadedInstall<'_>) -> Result<Release, ActionError> {
    validate_release_name(req.name)?;
    let opts = req.deploy;
    let namespace = conn.namespace().to_string();
    let client_only = opts.dry_run == DryRun::Client;
    let storage = conn.storage(&namespace, DEFAULT_HISTORY_MAX);
    let (capabilities, version) = if client_only && opts.render_live {
        // A diff: render as the real install would (live capabilities), record nothing.
        (deploy::capabilities(&conn.cluster)?, 1)
    } else if client_only {
        (Capabilities::default(), 1)
    } else {
        let caps = deploy::capabilities(&conn.cluster)?;
        (
            caps,
            next_install_version(&conn.cluster, &storage, req.name)?,
        )
    };
    let mut render_req = RenderRequest {
        chart: PathBuf::new(),
        values: ValueOptions::default(),
        release: ReleaseInfo {
            name: req.name.to_string(),
            namespace: namespace.clone(),
            revision: version,
            is_install: true,
            is_upgrade: false,
        },
        capabilities,
        lookup: opts.lookup(&conn.cluster),
    };
    let mut result = render_with_values(req.chart, req.user_values, &render_req)?;
    let record = |result: &RenderResult| -> Result<(Vec<Value>, Release), ActionError> {
        let objects = deploy::stamped(
            objects::from_rendered(&result.rendered.manifests)?,
            req.name,
            &namespace,
        );
        let release = record::build(NewRevision {
            name: req.name,
            namespace: &namespace,
            version,
            chart: &result.chart,
            config: result.user_values.clone(),
            rendered: &result.rendered,
            status: Status::PendingInstall,
            description: "Initial install underway".into(),
            labels: req.labels.clone(),
            first_deployed: None,
        })?;
        Ok((objects, release))
    };
    let (mut objects, mut release) = record(&result)?;
    if client_only {
        release.info.description = "Dry run complete".into();
        return Ok(release);
    }
    let cluster = &conn.cluster;
    let dry = opts.dry_run == DryRun::Server;
    if !dry {
        // A bad RUDDER_LOCK_LEASE is refused before CRDs or the namespace are written.
        deploy::lock::lease_duration()?;
    }
    if crds::sync(cluster, &result.rendered.crds, opts, true)?.changed() {
        // The cluster serves new kinds or versions now: render again so that
        // `Capabilities.APIVersions` lists them, as Helm renders after installing CRDs.
        render_req.capabilities = deploy::capabilities(cluster)?;
        result = render_with_values(result.chart, result.user_values, &render_req)?;
        (objects, release) = record(&result)?;
    }
    let apply = opts.apply_options();
    if opts.create_namespace && !dry {
        cluster.create_namespace(&namespace)?;
    }
    ownership::check(
        cluster,
        &objects,
        &Default::default(),
        req.name,
        &namespace,
        opts.take_ownership,
        opts.concurrency,
    )?;
    if dry {
        deploy::apply::apply_in_order(cluster, &objects, &apply, true, opts.concurrency)?;
        release.info.description = "Dry run complete".into();
        return Ok(release);
    }
    let done = req
        .description
        .unwrap_or_else(|| "Install complete".to_string());
    let rollout = Rollout {
        cluster,
        storage: &storage,
        opts,
    };
    let outcome = rollout.run(
        &mut release,
        &objects,
        &[] as &[Value],
        Vec::new(),
        &done,
        &format!("Release {:?}", req.name),
    );
    match outcome {
        Ok(()) => Ok(release),
        Err(failure) if opts.rollback_on_failure => {
            Err(uninstall_failed(&storage, &release, failure))
        }
        Err(failure) => Err(failure.into()),
    }
}

/// `--rollback-on-failure` after a failed install, as Helm's `failRelease`: the objects the
/// install created are deleted (by the rollout, see [`deploy::cleanup`]) and the failed
/// revision's record removed, so the release is gone as if never installed. Helm uninstalls
/// with `--keep-history=false`, which also purges revisions an earlier `uninstall
/// --keep-history` kept; rudder removes only the record this install wrote, leaving the
/// history as it was before. When the lock was not ours (no cleanup ran) the error is the
/// plain one; when deleting failed, the failed record stays, naming what was left.
fn uninstall_failed(
    storage: &crate::storage::Storage,
    release: &Release,
    failure: deploy::cleanup::RolloutFailure,
) -> ActionError {
    let name = &release.name;
    let error = failure.error;
    let cleanup = match failure.cleanup.map(|c| *c) {
        None => return error,
        Some(Err(e)) => {
            return ActionError::Invalid(format!(
                "an error occurred while uninstalling the release. original install error: {error}: {e}"
            ));
        }
        Some(Ok(c)) => c,
    };
    if let Err(e) = storage.delete(name, release.version) {
        return ActionError::Invalid(format!(
            "an error occurred while uninstalling the release. original install error: {error}: \
             removing the record of revision {}: {e} ({})",
            release.version,
            cleanup.summary()
        ));
    }
    ActionError::Invalid(format!(
        "release {name} failed, and has been uninstalled due to rollback-on-failure being set: {error} ({})",
        cleanup.summary()
    ))
}

/// The revision an install of `name` gets: 1, or after an uninstall that kept history the
/// next one. A name still in use is refused as Helm refuses it.
fn next_install_version(
    cluster: &crate::kube::Cluster,
    storage: &crate::storage::Storage,
    name: &str,
) -> Result<u64, ActionError> {
    match storage.history(name) {
        Ok(history) => match history.last() {
            None => Ok(1),
            Some(last) if last.info.status == Status::Uninstalled => Ok(last.version + 1),
            Some(last) if last.info.status.is_pending() => {
                Err(deploy::lock::refusal(cluster, storage, last))
            }
            Some(last) => Err(ActionError::Invalid(format!(
                "cannot re-use a name that is still in use: release {name:?} exists (revision {}, {})",
                last.version, last.info.status
            ))),
        },
        Err(StorageError::NotFound { .. }) => Ok(1),
        Err(e) => Err(e.into()),
    }
}
