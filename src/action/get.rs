//! `get values|manifest|notes|hooks|metadata|all NAME`: one revision of a release (the latest
//! unless `--revision`) and the parts of it each subcommand shows; the computed values are the
//! stored chart's defaults coalesced with the user-supplied values, as Helm computes them.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use super::ActionError;
use super::connection::{ConnectOptions, connect};
use super::status::release_content;
use crate::chart::metadata_value;
use crate::release::Release;
use crate::values::Values;
use crate::values::coalesce::coalesce_values;

/// Which release and revision.
#[derive(Debug, Clone, Default)]
pub struct GetRequest {
    /// Where to connect.
    pub connect: ConnectOptions,
    /// The release name.
    pub name: String,
    /// The revision (0: the latest).
    pub revision: u64,
}

/// The revision `req` names.
pub fn get(req: &GetRequest) -> Result<Release, ActionError> {
    let conn = connect(&req.connect)?;
    conn.cluster.server_version()?;
    release_content(&conn, &req.name, req.revision)
}

/// The user-supplied values of `release`, or with `all` the computed ones (the stored chart's
/// defaults coalesced with them).
pub fn values(release: &Release, all: bool) -> Result<Values, ActionError> {
    if !all {
        return Ok(release.config.clone());
    }
    match &release.chart {
        None => Ok(release.config.clone()),
        Some(chart) => {
            let chart = chart
                .to_chart(&format!(
                    "release {:?} revision {}",
                    release.name, release.version
                ))
                .map_err(crate::storage::StorageError::from)?;
            Ok(coalesce_values(&chart, &release.config)?)
        }
    }
}

/// `get metadata`, with Helm's field names (`pkg/action/get_metadata.go`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleaseMetadata {
    /// The release name.
    pub name: String,
    /// The chart name.
    pub chart: String,
    /// The chart version.
    pub version: String,
    /// The chart's appVersion.
    #[serde(rename = "appVersion")]
    pub app_version: String,
    /// The chart's annotations.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// The release's own labels.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub labels: BTreeMap<String, String>,
    /// The chart's dependencies as Helm serialises them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<Value>,
    /// The release namespace.
    pub namespace: String,
    /// The revision.
    pub revision: u64,
    /// The revision's status.
    pub status: String,
    /// When it was deployed, RFC 3339 to the second.
    #[serde(rename = "deployedAt")]
    pub deployed_at: String,
    /// `ssa` or `csa`, when recorded.
    #[serde(rename = "applyMethod", skip_serializing_if = "String::is_empty")]
    pub apply_method: String,
}

impl ReleaseMetadata {
    /// The dependency names, sorted and comma-separated (Helm's `FormattedDepNames`).
    pub fn dependency_names(&self) -> String {
        let mut names: Vec<&str> = self
            .dependencies
            .iter()
            .filter_map(|d| d["name"].as_str())
            .collect();
        names.sort_unstable();
        names.join(",")
    }
}

/// The metadata of `release`.
pub fn metadata(release: &Release) -> ReleaseMetadata {
    let meta = release.chart.as_ref().map(|c| &c.metadata);
    let dependencies = meta
        .map(|m| match metadata_value(m).get("dependencies") {
            Some(Value::Array(deps)) => deps.clone(),
            _ => Vec::new(),
        })
        .unwrap_or_default();
    ReleaseMetadata {
        name: release.name.clone(),
        chart: meta.map(|m| m.name.clone()).unwrap_or_default(),
        version: meta.map(|m| m.version.clone()).unwrap_or_default(),
        app_version: meta.and_then(|m| m.app_version.clone()).unwrap_or_default(),
        annotations: meta.map(|m| m.annotations.clone()).unwrap_or_default(),
        labels: release.labels.clone(),
        dependencies,
        namespace: release.namespace.clone(),
        revision: release.version,
        status: release.info.status.as_str().to_string(),
        deployed_at: release
            .info
            .last_deployed
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_else(|| "0001-01-01T00:00:00Z".to_string()),
        apply_method: release.apply_method.clone(),
    }
}
