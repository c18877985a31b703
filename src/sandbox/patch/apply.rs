//! Server-side apply (`application/apply-patch+yaml`) and the `managedFields` bookkeeping of
//! ordinary writes, after the semantics of sigs.k8s.io/structured-merge-diff: the applied
//! configuration is merged into the live object, each manager owns the fields it set, a
//! field another manager owns with a different value is a conflict unless forced, and fields
//! a manager stops applying are removed unless someone else still owns them.

use serde_json::{Map, Value};

use super::fieldset::{self, FieldSet, Path};
use super::schema::{ListShape, SsaList, Ty};
use super::{FieldConflict, PatchError};
use crate::sandbox::gvk::Gvk;

/// Metadata fields the server sets; nobody owns them and apply never changes them.
const SERVER_METADATA: [&str; 9] = [
    "name",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "managedFields",
    "selfLink",
    "deletionTimestamp",
];

/// One entry of `metadata.managedFields`.
#[derive(Debug, Clone)]
struct Entry {
    /// `manager`.
    manager: String,
    /// `operation`: `Apply` or `Update`.
    operation: String,
    /// `subresource` (`status`), if any.
    subresource: Option<String>,
    /// The owned fields.
    set: FieldSet,
    /// The entry as read, to keep fields we do not interpret (`apiVersion`, `time` ...).
    raw: Map<String, Value>,
}

impl Entry {
    /// Parses the entries of an object; malformed entries are dropped, as the real server
    /// resets unreadable managed fields.
    fn all_of(object: &Value) -> Vec<Entry> {
        let Some(Value::Array(items)) = object.pointer("/metadata/managedFields") else {
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| {
                let raw = item.as_object()?.clone();
                Some(Entry {
                    manager: raw.get("manager")?.as_str()?.to_string(),
                    operation: raw.get("operation")?.as_str()?.to_string(),
                    subresource: raw
                        .get("subresource")
                        .and_then(Value::as_str)
                        .map(String::from),
                    set: raw
                        .get("fieldsV1")
                        .map(fieldset::from_fields_v1)
                        .unwrap_or_default(),
                    raw,
                })
            })
            .collect()
    }

    /// Whether this entry is the given manager's entry for an operation on the main resource.
    fn is(&self, manager: &str, operation: &str) -> bool {
        self.manager == manager && self.operation == operation && self.subresource.is_none()
    }

    /// The entry as JSON.
    fn to_json(&self) -> Value {
        let mut raw = self.raw.clone();
        raw.insert("fieldsType".into(), "FieldsV1".into());
        raw.insert("fieldsV1".into(), fieldset::to_fields_v1(&self.set));
        Value::Object(raw)
    }
}

