//! The one place PATCH bodies are applied to live objects. The full algorithms (strategic merge
//! with `$patch`/`$setElementOrder` directives and merge keys, RFC 6902 JSON patch, server-side
//! apply with managedFields and conflicts) live in `super::patch` once it lands; until then this
//! supports what the sandbox's own flows need, and says so:
//! - `application/merge-patch+json`: RFC 7386, complete.
//! - `application/strategic-merge-patch+json`: RFC 7386 after dropping `$`-directives (lists are
//!   replaced, not merged by key).
//! - `application/apply-patch+yaml`: creates the object when missing; otherwise merges the
//!   applied configuration over the live object (fields dropped from the configuration are not
//!   removed yet: that needs field ownership).
//! - `application/json-patch+json`: refused with 415 for now.

use serde_json::Value;

use super::errors::ApiError;
use super::registry::ResourceType;
use super::request::{decode_body, media_type};

/// A PATCH request against one object.
#[derive(Debug)]
pub struct PatchRequest<'a> {
    /// The resource type.
    pub rt: &'a ResourceType,
    /// The stored object (`None`: only an apply may create it).
    pub live: Option<&'a Value>,
    /// The raw body.
    pub body: &'a [u8],
    /// The `Content-Type` header.
    pub content_type: &'a str,
    /// `?fieldManager=`.
    pub manager: &'a str,
    /// `?force=true`.
    pub force: bool,
}

/// The object after the patch (not yet validated or stored).
pub fn patch_object(req: &PatchRequest<'_>) -> Result<Value, ApiError> {
    let media = media_type(req.content_type);
    let patch = decode_body(req.content_type, req.body)?;
    match media.as_str() {
        "application/merge-patch+json" => Ok(merge_patch(
            req.live.cloned().unwrap_or(Value::Null),
            &patch,
        )),
        "application/strategic-merge-patch+json" => Ok(merge_patch(
            req.live.cloned().unwrap_or(Value::Null),
            &strip_directives(&patch),
        )),
        "application/apply-patch+yaml" => match req.live {
            None => Ok(patch),
            Some(live) => Ok(merge_patch(live.clone(), &patch)),
        },
        _ => Err(ApiError::unsupported_media_type(req.content_type)),
    }
}

/// RFC 7386 JSON merge patch.
pub fn merge_patch(target: Value, patch: &Value) -> Value {
    let Value::Object(p) = patch else {
        return patch.clone();
    };
    let mut t = match target {
        Value::Object(m) => m,
        _ => serde_json::Map::new(),
    };
    for (k, v) in p {
        if v.is_null() {
            t.remove(k);
        } else {
            let cur = t.remove(k).unwrap_or(Value::Null);
            t.insert(k.clone(), merge_patch(cur, v));
        }
    }
    Value::Object(t)
}

fn strip_directives(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !k.starts_with('$'))
                .map(|(k, v)| (k.clone(), strip_directives(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(strip_directives).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rfc7386() {
        let t = json!({"a": 1, "b": {"c": 2, "d": 3}, "l": [1, 2]});
        let p = json!({"a": null, "b": {"c": 5}, "l": [3]});
        assert_eq!(merge_patch(t, &p), json!({"b": {"c": 5, "d": 3}, "l": [3]}));
    }

    #[test]
    fn strategic_drops_directives() {
        let p = json!({"$setElementOrder/x": [], "spec": {"$retainKeys": ["a"], "a": 1}});
        assert_eq!(strip_directives(&p), json!({"spec": {"a": 1}}));
    }
}
