//! The one place PATCH bodies are applied to live objects: picks the algorithm of
//! `super::patch` by content type and turns its errors into the API server's `Status` replies.
//! - `application/apply-patch+yaml`: server-side apply as `fieldManager` (managedFields,
//!   conflicts answered 409 unless `force`, fields dropped from the configuration removed).
//! - `application/merge-patch+json`: RFC 7386.
//! - `application/json-patch+json`: RFC 6902.
//! - `application/strategic-merge-patch+json`: strategic merge for built-in types; custom
//!   resources answer 415 as the real server does.
//!
//! Non-apply writes record their manager with [`super::patch::record_update`] later, once the
//! object has been defaulted (see `handlers`).

use serde_json::{Value, json};

use super::errors::ApiError;
use super::patch::{
    PatchError, json_patch, merge_patch, server_side_apply, strategic_merge_patch,
    supports_strategic,
};
use super::registry::ResourceType;
use super::request::{decode_body, media_type};
use super::store::now_rfc3339;

/// The content type of server-side apply.
pub const APPLY_PATCH: &str = "application/apply-patch+yaml";

/// A PATCH request against one object.
#[derive(Debug)]
pub struct PatchRequest<'a> {
    /// The resource type.
    pub rt: &'a ResourceType,
    /// The object name (for error details).
    pub name: &'a str,
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

/// The object after the patch (not yet validated or stored). For apply, its managedFields are
/// already updated; other patches leave that to the caller.
pub fn patch_object(req: &PatchRequest<'_>) -> Result<Value, ApiError> {
    let media = media_type(req.content_type);
    let empty = json!({});
    let live = req.live.unwrap_or(&empty);
    let rt = req.rt;
    let result = match media.as_str() {
        "application/merge-patch+json" => {
            let patch = decode_body(req.content_type, req.body)?;
            Ok(merge_patch(live, &patch))
        }
        "application/json-patch+json" => {
            let patch = decode_body(req.content_type, req.body)?;
            json_patch(live, &patch)
        }
        "application/strategic-merge-patch+json" => {
            if !supports_strategic(&rt.gvk()) {
                return Err(strategic_unsupported());
            }
            let patch = decode_body(req.content_type, req.body)?;
            strategic_merge_patch(live, &patch, &rt.gvk())
        }
        APPLY_PATCH => {
            let mut applied = decode_body(req.content_type, req.body)?;
            fill_type(rt, &mut applied)?;
            server_side_apply(req.live, &applied, req.manager, req.force, &now_rfc3339())
        }
        _ => return Err(ApiError::unsupported_media_type(req.content_type)),
    };
    result.map_err(|e| patch_error(e, rt, req.name))
}

/// Sets `apiVersion`/`kind` of an applied configuration from the path when it leaves them out
/// (so ownership is recorded against the right schema); a mismatch is left for the caller's
/// type check to report.
fn fill_type(rt: &ResourceType, applied: &mut Value) -> Result<(), ApiError> {
    let Some(map) = applied.as_object_mut() else {
        return Err(ApiError::bad_request(
            "the apply configuration is not a JSON or YAML object",
        ));
    };
    for (key, value) in [("apiVersion", rt.api_version()), ("kind", rt.kind.clone())] {
        if map
            .get(key)
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            map.insert(key.into(), Value::String(value));
        }
    }
    Ok(())
}

/// 415 for a strategic merge patch on a type without strategic support (custom resources).
fn strategic_unsupported() -> ApiError {
    ApiError {
        code: 415,
        reason: "UnsupportedMediaType".into(),
        message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml".into(),
        details: None,
    }
}

