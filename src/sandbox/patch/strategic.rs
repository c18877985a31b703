//! Strategic merge patch, as `kubectl apply` (client side) and `kubectl patch` send it:
//! lists of known built-in fields merge by their `patchMergeKey`, everything else merges like
//! a JSON merge patch, plus the `$patch`, `$retainKeys`, `$setElementOrder/<field>` and
//! `$deleteFromPrimitiveList/<field>` directives.

use serde_json::{Map, Value};

use super::super::gvk::Gvk;
use super::schema::{ListShape, Ty};
use super::{PatchError, merge_patch};

const SET_ELEMENT_ORDER: &str = "$setElementOrder/";
const DELETE_FROM_PRIMITIVE_LIST: &str = "$deleteFromPrimitiveList/";

/// Whether the real API server accepts strategic merge patches for this type: only the
/// built-in API groups do; custom resources answer 415 Unsupported Media Type.
pub fn supports_strategic(gvk: &Gvk) -> bool {
    let group = gvk.group.as_str();
    group.is_empty()
        || !group.contains('.')
        || group.ends_with(".k8s.io")
            && !matches!(group, "gateway.networking.k8s.io" | "metrics.k8s.io")
}

/// Applies a strategic merge patch to `target`. For types without strategic support
/// (custom resources) this is a JSON merge patch; the server answers 415 before calling it.
pub fn strategic_merge_patch(
    target: &Value,
    patch: &Value,
    gvk: &Gvk,
) -> Result<Value, PatchError> {
    if !supports_strategic(gvk) {
        return Ok(merge_patch(target, patch));
    }
    let Value::Object(patch) = patch else {
        return Err(PatchError::BadRequest(
            "strategic merge patch must be a JSON object".to_string(),
        ));
    };
    let empty = Map::new();
    let original = target.as_object().unwrap_or(&empty);
    match merge_map(original, patch, Ty::root(gvk), "")? {
        Some(map) => Ok(Value::Object(map)),
        None => Err(PatchError::BadRequest(
            "$patch: delete is not allowed at the top level".to_string(),
        )),
    }
}

/// Merges a patch map into an original map; `None` means the map itself is deleted.
fn merge_map(
    original: &Map<String, Value>,
    patch: &Map<String, Value>,
    ty: Ty,
    at: &str,
) -> Result<Option<Map<String, Value>>, PatchError> {
    match patch.get("$patch") {
        None => {}
        Some(Value::String(s)) if s == "merge" => {}
        Some(Value::String(s)) if s == "delete" => return Ok(None),
        Some(Value::String(s)) if s == "replace" => {
            let mut rest = patch.clone();
            rest.remove("$patch");
            return merge_map(&Map::new(), &rest, ty, at).map(|m| Some(m.unwrap_or_default()));
        }
        Some(other) => {
            return Err(PatchError::BadRequest(format!(
                "{}: unknown $patch directive {other}",
                shown(at)
            )));
        }
    }
    let mut result = original.clone();
    if let Some(retain) = patch.get("$retainKeys") {
        let Value::Array(keys) = retain else {
            return Err(PatchError::BadRequest(format!(
                "{}: $retainKeys must be a list of field names",
                shown(at)
            )));
        };
        let keys: Vec<&str> = keys.iter().filter_map(Value::as_str).collect();
        result.retain(|k, _| keys.contains(&k.as_str()));
    }
    for (key, value) in patch {
        if let Some(field) = key.strip_prefix(DELETE_FROM_PRIMITIVE_LIST) {
            let Value::Array(gone) = value else {
                return Err(bad_directive(at, key));
            };
            if let Some(Value::Array(items)) = result.get_mut(field) {
                items.retain(|item| !gone.contains(item));
            }
        }
    }
    for (key, value) in patch {
        if key.starts_with('$') {
            continue;
        }
        let path = format!("{at}.{key}");
        if value.is_null() {
            result.remove(key);
            continue;
        }
        let merged = match (result.get(key), value) {
            (original, Value::Object(p)) => {
                let empty = Map::new();
                let o = original.and_then(Value::as_object).unwrap_or(&empty);
                merge_map(o, p, ty.field(key), &path)?.map(Value::Object)
            }
            (original, Value::Array(p)) => {
                let o = original
                    .and_then(Value::as_array)
                    .map(Vec::as_slice)
                    .unwrap_or(&[]);
                Some(Value::Array(merge_list(o, p, ty.list(key), &path)?))
            }
            (_, scalar) => Some(scalar.clone()),
        };
        match merged {
            Some(v) => {
                result.insert(key.clone(), v);
            }
            None => {
                result.remove(key);
            }
        }
    }
    for (key, value) in patch {
        if let Some(field) = key.strip_prefix(SET_ELEMENT_ORDER) {
            let Value::Array(order) = value else {
                return Err(bad_directive(at, key));
            };
            let shape = ty.list(field);
            if let Some(Value::Array(items)) = result.get_mut(field) {
                let original = original.get(field).and_then(Value::as_array);
                *items = reorder(
                    items,
                    order,
                    original.map(Vec::as_slice).unwrap_or(&[]),
                    shape.smp_key,
                );
            }
        }
    }
    Ok(Some(result))
}

