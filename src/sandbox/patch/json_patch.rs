//! JSON patch (RFC 6902): `kubectl patch --type json` and kubectl's `managedFields` rewrite.

use serde_json::Value;

use super::PatchError;

/// Applies an RFC 6902 patch (an array of `add`, `remove`, `replace`, `move`, `copy`, `test`
/// operations) atomically: the target is untouched unless every operation succeeds. A
/// malformed document is [`PatchError::BadRequest`]; an operation that does not fit the
/// target (missing path, failed `test`) is [`PatchError::Invalid`].
pub fn json_patch(target: &Value, ops: &Value) -> Result<Value, PatchError> {
    let Value::Array(ops) = ops else {
        return Err(PatchError::BadRequest(
            "json patch must be an array of operations".to_string(),
        ));
    };
    let mut doc = target.clone();
    for (index, op) in ops.iter().enumerate() {
        apply_op(&mut doc, op, index)?;
    }
    Ok(doc)
}

/// Applies operation number `index`.
fn apply_op(doc: &mut Value, op: &Value, index: usize) -> Result<(), PatchError> {
    let bad = |msg: &str| PatchError::BadRequest(format!("json patch operation {index}: {msg}"));
    let Value::Object(fields) = op else {
        return Err(bad("not an object"));
    };
    let name = fields
        .get("op")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("missing \"op\""))?;
    let path_text = fields
        .get("path")
        .and_then(Value::as_str)
        .ok_or_else(|| bad("missing \"path\""))?;
    let path = parse_pointer(path_text).map_err(|e| bad(&e))?;
    let value = || {
        fields
            .get("value")
            .cloned()
            .ok_or_else(|| bad("missing \"value\""))
    };
    let from = || -> Result<Vec<String>, PatchError> {
        let text = fields
            .get("from")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("missing \"from\""))?;
        parse_pointer(text).map_err(|e| bad(&e))
    };
    let invalid = |msg: String| {
        PatchError::Invalid(format!(
            "json patch operation {index} ({name} {path_text}): {msg}"
        ))
    };
    match name {
        "add" => add(doc, &path, value()?).map_err(invalid),
        "remove" => remove(doc, &path).map(drop).map_err(invalid),
        "replace" => {
            let v = value()?;
            remove(doc, &path).map_err(&invalid)?;
            add(doc, &path, v).map_err(invalid)
        }
        "move" => {
            let from = from()?;
            if path.len() > from.len() && path[..from.len()] == from[..] {
                return Err(invalid("cannot move a value into itself".to_string()));
            }
            let v = remove(doc, &from).map_err(&invalid)?;
            add(doc, &path, v).map_err(invalid)
        }
        "copy" => {
            let v = get(doc, &from()?)
                .cloned()
                .ok_or_else(|| invalid("\"from\" does not exist".to_string()))?;
            add(doc, &path, v).map_err(invalid)
        }
        "test" => {
            let expected = value()?;
            match get(doc, &path) {
                Some(actual) if *actual == expected => Ok(()),
                Some(_) => Err(invalid("test failed: value differs".to_string())),
                None => Err(invalid("test failed: path does not exist".to_string())),
            }
        }
        other => Err(bad(&format!("unknown op {other:?}"))),
    }
}

/// Splits a JSON pointer (RFC 6901) into unescaped reference tokens.
fn parse_pointer(text: &str) -> Result<Vec<String>, String> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = text.strip_prefix('/') else {
        return Err(format!("path {text:?} does not start with \"/\""));
    };
    rest.split('/')
        .map(|token| {
            let mut out = String::new();
            let mut chars = token.chars();
            while let Some(c) = chars.next() {
                if c == '~' {
                    match chars.next() {
                        Some('0') => out.push('~'),
                        Some('1') => out.push('/'),
                        _ => return Err(format!("path {text:?} has a bad \"~\" escape")),
                    }
                } else {
                    out.push(c);
                }
            }
            Ok(out)
        })
        .collect()
}

