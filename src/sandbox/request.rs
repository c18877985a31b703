//! Reading a request: which resource a URL path names (core and group paths, namespaced and
//! cluster-scoped, collection, item and subresource), the query parameters, and the body in the
//! content types clients send (JSON, YAML, Kubernetes protobuf).

use std::collections::HashMap;

use serde_json::Value;

use super::errors::ApiError;
use super::proto;
use super::registry::{Registry, ResourceType};

/// What a resource path names.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// The resource type.
    pub rt: ResourceType,
    /// The namespace in the path (`None` for cluster-scoped paths and all-namespace lists).
    pub namespace: Option<String>,
    /// The object name (`None` for a collection).
    pub name: Option<String>,
    /// The subresource (`status`), if any.
    pub subresource: Option<String>,
}

/// A path under `/api` or `/apis`, split into what it addresses.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiPath {
    /// `/api`, `/apis`.
    Root { legacy: bool },
    /// `/apis/GROUP`.
    Group(String),
    /// `/api/v1`, `/apis/GROUP/VERSION`.
    GroupVersion(String, String),
    /// A resource collection, item or subresource.
    Resource(Target),
}

/// Splits a path; `Ok(None)` when it is not an API path at all, `Err` (404) when it names a
/// group, version or resource the sandbox does not serve.
pub fn parse_path(registry: &Registry, path: &str) -> Result<Option<ApiPath>, ApiError> {
    let segs: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let (group, version, rest) = match segs.as_slice() {
        ["api"] => return Ok(Some(ApiPath::Root { legacy: true })),
        ["apis"] => return Ok(Some(ApiPath::Root { legacy: false })),
        ["apis", g] => return Ok(Some(ApiPath::Group(g.to_string()))),
        ["api", v, rest @ ..] => ("", *v, rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return Ok(None),
    };
    if registry.group_version(group, version).is_empty() {
        return Err(ApiError::no_route());
    }
    if rest.is_empty() {
        return Ok(Some(ApiPath::GroupVersion(group.into(), version.into())));
    }
    let find = |plural: &str| registry.find(group, version, plural).cloned();
    let namespaced = match rest {
        ["namespaces", ns, plural, tail @ ..] if tail.len() <= 2 => find(plural)
            .filter(|rt| rt.namespaced)
            .map(|rt| (rt, *ns, tail)),
        _ => None,
    };
    let target = if let Some((rt, ns, tail)) = namespaced {
        Target {
            rt,
            namespace: Some(percent(ns)),
            name: tail.first().map(|n| percent(n)),
            subresource: tail.get(1).map(|s| s.to_string()),
        }
    } else {
        let (plural, tail) = rest.split_first().expect("non-empty");
        if rest.len() > 3 {
            return Err(ApiError::no_route());
        }
        let rt = find(plural).ok_or_else(ApiError::no_route)?;
        Target {
            rt,
            namespace: None,
            name: tail.first().map(|n| percent(n)),
            subresource: tail.get(1).map(|s| s.to_string()),
        }
    };
    if let Some(sub) = &target.subresource
        && !(sub == "status" && target.rt.has_status)
    {
        return Err(ApiError::no_route());
    }
    Ok(Some(ApiPath::Resource(target)))
}

fn percent(s: &str) -> String {
    crate::repo::serve::percent_decode(s).unwrap_or_else(|| s.to_string())
}

/// Query parameters (`application/x-www-form-urlencoded`: `+` is a space), last value wins.
pub fn parse_query(query: Option<&str>) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for pair in query.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let dec = |s: &str| percent(&s.replace('+', " "));
        out.insert(dec(k), dec(v));
    }
    out
}

/// The media type of a `Content-Type` header, without parameters, lower-cased.
pub fn media_type(content_type: &str) -> String {
    content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Reads an object body: JSON, YAML or Kubernetes protobuf, by content type.
pub fn decode_body(content_type: &str, body: &[u8]) -> Result<Value, ApiError> {
    let media = media_type(content_type);
    let value: Value = match media.as_str() {
        "application/vnd.kubernetes.protobuf" => proto::decode(body).map_err(|e| match e {
            proto::ProtoError::UnknownType(_) => ApiError::unsupported_media_type(content_type),
            other => ApiError::bad_request(other.to_string()),
        })?,
        "application/yaml"
        | "application/apply-patch+yaml"
        | "application/x-yaml"
        | "text/yaml" => {
            let text = std::str::from_utf8(body)
                .map_err(|_| ApiError::bad_request("the request body is not UTF-8"))?;
            yaml_serde::from_str(text)
                .map_err(|e| ApiError::bad_request(format!("error decoding YAML: {e}")))?
        }
        ""
        | "application/json"
        | "application/merge-patch+json"
        | "application/strategic-merge-patch+json"
        | "application/json-patch+json" => serde_json::from_slice(body).map_err(|e| {
            ApiError::bad_request(format!("couldn't get version/kind; json parse error: {e}"))
        })?,
        _ => return Err(ApiError::unsupported_media_type(content_type)),
    };
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(p: &str) -> Target {
        match parse_path(&Registry::builtin(), p).unwrap().unwrap() {
            ApiPath::Resource(t) => t,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn paths() {
        let t = target("/apis/apps/v1/namespaces/ns/deployments/web");
        assert_eq!(
            (
                t.rt.plural.as_str(),
                t.namespace.as_deref(),
                t.name.as_deref()
            ),
            ("deployments", Some("ns"), Some("web"))
        );
        let t = target("/api/v1/namespaces/ns/status");
        assert_eq!(
            (
                t.rt.plural.as_str(),
                t.name.as_deref(),
                t.subresource.as_deref()
            ),
            ("namespaces", Some("ns"), Some("status"))
        );
        let t = target("/api/v1/namespaces/ns");
        assert_eq!(
            (t.rt.plural.as_str(), t.namespace, t.name.as_deref()),
            ("namespaces", None, Some("ns"))
        );
        let t = target("/api/v1/secrets");
        assert_eq!((t.namespace, t.name), (None, None));
        let t = target("/apis/rbac.authorization.k8s.io/v1/clusterroles/system%3Aadmin");
        assert_eq!(t.name.as_deref(), Some("system:admin"));
        let r = Registry::builtin();
        assert_eq!(parse_path(&r, "/version").unwrap(), None);
        assert_eq!(
            parse_path(&r, "/apis/nope/v1/things").unwrap_err().code,
            404
        );
        assert_eq!(parse_path(&r, "/api/v1/widgets").unwrap_err().code, 404);
        assert_eq!(
            parse_path(&r, "/api/v1/namespaces/ns/configmaps/a/status")
                .unwrap_err()
                .code,
            404
        );
        assert_eq!(
            parse_path(&r, "/apis/apps/v1").unwrap(),
            Some(ApiPath::GroupVersion("apps".into(), "v1".into()))
        );
    }

    #[test]
    fn query_and_bodies() {
        let q = parse_query(Some("labelSelector=app%3Dweb%2Ctier+in+(a)&watch=true"));
        assert_eq!(q["labelSelector"], "app=web,tier in (a)");
        assert_eq!(q["watch"], "true");
        assert_eq!(decode_body("application/yaml", b"a: 1").unwrap()["a"], 1);
        assert_eq!(
            decode_body("application/json; charset=utf-8", b"{\"a\":2}").unwrap()["a"],
            2
        );
        assert_eq!(decode_body("text/plain", b"").unwrap_err().code, 415);
        assert_eq!(decode_body("application/json", b"{").unwrap_err().code, 400);
    }
}
