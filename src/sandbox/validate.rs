//! What the API server refuses with 422 Invalid: malformed names (per resource, worded as
//! apimachinery's validation) and changes to immutable fields.

use serde_json::{Value, json};

use super::errors::FieldError;
use super::registry::ResourceType;

const DNS1123_LABEL_MSG: &str = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const DNS1123_SUBDOMAIN_MSG: &str = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const DNS1035_LABEL_MSG: &str = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

/// How a resource's names are checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameRule {
    /// RFC 1123 subdomain (most resources).
    Subdomain,
    /// RFC 1123 label (namespaces).
    Label,
    /// RFC 1035 label (services).
    Dns1035,
    /// Any path segment (RBAC objects, custom resources): not `.`/`..`, no `/` or `%`.
    PathSegment,
}

/// The name rule the API server applies to a resource type.
pub fn name_rule(rt: &ResourceType) -> NameRule {
    if rt.crd.is_some() || rt.group == "rbac.authorization.k8s.io" {
        return NameRule::PathSegment;
    }
    match (rt.group.as_str(), rt.plural.as_str()) {
        ("", "namespaces") => NameRule::Label,
        ("", "services") => NameRule::Dns1035,
        _ => NameRule::Subdomain,
    }
}

fn is_label(s: &str, first_alpha: bool) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
        && (if first_alpha {
            b[0].is_ascii_lowercase()
        } else {
            b[0].is_ascii_alphanumeric()
        })
        && b[b.len() - 1].is_ascii_alphanumeric()
}

/// The problems of `name` under `rule` (the API server's messages, one per failed check).
pub fn check_name(rule: NameRule, name: &str) -> Vec<String> {
    let mut errs = Vec::new();
    match rule {
        NameRule::Subdomain => {
            if name.len() > 253 {
                errs.push("must be no more than 253 characters".to_string());
            }
            if !name.split('.').all(|l| is_label(l, false)) {
                errs.push(DNS1123_SUBDOMAIN_MSG.to_string());
            }
        }
        NameRule::Label | NameRule::Dns1035 => {
            if name.len() > 63 {
                errs.push("must be no more than 63 characters".to_string());
            }
            if rule == NameRule::Label && !is_label(name, false) {
                errs.push(DNS1123_LABEL_MSG.to_string());
            }
            if rule == NameRule::Dns1035 && !is_label(name, true) {
                errs.push(DNS1035_LABEL_MSG.to_string());
            }
        }
        NameRule::PathSegment => {
            if name == "." || name == ".." {
                errs.push(format!("may not be '{name}'"));
            }
            for bad in ['/', '%'] {
                if name.contains(bad) {
                    errs.push(format!("may not contain '{bad}'"));
                }
            }
        }
    }
    errs
}

/// Checks an object about to be created: its name (or generateName) against the type's rule.
pub fn validate_create(rt: &ResourceType, object: &Value) -> Vec<FieldError> {
    let name = object
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("");
    if name.is_empty() {
        return vec![FieldError::required(
            "metadata.name",
            "name or generateName is required",
        )];
    }
    check_name(name_rule(rt), name)
        .into_iter()
        .map(|msg| FieldError::invalid("metadata.name", json!(name), msg))
        .collect()
}

