//! The identity of a manifest object (apiVersion, kind, namespace, name), read from its JSON,
//! and the `Kind namespace/name` form every message about it uses.

use std::fmt;

use serde_json::Value;

use super::error::KubeError;

/// Which object a manifest entry is, as far as the manifest says.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectRef {
    /// `apiVersion` (`v1`, `apps/v1`).
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.namespace`, when set (or defaulted by the layer).
    pub namespace: Option<String>,
    /// `metadata.name`.
    pub name: String,
}

impl ObjectRef {
    /// Reads the identity of an object; a missing `apiVersion`, `kind` or `metadata.name` is an
    /// error naming what is known of it.
    pub fn from_value(object: &Value) -> Result<ObjectRef, KubeError> {
        let text = |ptr: &str| {
            object
                .pointer(ptr)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
        };
        let kind = text("/kind");
        let name = text("/metadata/name");
        let what = format!(
            "{} {}",
            kind.as_deref().unwrap_or("object"),
            name.as_deref().unwrap_or("(unnamed)")
        );
        let missing = |field: &str| KubeError::InvalidObject {
            object: what.clone(),
            message: format!("{field} is not set"),
        };
        if !object.is_object() {
            return Err(KubeError::InvalidObject {
                object: "manifest entry".into(),
                message: "is not a mapping".into(),
            });
        }
        Ok(ObjectRef {
            api_version: text("/apiVersion").ok_or_else(|| missing("apiVersion"))?,
            kind: kind.clone().ok_or_else(|| missing("kind"))?,
            name: name.clone().ok_or_else(|| missing("metadata.name"))?,
            namespace: text("/metadata/namespace"),
        })
    }
}

impl fmt::Display for ObjectRef {
    /// `Deployment default/web`, or `Namespace demo` for cluster-scoped objects.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{}", self.kind, ns, self.name),
            None => write!(f, "{} {}", self.kind, self.name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_identity_and_names_it() {
        let r = ObjectRef::from_value(&json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "demo"}}))
        .unwrap();
        assert_eq!(r.to_string(), "Deployment demo/web");
        let r = ObjectRef::from_value(&json!({"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": "demo"}}))
        .unwrap();
        assert_eq!(r.to_string(), "Namespace demo");
        let e = ObjectRef::from_value(&json!({"kind": "ConfigMap", "metadata": {"name": "c"}}));
        assert_eq!(
            e.unwrap_err().to_string(),
            "ConfigMap c: apiVersion is not set"
        );
        let e = ObjectRef::from_value(&json!({"apiVersion": "v1", "kind": "ConfigMap"}));
        assert_eq!(
            e.unwrap_err().to_string(),
            "ConfigMap (unnamed): metadata.name is not set"
        );
        assert!(ObjectRef::from_value(&json!([1])).is_err());
    }
}
