//! Secret masking for diffs: before any text is produced, every `data`/`stringData` value of a
//! Secret is replaced by a placeholder that only says whether that key's value changed, so
//! neither the old nor the new value (nor its base64) ever reaches the output.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::Value;

/// Shown for a Secret value that is the same on both sides (or exists on one side only; the
/// diff line itself says it was added or removed).
pub const MASKED: &str = "(masked)";

/// Shown on the new side for a Secret value that differs between the two sides.
pub const MASKED_CHANGED: &str = "(masked, changed)";

/// Shown on the old side for a Secret value that differs (the two sides must differ for the
/// diff to show a line).
pub const MASKED_OLD: &str = "(masked, old value)";

/// Annotations that may carry a copy of the whole object, values included.
const COPY_ANNOTATIONS: &[&str] = &["kubectl.kubernetes.io/last-applied-configuration"];

/// Whether `object` is a core/v1 Secret.
pub fn is_secret(object: &Value) -> bool {
    object.get("kind").and_then(Value::as_str) == Some("Secret")
        && object.get("apiVersion").and_then(Value::as_str) == Some("v1")
}

/// Masks the Secret values of `old` and `new` (either may be absent) in place, comparing the
/// effective bytes of each key (`data` base64-decoded, `stringData` over it, as the API server
/// merges them) so a value moved from `stringData` to `data` does not count as changed.
pub fn mask_pair(old: Option<&mut Value>, new: Option<&mut Value>) {
    let old_bytes = old.as_deref().map(effective).unwrap_or_default();
    let new_bytes = new.as_deref().map(effective).unwrap_or_default();
    let placeholder = |key: &str, is_old: bool| {
        match (old_bytes.get(key), new_bytes.get(key)) {
            (Some(a), Some(b)) if a != b && is_old => MASKED_OLD,
            (Some(a), Some(b)) if a != b => MASKED_CHANGED,
            _ => MASKED,
        }
        .to_string()
    };
    for (object, is_old) in [(old, true), (new, false)] {
        let Some(object) = object else { continue };
        for field in ["data", "stringData"] {
            if let Some(map) = object.get_mut(field).and_then(Value::as_object_mut) {
                for (key, value) in map.iter_mut() {
                    *value = Value::String(placeholder(key, is_old));
                }
            } else if let Some(value) = object.get_mut(field)
                && !value.is_null()
            {
                // Not a mapping (invalid, but never shown as is).
                *value = Value::String(MASKED.into());
            }
        }
        if let Some(annotations) = object
            .pointer_mut("/metadata/annotations")
            .and_then(Value::as_object_mut)
        {
            for name in COPY_ANNOTATIONS {
                if let Some(v) = annotations.get_mut(*name) {
                    *v = Value::String(MASKED.into());
                }
            }
        }
    }
}

/// Each key's value as the API server stores it: `data` decoded (an undecodable value counts
/// as its text), `stringData` over it.
fn effective(object: &Value) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    if let Some(data) = object.get("data").and_then(Value::as_object) {
        for (k, v) in data {
            let text = scalar_text(v);
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(text.as_bytes())
                .unwrap_or_else(|_| text.into_bytes());
            out.insert(k.clone(), bytes);
        }
    }
    if let Some(data) = object.get("stringData").and_then(Value::as_object) {
        for (k, v) in data {
            out.insert(k.clone(), scalar_text(v).into_bytes());
        }
    }
    out
}

/// A YAML scalar's text (`true`, `3`, `"x"` → `x`); anything else as JSON.
fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_replaced_and_changes_told() {
        let mut old = json!({"apiVersion": "v1", "kind": "Secret",
            "data": {"same": "c2FtZQ==", "pw": "aHVudGVyMg==", "gone": "eA=="},
            "metadata": {"annotations": {COPY_ANNOTATIONS[0]: "{\"data\":{\"pw\":\"aHVudGVyMg==\"}}"}}});
        let mut new = json!({"apiVersion": "v1", "kind": "Secret",
            "stringData": {"same": "same", "pw": "swordfish"}, "data": {"added": "eQ=="}});
        assert!(is_secret(&old));
        mask_pair(Some(&mut old), Some(&mut new));
        assert_eq!(old["data"]["same"], MASKED);
        assert_eq!(new["stringData"]["same"], MASKED);
        assert_eq!(old["data"]["pw"], MASKED_OLD);
        assert_eq!(new["stringData"]["pw"], MASKED_CHANGED);
        assert_eq!(old["data"]["gone"], MASKED);
        assert_eq!(new["data"]["added"], MASKED);
        let text = format!("{old}{new}");
        for secret in ["aHVudGVyMg", "hunter2", "swordfish", "c2FtZQ==", "eQ=="] {
            assert!(!text.contains(secret), "{secret} leaked: {text}");
        }
    }

    #[test]
    fn one_sided_and_odd_shapes() {
        let mut only = json!({"apiVersion": "v1", "kind": "Secret", "data": "notamap"});
        mask_pair(None, Some(&mut only));
        assert_eq!(only["data"], MASKED);
        assert!(!is_secret(
            &json!({"apiVersion": "v1", "kind": "ConfigMap"})
        ));
    }
}
