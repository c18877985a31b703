//! The render context: `Release`, `Chart`, `Capabilities`, `Template`, shaped as Helm's.

use serde_json::{Map, Value, json};

use crate::chart::Metadata;

/// The Kubernetes version assumed when rendering offline (Helm 4.2's default is the same).
pub const DEFAULT_KUBE_VERSION: &str = "v1.36.0";

/// The API group/versions assumed offline, as Helm 4's default capabilities list them.
pub const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "apiextensions.k8s.io/v1",
    "apps/v1",
    "authentication.k8s.io/v1",
    "authorization.k8s.io/v1",
    "autoscaling/v1",
    "autoscaling/v2",
    "batch/v1",
    "certificates.k8s.io/v1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "events.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1",
    "networking.k8s.io/v1",
    "node.k8s.io/v1",
    "policy/v1",
    "rbac.authorization.k8s.io/v1",
    "resource.k8s.io/v1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1",
];

/// What `Release` shows to templates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseInfo {
    /// Release name.
    pub name: String,
    /// Target namespace.
    pub namespace: String,
    /// Revision number (1 on install).
    pub revision: u64,
    /// True on install (and `template` without `--is-upgrade`).
    pub is_install: bool,
    /// True on upgrade and rollback.
    pub is_upgrade: bool,
}

impl Default for ReleaseInfo {
    fn default() -> Self {
        ReleaseInfo {
            name: "release-name".into(),
            namespace: "default".into(),
            revision: 1,
            is_install: true,
            is_upgrade: false,
        }
    }
}

/// What `Capabilities` shows: the cluster's version and served API versions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capabilities {
    /// Kubernetes version, `v1.36.0` form.
    pub kube_version: String,
    /// Served group/versions (and optionally `group/version/Kind` entries).
    pub api_versions: Vec<String>,
}

impl Default for Capabilities {
    fn default() -> Self {
        Capabilities {
            kube_version: DEFAULT_KUBE_VERSION.into(),
            api_versions: DEFAULT_API_VERSIONS.iter().map(|s| s.to_string()).collect(),
        }
    }
}

impl Capabilities {
    /// Builds capabilities from `--kube-version` (with or without `v`) and extra `--api-versions`.
    pub fn with(kube_version: Option<&str>, extra_api_versions: &[String]) -> Result<Self, String> {
        let mut caps = Capabilities::default();
        if let Some(v) = kube_version {
            let parsed = parse_kube_version(v)?;
            caps.kube_version = format!("v{parsed}");
        }
        for api in extra_api_versions {
            if !caps.api_versions.contains(api) {
                caps.api_versions.push(api.clone());
            }
        }
        Ok(caps)
    }

    /// The version as SemVer, for `kubeVersion` checks.
    pub fn semver(&self) -> semver::Version {
        parse_kube_version(&self.kube_version).expect("validated when built")
    }

    pub(crate) fn to_value(&self) -> Value {
        let v = self.semver();
        json!({
            "KubeVersion": {
                "Version": self.kube_version,
                "GitVersion": self.kube_version,
                "Major": v.major.to_string(),
                "Minor": v.minor.to_string(),
            },
            "APIVersions": self.api_versions,
            "HelmVersion": { "Version": concat!("v", env!("CARGO_PKG_VERSION")) },
        })
    }
}

/// Parses `1.29`, `v1.29.3`, `1.29.3-gke.100` into SemVer (missing parts are 0).
pub fn parse_kube_version(text: &str) -> Result<semver::Version, String> {
    let t = text.trim().trim_start_matches('v');
    let (core, pre) = match t.split_once(['-', '+']) {
        Some((c, _)) => (c, &t[c.len()..]),
        None => (t, ""),
    };
    let mut parts: Vec<&str> = core.split('.').collect();
    if parts.is_empty() || parts.len() > 3 || parts.iter().any(|p| p.parse::<u64>().is_err()) {
        return Err(format!(
            "invalid Kubernetes version {text:?} (want e.g. 1.29.0)"
        ));
    }
    while parts.len() < 3 {
        parts.push("0");
    }
    semver::Version::parse(&format!("{}{pre}", parts.join(".")))
        .map_err(|e| format!("invalid Kubernetes version {text:?}: {e}"))
}

impl ReleaseInfo {
    pub(crate) fn to_value(&self) -> Value {
        json!({
            "Name": self.name,
            "Namespace": self.namespace,
            "Revision": self.revision,
            "IsInstall": self.is_install,
            "IsUpgrade": self.is_upgrade,
            "Service": "rudder",
        })
    }
}

/// `Chart` as templates see it: Chart.yaml with Helm's capitalised field names.
pub(crate) fn chart_value(meta: &Metadata, is_root: bool) -> Value {
    let mut m = Map::new();
    let s = |v: &Option<String>| Value::String(v.clone().unwrap_or_default());
    m.insert("APIVersion".into(), Value::String(meta.api_version.clone()));
    m.insert("Name".into(), Value::String(meta.name.clone()));
    m.insert("Version".into(), Value::String(meta.version.clone()));
    m.insert("AppVersion".into(), s(&meta.app_version));
    m.insert("Description".into(), s(&meta.description));
    m.insert("Type".into(), s(&meta.chart_type));
    m.insert("KubeVersion".into(), s(&meta.kube_version));
    m.insert("Home".into(), s(&meta.home));
    m.insert("Icon".into(), s(&meta.icon));
    m.insert("Keywords".into(), json!(meta.keywords));
    m.insert("Sources".into(), json!(meta.sources));
    m.insert("Deprecated".into(), Value::Bool(meta.deprecated));
    m.insert("Annotations".into(), json!(meta.annotations));
    m.insert("IsRoot".into(), Value::Bool(is_root));
    let maintainers: Vec<Value> = meta
        .maintainers
        .iter()
        .map(|x| json!({"Name": x.name, "Email": x.email.clone().unwrap_or_default(), "URL": x.url.clone().unwrap_or_default()}))
        .collect();
    m.insert("Maintainers".into(), Value::Array(maintainers));
    let deps: Vec<Value> = meta
        .dependencies
        .iter()
        .map(|d| {
            json!({"Name": d.name, "Version": d.version, "Repository": d.repository,
                   "Condition": d.condition.clone().unwrap_or_default(), "Tags": d.tags,
                   "Alias": d.alias.clone().unwrap_or_default(), "Enabled": d.enabled.unwrap_or(true)})
        })
        .collect();
    m.insert("Dependencies".into(), Value::Array(deps));
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kube_versions() {
        assert_eq!(parse_kube_version("1.29").unwrap().to_string(), "1.29.0");
        assert_eq!(parse_kube_version("v1.29.3").unwrap().to_string(), "1.29.3");
        assert_eq!(
            parse_kube_version("1.30.1-gke.100").unwrap().to_string(),
            "1.30.1-gke.100"
        );
        assert!(parse_kube_version("banana").is_err());
        let caps = Capabilities::with(Some("1.27"), &["example.com/v1".into()]).unwrap();
        assert_eq!(caps.kube_version, "v1.27.0");
        assert!(caps.api_versions.contains(&"example.com/v1".to_string()));
    }
}