/// An array index token: digits without leading zeros.
fn array_index(token: &str, len: usize, allow_end: bool) -> Result<usize, String> {
    if token == "-" && allow_end {
        return Ok(len);
    }
    let valid = !token.is_empty()
        && token.bytes().all(|b| b.is_ascii_digit())
        && (token == "0" || !token.starts_with('0'));
    let index: usize = if valid { token.parse().ok() } else { None }
        .ok_or_else(|| format!("{token:?} is not an array index"))?;
    let limit = if allow_end {
        len
    } else {
        len.saturating_sub(1)
    };
    if index > limit || (!allow_end && len == 0) {
        return Err(format!("index {index} is out of bounds (length {len})"));
    }
    Ok(index)
}

/// The value a pointer names, if it exists.
fn get<'a>(doc: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(doc, |node, token| match node {
        Value::Object(map) => map.get(token),
        Value::Array(items) => array_index(token, items.len(), false)
            .ok()
            .and_then(|i| items.get(i)),
        _ => None,
    })
}

/// The container a pointer's last token lives in.
fn parent_mut<'a>(doc: &'a mut Value, path: &[String]) -> Result<&'a mut Value, String> {
    let parent = &path[..path.len() - 1];
    let mut node = doc;
    for token in parent {
        node = match node {
            Value::Object(map) => map.get_mut(token),
            Value::Array(items) => {
                let i = array_index(token, items.len(), false)?;
                items.get_mut(i)
            }
            _ => None,
        }
        .ok_or_else(|| format!("path component {token:?} does not exist"))?;
    }
    Ok(node)
}

/// RFC 6902 `add`: sets a member, or inserts into an array (`-` appends).
fn add(doc: &mut Value, path: &[String], value: Value) -> Result<(), String> {
    let Some(last) = path.last() else {
        *doc = value;
        return Ok(());
    };
    match parent_mut(doc, path)? {
        Value::Object(map) => {
            map.insert(last.clone(), value);
            Ok(())
        }
        Value::Array(items) => {
            let i = array_index(last, items.len(), true)?;
            items.insert(i, value);
            Ok(())
        }
        _ => Err("parent is not an object or array".to_string()),
    }
}

