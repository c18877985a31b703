//! OpenAPI v3 as clients need it: `/openapi/v3` lists one document per group-version, and each
//! document has, for every resource item path, a `patch` operation carrying
//! `x-kubernetes-group-version-kind` and a `fieldValidation` query parameter (that is how
//! kubectl and Helm decide the server supports server-side field validation and apply). Schemas
//! are open objects: the sandbox does not validate field types.

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::discovery::GIT_VERSION;
use super::registry::Registry;

/// The `api/v1` / `apis/G/V` key of a group-version in `/openapi/v3`.
fn gv_key(group: &str, version: &str) -> String {
    if group.is_empty() {
        format!("api/{version}")
    } else {
        format!("apis/{group}/{version}")
    }
}

/// `GET /openapi/v3/api/v1` or `/openapi/v3/apis/G/V`: the document, or `None` if not served.
pub fn group_version_document(registry: &Registry, key: &str) -> Option<Value> {
    let (group, version) = match key
        .trim_matches('/')
        .split('/')
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["api", v] => (String::new(), v.to_string()),
        ["apis", g, v] => (g.to_string(), v.to_string()),
        _ => return None,
    };
    let types = registry.group_version(&group, &version);
    if types.is_empty() {
        return None;
    }
    let mut paths = Map::new();
    let mut schemas = Map::new();
    for t in types {
        let gvk = json!([{"group": t.group, "version": t.version, "kind": t.kind}]);
        let schema_name = format!(
            "io.k8s.sandbox.{}.{}.{}",
            if t.group.is_empty() { "core" } else { &t.group },
            t.version,
            t.kind
        );
        schemas.insert(
            schema_name.clone(),
            json!({
                "type": "object",
                "x-kubernetes-group-version-kind": gvk,
                "x-kubernetes-preserve-unknown-fields": true,
            }),
        );
        let params = json!([
            {"name": "dryRun", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
            {"name": "fieldManager", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
            {"name": "fieldValidation", "in": "query", "schema": {"type": "string", "uniqueItems": true}},
            {"name": "force", "in": "query", "schema": {"type": "boolean", "uniqueItems": true}},
        ]);
        let op = |verb: &str| {
            json!({
                "operationId": format!("{verb}{}", t.kind),
                "parameters": params,
                "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{schema_name}")}}}}},
                "x-kubernetes-action": verb,
                "x-kubernetes-group-version-kind": {"group": t.group, "version": t.version, "kind": t.kind},
            })
        };
        let item = format!("{}/{{name}}", t.collection_path(Some("{namespace}")));
        paths.insert(
            item,
            json!({"get": op("get"), "put": op("put"), "patch": op("patch"), "delete": op("delete")}),
        );
        paths.insert(
            t.collection_path(Some("{namespace}")),
            json!({"get": op("list"), "post": op("post")}),
        );
    }
    Some(json!({
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": GIT_VERSION},
        "paths": paths,
        "components": {"schemas": schemas},
    }))
}

/// A short content hash, so clients refetch a document when it changes (CRDs added).
fn hash(doc: &Value) -> String {
    let digest = Sha256::digest(doc.to_string().as_bytes());
    digest.iter().take(16).map(|b| format!("{b:02X}")).collect()
}

/// `GET /openapi/v3`: the index of group-version documents.
pub fn index(registry: &Registry) -> Value {
    let mut paths = Map::new();
    for (group, versions) in registry.groups() {
        for version in versions {
            let key = gv_key(&group, &version);
            if let Some(doc) = group_version_document(registry, &key) {
                paths.insert(
                    key.clone(),
                    json!({"serverRelativeURL": format!("/openapi/v3/{key}?hash={}", hash(&doc))}),
                );
            }
        }
    }
    json!({"paths": paths})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_and_documents() {
        let r = Registry::builtin();
        let idx = index(&r);
        let url = idx["paths"]["apis/apps/v1"]["serverRelativeURL"]
            .as_str()
            .unwrap();
        assert!(url.starts_with("/openapi/v3/apis/apps/v1?hash="));
        assert!(idx["paths"]["api/v1"].is_object());
        let doc = group_version_document(&r, "apis/apps/v1").unwrap();
        let patch =
            &doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"];
        assert_eq!(
            patch["x-kubernetes-group-version-kind"]["kind"],
            "Deployment"
        );
        assert!(
            patch["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .any(|p| p["name"] == "fieldValidation")
        );
        assert!(group_version_document(&r, "apis/nope/v1").is_none());
    }
}