/// Merges a patch list into an original list according to the field's shape.
fn merge_list(
    original: &[Value],
    patch: &[Value],
    shape: ListShape,
    at: &str,
) -> Result<Vec<Value>, PatchError> {
    let replace = patch
        .iter()
        .any(|item| item.get("$patch").and_then(Value::as_str) == Some("replace"));
    if replace {
        let rest: Vec<Value> = patch
            .iter()
            .filter(|item| item.get("$patch").is_none())
            .cloned()
            .collect();
        return merge_list(&[], &rest, shape, at);
    }
    if shape.smp_merge_scalars {
        let mut out = original.to_vec();
        for item in patch {
            if !out.contains(item) {
                out.push(item.clone());
            }
        }
        return Ok(out);
    }
    let Some(key) = shape.smp_key else {
        // No merge key: the patch list replaces the original, with directives resolved.
        return patch
            .iter()
            .map(|item| match item {
                Value::Object(p) => Ok(Value::Object(
                    merge_map(&Map::new(), p, shape.item, at)?.unwrap_or_default(),
                )),
                other => Ok(other.clone()),
            })
            .collect();
    };
    let mut out = original.to_vec();
    for item in patch {
        let Value::Object(p) = item else {
            return Err(PatchError::BadRequest(format!(
                "{}: list item {item} is not an object with merge key {key:?}",
                shown(at)
            )));
        };
        let Some(wanted) = p.get(key) else {
            return Err(PatchError::BadRequest(format!(
                "{}: list item does not contain declared merge key {key:?}",
                shown(at)
            )));
        };
        let position = out.iter().position(|o| o.get(key) == Some(wanted));
        let item_at = format!("{at}[{key}={wanted}]");
        if p.get("$patch").and_then(Value::as_str) == Some("delete") {
            out.retain(|o| o.get(key) != Some(wanted));
            continue;
        }
        let empty = Map::new();
        let o = position.and_then(|i| out[i].as_object()).unwrap_or(&empty);
        let merged = merge_map(o, p, shape.item, &item_at)?;
        match (position, merged) {
            (Some(i), Some(m)) => out[i] = Value::Object(m),
            (Some(i), None) => {
                out.remove(i);
            }
            (None, Some(m)) => out.push(Value::Object(m)),
            (None, None) => {}
        }
    }
    Ok(out)
}

/// Orders a merged list as `$setElementOrder` asks: items the order names come in that order;
/// the others (only on the server) keep their place relative to the original list.
fn reorder(items: &[Value], order: &[Value], original: &[Value], key: Option<&str>) -> Vec<Value> {
    let id = |v: &Value| -> Value {
        match key {
            Some(k) => v.get(k).cloned().unwrap_or(Value::Null),
            None => v.clone(),
        }
    };
    let order_ids: Vec<Value> = order.iter().map(&id).collect();
    let original_ids: Vec<Value> = original.iter().map(&id).collect();
    let original_index = |v: &Value| original_ids.iter().position(|o| *o == id(v));
    let mut listed: Vec<&Value> = items
        .iter()
        .filter(|v| order_ids.contains(&id(v)))
        .collect();
    listed.sort_by_key(|v| order_ids.iter().position(|o| *o == id(v)));
    let unlisted: Vec<&Value> = items
        .iter()
        .filter(|v| !order_ids.contains(&id(v)))
        .collect();
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(items.len());
    while i < listed.len() || j < unlisted.len() {
        let take_listed = match (listed.get(i), unlisted.get(j)) {
            (Some(l), Some(u)) => match (original_index(l), original_index(u)) {
                (Some(a), Some(b)) => a < b,
                (None, _) => true,
                (Some(_), None) => false,
            },
            (Some(_), None) => true,
            _ => false,
        };
        if take_listed {
            out.push(listed[i].clone());
            i += 1;
        } else {
            out.push(unlisted[j].clone());
            j += 1;
        }
    }
    out
}

