//! `lookup(...)` over the live cluster, as Helm's engine does it during install, upgrade, diff
//! and `--dry-run=server`: a name GETs one object, an empty name LISTs the kind (an empty
//! namespace of a namespaced kind lists every namespace) and answers a `List`; not found
//! answers an empty map so `{% if not lookup(...) %}` works; any other API error fails the
//! render (the engine names the lookup and the template).

use std::sync::Arc;

use kube::api::ListParams;
use serde_json::{Map, Value, json};

use crate::engine::Lookup;
use crate::kube::{Cluster, KubeError};

/// The engine's [`Lookup`] backed by a connected cluster.
#[derive(Debug, Clone)]
pub struct ClusterLookup {
    cluster: Arc<Cluster>,
}

impl ClusterLookup {
    /// Lookups against `cluster`.
    pub fn new(cluster: Arc<Cluster>) -> ClusterLookup {
        ClusterLookup { cluster }
    }

    /// Shared and type-erased, as `RenderRequest.lookup` holds it.
    pub fn shared(cluster: Arc<Cluster>) -> Arc<dyn Lookup> {
        Arc::new(ClusterLookup::new(cluster))
    }

    fn read(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Value, KubeError> {
        let cluster = &self.cluster;
        let resource = cluster.resolve(api_version, kind)?;
        // As Helm: the namespace applies to namespaced kinds when given; otherwise the request
        // is cluster-wide (all namespaces for a list).
        let ns = (resource.namespaced && !namespace.is_empty()).then_some(namespace);
        let api = cluster.api(&resource, ns);
        let what = describe(kind, namespace, name);
        if !name.is_empty() {
            return match cluster.block_on(api.get_opt(name)) {
                Ok(Some(o)) => to_json(o, &what),
                Ok(None) => Ok(empty()),
                Err(e) => not_found_is_empty(cluster.error(e, &what)),
            };
        }
        let list = match cluster.block_on(api.list(&ListParams::default())) {
            Ok(l) => l,
            Err(e) => return not_found_is_empty(cluster.error(e, &what)),
        };
        let mut items = Vec::with_capacity(list.items.len());
        for o in list.items {
            let mut item = to_json(o, &what)?;
            // As client-go's unstructured lists: every item carries its apiVersion and kind.
            if let Some(m) = item.as_object_mut() {
                m.insert("apiVersion".into(), json!(api_version));
                m.insert("kind".into(), json!(kind));
            }
            items.push(item);
        }
        let mut metadata = Map::new();
        if let Some(rv) = list.metadata.resource_version {
            metadata.insert("resourceVersion".into(), json!(rv));
        }
        if let Some(c) = list.metadata.continue_.filter(|c| !c.is_empty()) {
            metadata.insert("continue".into(), json!(c));
        }
        Ok(json!({
            "apiVersion": api_version,
            "kind": format!("{kind}List"),
            "metadata": metadata,
            "items": items,
        }))
    }
}

impl Lookup for ClusterLookup {
    fn lookup(
        &self,
        api_version: &str,
        kind: &str,
        namespace: &str,
        name: &str,
    ) -> Result<Value, String> {
        tracing::debug!(api_version, kind, namespace, name, "lookup");
        self.read(api_version, kind, namespace, name)
            .map_err(|e| match e {
                // The engine already names the lookup; the server's own words are enough.
                KubeError::Api { status, .. } => {
                    format!("{} ({})", status.message, status.reason)
                }
                other => other.to_string(),
            })
    }
}

/// What a lookup of something absent answers: `{}`.
fn empty() -> Value {
    Value::Object(Map::new())
}

fn not_found_is_empty(e: KubeError) -> Result<Value, KubeError> {
    if e.is_not_found() {
        Ok(empty())
    } else {
        Err(e)
    }
}

fn to_json(object: kube::api::DynamicObject, what: &str) -> Result<Value, KubeError> {
    serde_json::to_value(object).map_err(|e| KubeError::Client {
        object: what.to_string(),
        message: e.to_string(),
    })
}

/// `Kind ns/name`, `Kind name`, or `Kind in ns` / `Kind` for lists (for messages).
fn describe(kind: &str, namespace: &str, name: &str) -> String {
    match (namespace, name) {
        ("", "") => format!("{kind} (all namespaces)"),
        (ns, "") => format!("{kind} in {ns}"),
        ("", n) => format!("{kind} {n}"),
        (ns, n) => format!("{kind} {ns}/{n}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_what_was_looked_up() {
        assert_eq!(describe("Secret", "a", "b"), "Secret a/b");
        assert_eq!(describe("Secret", "a", ""), "Secret in a");
        assert_eq!(describe("Namespace", "", "x"), "Namespace x");
        assert_eq!(describe("Pod", "", ""), "Pod (all namespaces)");
    }

    #[test]
    fn only_not_found_is_empty() {
        let status = |code: u16, reason: &str| KubeError::Api {
            object: "x".into(),
            status: Box::new(kube::core::Status::failure("m", reason).with_code(code)),
        };
        assert_eq!(
            not_found_is_empty(status(404, "NotFound")).unwrap(),
            empty()
        );
        assert!(not_found_is_empty(status(403, "Forbidden")).is_err());
    }
}