/// Applies `applied` (the applier's full intent for the object) as `manager`. Returns the new
/// object with `metadata.managedFields` updated; `live` is `None` when the object is created.
/// Conflicts with other managers are [`PatchError::Conflict`] unless `force`, which moves
/// ownership to the applier. `now` is the RFC 3339 time recorded for the applier's entry.
pub fn server_side_apply(
    live: Option<&Value>,
    applied: &Value,
    manager: &str,
    force: bool,
    now: &str,
) -> Result<Value, PatchError> {
    let Value::Object(_) = applied else {
        return Err(PatchError::BadRequest(
            "apply configuration must be an object".to_string(),
        ));
    };
    let gvk = Gvk::of(applied)
        .or_else(|| live.and_then(Gvk::of))
        .unwrap_or_else(|| Gvk::new("", "", ""));
    let ty = Ty::root(&gvk);
    let applied = without_nulls(applied);
    let intent = owned_part(&applied);
    let new_set = fieldset::applied_set(&intent, ty)?;

    let empty = Value::Object(Map::new());
    let live_value = live.unwrap_or(&empty);
    let mut entries = Entry::all_of(live_value);
    let mut merged = merge(live_value, &intent, ty);
    if let (Some(Value::Object(meta)), Value::Object(out)) = (applied.get("metadata"), &mut merged)
    {
        // Name and namespace come from the request on create; the live object's otherwise.
        let out_meta = out
            .entry("metadata")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(out_meta) = out_meta {
            for key in ["name", "namespace", "generateName"] {
                if let (Some(v), false) = (meta.get(key), out_meta.contains_key(key)) {
                    out_meta.insert(key.to_string(), v.clone());
                }
            }
        }
    }
    if live.is_none() {
        for key in ["apiVersion", "kind"] {
            if let (Some(v), Value::Object(out)) = (applied.get(key), &mut merged) {
                out.insert(key.to_string(), v.clone());
            }
        }
    }

    // Conflicts: fields this apply changes that another manager owns.
    let mut conflicts: Vec<(Path, String)> = Vec::new();
    for path in &new_set {
        let before = fieldset::lookup(live_value, path, ty);
        let after = fieldset::lookup(&merged, path, ty);
        // A list item or set member that already exists is not changed by being applied
        // again; only its fields can conflict.
        let membership = path.last().is_some_and(|s| !s.starts_with("f:"));
        if before.is_none() || before == after || membership {
            continue;
        }
        for entry in entries.iter_mut().filter(|e| !e.is(manager, "Apply")) {
            if entry.set.contains(path) {
                if force {
                    entry.set.remove(path);
                } else {
                    conflicts.push((path.clone(), entry.manager.clone()));
                }
            }
        }
    }
    if !conflicts.is_empty() {
        // `kubectl apply --server-side` taking over from client-side apply: fields its
        // last-applied annotation still matches are taken without conflict, as the API
        // server's lastAppliedManager does (only for the manager `kubectl`).
        if manager == LAST_APPLIED_UPGRADER {
            let allowed = allowed_from_last_applied(live_value, ty);
            conflicts.retain(|(path, _)| !allowed.contains(path));
            if conflicts.is_empty() {
                return server_side_apply(live, &applied, manager, true, now);
            }
        }
        let mut conflicts: Vec<FieldConflict> = conflicts
            .into_iter()
            .map(|(path, manager)| FieldConflict {
                manager,
                field: fieldset::display(&path),
            })
            .collect();
        conflicts.sort();
        conflicts.dedup();
        return Err(PatchError::Conflict(conflicts));
    }

    // Prune what this manager applied before and no longer applies, unless someone owns it.
    let previous = entries
        .iter()
        .find(|e| e.is(manager, "Apply"))
        .map(|e| e.set.clone())
        .unwrap_or_default();
    let mut kept: FieldSet = new_set.clone();
    for entry in entries.iter().filter(|e| !e.is(manager, "Apply")) {
        kept.extend(entry.set.iter().cloned());
    }
    prune(&mut merged, &previous, &new_set, &kept, ty);

    let api_version = gvk.api_version();
    upsert(&mut entries, manager, "Apply", new_set, &api_version, now);
    write_entries(&mut merged, &entries);
    Ok(merged)
}

/// The only manager whose conflicts the last-applied annotation may resolve.
const LAST_APPLIED_UPGRADER: &str = "kubectl";

/// The annotation client-side apply keeps its configuration in.
const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// The fields of the live object's last-applied configuration whose values the live object
/// still has (empty without a readable annotation).
fn allowed_from_last_applied(live: &Value, ty: Ty) -> FieldSet {
    let Some(text) = live
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(LAST_APPLIED))
        .and_then(Value::as_str)
    else {
        return FieldSet::new();
    };
    let Ok(last) = serde_json::from_str::<Value>(text) else {
        return FieldSet::new();
    };
    if last.get("apiVersion") != live.get("apiVersion") {
        return FieldSet::new();
    }
    let last = owned_part(&without_nulls(&last));
    let Ok(mut set) = fieldset::applied_set(&last, ty) else {
        return FieldSet::new();
    };
    let diff = fieldset::compare(&last, &owned_part(live), ty);
    set.retain(|p| !diff.changed.contains(p) && !diff.removed.contains(p));
    set
}

