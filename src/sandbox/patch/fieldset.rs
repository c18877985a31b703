//! Sets of field paths as server-side apply tracks them, and their FieldsV1 wire form
//! (`{"f:spec":{"f:replicas":{}}}`; list items `k:{"name":"web"}`, set members `v:"x"`, and
//! `.` for a node that is itself a member).

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::PatchError;
use super::schema::{ListShape, SsaList, Ty};

/// One field path: segments already in FieldsV1 spelling (`f:spec`, `k:{"name":"web"}`, `v:1`).
pub(crate) type Path = Vec<String>;

/// A set of field paths; a path's descendants sort right after it.
pub(crate) type FieldSet = BTreeSet<Path>;

/// The `f:` segment of a field name.
fn field_segment(name: &str) -> String {
    format!("f:{name}")
}

/// The `v:` segment of a set member.
fn value_segment(value: &Value) -> String {
    format!("v:{value}")
}

/// The `k:` segment of an associative list item: its key fields, sorted, as compact JSON; a
/// missing key with a schema default takes the default.
fn key_segment(item: &Value, keys: &[(&str, Option<&str>)]) -> Option<String> {
    let mut sorted: Vec<(&str, Option<&str>)> = keys.to_vec();
    sorted.sort();
    let mut parts = Vec::with_capacity(sorted.len());
    for (name, default) in sorted {
        let value = match (item.get(name), default) {
            (Some(v), _) if !v.is_null() => v.clone(),
            (_, Some(d)) => Value::from(d),
            _ => return None,
        };
        parts.push(format!("{}:{value}", Value::from(name)));
    }
    Some(format!("k:{{{}}}", parts.join(",")))
}

/// The segment naming a list item, or an error naming the list.
fn item_segment(item: &Value, shape: ListShape, at: &Path) -> Result<Option<String>, PatchError> {
    match shape.ssa {
        SsaList::Atomic => Ok(None),
        SsaList::Set => Ok(Some(value_segment(item))),
        SsaList::Map(keys) => key_segment(item, keys).map(Some).ok_or_else(|| {
            let names: Vec<&str> = keys.iter().map(|k| k.0).collect();
            PatchError::Invalid(format!(
                "{}: list item {item} lacks the key field(s) {}",
                display(at),
                names.join(", ")
            ))
        }),
    }
}

/// The paths an applied configuration sets: its leaves, its associative list items and set
/// members, and its atomic lists and maps as wholes (server-side apply's `ToFieldSet`).
pub(crate) fn applied_set(value: &Value, ty: Ty) -> Result<FieldSet, PatchError> {
    let mut set = FieldSet::new();
    if let Value::Object(map) = value {
        walk_map(map, ty, &mut Vec::new(), &mut set)?;
    }
    Ok(set)
}

/// [`applied_set`] for the fields of one map.
fn walk_map(
    map: &Map<String, Value>,
    ty: Ty,
    path: &mut Path,
    set: &mut FieldSet,
) -> Result<(), PatchError> {
    for (name, value) in map {
        path.push(field_segment(name));
        match value {
            Value::Object(child) if !ty.atomic_map(name) => {
                walk_map(child, ty.field(name), path, set)?
            }
            Value::Array(items) => walk_list(items, ty.list(name), path, set)?,
            _ => {
                set.insert(path.clone());
            }
        }
        path.pop();
    }
    Ok(())
}

/// [`applied_set`] for a list.
fn walk_list(
    items: &[Value],
    shape: ListShape,
    path: &mut Path,
    set: &mut FieldSet,
) -> Result<(), PatchError> {
    if shape.ssa == SsaList::Atomic {
        set.insert(path.clone());
        return Ok(());
    }
    for item in items {
        let Some(segment) = item_segment(item, shape, path)? else {
            continue;
        };
        path.push(segment);
        set.insert(path.clone());
        if let Value::Object(fields) = item {
            walk_map(fields, shape.item, path, set)?;
        }
        path.pop();
    }
    Ok(())
}

/// Field-level changes between two versions of an object.
#[derive(Debug, Default)]
pub(crate) struct Changes {
    /// Paths added or modified (an added map or list item counts with its descendants).
    pub changed: FieldSet,
    /// Paths removed (with their descendants).
    pub removed: FieldSet,
}