/// Checks an update of `old` to `new`: immutable fields per kind.
pub fn validate_update(rt: &ResourceType, old: &Value, new: &Value) -> Vec<FieldError> {
    let mut errs = Vec::new();
    let changed = |p: &str| old.pointer(p) != new.pointer(p);
    let immutable = |errs: &mut Vec<FieldError>, p: &str, field: &str| {
        if changed(p) {
            errs.push(FieldError::invalid(
                field,
                new.pointer(p).cloned().unwrap_or(Value::Null),
                "field is immutable",
            ));
        }
    };
    match (rt.group.as_str(), rt.kind.as_str()) {
        ("apps", "Deployment" | "DaemonSet" | "ReplicaSet") => {
            immutable(&mut errs, "/spec/selector", "spec.selector");
        }
        ("apps", "StatefulSet") => {
            let strip = |v: &Value| {
                let mut spec = v.get("spec").cloned().unwrap_or(json!({}));
                if let Some(m) = spec.as_object_mut() {
                    for k in [
                        "replicas",
                        "ordinals",
                        "template",
                        "updateStrategy",
                        "persistentVolumeClaimRetentionPolicy",
                        "minReadySeconds",
                    ] {
                        m.remove(k);
                    }
                }
                spec
            };
            if strip(old) != strip(new) {
                errs.push(FieldError::forbidden("spec", "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
            }
        }
        ("batch", "Job") => {
            immutable(&mut errs, "/spec/selector", "spec.selector");
            immutable(&mut errs, "/spec/template", "spec.template");
            immutable(&mut errs, "/spec/completions", "spec.completions");
        }
        ("", "Service") => {
            let old_ip = old
                .pointer("/spec/clusterIP")
                .and_then(Value::as_str)
                .unwrap_or("");
            let new_ip = new
                .pointer("/spec/clusterIP")
                .and_then(Value::as_str)
                .unwrap_or("");
            if !old_ip.is_empty() && old_ip != new_ip {
                errs.push(FieldError::invalid(
                    "spec.clusterIP",
                    json!(new_ip),
                    "field is immutable",
                ));
            }
        }
        ("", "Secret" | "ConfigMap") if old.get("immutable") == Some(&Value::Bool(true)) => {
            let msg = "field is immutable when `immutable` is set";
            for field in ["data", "binaryData"] {
                let p = format!("/{field}");
                if changed(&p) {
                    errs.push(FieldError::forbidden(field, msg));
                }
            }
            if changed("/immutable") {
                errs.push(FieldError::forbidden("immutable", msg));
            }
        }
        _ => {}
    }
    errs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::registry::Registry;

    fn rt(group: &str, plural: &str) -> ResourceType {
        let r = Registry::builtin();
        r.types()
            .iter()
            .find(|t| t.group == group && t.plural == plural)
            .unwrap()
            .clone()
    }

    #[test]
    fn names_per_resource() {
        let cm = rt("", "configmaps");
        assert!(validate_create(&cm, &json!({"metadata": {"name": "a.b-c"}})).is_empty());
        let e = validate_create(&cm, &json!({"metadata": {"name": "Foo_bar"}}));
        assert_eq!(e.len(), 1);
        assert_eq!(
            e[0].to_string(),
            format!("metadata.name: Invalid value: \"Foo_bar\": {DNS1123_SUBDOMAIN_MSG}")
        );
        let ns = rt("", "namespaces");
        assert!(!validate_create(&ns, &json!({"metadata": {"name": "a.b"}})).is_empty());
        let svc = rt("", "services");
        assert!(!validate_create(&svc, &json!({"metadata": {"name": "1abc"}})).is_empty());
        let role = rt("rbac.authorization.k8s.io", "clusterroles");
        assert!(validate_create(&role, &json!({"metadata": {"name": "system:x"}})).is_empty());
        let long = "a".repeat(64);
        assert_eq!(
            check_name(NameRule::Label, &long),
            vec!["must be no more than 63 characters"]
        );
        let missing = validate_create(&cm, &json!({"metadata": {}}));
        assert_eq!(
            missing[0].to_string(),
            "metadata.name: Required value: name or generateName is required"
        );
    }

    #[test]
    fn immutable_fields() {
        let d = rt("apps", "deployments");
        let old = json!({"spec": {"selector": {"matchLabels": {"app": "a"}}, "replicas": 1}});
        let scaled = json!({"spec": {"selector": {"matchLabels": {"app": "a"}}, "replicas": 3}});
        assert!(validate_update(&d, &old, &scaled).is_empty());
        let moved = json!({"spec": {"selector": {"matchLabels": {"app": "b"}}}});
        let e = validate_update(&d, &old, &moved);
        assert_eq!(
            e[0].to_string(),
            r#"spec.selector: Invalid value: {"matchLabels":{"app":"b"}}: field is immutable"#
        );
        let svc = rt("", "services");
        let e = validate_update(
            &svc,
            &json!({"spec": {"clusterIP": "10.96.0.10"}}),
            &json!({"spec": {"clusterIP": "10.96.0.11"}}),
        );
        assert_eq!(e.len(), 1);
        let cm = rt("", "configmaps");
        let e = validate_update(
            &cm,
            &json!({"immutable": true, "data": {"a": "1"}}),
            &json!({"immutable": true, "data": {"a": "2"}}),
        );
        assert_eq!(
            e[0].to_string(),
            "data: Forbidden: field is immutable when `immutable` is set"
        );
    }
}