/// Records a non-apply write (create, update, patch) by `manager`: it takes ownership of the
/// fields it added or changed, and every other manager loses the fields it changed or
/// removed. Returns `after` with `metadata.managedFields` updated.
pub fn record_update(
    before: Option<&Value>,
    after: &Value,
    manager: &str,
    operation: &str,
    now: &str,
) -> Value {
    let gvk = Gvk::of(after).unwrap_or_else(|| Gvk::new("", "", ""));
    let ty = Ty::root(&gvk);
    let empty = Value::Object(Map::new());
    let old = before.unwrap_or(&empty);
    let changes = fieldset::compare(&owned_part(old), &owned_part(after), ty);
    // Managed fields come from the previous version; a write cannot rewrite them directly
    // unless it replaces them wholesale (then the written list is the starting point).
    let source = match (before, after.pointer("/metadata/managedFields")) {
        (Some(b), written)
            if written == b.pointer("/metadata/managedFields") || written.is_none() =>
        {
            b
        }
        _ => after,
    };
    let mut entries = Entry::all_of(source);
    for entry in entries.iter_mut() {
        if entry.is(manager, operation) {
            continue;
        }
        entry.set.retain(|p| {
            !changes.changed.contains(p)
                && !changes.removed.contains(p)
                && !under_removed(p, &changes.removed)
        });
    }
    let mut mine = entries
        .iter()
        .find(|e| e.is(manager, operation))
        .map(|e| e.set.clone())
        .unwrap_or_default();
    mine.retain(|p| !changes.removed.contains(p) && !under_removed(p, &changes.removed));
    mine.extend(changes.changed.iter().cloned());
    let mut out = after.clone();
    if !changes.changed.is_empty() || entries.iter().any(|e| e.is(manager, operation)) {
        upsert(
            &mut entries,
            manager,
            operation,
            mine,
            &gvk.api_version(),
            now,
        );
    }
    write_entries(&mut out, &entries);
    out
}

/// Whether a path lies below a removed path.
fn under_removed(path: &Path, removed: &FieldSet) -> bool {
    (1..path.len()).any(|n| removed.contains(&path[..n].to_vec()))
}

/// Sets the entry of `manager` for `operation` (creating it at the end) and drops empty ones.
fn upsert(
    entries: &mut Vec<Entry>,
    manager: &str,
    operation: &str,
    set: FieldSet,
    api_version: &str,
    now: &str,
) {
    match entries.iter_mut().find(|e| e.is(manager, operation)) {
        Some(entry) => {
            entry.set = set;
            entry.raw.insert("apiVersion".into(), api_version.into());
            entry.raw.insert("time".into(), now.into());
        }
        None => {
            let mut raw = Map::new();
            raw.insert("manager".into(), manager.into());
            raw.insert("operation".into(), operation.into());
            raw.insert("apiVersion".into(), api_version.into());
            raw.insert("time".into(), now.into());
            entries.push(Entry {
                manager: manager.to_string(),
                operation: operation.to_string(),
                subresource: None,
                set,
                raw,
            });
        }
    }
    entries.retain(|e| !e.set.is_empty());
}

/// Writes the entries into `metadata.managedFields` (removing the field when there are none).
fn write_entries(object: &mut Value, entries: &[Entry]) {
    let Value::Object(root) = object else {
        return;
    };
    let meta = root
        .entry("metadata")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(meta) = meta {
        if entries.is_empty() {
            meta.remove("managedFields");
        } else {
            meta.insert(
                "managedFields".into(),
                Value::Array(entries.iter().map(Entry::to_json).collect()),
            );
        }
    }
}

/// The part of an object managers can own: no `apiVersion`, `kind`, `status` or
/// server-set metadata.
fn owned_part(object: &Value) -> Value {
    let mut out = object.clone();
    if let Value::Object(root) = &mut out {
        for key in ["apiVersion", "kind", "status"] {
            root.remove(key);
        }
        if let Some(Value::Object(meta)) = root.get_mut("metadata") {
            for key in SERVER_METADATA {
                meta.remove(key);
            }
            if meta.is_empty() {
                root.remove("metadata");
            }
        }
    }
    out
}

/// A copy without `null` members (applying `null` means "not set by me").
fn without_nulls(value: &Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_nulls).collect()),
        other => other.clone(),
    }
}

/// Merges an applied configuration into a live object of type `ty`.
fn merge(live: &Value, applied: &Value, ty: Ty) -> Value {
    let (Value::Object(l), Value::Object(a)) = (live, applied) else {
        return applied.clone();
    };
    let mut out = l.clone();
    for (name, value) in a {
        let merged = match (l.get(name), value) {
            (Some(old @ Value::Object(_)), Value::Object(_)) if !ty.atomic_map(name) => {
                merge(old, value, ty.field(name))
            }
            (Some(Value::Array(old)), Value::Array(new)) => {
                Value::Array(merge_list(old, new, ty.list(name)))
            }
            _ => value.clone(),
        };
        out.insert(name.clone(), merged);
    }
    Value::Object(out)
}