/// Compares two versions of an object field by field.
pub(crate) fn compare(before: &Value, after: &Value, ty: Ty) -> Changes {
    let mut changes = Changes::default();
    let empty = Map::new();
    let b = before.as_object().unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    compare_maps(b, a, ty, &mut Vec::new(), &mut changes);
    changes
}

/// Every path inside a value that sits at `path` (a field `name` of a map of type `parent`).
fn subtree(value: &Value, parent: Ty, name: &str, path: &mut Path, out: &mut FieldSet) {
    match value {
        Value::Object(map) if !parent.atomic_map(name) => {
            if parent.string_map(name) || map.is_empty() {
                out.insert(path.clone());
            }
            map_subtree(map, parent.field(name), path, out);
        }
        Value::Array(items) => {
            let shape = parent.list(name);
            if shape.ssa == SsaList::Atomic {
                out.insert(path.clone());
                return;
            }
            for item in items {
                if let Ok(Some(segment)) = item_segment(item, shape, path) {
                    path.push(segment);
                    out.insert(path.clone());
                    if let Value::Object(fields) = item {
                        map_subtree(fields, shape.item, path, out);
                    }
                    path.pop();
                }
            }
        }
        _ => {
            out.insert(path.clone());
        }
    }
}

/// [`subtree`] for each field of a map of type `ty`.
fn map_subtree(map: &Map<String, Value>, ty: Ty, path: &mut Path, out: &mut FieldSet) {
    for (name, value) in map {
        path.push(field_segment(name));
        subtree(value, ty, name, path, out);
        path.pop();
    }
}

/// [`compare`] for two maps of type `ty`.
fn compare_maps(
    before: &Map<String, Value>,
    after: &Map<String, Value>,
    ty: Ty,
    path: &mut Path,
    changes: &mut Changes,
) {
    for (name, old) in before {
        if !after.contains_key(name) {
            path.push(field_segment(name));
            subtree(old, ty, name, path, &mut changes.removed);
            changes.removed.insert(path.clone());
            path.pop();
        }
    }
    for (name, new) in after {
        path.push(field_segment(name));
        match (before.get(name), new) {
            (None, _) => subtree(new, ty, name, path, &mut changes.changed),
            (Some(old), _) if old == new => {}
            (Some(Value::Object(o)), Value::Object(n)) if !ty.atomic_map(name) => {
                compare_maps(o, n, ty.field(name), path, changes)
            }
            (Some(Value::Array(o)), Value::Array(n)) if ty.list(name).ssa != SsaList::Atomic => {
                compare_lists(o, n, ty.list(name), path, changes)
            }
            (Some(old), _) => {
                subtree(old, ty, name, path, &mut changes.removed);
                subtree(new, ty, name, path, &mut changes.changed);
                changes.removed.retain(|p| !changes.changed.contains(p));
            }
        }
        path.pop();
    }
}

/// [`compare`] for two associative lists or sets.
fn compare_lists(
    before: &[Value],
    after: &[Value],
    shape: ListShape,
    path: &mut Path,
    changes: &mut Changes,
) {
    let index = |items: &[Value], path: &Path| -> Vec<(String, Value)> {
        items
            .iter()
            .filter_map(|item| match item_segment(item, shape, path) {
                Ok(Some(segment)) => Some((segment, item.clone())),
                _ => None,
            })
            .collect()
    };
    let old = index(before, path);
    let new = index(after, path);
    for (segment, item) in &old {
        if !new.iter().any(|(s, _)| s == segment) {
            path.push(segment.clone());
            changes.removed.insert(path.clone());
            if let Value::Object(fields) = item {
                map_subtree(fields, shape.item, path, &mut changes.removed);
            }
            path.pop();
        }
    }
    for (segment, item) in &new {
        path.push(segment.clone());
        match old.iter().find(|(s, _)| s == segment) {
            None => {
                changes.changed.insert(path.clone());
                if let Value::Object(fields) = item {
                    map_subtree(fields, shape.item, path, &mut changes.changed);
                }
            }
            Some((_, previous)) => {
                if let (Value::Object(o), Value::Object(n)) = (previous, item) {
                    compare_maps(o, n, shape.item, path, changes);
                }
            }
        }
        path.pop();
    }
}