/// The error for a directive whose value has the wrong shape.
fn bad_directive(at: &str, key: &str) -> PatchError {
    PatchError::BadRequest(format!("{}: {key} must be a list", shown(at)))
}

/// A field path for messages (`.` for the top).
fn shown(at: &str) -> &str {
    if at.is_empty() { "." } else { at }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment() -> Value {
        json!({
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "web", "labels": {"app": "web"}, "finalizers": ["a"]},
            "spec": {
                "replicas": 2,
                "template": {
                    "metadata": {"labels": {"app": "web"}},
                    "spec": {
                        "containers": [
                            {"name": "web", "image": "nginx:1", "env": [{"name": "A", "value": "1"}],
                             "ports": [{"containerPort": 80}]},
                            {"name": "sidecar", "image": "busybox", "args": ["sleep", "1"]}
                        ],
                        "tolerations": [{"key": "x", "operator": "Exists"}]
                    }
                }
            }
        })
    }

    fn smp(patch: Value) -> Value {
        strategic_merge_patch(&deployment(), &patch, &Gvk::new("apps", "v1", "Deployment")).unwrap()
    }

    fn containers(d: &Value) -> &Vec<Value> {
        d["spec"]["template"]["spec"]["containers"]
            .as_array()
            .unwrap()
    }

    #[test]
    fn changes_the_image_of_one_container() {
        let d = smp(json!({"spec":{"template":{"spec":{
            "$setElementOrder/containers":[{"name":"web"},{"name":"sidecar"}],
            "containers":[{"name":"web","image":"nginx:2"}]}}}}));
        let c = containers(&d);
        assert_eq!(c.len(), 2);
        assert_eq!(c[0]["image"], "nginx:2");
        assert_eq!(c[0]["env"], json!([{"name": "A", "value": "1"}]));
        assert_eq!(
            c[1],
            deployment()["spec"]["template"]["spec"]["containers"][1]
        );
    }

    #[test]
    fn adds_an_env_var_and_keeps_the_others() {
        let d = smp(
            json!({"spec":{"template":{"spec":{"containers":[{"name":"web",
            "$setElementOrder/env":[{"name":"A"},{"name":"B"}],
            "env":[{"name":"B","value":"2"}]}]}}}}),
        );
        assert_eq!(
            containers(&d)[0]["env"],
            json!([{"name":"A","value":"1"},{"name":"B","value":"2"}])
        );
    }

    #[test]
    fn removes_a_container_with_patch_delete() {
        let d = smp(json!({"spec":{"template":{"spec":{
            "$setElementOrder/containers":[{"name":"web"}],
            "containers":[{"$patch":"delete","name":"sidecar"}]}}}}));
        assert_eq!(containers(&d).len(), 1);
        assert_eq!(containers(&d)[0]["name"], "web");
    }

    #[test]
    fn set_element_order_reorders_and_places_new_items() {
        let d = smp(json!({"spec":{"template":{"spec":{
            "$setElementOrder/containers":[{"name":"sidecar"},{"name":"log"},{"name":"web"}],
            "containers":[{"name":"log","image":"fluentd"}]}}}}));
        let names: Vec<&str> = containers(&d)
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["sidecar", "log", "web"]);
    }

    #[test]
    fn server_only_items_keep_their_place() {
        let target = json!({"spec":{"ports":[{"port":1},{"port":2},{"port":3}]}});
        let patch = json!({"spec":{"$setElementOrder/ports":[{"port":3},{"port":1}],"ports":[{"port":3,"name":"c"}]}});
        let out = strategic_merge_patch(&target, &patch, &Gvk::new("", "v1", "Service")).unwrap();
        assert_eq!(
            out["spec"]["ports"],
            json!([{"port":2},{"port":3,"name":"c"},{"port":1}])
        );
    }

    #[test]
    fn lists_without_merge_key_replace_and_null_deletes() {
        let d = smp(json!({"spec":{"replicas":null,"template":{"spec":{
            "tolerations":[{"key":"y","operator":"Exists"}],
            "containers":[{"name":"sidecar","args":["sleep","2"]}]}}}}));
        assert!(d["spec"].get("replicas").is_none());
        assert_eq!(
            d["spec"]["template"]["spec"]["tolerations"],
            json!([{"key":"y","operator":"Exists"}])
        );
        assert_eq!(containers(&d)[1]["args"], json!(["sleep", "2"]));
        assert_eq!(containers(&d)[1]["image"], "busybox");
    }

    #[test]
    fn patch_replace_and_retain_keys() {
        let d = smp(
            json!({"spec":{"template":{"spec":{"containers":[{"name":"web","image":"x"},{"$patch":"replace"}]}}}}),
        );
        assert_eq!(containers(&d), &vec![json!({"name":"web","image":"x"})]);
        let d = smp(json!({"metadata":{"labels":{"$patch":"replace","tier":"db"}}}));
        assert_eq!(d["metadata"]["labels"], json!({"tier":"db"}));
        let d = smp(json!({"spec":{"template":{"$patch":"delete"}}}));
        assert!(d["spec"].get("template").is_none());
        let target =
            json!({"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}});
        let patch = json!({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}});
        let out =
            strategic_merge_patch(&target, &patch, &Gvk::new("apps", "v1", "Deployment")).unwrap();
        assert_eq!(out["spec"]["strategy"], json!({"type":"Recreate"}));
    }

    #[test]
    fn primitive_merge_lists_union_and_delete() {
        let d = smp(json!({"metadata":{"finalizers":["b"]}}));
        assert_eq!(d["metadata"]["finalizers"], json!(["a", "b"]));
        let d = smp(
            json!({"metadata":{"$deleteFromPrimitiveList/finalizers":["a"],
            "$setElementOrder/finalizers":["c"],"finalizers":["c"]}}),
        );
        assert_eq!(d["metadata"]["finalizers"], json!(["c"]));
    }

    #[test]
    fn ports_merge_by_container_port() {
        let d = smp(
            json!({"spec":{"template":{"spec":{"containers":[{"name":"web","ports":[{"containerPort":80,"name":"http"}]}]}}}}),
        );
        assert_eq!(
            containers(&d)[0]["ports"],
            json!([{"containerPort":80,"name":"http"}])
        );
    }

    #[test]
    fn custom_resources_merge_like_json_merge_patch() {
        let gvk = Gvk::new("example.com", "v1", "Widget");
        assert!(!supports_strategic(&gvk));
        assert!(supports_strategic(&Gvk::new("apps", "v1", "Deployment")));
        assert!(supports_strategic(&Gvk::new(
            "networking.k8s.io",
            "v1",
            "Ingress"
        )));
        let out = strategic_merge_patch(
            &json!({"spec":{"items":[1,2],"a":1}}),
            &json!({"spec":{"items":[3],"a":null}}),
            &gvk,
        )
        .unwrap();
        assert_eq!(out, json!({"spec":{"items":[3]}}));
    }

    #[test]
    fn malformed_patches_are_bad_requests() {
        let gvk = Gvk::new("apps", "v1", "Deployment");
        for patch in [
            json!([1]),
            json!({"spec":{"template":{"spec":{"containers":[{"image":"x"}]}}}}),
            json!({"spec":{"template":{"spec":{"containers":["x"]}}}}),
            json!({"spec":{"$patch":"explode"}}),
            json!({"metadata":{"$deleteFromPrimitiveList/finalizers":"a"}}),
            json!({"$patch":"delete"}),
        ] {
            assert!(
                matches!(
                    strategic_merge_patch(&deployment(), &patch, &gvk),
                    Err(PatchError::BadRequest(_))
                ),
                "{patch}"
            );
        }
    }

    /// Values without nulls and without `$` keys; lists of scalars only.
    fn value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            any::<i32>().prop_map(Value::from),
            "[a-z]{0,3}".prop_map(Value::from)
        ];
        let list = prop::collection::vec(leaf.clone(), 0..3).prop_map(Value::from);
        prop_oneof![leaf, list].prop_recursive(3, 20, 3, |inner| {
            prop::collection::btree_map("[a-d]", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect()))
        })
    }

    proptest::proptest! {
        /// Where no list has a merge key, a strategic merge patch is a JSON merge patch.
        #[test]
        fn without_merge_keys_it_is_a_merge_patch(a in value(), b in value()) {
            let gvk = Gvk::new("", "v1", "ConfigMap");
            let wrap = |v: &Value| json!({"data": v});
            let patch = super::super::create_merge_patch(&wrap(&a), &wrap(&b));
            proptest::prop_assert_eq!(strategic_merge_patch(&wrap(&a), &patch, &gvk).unwrap(), wrap(&b));
        }
    }
}
