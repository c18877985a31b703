//! After an upgrade or rollback is applied: what the previous revision had and the new one does
//! not is deleted, last-installed first, as Helm does, except objects annotated
//! `helm.sh/resource-policy: keep` (read from the live object, so a user's annotation counts).

use std::collections::HashSet;

use serde_json::Value;

use super::objects::ObjectKey;
use crate::action::ActionError;
use crate::kube::{Cluster, ObjectRef};

/// The annotation that keeps an object when its release no longer has it.
pub const RESOURCE_POLICY_ANNOTATION: &str = "helm.sh/resource-policy";
/// Its value that keeps the object.
pub const KEEP: &str = "keep";

/// The objects of `old` that `new` does not have, in `old`'s order.
pub fn stale(old: &[Value], new: &[Value], namespace: &str) -> Vec<Value> {
    let wanted: HashSet<ObjectKey> = new.iter().map(|o| ObjectKey::of(o, namespace)).collect();
    old.iter()
        .filter(|o| !wanted.contains(&ObjectKey::of(o, namespace)))
        .cloned()
        .collect()
}

/// Whether an object carries `helm.sh/resource-policy: keep`, read as Helm's uninstall reads it
/// (`strings.ToLower(strings.TrimSpace(...)) == "keep"`). The one test of the policy for every
/// deletion rudder makes (prune on upgrade and rollback, uninstall, cleanup after a failure):
/// Helm's upgrade compares the live value exactly, so ` Keep ` keeps an object on uninstall but
/// not on upgrade there; here it keeps it everywhere (never deleting what a chart asked to
/// keep). A policy with another value deletes nothing special; Helm's uninstall silently skips
/// such objects (a quirk of its filter), rudder deletes them as unannotated ones.
pub fn is_kept(object: &Value) -> bool {
    object
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(RESOURCE_POLICY_ANNOTATION))
        .and_then(Value::as_str)
        .is_some_and(|p| p.trim().eq_ignore_ascii_case(KEEP))
}

/// Deletes the objects of `old` missing from `new` (reverse install order), skipping kept ones
/// and ones already gone; returns what was deleted.
pub fn prune(
    cluster: &Cluster,
    old: &[Value],
    new: &[Value],
    namespace: &str,
    limit: usize,
) -> Result<Vec<ObjectRef>, ActionError> {
    let candidates = stale(old, new, namespace);
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let live = cluster.get_concurrent(&candidates, limit);
    let mut doomed = Vec::new();
    for (object, found) in candidates.into_iter().zip(live) {
        match found? {
            Some(live) if is_kept(&live) => {
                tracing::info!(
                    "keeping {} (helm.sh/resource-policy: keep)",
                    ObjectRef::from_value(&live)
                        .map_or_else(|_| "object".into(), |r| r.to_string())
                );
            }
            Some(_) => doomed.push(object),
            None => {}
        }
    }
    let deleted = cluster.delete(&doomed)?;
    Ok(deleted.into_iter().map(|(id, _)| id).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn stale_objects_and_keep_policy() {
        let cm =
            |n: &str| json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": n}});
        let old = vec![cm("a"), cm("b"), cm("c")];
        let new = vec![cm("b")];
        let s = stale(&old, &new, "ns");
        assert_eq!(s, vec![cm("a"), cm("c")]);
        let mut kept = cm("k");
        kept["metadata"]["annotations"] = json!({RESOURCE_POLICY_ANNOTATION: "keep"});
        assert!(is_kept(&kept));
        assert!(!is_kept(&cm("k")));
    }

    #[test]
    fn keep_policy_is_read_like_helm_uninstall() {
        let obj = |p: Value| json!({"metadata": {"annotations": {RESOURCE_POLICY_ANNOTATION: p}}});
        assert!(is_kept(&obj(json!("keep"))));
        assert!(is_kept(&obj(json!(" Keep "))));
        assert!(is_kept(&obj(json!("KEEP\n"))));
        assert!(!is_kept(&obj(json!("delete"))));
        assert!(!is_kept(&obj(json!("keeper"))));
        assert!(!is_kept(&obj(json!(true))));
        assert!(!is_kept(
            &json!({"metadata": {"annotations": {"other": "keep"}}})
        ));
        assert!(!is_kept(&json!({"metadata": {}})));
    }
}