/// Merges list items: associative lists by key (live-only items keep their place, applied
/// items follow the applied order), sets by value, atomic lists are replaced.
fn merge_list(live: &[Value], applied: &[Value], shape: ListShape) -> Vec<Value> {
    let id = |item: &Value| -> Option<String> {
        match shape.ssa {
            SsaList::Atomic => None,
            SsaList::Set => Some(item.to_string()),
            SsaList::Map(_) => key_of(item, shape),
        }
    };
    if shape.ssa == SsaList::Atomic {
        return applied.to_vec();
    }
    let applied_ids: Vec<Option<String>> = applied.iter().map(&id).collect();
    let mut out = Vec::with_capacity(live.len().max(applied.len()));
    let mut next = 0;
    let mut emitted = vec![false; applied.len()];
    let mut emit = |upto: usize, out: &mut Vec<Value>, next: &mut usize| {
        while *next <= upto && *next < applied.len() {
            if !emitted[*next] {
                emitted[*next] = true;
                let i = *next;
                let from_live = live
                    .iter()
                    .find(|l| id(l).is_some() && id(l) == applied_ids[i]);
                out.push(match from_live {
                    Some(l) => merge(l, &applied[i], shape.item),
                    None => applied[i].clone(),
                });
            }
            *next += 1;
        }
    };
    for item in live {
        let key = id(item);
        match applied_ids.iter().position(|a| a.is_some() && *a == key) {
            None => out.push(item.clone()),
            Some(position) => emit(position, &mut out, &mut next),
        }
    }
    emit(applied.len(), &mut out, &mut next);
    out
}

/// The identity of an associative list item.
fn key_of(item: &Value, shape: ListShape) -> Option<String> {
    let SsaList::Map(keys) = shape.ssa else {
        return None;
    };
    let mut parts = Vec::new();
    for (name, default) in keys {
        match (item.get(*name), default) {
            (Some(v), _) => parts.push(v.to_string()),
            (None, Some(d)) => parts.push(Value::from(*d).to_string()),
            (None, None) => return None,
        }
    }
    Some(parts.join(","))
}

/// Removes the fields in `previous` but not in `applied` that nobody in `kept` owns, then the
/// maps and lists that removal left empty and nobody owns.
fn prune(object: &mut Value, previous: &FieldSet, applied: &FieldSet, kept: &FieldSet, ty: Ty) {
    let mut candidates: Vec<&Path> = previous.difference(applied).collect();
    // Deepest first, so an item's fields go before the item.
    candidates.sort_by_key(|p| std::cmp::Reverse(p.len()));
    let mut parents: FieldSet = FieldSet::new();
    for path in candidates {
        if fieldset::covers(kept, path) || is_key_of_kept_item(path, object, ty) {
            continue;
        }
        fieldset::remove(object, path, ty);
        for n in 1..path.len() {
            if path[n - 1].starts_with("f:") {
                parents.insert(path[..n].to_vec());
            }
        }
    }
    let mut parents: Vec<Path> = parents.into_iter().collect();
    parents.sort_by_key(|p| std::cmp::Reverse(p.len()));
    for parent in parents {
        let empty = match fieldset::lookup(object, &parent, ty) {
            Some(Value::Object(m)) => m.is_empty(),
            Some(Value::Array(a)) => a.is_empty(),
            _ => false,
        };
        if empty && !fieldset::covers(kept, &parent) {
            fieldset::remove(object, &parent, ty);
        }
    }
}

