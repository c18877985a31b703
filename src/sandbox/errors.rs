//! API errors as Kubernetes `Status` objects, worded as the real API server words them (kubectl
//! prints their `message`; Helm and client-go read `reason`, `code` and `details`).

use serde_json::{Value, json};

/// One field-level cause of an `Invalid` error (`metadata.name: Invalid value: "x": ...`).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// The machine-readable type (`FieldValueInvalid`, `FieldValueRequired`, `FieldValueForbidden`).
    pub kind: FieldErrorKind,
    /// The field path (`metadata.name`, `spec.selector`).
    pub field: String,
    /// The offending value, if the message shows one.
    pub value: Option<Value>,
    /// The explanation after the value.
    pub detail: String,
}

/// The kinds of field errors the sandbox reports (a subset of apimachinery's `field.ErrorType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldErrorKind {
    /// `Invalid value`: the value is malformed or not allowed.
    Invalid,
    /// `Required value`: the field is missing.
    Required,
    /// `Forbidden`: the field may not be set or changed.
    Forbidden,
}

impl FieldError {
    /// An `Invalid value` error showing `value`.
    pub fn invalid(field: &str, value: Value, detail: impl Into<String>) -> Self {
        FieldError {
            kind: FieldErrorKind::Invalid,
            field: field.to_string(),
            value: Some(value),
            detail: detail.into(),
        }
    }

    /// A `Required value` error.
    pub fn required(field: &str, detail: impl Into<String>) -> Self {
        FieldError {
            kind: FieldErrorKind::Required,
            field: field.to_string(),
            value: None,
            detail: detail.into(),
        }
    }

    /// A `Forbidden` error.
    pub fn forbidden(field: &str, detail: impl Into<String>) -> Self {
        FieldError {
            kind: FieldErrorKind::Forbidden,
            field: field.to_string(),
            value: None,
            detail: detail.into(),
        }
    }

    /// The cause type as the API server names it.
    pub fn cause_type(&self) -> &'static str {
        match self.kind {
            FieldErrorKind::Invalid => "FieldValueInvalid",
            FieldErrorKind::Required => "FieldValueRequired",
            FieldErrorKind::Forbidden => "FieldValueForbidden",
        }
    }

    /// The message without the field (`Invalid value: "x": detail`), as in a `Status` cause.
    pub fn body(&self) -> String {
        let mut s = match self.kind {
            FieldErrorKind::Invalid => match &self.value {
                Some(Value::String(v)) => format!("Invalid value: {}", go_quote(v)),
                Some(v @ (Value::Number(_) | Value::Bool(_))) => format!("Invalid value: {v}"),
                Some(v) => format!("Invalid value: {v}"),
                None => "Invalid value".to_string(),
            },
            FieldErrorKind::Required => "Required value".to_string(),
            FieldErrorKind::Forbidden => "Forbidden".to_string(),
        };
        if !self.detail.is_empty() {
            s.push_str(": ");
            s.push_str(&self.detail);
        }
        s
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.body())
    }
}

/// Go's `%q` for the strings the sandbox quotes (JSON escaping matches it for printable text).
pub fn go_quote(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

/// A failed API request: the HTTP code and the `Status` object sent back.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ApiError {
    /// The HTTP status code (404, 409, 422 ...).
    pub code: u16,
    /// The `reason` (`NotFound`, `AlreadyExists`, `Conflict`, `Invalid`, `Forbidden` ...).
    pub reason: String,
    /// The human-readable message kubectl prints.
    pub message: String,
    /// `details`, when the error is about one object.
    pub details: Option<Value>,
}

/// `plural.group` as the API server qualifies a resource in messages (`deployments.apps`), or the
/// bare plural for the core group.
pub fn qualified(group: &str, plural: &str) -> String {
    if group.is_empty() {
        plural.to_string()
    } else {
        format!("{plural}.{group}")
    }
}

fn details(name: &str, group: &str, kind: &str) -> Value {
    let mut d = serde_json::Map::new();
    if !name.is_empty() {
        d.insert("name".into(), json!(name));
    }
    if !group.is_empty() {
        d.insert("group".into(), json!(group));
    }
    d.insert("kind".into(), json!(kind));
    Value::Object(d)
}

impl ApiError {
    fn new(code: u16, reason: &str, message: String, details: Option<Value>) -> Self {
        ApiError {
            code,
            reason: reason.to_string(),
            message,
            details,
        }
    }

    /// 404: `deployments.apps "x" not found`.
    pub fn not_found(group: &str, plural: &str, name: &str) -> Self {
        Self::new(
            404,
            "NotFound",
            format!("{} {} not found", qualified(group, plural), go_quote(name)),
            Some(details(name, group, plural)),
        )
    }

    /// 404 for a path that names no resource: `the server could not find the requested resource`.
    pub fn no_route() -> Self {
        Self::new(
            404,
            "NotFound",
            "the server could not find the requested resource".to_string(),
            Some(json!({})),
        )
    }

