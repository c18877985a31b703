//! Group, version and kind: how the sandbox names a type of object.

use std::fmt;

/// A Kubernetes group/version/kind (`apps/v1 Deployment`; the core group is `""`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Gvk {
    /// The API group (`""` for core, `apps`, `batch` ...).
    pub group: String,
    /// The version (`v1`, `v2` ...).
    pub version: String,
    /// The kind (`Deployment`).
    pub kind: String,
}

impl Gvk {
    /// A GVK from its parts.
    pub fn new(group: &str, version: &str, kind: &str) -> Self {
        Gvk {
            group: group.to_string(),
            version: version.to_string(),
            kind: kind.to_string(),
        }
    }

    /// Reads `apiVersion` (`apps/v1` or `v1`) and `kind` of an object.
    pub fn of(object: &serde_json::Value) -> Option<Self> {
        let api_version = object.get("apiVersion")?.as_str()?;
        let kind = object.get("kind")?.as_str()?;
        let (group, version) = api_version.split_once('/').unwrap_or(("", api_version));
        Some(Gvk::new(group, version, kind))
    }

    /// `apps/v1`, or `v1` for the core group.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

impl fmt::Display for Gvk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.api_version(), self.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_api_version_and_kind() {
        let d = serde_json::json!({"apiVersion": "apps/v1", "kind": "Deployment"});
        assert_eq!(Gvk::of(&d).unwrap(), Gvk::new("apps", "v1", "Deployment"));
        let s = serde_json::json!({"apiVersion": "v1", "kind": "Service"});
        assert_eq!(Gvk::of(&s).unwrap().api_version(), "v1");
        assert_eq!(Gvk::of(&serde_json::json!({"kind": "X"})), None);
    }
}
