//! The release record, field for field as Helm 4 serialises `release/v1.Release` into its
//! storage objects, so that Helm reads our releases and we read Helm's.
//!
//! JSON keys and omission rules follow Helm's struct tags: empty strings, zero numbers, empty
//! lists and maps are left out; zero timestamps are left out; `chart` keeps Helm's
//! always-present `metadata`, `lock`, `templates`, `values`, `schema`, `files` keys.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::chart::ReleaseChart;
use super::gotime::{self, Time};

/// One installed revision of a release: what was rendered, with which chart and values, and how
/// it went. Helm's storage keeps one of these per revision.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Release {
    /// The release name.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// When and how this revision was deployed.
    #[serde(default)]
    pub info: Info,
    /// The chart as installed (subcharts are not kept, as in Helm).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chart: Option<ReleaseChart>,
    /// The values the user supplied (not merged with the chart's defaults).
    #[serde(
        default,
        skip_serializing_if = "Map::is_empty",
        deserialize_with = "null_map"
    )]
    pub config: Map<String, Value>,
    /// The rendered manifests (hooks excluded), as `---\n# Source: ...` documents.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub manifest: String,
    /// The hooks of this revision with their last run.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_vec"
    )]
    pub hooks: Vec<Hook>,
    /// The revision number, from 1.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub version: u64,
    /// The namespace the release lives in.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// How resources were applied: `ssa` (server-side apply) or `csa`/empty (client-side).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub apply_method: String,
    /// User labels, kept on the storage object rather than in the JSON (as Helm does).
    #[serde(skip)]
    pub labels: BTreeMap<String, String>,
}

/// When a revision was deployed, its status, and the rendered NOTES.txt.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Info {
    /// When the release's first revision was deployed.
    #[serde(default, with = "gotime::opt", skip_serializing_if = "Option::is_none")]
    pub first_deployed: Option<Time>,
    /// When this revision was deployed.
    #[serde(default, with = "gotime::opt", skip_serializing_if = "Option::is_none")]
    pub last_deployed: Option<Time>,
    /// When the release was uninstalled (with `--keep-history`).
    #[serde(default, with = "gotime::opt", skip_serializing_if = "Option::is_none")]
    pub deleted: Option<Time>,
    /// A human log line: "Install complete", "Upgrade complete", "Rollback to 1" ...
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The revision's status.
    #[serde(default)]
    pub status: Status,
    /// The rendered `NOTES.txt`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    /// Deployed resources by kind, as Helm may record them (kept verbatim).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<Map<String, Value>>,
}

/// A revision's state, as Helm names it in the JSON and in the storage object's `status` label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Unknown state (also what an unset status reads as).
    #[default]
    Unknown,
    /// The revision currently running in the cluster.
    Deployed,
    /// Uninstalled with its history kept.
    Uninstalled,
    /// Replaced by a later revision.
    Superseded,
    /// The install, upgrade or rollback failed.
    Failed,
    /// An uninstall is under way.
    Uninstalling,
    /// An install is under way.
    PendingInstall,
    /// An upgrade is under way.
    PendingUpgrade,
    /// A rollback is under way.
    PendingRollback,
}

impl Status {
    /// Every status, in Helm's declaration order.
    pub const ALL: [Status; 9] = [
        Status::Unknown,
        Status::Deployed,
        Status::Uninstalled,
        Status::Superseded,
        Status::Failed,
        Status::Uninstalling,
        Status::PendingInstall,
        Status::PendingUpgrade,
        Status::PendingRollback,
    ];

    /// The name used in JSON and labels (`pending-install` ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Unknown => "unknown",
            Status::Deployed => "deployed",
            Status::Uninstalled => "uninstalled",
            Status::Superseded => "superseded",
            Status::Failed => "failed",
            Status::Uninstalling => "uninstalling",
            Status::PendingInstall => "pending-install",
            Status::PendingUpgrade => "pending-upgrade",
            Status::PendingRollback => "pending-rollback",
        }
    }

    /// Whether an operation on the release is in progress (Helm refuses another one then).
    pub fn is_pending(self) -> bool {
        matches!(
            self,
            Status::PendingInstall | Status::PendingUpgrade | Status::PendingRollback
        )
    }

    /// Parses a status name as written by [`Status::as_str`].
    pub fn parse(text: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A hook resource of a release (`helm.sh/hook` annotated manifest) and its last run.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Hook {
    /// The resource's `metadata.name`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// The resource's kind.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    /// The template it came from, `chart/templates/x.yaml`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    /// The rendered manifest.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub manifest: String,
    /// The events it runs on.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_vec"
    )]
    pub events: Vec<HookEvent>,
    /// The last execution (Helm always writes it, with at least `phase`).
    #[serde(default)]
    pub last_run: HookExecution,
    /// `helm.sh/hook-weight`: order among hooks of the same event.
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub weight: i64,
    /// `helm.sh/hook-delete-policy`.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_vec"
    )]
    pub delete_policies: Vec<HookDeletePolicy>,
    /// `helm.sh/hook-output-log-policy`.
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "null_vec"
    )]
    pub output_log_policies: Vec<HookOutputLogPolicy>,
}

/// When a hook last ran and how it ended.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct HookExecution {
    /// When it started.
    #[serde(default, with = "gotime::opt", skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Time>,
    /// When it completed.
    #[serde(default, with = "gotime::opt", skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<Time>,
    /// Its outcome (Helm writes `""` for a hook that never ran).
    #[serde(default)]
    pub phase: HookPhase,
}

/// A hook's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum HookPhase {
    /// Never run (Helm's empty phase).
    #[default]
    #[serde(rename = "")]
    NotRun,
    /// State unknown.
    Unknown,
    /// Running.
    Running,
    /// Finished successfully.
    Succeeded,
    /// Failed.
    Failed,
}

/// The lifecycle points a hook can run at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HookEvent {
    /// Before the release's resources are installed.
    PreInstall,
    /// After install.
    PostInstall,
    /// Before uninstall.
    PreDelete,
    /// After uninstall.
    PostDelete,
    /// Before upgrade.
    PreUpgrade,
    /// After upgrade.
    PostUpgrade,
    /// Before rollback.
    PreRollback,
    /// After rollback.
    PostRollback,
    /// `helm test`.
    Test,
}

/// When a hook resource is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HookDeletePolicy {
    /// After it succeeded.
    HookSucceeded,
    /// After it failed.
    HookFailed,
    /// Before a new one is created.
    BeforeHookCreation,
}

/// When a hook's logs are copied to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HookOutputLogPolicy {
    /// When it succeeded.
    HookSucceeded,
    /// When it failed.
    HookFailed,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn is_zero_i64(n: &i64) -> bool {
    *n == 0
}

/// Go writes nil maps as `null`; read that as empty.
pub(super) fn null_map<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Map<String, Value>, D::Error> {
    Ok(Option::deserialize(d)?.unwrap_or_default())
}

/// Go writes nil slices as `null`; read that as empty.
pub(super) fn null_vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::deserialize(d)?.unwrap_or_default())
}
