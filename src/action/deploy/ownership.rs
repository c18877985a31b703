//! Who owns an object, as Helm decides it: every object a release applies carries the label
//! `app.kubernetes.io/managed-by: Helm` and the annotations `meta.helm.sh/release-name` and
//! `meta.helm.sh/release-namespace` (Helm's own values, so Helm and rudder can take over each
//! other's releases). Before applying, each object that is not already part of the release is
//! read once; one that exists and belongs to another release, or to nobody, is not silently
//! taken over: that is an error naming the object and its owner, unless `--take-ownership`.

use std::collections::HashSet;

use serde_json::{Map, Value};

use super::objects::ObjectKey;
use crate::action::ActionError;
use crate::kube::{Cluster, ObjectRef};

/// The label marking objects a Helm-compatible tool manages.
pub const MANAGED_BY_LABEL: &str = "app.kubernetes.io/managed-by";
/// Its value (Helm's, so that Helm recognises our objects).
pub const MANAGED_BY: &str = "Helm";
/// The annotation naming the owning release.
pub const RELEASE_NAME_ANNOTATION: &str = "meta.helm.sh/release-name";
/// The annotation naming the owning release's namespace.
pub const RELEASE_NAMESPACE_ANNOTATION: &str = "meta.helm.sh/release-namespace";

/// Adds the ownership label and annotations of release `name` in `namespace` to `object`.
pub fn stamp(object: &mut Value, name: &str, namespace: &str) {
    let Some(obj) = object.as_object_mut() else {
        return;
    };
    let meta = object_field(obj, "metadata");
    object_field(meta, "labels").insert(MANAGED_BY_LABEL.into(), MANAGED_BY.into());
    let annotations = object_field(meta, "annotations");
    annotations.insert(RELEASE_NAME_ANNOTATION.into(), name.into());
    annotations.insert(RELEASE_NAMESPACE_ANNOTATION.into(), namespace.into());
}

/// `map[key]` as a mapping, made one (replacing a null or scalar) if it is not.
fn object_field<'a>(map: &'a mut Map<String, Value>, key: &str) -> &'a mut Map<String, Value> {
    let slot = map.entry(key).or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    match slot {
        Value::Object(m) => m,
        _ => unreachable!("just made an object"),
    }
}

/// Why an existing object may not be adopted, or `None` when release `name` in `namespace`
/// already owns it.
pub fn foreign_owner(live: &Value, name: &str, namespace: &str) -> Option<String> {
    let label = |k: &str| live.pointer("/metadata/labels").and_then(|l| l.get(k));
    let annotation = |k: &str| {
        live.pointer("/metadata/annotations")
            .and_then(|a| a.get(k))
            .and_then(Value::as_str)
    };
    let managed = label(MANAGED_BY_LABEL).and_then(Value::as_str) == Some(MANAGED_BY);
    let owner = annotation(RELEASE_NAME_ANNOTATION);
    let owner_ns = annotation(RELEASE_NAMESPACE_ANNOTATION);
    match (owner, owner_ns) {
        (Some(o), Some(ons)) if o == name && ons == namespace && managed => None,
        (Some(o), Some(ons)) if o != name || ons != namespace => {
            Some(format!("it belongs to release {o:?} in namespace {ons:?}"))
        }
        (Some(o), None) if o != name => Some(format!("it belongs to release {o:?}")),
        _ if !managed && owner.is_none() => {
            Some("it exists and is not managed by any release".to_string())
        }
        _ => Some(format!(
            "its ownership metadata is incomplete (needs label {MANAGED_BY_LABEL}={MANAGED_BY} \
             and annotations {RELEASE_NAME_ANNOTATION}={name}, \
             {RELEASE_NAMESPACE_ANNOTATION}={namespace})"
        )),
    }
}

/// Checks that the cluster serves every kind of `objects`, and that every object not in `known`
/// (the current revision's objects) is either absent or already owned by release `name`: one
/// GET per such object, sent concurrently (skipped with `take_ownership`).
pub fn check(
    cluster: &Cluster,
    objects: &[Value],
    known: &HashSet<ObjectKey>,
    name: &str,
    namespace: &str,
    take_ownership: bool,
    limit: usize,
) -> Result<(), ActionError> {
    // Every object must be something the cluster serves, found out before anything is written.
    for object in objects {
        let id = ObjectRef::from_value(object)?;
        cluster
            .resolve(&id.api_version, &id.kind)
            .map_err(|e| ActionError::Invalid(format!("{id}: {e}")))?;
    }
    if take_ownership {
        return Ok(());
    }
    let unknown: Vec<Value> = objects
        .iter()
        .filter(|o| !known.contains(&ObjectKey::of(o, namespace)))
        .cloned()
        .collect();
    let live = cluster.get_concurrent(&unknown, limit);
    for (object, found) in unknown.iter().zip(live) {
        let Some(live) = found? else { continue };
        if let Some(why) = foreign_owner(&live, name, namespace) {
            let id = ObjectRef::from_value(&live).or_else(|_| ObjectRef::from_value(object))?;
            return Err(ActionError::Invalid(format!(
                "{id} exists and cannot be imported into release {name:?}: {why} \
                 (rerun with --take-ownership to adopt it)"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stamps_and_recognises_owners() {
        let mut o = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "c", "labels": {"app": "x"}}});
        stamp(&mut o, "web", "prod");
        assert_eq!(o["metadata"]["labels"]["app"], "x");
        assert_eq!(o["metadata"]["labels"][MANAGED_BY_LABEL], "Helm");
        assert_eq!(o["metadata"]["annotations"][RELEASE_NAME_ANNOTATION], "web");
        assert_eq!(foreign_owner(&o, "web", "prod"), None);
        assert!(
            foreign_owner(&o, "api", "prod")
                .unwrap()
                .contains("release \"web\" in namespace \"prod\"")
        );
        assert!(foreign_owner(&o, "web", "dev").is_some());
        let plain = json!({"metadata": {"name": "c"}});
        assert!(
            foreign_owner(&plain, "web", "prod")
                .unwrap()
                .contains("not managed")
        );
        let mut no_label = o.clone();
        no_label["metadata"]["labels"] = json!({});
        assert!(
            foreign_owner(&no_label, "web", "prod")
                .unwrap()
                .contains("incomplete")
        );
    }
}
