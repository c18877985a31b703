//! Manifests as objects: the rendered documents (or a stored release's manifest text) parsed to
//! JSON, and the identity two revisions' objects are compared by.

use serde_json::Value;

use crate::action::ActionError;
use crate::engine::manifest::{Manifest, split_documents};

/// Which object a manifest entry is, for comparing revisions: API group (not version: moving
/// `v1beta1` to `v1` is the same object), kind, namespace (the release's when unset) and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ObjectKey {
    /// The API group (`""` for core).
    pub group: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.namespace`, or the release namespace.
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
}

impl ObjectKey {
    /// The key of `object`; objects without a namespace count as in `default_namespace`.
    pub fn of(object: &Value, default_namespace: &str) -> ObjectKey {
        let text = |ptr: &str| {
            object
                .pointer(ptr)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let api_version = text("/apiVersion");
        let group = api_version
            .rsplit_once('/')
            .map(|(g, _)| g.to_string())
            .unwrap_or_default();
        let namespace = text("/metadata/namespace");
        ObjectKey {
            group,
            kind: text("/kind"),
            namespace: if namespace.is_empty() {
                default_namespace.to_string()
            } else {
                namespace
            },
            name: text("/metadata/name"),
        }
    }
}

/// The rendered manifests as objects, in their (install) order. A document that is not YAML
/// mapping is an error naming its template.
pub fn from_rendered(manifests: &[Manifest]) -> Result<Vec<Value>, ActionError> {
    manifests
        .iter()
        .map(|m| parse_document(&m.content, &m.source))
        .filter_map(Result::transpose)
        .collect()
}

/// A stored release manifest (`---\n# Source: ...` documents) back to objects, in order; `what`
/// names the release revision for errors.
pub fn from_manifest_text(text: &str, what: &str) -> Result<Vec<Value>, ActionError> {
    split_documents(text)
        .into_iter()
        .enumerate()
        .map(|(i, doc)| parse_document(doc, &format!("{what}, document {}", i + 1)))
        .filter_map(Result::transpose)
        .collect()
}

/// One document to an object; `None` for an empty document (only comments or nothing).
fn parse_document(doc: &str, source: &str) -> Result<Option<Value>, ActionError> {
    let value: Value = yaml_serde::from_str(doc)
        .map_err(|e| ActionError::Invalid(format!("{source}: not valid YAML: {e}")))?;
    match value {
        Value::Null => Ok(None),
        Value::Object(_) => Ok(Some(value)),
        _ => Err(ActionError::Invalid(format!(
            "{source}: a manifest must be a mapping (an object with apiVersion, kind, metadata)"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stored_manifest_back_to_objects_and_keys() {
        let text = "---\n# Source: c/templates/a.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n# Source: c/templates/empty.yaml\n\n---\n# Source: c/templates/b.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: b\n  namespace: other\n";
        let objs = from_manifest_text(text, "release x revision 1").unwrap();
        assert_eq!(objs.len(), 2);
        let a = ObjectKey::of(&objs[0], "default");
        assert_eq!((a.group.as_str(), a.namespace.as_str()), ("", "default"));
        let b = ObjectKey::of(&objs[1], "default");
        assert_eq!((b.group.as_str(), b.namespace.as_str()), ("apps", "other"));
        let b2 = ObjectKey::of(
            &json!({"apiVersion": "apps/v1beta1", "kind": "Deployment",
                    "metadata": {"name": "b", "namespace": "other"}}),
            "x",
        );
        assert_eq!(b, b2);
        let err = from_manifest_text("---\n- 1\n", "release x revision 2").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("release x revision 2, document 1:"),
            "{err}"
        );
    }
}