/// A key field (`name`) of a list item that still exists: removing it would break the item.
fn is_key_of_kept_item(path: &Path, object: &Value, ty: Ty) -> bool {
    let n = path.len();
    n >= 2
        && path[n - 2].starts_with("k:")
        && fieldset::lookup(object, &path[..n - 1], ty).is_some()
        && path[n - 1]
            .strip_prefix("f:")
            .is_some_and(|field| path[n - 2].contains(&format!("\"{field}\":")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const T1: &str = "2026-01-01T00:00:00Z";
    const T2: &str = "2026-01-01T00:01:00Z";

    fn deployment(replicas: Option<i64>, image: &str, labels: Value) -> Value {
        let mut d = json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default", "labels": labels},
            "spec": {
                "selector": {"matchLabels": {"app": "web"}},
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "web", "image": image}]}
                }
            }
        });
        if let Some(r) = replicas {
            d["spec"]["replicas"] = json!(r);
        }
        d
    }

    fn entry<'a>(obj: &'a Value, manager: &str) -> Option<&'a Value> {
        obj["metadata"]["managedFields"]
            .as_array()?
            .iter()
            .find(|e| e["manager"] == manager)
    }

    fn owns(obj: &Value, manager: &str, pointer: &str) -> bool {
        entry(obj, manager).is_some_and(|e| e["fieldsV1"].pointer(pointer).is_some())
    }

    #[test]
    fn kubectl_takes_over_fields_its_last_applied_annotation_still_matches() {
        // Made by client-side apply: the annotation records replicas 2, the live object has it.
        let mut made = deployment(Some(2), "nginx:1", json!({"app": "web"}));
        let last = made.to_string();
        made["metadata"]["annotations"] =
            json!({"kubectl.kubernetes.io/last-applied-configuration": last});
        let live = record_update(None, &made, "kubectl-client-side-apply", "Update", T1);
        let ssa = deployment(Some(4), "nginx:1", json!({"app": "web"}));
        let out = server_side_apply(Some(&live), &ssa, "kubectl", false, T2).unwrap();
        assert_eq!(out["spec"]["replicas"], 4);
        assert!(owns(&out, "kubectl", "/f:spec/f:replicas"));
        // Any other manager still conflicts.
        let err = server_side_apply(Some(&live), &ssa, "helm", false, T2).unwrap_err();
        assert!(matches!(err, PatchError::Conflict(_)));
        // A field changed since the last client-side apply is not covered by the annotation.
        let mut scaled = live.clone();
        scaled["spec"]["replicas"] = json!(3);
        let scaled = record_update(
            Some(&live),
            &scaled,
            "kubectl-client-side-apply",
            "Update",
            T2,
        );
        let err = server_side_apply(Some(&scaled), &ssa, "kubectl", false, T2).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Apply failed with 1 conflict: conflict with \"kubectl-client-side-apply\": .spec.replicas"
        );
    }

    #[test]
    fn create_records_the_applier_in_fields_v1() {
        let applied = deployment(Some(2), "nginx:1", json!({"app": "web"}));
        let out = server_side_apply(None, &applied, "helm", false, T1).unwrap();
        assert_eq!(out["spec"], applied["spec"]);
        assert_eq!(out["metadata"]["name"], "web");
        assert_eq!(out["apiVersion"], "apps/v1");
        let managed = &out["metadata"]["managedFields"];
        assert_eq!(
            managed,
            &json!([{
                "apiVersion": "apps/v1",
                "fieldsType": "FieldsV1",
                "fieldsV1": {
                    "f:metadata": {"f:labels": {"f:app": {}}},
                    "f:spec": {
                        "f:replicas": {},
                        "f:selector": {},
                        "f:template": {
                            "f:metadata": {"f:labels": {"f:app": {}}},
                            "f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {
                                ".": {}, "f:image": {}, "f:name": {}
                            }}}
                        }
                    }
                },
                "manager": "helm",
                "operation": "Apply",
                "time": T1
            }])
        );
    }

    #[test]
    fn reapplying_the_same_config_changes_nothing() {
        let applied = deployment(Some(2), "nginx:1", json!({"app": "web"}));
        let first = server_side_apply(None, &applied, "helm", false, T1).unwrap();
        let second = server_side_apply(Some(&first), &applied, "helm", false, T1).unwrap();
        assert_eq!(first, second);
    }

    #[test]
    fn removing_a_field_from_the_config_removes_it_from_the_object() {
        let v1 = deployment(Some(2), "nginx:1", json!({"app": "web", "tier": "front"}));
        let live = server_side_apply(None, &v1, "helm", false, T1).unwrap();
        let mut live = live;
        live["status"] = json!({"replicas": 2});
        let v2 = deployment(None, "nginx:2", json!({"app": "web"}));
        let out = server_side_apply(Some(&live), &v2, "helm", false, T2).unwrap();
        assert!(out["spec"].get("replicas").is_none());
        assert_eq!(out["metadata"]["labels"], json!({"app": "web"}));
        assert_eq!(
            out["spec"]["template"]["spec"]["containers"][0]["image"],
            "nginx:2"
        );
        assert_eq!(
            out["status"],
            json!({"replicas": 2}),
            "apply leaves status alone"
        );
        assert_eq!(entry(&out, "helm").unwrap()["time"], T2);
        assert!(!owns(&out, "helm", "/f:spec/f:replicas"));
        // Removing every label removes the emptied map too.
        let v3 = deployment(None, "nginx:2", json!(null));
        let out = server_side_apply(Some(&out), &v3, "helm", false, T2).unwrap();
        assert!(out["metadata"].get("labels").is_none(), "{out}");
    }

    #[test]
    fn removing_a_list_item_removes_it_unless_someone_else_owns_part_of_it() {
        let mut two = deployment(None, "nginx:1", json!({"app": "web"}));
        two["spec"]["template"]["spec"]["containers"]
            .as_array_mut()
            .unwrap()
            .push(json!({"name": "side", "image": "busybox", "args": ["x"]}));
        let live = server_side_apply(None, &two, "helm", false, T1).unwrap();
        let one = deployment(None, "nginx:1", json!({"app": "web"}));
        let out = server_side_apply(Some(&live), &one, "helm", false, T2).unwrap();
        assert_eq!(
            out["spec"]["template"]["spec"]["containers"]
                .as_array()
                .unwrap()
                .len(),
            1
        );

        let other = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"template": {"spec": {"containers": [{"name": "side", "image": "busybox"}]}}}});
        let shared = server_side_apply(Some(&live), &other, "kubectl", false, T2).unwrap();
        let out = server_side_apply(Some(&shared), &one, "helm", false, T2).unwrap();
        let containers = out["spec"]["template"]["spec"]["containers"]
            .as_array()
            .unwrap();
        assert_eq!(containers.len(), 2);
        assert_eq!(
            containers[1],
            json!({"name": "side", "image": "busybox"}),
            "args went, kubectl's fields stay"
        );
    }

    #[test]
    fn two_managers_share_equal_values() {
        let helm = deployment(Some(3), "nginx:1", json!({"app": "web"}));
        let live = server_side_apply(None, &helm, "helm", false, T1).unwrap();
        let kubectl = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": 3}});
        let shared = server_side_apply(Some(&live), &kubectl, "kubectl", false, T2).unwrap();
        assert!(owns(&shared, "helm", "/f:spec/f:replicas"));
        assert!(owns(&shared, "kubectl", "/f:spec/f:replicas"));
        // helm stops applying replicas: kubectl still owns it, so it stays.
        let helm2 = deployment(None, "nginx:1", json!({"app": "web"}));
        let out = server_side_apply(Some(&shared), &helm2, "helm", false, T2).unwrap();
        assert_eq!(out["spec"]["replicas"], 3);
        assert!(!owns(&out, "helm", "/f:spec/f:replicas"));
    }

    #[test]
    fn conflicts_unless_forced_then_ownership_moves() {
        let helm = deployment(Some(3), "nginx:1", json!({"app": "web"}));
        let live = server_side_apply(None, &helm, "helm", false, T1).unwrap();
        let kubectl = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"replicas": 5, "template": {"spec": {"containers": [{"name": "web", "image": "nginx:9"}]}}}});
        let err = server_side_apply(Some(&live), &kubectl, "kubectl", false, T2).unwrap_err();
        assert_eq!(
            err,
            PatchError::Conflict(vec![
                FieldConflict {
                    manager: "helm".into(),
                    field: ".spec.replicas".into()
                },
                FieldConflict {
                    manager: "helm".into(),
                    field: ".spec.template.spec.containers[name=\"web\"].image".into()
                },
            ])
        );
        let forced = server_side_apply(Some(&live), &kubectl, "kubectl", true, T2).unwrap();
        assert_eq!(forced["spec"]["replicas"], 5);
        assert!(!owns(&forced, "helm", "/f:spec/f:replicas"));
        assert!(owns(&forced, "kubectl", "/f:spec/f:replicas"));
        assert!(owns(&forced, "helm", "/f:spec/f:selector"));
    }

    #[test]
    fn updates_take_fields_and_conflict_with_appliers() {
        let helm = deployment(Some(3), "nginx:1", json!({"app": "web"}));
        let live = server_side_apply(None, &helm, "helm", false, T1).unwrap();
        let mut edited = live.clone();
        edited["spec"]["replicas"] = json!(4);
        edited["metadata"]["annotations"] = json!({"note": "x"});
        let out = record_update(Some(&live), &edited, "kubectl-edit", "Update", T2);
        let e = entry(&out, "kubectl-edit").unwrap();
        assert_eq!(e["operation"], "Update");
        assert_eq!(
            e["fieldsV1"],
            json!({"f:metadata": {"f:annotations": {".": {}, "f:note": {}}}, "f:spec": {"f:replicas": {}}})
        );
        assert!(!owns(&out, "helm", "/f:spec/f:replicas"));
        // helm re-applies its own value: kubectl-edit owns the field now.
        let err = server_side_apply(Some(&out), &helm, "helm", false, T2).unwrap_err();
        assert!(matches!(err, PatchError::Conflict(c) if c[0].manager == "kubectl-edit"));
    }

    #[test]
    fn an_update_that_creates_owns_everything_it_wrote() {
        let obj = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "labels": {"a": "b"}},
            "data": {"k": "v"}});
        let out = record_update(None, &obj, "kubectl-create", "Update", T1);
        assert_eq!(
            entry(&out, "kubectl-create").unwrap()["fieldsV1"],
            json!({"f:data": {".": {}, "f:k": {}}, "f:metadata": {"f:labels": {".": {}, "f:a": {}}}})
        );
        // An update that changes nothing adds no entry for a new manager.
        let same = record_update(Some(&out), &out, "other", "Update", T2);
        assert!(entry(&same, "other").is_none());
        assert_eq!(same, out);
    }

    #[test]
    fn malformed_apply_configs_are_rejected() {
        assert!(matches!(
            server_side_apply(None, &json!([1]), "m", false, T1),
            Err(PatchError::BadRequest(_))
        ));
        let bad = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"},
            "spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}});
        assert!(matches!(
            server_side_apply(None, &bad, "m", false, T1),
            Err(PatchError::Invalid(_))
        ));
    }

    #[test]
    fn helm_create_namespace_apply() {
        let applied = json!({"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": "ns", "labels": {"name": "ns"}}, "spec": {}, "status": {}});
        let out = server_side_apply(None, &applied, "helm", false, T1).unwrap();
        assert_eq!(out["metadata"]["labels"], json!({"name": "ns"}));
        assert_eq!(
            entry(&out, "helm").unwrap()["fieldsV1"],
            json!({"f:metadata": {"f:labels": {"f:name": {}}}})
        );
    }

    /// Nested maps of strings without empty maps, as an applied `spec`.
    fn spec() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = "[a-c]{1,2}".prop_map(Value::from);
        leaf.prop_recursive(3, 20, 3, |inner| {
            prop::collection::btree_map("[a-d]", inner, 1..4)
                .prop_map(|m| Value::Object(m.into_iter().collect()))
        })
        .prop_filter("a map", Value::is_object)
    }

    proptest::proptest! {
        /// A sole manager applying B after A ends with exactly B.
        #[test]
        fn sole_manager_ends_with_the_last_config(a in spec(), b in spec()) {
            let obj = |s: &Value| json!({"apiVersion": "example.com/v1", "kind": "W",
                "metadata": {"name": "w"}, "spec": s});
            let first = server_side_apply(None, &obj(&a), "m", false, T1).unwrap();
            let second = server_side_apply(Some(&first), &obj(&b), "m", false, T1).unwrap();
            proptest::prop_assert_eq!(&second["spec"], &b);
            let fresh = server_side_apply(None, &obj(&b), "m", false, T1).unwrap();
            proptest::prop_assert_eq!(second, fresh);
        }
    }
}