/// The value a path names inside an object of type `ty`, if it exists.
pub(crate) fn lookup<'a>(object: &'a Value, path: &[String], ty: Ty) -> Option<&'a Value> {
    let mut node = object;
    let mut map_ty = ty;
    let mut list: Option<ListShape> = None;
    for segment in path {
        if let Some(name) = segment.strip_prefix("f:") {
            node = node.as_object()?.get(name)?;
            list = Some(map_ty.list(name));
            map_ty = map_ty.field(name);
        } else {
            let shape = list.take()?;
            node = node
                .as_array()?
                .iter()
                .find(|item| item_is(item, shape, segment))?;
            map_ty = shape.item;
        }
    }
    Some(node)
}

/// Removes the value a path names, if it exists; returns whether something was removed.
pub(crate) fn remove(object: &mut Value, path: &[String], ty: Ty) -> bool {
    let Some((last, parent_path)) = path.split_last() else {
        return false;
    };
    // Find the parent's type and list shape by walking the path's types.
    let mut map_ty = ty;
    let mut list: Option<ListShape> = None;
    for segment in parent_path {
        if let Some(name) = segment.strip_prefix("f:") {
            list = Some(map_ty.list(name));
            map_ty = map_ty.field(name);
        } else if let Some(shape) = list.take() {
            map_ty = shape.item;
        }
    }
    let Some(parent) = lookup_mut(object, parent_path, ty) else {
        return false;
    };
    if let Some(name) = last.strip_prefix("f:") {
        return parent
            .as_object_mut()
            .and_then(|m| m.remove(name))
            .is_some();
    }
    let (Some(shape), Value::Array(items)) = (list, parent) else {
        return false;
    };
    let before = items.len();
    items.retain(|item| !item_is(item, shape, last));
    items.len() != before
}

/// Whether a list item is the one a path segment (`k:{...}`, `v:...`) names.
fn item_is(item: &Value, shape: ListShape, segment: &str) -> bool {
    item_segment(item, shape, &Vec::new())
        .ok()
        .flatten()
        .as_deref()
        == Some(segment)
}

/// Mutable [`lookup`].
fn lookup_mut<'a>(object: &'a mut Value, path: &[String], ty: Ty) -> Option<&'a mut Value> {
    let mut node = object;
    let mut map_ty = ty;
    let mut list: Option<ListShape> = None;
    for segment in path {
        if let Some(name) = segment.strip_prefix("f:") {
            node = node.as_object_mut()?.get_mut(name)?;
            list = Some(map_ty.list(name));
            map_ty = map_ty.field(name);
        } else {
            let shape = list.take()?;
            node = node
                .as_array_mut()?
                .iter_mut()
                .find(|item| item_is(item, shape, segment))?;
            map_ty = shape.item;
        }
    }
    Some(node)
}

/// Whether the set holds `path` or anything below it.
pub(crate) fn covers(set: &FieldSet, path: &Path) -> bool {
    set.range(path.clone()..)
        .next()
        .is_some_and(|p| p.starts_with(path))
}