    /// 409 on create of an existing name: `configmaps "x" already exists`.
    pub fn already_exists(group: &str, plural: &str, name: &str) -> Self {
        Self::new(
            409,
            "AlreadyExists",
            format!(
                "{} {} already exists",
                qualified(group, plural),
                go_quote(name)
            ),
            Some(details(name, group, plural)),
        )
    }

    /// 409 on a stale `resourceVersion` (optimistic concurrency).
    pub fn conflict(group: &str, plural: &str, name: &str) -> Self {
        Self::new(
            409,
            "Conflict",
            format!(
                "Operation cannot be fulfilled on {} {}: the object has been modified; please apply your changes to the latest version and try again",
                qualified(group, plural),
                go_quote(name)
            ),
            Some(details(name, group, plural)),
        )
    }

    /// 409 on a server-side apply that would take fields another manager owns.
    pub fn apply_conflict(message: String, group: &str, plural: &str, name: &str) -> Self {
        Self::new(409, "Conflict", message, Some(details(name, group, plural)))
    }

    /// 422 with field causes: `Deployment.apps "x" is invalid: spec.selector: ...`.
    pub fn invalid(group: &str, kind: &str, name: &str, errors: &[FieldError]) -> Self {
        let qualified_kind = if group.is_empty() {
            kind.to_string()
        } else {
            format!("{kind}.{group}")
        };
        let mut seen: Vec<String> = Vec::new();
        for e in errors {
            let s = e.to_string();
            if !seen.contains(&s) {
                seen.push(s);
            }
        }
        let message = match seen.len() {
            0 => format!("{qualified_kind} {} is invalid", go_quote(name)),
            1 => format!(
                "{qualified_kind} {} is invalid: {}",
                go_quote(name),
                seen[0]
            ),
            _ => format!(
                "{qualified_kind} {} is invalid: [{}]",
                go_quote(name),
                seen.join(", ")
            ),
        };
        let causes: Vec<Value> = errors
            .iter()
            .map(|e| json!({"reason": e.cause_type(), "message": e.body(), "field": e.field}))
            .collect();
        let mut d = details(name, group, kind);
        d["causes"] = Value::Array(causes);
        Self::new(422, "Invalid", message, Some(d))
    }

    /// 403 worded as RBAC's denial.
    pub fn forbidden(message: String, group: &str, plural: &str, name: &str) -> Self {
        Self::new(
            403,
            "Forbidden",
            message,
            Some(details(name, group, plural)),
        )
    }

    /// 400 with a free message.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "BadRequest", message.into(), None)
    }

    /// 405: the verb is not supported on this resource.
    pub fn method_not_allowed(method: &str) -> Self {
        Self::new(
            405,
            "MethodNotAllowed",
            format!("the server does not allow this method on the requested resource ({method})"),
            Some(json!({})),
        )
    }

    /// 415: a body in a content type the sandbox does not read.
    pub fn unsupported_media_type(content_type: &str) -> Self {
        Self::new(
            415,
            "UnsupportedMediaType",
            format!(
                "the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf (got {content_type:?})"
            ),
            None,
        )
    }

    /// 500: something in the sandbox failed (persisting state, encoding).
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(
            500,
            "InternalError",
            format!("Internal error occurred: {}", message.into()),
            None,
        )
    }

    /// The `Status` object for the response body.
    pub fn to_status(&self) -> Value {
        let mut s = json!({
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        });
        if let Some(d) = &self.details {
            s["details"] = d.clone();
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn not_found_is_worded_as_the_api_server() {
        let e = ApiError::not_found("apps", "deployments", "web");
        assert_eq!(e.message, r#"deployments.apps "web" not found"#);
        let s = e.to_status();
        assert_eq!(s["code"], 404);
        assert_eq!(
            s["details"],
            json!({"name": "web", "group": "apps", "kind": "deployments"})
        );
        let core = ApiError::not_found("", "namespaces", "x");
        assert_eq!(core.message, r#"namespaces "x" not found"#);
    }

    #[test]
    fn invalid_lists_causes() {
        let one = ApiError::invalid(
            "",
            "ConfigMap",
            "Foo",
            &[FieldError::invalid("metadata.name", json!("Foo"), "bad")],
        );
        assert_eq!(
            one.message,
            r#"ConfigMap "Foo" is invalid: metadata.name: Invalid value: "Foo": bad"#
        );
        let two = ApiError::invalid(
            "apps",
            "Deployment",
            "d",
            &[
                FieldError::required("spec.selector", ""),
                FieldError::invalid("spec.replicas", json!(-1), "must be non-negative"),
            ],
        );
        assert_eq!(
            two.message,
            r#"Deployment.apps "d" is invalid: [spec.selector: Required value, spec.replicas: Invalid value: -1: must be non-negative]"#
        );
        assert_eq!(
            two.to_status()["details"]["causes"][1]["reason"],
            "FieldValueInvalid"
        );
    }

    #[test]
    fn conflict_message() {
        let e = ApiError::conflict("apps", "deployments", "x");
        assert!(e.message.starts_with(
            r#"Operation cannot be fulfilled on deployments.apps "x": the object has been modified"#
        ));
        assert_eq!(e.code, 409);
    }
}