/// The `Status` reply for a patch the algorithms refused.
pub fn patch_error(e: PatchError, rt: &ResourceType, name: &str) -> ApiError {
    match &e {
        PatchError::BadRequest(m) => ApiError::bad_request(m.clone()),
        // As the API server answers a patch that cannot be applied: a generic 422 whose one
        // cause carries the reason (kubectl prints `The request is invalid: <reason>`).
        PatchError::Invalid(m) => ApiError {
            code: 422,
            reason: "Invalid".into(),
            message: "the server rejected our request due to an error in our request".into(),
            details: Some(json!({"causes": [{"message": m}]})),
        },
        PatchError::Conflict(conflicts) => {
            let mut err = ApiError::apply_conflict(e.to_string(), &rt.group, &rt.plural, name);
            let causes: Vec<Value> = conflicts
                .iter()
                .map(|c| {
                    json!({
                        "reason": "FieldManagerConflict",
                        "message": format!("conflict with {:?}", c.manager),
                        "field": c.field,
                    })
                })
                .collect();
            if let Some(d) = err.details.as_mut() {
                d["causes"] = Value::Array(causes);
            }
            err
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::registry::Registry;

    fn rt(group: &str, plural: &str) -> ResourceType {
        Registry::builtin()
            .find(group, "v1", plural)
            .cloned()
            .unwrap()
    }

    fn req<'a>(
        rt: &'a ResourceType,
        live: Option<&'a Value>,
        ct: &'a str,
        body: &'a [u8],
        manager: &'a str,
    ) -> PatchRequest<'a> {
        PatchRequest {
            rt,
            name: "web",
            live,
            body,
            content_type: ct,
            manager,
            force: false,
        }
    }

    fn deployment() -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "ns"},
            "spec": {"replicas": 1, "template": {"spec": {"containers": [
                {"name": "a", "image": "a:1"}, {"name": "b", "image": "b:1"}]}}}})
    }

    #[test]
    fn dispatches_by_content_type() {
        let d = rt("apps", "deployments");
        let live = deployment();
        let smp = br#"{"spec":{"template":{"spec":{"containers":[{"name":"b","image":"b:2"}]}}}}"#;
        let out = patch_object(&req(
            &d,
            Some(&live),
            "application/strategic-merge-patch+json",
            smp,
            "m",
        ))
        .unwrap();
        // Merged by name: both containers are still there.
        assert_eq!(
            out.pointer("/spec/template/spec/containers/1/image"),
            Some(&json!("b:2"))
        );
        assert_eq!(
            out.pointer("/spec/template/spec/containers/0/name"),
            Some(&json!("a"))
        );
        let merged = patch_object(&req(
            &d,
            Some(&live),
            "application/merge-patch+json",
            smp,
            "m",
        ))
        .unwrap();
        assert_eq!(
            merged["spec"]["template"]["spec"]["containers"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
        let jp = br#"[{"op":"replace","path":"/spec/replicas","value":3}]"#;
        let out = patch_object(&req(
            &d,
            Some(&live),
            "application/json-patch+json",
            jp,
            "m",
        ))
        .unwrap();
        assert_eq!(out["spec"]["replicas"], 3);
        let bad = br#"[{"op":"remove","path":"/spec/nothing"}]"#;
        let e = patch_object(&req(
            &d,
            Some(&live),
            "application/json-patch+json",
            bad,
            "m",
        ))
        .unwrap_err();
        assert_eq!(e.code, 422);
        let cause = e.details.unwrap()["causes"][0]["message"].to_string();
        assert!(cause.contains("/spec/nothing"), "{cause}");
        let e = patch_object(&req(&d, Some(&live), "text/plain", b"", "m")).unwrap_err();
        assert_eq!(e.code, 415);
    }

    #[test]
    fn apply_conflicts_are_409_with_causes() {
        let d = rt("apps", "deployments");
        let body = br#"{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":2}}"#;
        let first = patch_object(&req(&d, None, APPLY_PATCH, body, "one")).unwrap();
        assert_eq!(first["metadata"]["managedFields"][0]["manager"], "one");
        let other = br#"{"metadata":{"name":"web"},"spec":{"replicas":5}}"#;
        let e = patch_object(&req(&d, Some(&first), APPLY_PATCH, other, "two")).unwrap_err();
        assert_eq!((e.code, e.reason.as_str()), (409, "Conflict"));
        assert_eq!(
            e.message,
            "Apply failed with 1 conflict: conflict with \"one\": .spec.replicas"
        );
        let cause = &e.details.unwrap()["causes"][0];
        assert_eq!(cause["reason"], "FieldManagerConflict");
        assert_eq!(cause["field"], ".spec.replicas");
        let forced = patch_object(&PatchRequest {
            force: true,
            ..req(&d, Some(&first), APPLY_PATCH, other, "two")
        })
        .unwrap();
        assert_eq!(forced["spec"]["replicas"], 5);
    }

    #[test]
    fn strategic_merge_on_custom_resources_is_415() {
        let mut cr = rt("apps", "deployments");
        cr.group = "example.com".into();
        cr.kind = "Widget".into();
        let live =
            json!({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}});
        let e = patch_object(&req(
            &cr,
            Some(&live),
            "application/strategic-merge-patch+json",
            b"{}",
            "m",
        ))
        .unwrap_err();
        assert_eq!((e.code, e.reason.as_str()), (415, "UnsupportedMediaType"));
    }
}