/// A path as the API server prints it in conflicts: `.spec.containers[name="web"].image`.
pub(crate) fn display(path: &[String]) -> String {
    let mut out = String::new();
    for segment in path {
        if let Some(name) = segment.strip_prefix("f:") {
            out.push('.');
            out.push_str(name);
        } else if let Some(key) = segment.strip_prefix("k:") {
            let parsed: Map<String, Value> = serde_json::from_str(key).unwrap_or_default();
            let parts: Vec<String> = parsed.iter().map(|(k, v)| format!("{k}={v}")).collect();
            out.push_str(&format!("[{}]", parts.join(",")));
        } else if let Some(value) = segment.strip_prefix("v:") {
            out.push_str(&format!("[={value}]"));
        } else {
            out.push_str(segment);
        }
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

/// Reads a FieldsV1 tree.
pub(crate) fn from_fields_v1(tree: &Value) -> FieldSet {
    let mut set = FieldSet::new();
    read_node(tree, &mut Vec::new(), &mut set);
    set
}

/// Recursive part of [`from_fields_v1`].
fn read_node(node: &Value, path: &mut Path, set: &mut FieldSet) {
    let Some(children) = node.as_object() else {
        return;
    };
    if children.is_empty() && !path.is_empty() {
        set.insert(path.clone());
    }
    for (segment, child) in children {
        if segment == "." {
            set.insert(path.clone());
        } else {
            path.push(segment.clone());
            read_node(child, path, set);
            path.pop();
        }
    }
}

/// Writes a set as a FieldsV1 tree.
pub(crate) fn to_fields_v1(set: &FieldSet) -> Value {
    #[derive(Default)]
    struct Node {
        member: bool,
        children: std::collections::BTreeMap<String, Node>,
    }
    fn emit(node: &Node) -> Value {
        let mut map = Map::new();
        if node.member && !node.children.is_empty() {
            map.insert(".".to_string(), Value::Object(Map::new()));
        }
        for (segment, child) in &node.children {
            map.insert(segment.clone(), emit(child));
        }
        Value::Object(map)
    }
    let mut root = Node::default();
    for path in set {
        let mut node = &mut root;
        for segment in path {
            node = node.children.entry(segment.clone()).or_default();
        }
        node.member = true;
    }
    emit(&root)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::Gvk;
    use serde_json::json;

    fn deploy_ty() -> Ty {
        Ty::root(&Gvk::new("apps", "v1", "Deployment"))
    }

    #[test]
    fn applied_set_has_leaves_items_and_atomic_fields() {
        let applied = json!({"spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},
            "template":{"spec":{"containers":[{"name":"web","image":"x","ports":[{"containerPort":80}],"args":["a"]}]}}}});
        let set = applied_set(&applied, deploy_ty()).unwrap();
        let tree = to_fields_v1(&set);
        assert_eq!(
            tree,
            json!({"f:spec":{"f:replicas":{},"f:selector":{},"f:template":{"f:spec":{"f:containers":{
            "k:{\"name\":\"web\"}":{".":{},"f:args":{},"f:image":{},"f:name":{},"f:ports":{
                "k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}})
        );
        assert_eq!(from_fields_v1(&tree), set);
    }

    #[test]
    fn items_without_keys_are_invalid() {
        let applied = json!({"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}});
        let err = applied_set(&applied, deploy_ty()).unwrap_err();
        assert_eq!(
            err.to_string(),
            ".spec.template.spec.containers: list item {\"image\":\"x\"} lacks the key field(s) name"
        );
    }

    #[test]
    fn compare_finds_added_modified_removed() {
        let before = json!({"metadata":{"labels":{"a":"1"}},"spec":{"replicas":1,"paused":true}});
        let after =
            json!({"metadata":{"labels":{"a":"2"},"annotations":{"x":"y"}},"spec":{"replicas":1}});
        let c = compare(&before, &after, deploy_ty());
        assert_eq!(
            to_fields_v1(&c.changed),
            json!({"f:metadata":{"f:annotations":{".":{},"f:x":{}},"f:labels":{"f:a":{}}}})
        );
        assert_eq!(to_fields_v1(&c.removed), json!({"f:spec":{"f:paused":{}}}));
    }

    #[test]
    fn lookup_remove_display_and_covers() {
        let mut obj = json!({"spec":{"template":{"spec":{"containers":[{"name":"web","image":"x"},{"name":"b"}]}}}});
        let path: Path = [
            "f:spec",
            "f:template",
            "f:spec",
            "f:containers",
            "k:{\"name\":\"web\"}",
            "f:image",
        ]
        .map(String::from)
        .to_vec();
        assert_eq!(lookup(&obj, &path, deploy_ty()), Some(&json!("x")));
        assert_eq!(
            display(&path),
            ".spec.template.spec.containers[name=\"web\"].image"
        );
        let set: FieldSet = [path.clone()].into();
        assert!(covers(&set, &path[..4].to_vec()));
        assert!(!covers(&set, &vec!["f:metadata".to_string()]));
        assert!(remove(&mut obj, &path[..5], deploy_ty()));
        assert_eq!(
            obj["spec"]["template"]["spec"]["containers"],
            json!([{"name":"b"}])
        );
        assert!(!remove(&mut obj, &path, deploy_ty()));
    }
}