/// RFC 6902 `remove`: returns the removed value.
fn remove(doc: &mut Value, path: &[String]) -> Result<Value, String> {
    let Some(last) = path.last() else {
        return Ok(std::mem::take(doc));
    };
    match parent_mut(doc, path)? {
        Value::Object(map) => map
            .remove(last)
            .ok_or_else(|| format!("member {last:?} does not exist")),
        Value::Array(items) => {
            let i = array_index(last, items.len(), false)?;
            Ok(items.remove(i))
        }
        _ => Err("parent is not an object or array".to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ok(target: Value, ops: Value) -> Value {
        json_patch(&target, &ops).unwrap()
    }

    /// RFC 6902 appendix A, examples A.1 – A.16.
    #[test]
    fn rfc6902_appendix_a() {
        assert_eq!(
            ok(
                json!({"foo":"bar"}),
                json!([{"op":"add","path":"/baz","value":"qux"}])
            ),
            json!({"baz":"qux","foo":"bar"})
        );
        assert_eq!(
            ok(
                json!({"foo":["bar","baz"]}),
                json!([{"op":"add","path":"/foo/1","value":"qux"}])
            ),
            json!({"foo":["bar","qux","baz"]})
        );
        assert_eq!(
            ok(
                json!({"baz":"qux","foo":"bar"}),
                json!([{"op":"remove","path":"/baz"}])
            ),
            json!({"foo":"bar"})
        );
        assert_eq!(
            ok(
                json!({"foo":["bar","qux","baz"]}),
                json!([{"op":"remove","path":"/foo/1"}])
            ),
            json!({"foo":["bar","baz"]})
        );
        assert_eq!(
            ok(
                json!({"baz":"qux","foo":"bar"}),
                json!([{"op":"replace","path":"/baz","value":"boo"}])
            ),
            json!({"baz":"boo","foo":"bar"})
        );
        assert_eq!(
            ok(
                json!({"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}}),
                json!([{"op":"move","from":"/foo/waldo","path":"/qux/thud"}])
            ),
            json!({"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}})
        );
        assert_eq!(
            ok(
                json!({"foo":["all","grass","cows","eat"]}),
                json!([{"op":"move","from":"/foo/1","path":"/foo/3"}])
            ),
            json!({"foo":["all","cows","eat","grass"]})
        );
        let doc = json!({"baz":"qux","foo":["a",2,"c"]});
        assert_eq!(
            ok(
                doc.clone(),
                json!([{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}])
            ),
            doc
        );
        assert!(matches!(
            json_patch(
                &json!({"baz":"qux"}),
                &json!([{"op":"test","path":"/baz","value":"bar"}])
            ),
            Err(PatchError::Invalid(_))
        ));
        assert_eq!(
            ok(
                json!({"foo":"bar"}),
                json!([{"op":"add","path":"/child","value":{"grandchild":{}}}])
            ),
            json!({"foo":"bar","child":{"grandchild":{}}})
        );
        // A.11: unrecognised members are ignored.
        assert_eq!(
            ok(
                json!({"foo":"bar"}),
                json!([{"op":"add","path":"/baz","value":"qux","xyz":123}])
            ),
            json!({"foo":"bar","baz":"qux"})
        );
        // A.12: adding to a nonexistent target fails.
        assert!(matches!(
            json_patch(
                &json!({"foo":"bar"}),
                &json!([{"op":"add","path":"/baz/bat","value":"qux"}])
            ),
            Err(PatchError::Invalid(_))
        ));
        // A.14: ~ escapes.
        assert_eq!(
            ok(
                json!({"/":9,"~1":10}),
                json!([{"op":"test","path":"/~01","value":10}])
            ),
            json!({"/":9,"~1":10})
        );
        assert_eq!(
            ok(json!({"/":9}), json!([{"op":"remove","path":"/~1"}])),
            json!({})
        );
        // A.15: a string is not a number.
        assert!(
            json_patch(
                &json!({"/":9,"~1":10}),
                &json!([{"op":"test","path":"/~01","value":"10"}])
            )
            .is_err()
        );
        // A.16: adding an array value, "-" appends.
        assert_eq!(
            ok(
                json!({"foo":["bar"]}),
                json!([{"op":"add","path":"/foo/-","value":["abc","def"]}])
            ),
            json!({"foo":["bar",["abc","def"]]})
        );
        assert_eq!(
            ok(
                json!({"a":{"b":1}}),
                json!([{"op":"copy","from":"/a","path":"/c"}])
            ),
            json!({"a":{"b":1},"c":{"b":1}})
        );
    }

    #[test]
    fn malformed_documents_are_bad_requests() {
        for ops in [
            json!({"op":"add"}),
            json!([{"path":"/a","value":1}]),
            json!([{"op":"add","path":"a","value":1}]),
            json!([{"op":"add","path":"/a"}]),
            json!([{"op":"frobnicate","path":"/a"}]),
            json!([{"op":"move","path":"/a"}]),
            json!([{"op":"test","path":"/~2","value":1}]),
        ] {
            assert!(
                matches!(json_patch(&json!({}), &ops), Err(PatchError::BadRequest(_))),
                "{ops}"
            );
        }
    }

    #[test]
    fn failures_leave_the_target_alone_and_name_the_operation() {
        let target = json!({"a":[1]});
        let err = json_patch(
            &target,
            &json!([{"op":"add","path":"/b","value":1},{"op":"remove","path":"/a/01"}]),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "json patch operation 1 (remove /a/01): \"01\" is not an array index"
        );
        assert!(json_patch(&target, &json!([{"op":"remove","path":"/a/1"}])).is_err());
        assert!(json_patch(&target, &json!([{"op":"add","path":"/a/2","value":0}])).is_err());
        assert!(json_patch(&target, &json!([{"op":"move","from":"/a","path":"/a/0"}])).is_err());
        assert_eq!(
            ok(target, json!([{"op":"replace","path":"","value":[]}])),
            json!([])
        );
    }
}
