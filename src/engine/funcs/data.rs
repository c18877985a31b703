//! Data filters and functions with Helm/Sprig names: toYaml, toJson, fromYaml, fromJson,
//! default, required, fail, dict, list, merge, hasKey, typeOf, kindOf, kindIs, coalesce, empty.

use tera::{Error, Kwargs, State, Tera, TeraResult, Value};

use super::convert::{from_json, is_empty, kind_name, to_json, type_name};

pub(super) fn register(tera: &mut Tera) {
    tera.register_filter("toYaml", |v: &Value, _: Kwargs, _: &State| to_yaml(v));
    tera.register_filter(
        "toJson",
        |v: &Value, _: Kwargs, _: &State| -> TeraResult<String> { json_text(v, false) },
    );
    tera.register_filter(
        "toPrettyJson",
        |v: &Value, _: Kwargs, _: &State| -> TeraResult<String> { json_text(v, true) },
    );
    tera.register_filter(
        "fromYaml",
        |s: &str, _: Kwargs, _: &State| -> TeraResult<Value> {
            let json: serde_json::Value =
                yaml_serde::from_str(s).map_err(|e| Error::message(format!("fromYaml: {e}")))?;
            Ok(from_json(&json))
        },
    );
    tera.register_filter(
        "fromJson",
        |s: &str, _: Kwargs, _: &State| -> TeraResult<Value> {
            let json: serde_json::Value =
                serde_json::from_str(s).map_err(|e| Error::message(format!("fromJson: {e}")))?;
            Ok(from_json(&json))
        },
    );
    tera.register_filter(
        "default",
        |v: &Value, kw: Kwargs, _: &State| -> TeraResult<Value> {
            let fallback: Value = kw.must_get("value")?;
            Ok(if is_empty(v) { fallback } else { v.clone() })
        },
    );
    tera.register_filter(
        "required",
        |v: &Value, kw: Kwargs, _: &State| -> TeraResult<Value> {
            if v.is_undefined() || v.is_none() || v.as_str() == Some("") {
                let msg: String = kw
                    .get("msg")?
                    .unwrap_or_else(|| "a required value is missing".into());
                return Err(Error::message(format!("required: {msg}")));
            }
            Ok(v.clone())
        },
    );
    tera.register_function("fail", |kw: Kwargs, _: &State| -> TeraResult<Value> {
        let msg: String = kw.must_get("msg")?;
        Err(Error::message(format!("fail: {msg}")))
    });
    tera.register_function("dict", |kw: Kwargs, _: &State| -> TeraResult<Value> {
        let mut map = tera::Map::new();
        let mut pairs: Vec<_> = kw.iter().collect();
        pairs.sort_by(|a, b| a.0.cmp(b.0));
        for (k, v) in pairs {
            map.insert(k.clone(), v.clone());
        }
        Ok(Value::from(map))
    });
    tera.register_function("list", |kw: Kwargs, _: &State| -> TeraResult<Value> {
        let items: Vec<Value> = kw.get("items")?.unwrap_or_default();
        Ok(Value::from(items))
    });
    tera.register_function("coalesce", |kw: Kwargs, _: &State| -> TeraResult<Value> {
        let items: Vec<Value> = kw.must_get("values")?;
        Ok(items
            .into_iter()
            .find(|v| !is_empty(v))
            .unwrap_or_else(Value::none))
    });
    tera.register_filter(
        "merge",
        |v: &Value, kw: Kwargs, _: &State| -> TeraResult<Value> {
            // Sprig's merge: the left (piped) map wins; maps merge recursively.
            let with: Value = kw.must_get("with")?;
            let (mut dst, src) = (to_json(v)?, to_json(&with)?);
            merge_left_wins(&mut dst, &src);
            Ok(from_json(&dst))
        },
    );
    tera.register_filter(
        "hasKey",
        |v: &Value, kw: Kwargs, _: &State| -> TeraResult<bool> {
            let key: String = kw.must_get("key")?;
            Ok(v.as_map()
                .is_some_and(|m| m.keys().any(|k| k.as_str() == Some(key.as_str()))))
        },
    );
    tera.register_filter(
        "typeOf",
        |v: &Value, _: Kwargs, _: &State| -> TeraResult<String> { Ok(type_name(v).to_string()) },
    );
    tera.register_filter(
        "kindOf",
        |v: &Value, _: Kwargs, _: &State| -> TeraResult<String> { Ok(kind_name(v).to_string()) },
    );
    tera.register_filter(
        "kindIs",
        |v: &Value, kw: Kwargs, _: &State| -> TeraResult<bool> {
            let kind: String = kw.must_get("kind")?;
            Ok(kind_name(v) == kind)
        },
    );
    tera.register_filter(
        "empty",
        |v: &Value, _: Kwargs, _: &State| -> TeraResult<bool> { Ok(is_empty(v)) },
    );
    tera.register_test("empty", |v: &Value, _: Kwargs, _: &State| -> bool {
        is_empty(v)
    });
    tera.register_test(
        "has",
        |v: &Value, kw: Kwargs, _: &State| -> TeraResult<bool> {
            let needle: Value = kw.must_get("value")?;
            Ok(v.as_array().is_some_and(|a| a.contains(&needle)))
        },
    );
}

/// Helm's `toYaml`: block YAML with sorted keys, without the trailing newline.
pub(crate) fn to_yaml(v: &Value) -> TeraResult<String> {
    if v.is_undefined() {
        return Ok("null".into());
    }
    let mut text = match crate::engine::yaml::to_yaml_tera(v) {
        Some(text) => text,
        None => crate::engine::yaml::to_yaml_string(&to_json(v)?),
    };
    if text.ends_with('\n') {
        text.pop();
    }
    Ok(text)
}

fn json_text(v: &Value, pretty: bool) -> TeraResult<String> {
    if v.is_undefined() {
        return Ok("null".into());
    }
    let json = to_json(v)?;
    let out = if pretty {
        serde_json::to_string_pretty(&json)
    } else {
        serde_json::to_string(&json)
    };
    out.map_err(|e| Error::message(format!("toJson: {e}")))
}

fn merge_left_wins(dst: &mut serde_json::Value, src: &serde_json::Value) {
    if let (Some(d), Some(s)) = (dst.as_object_mut(), src.as_object()) {
        for (k, sv) in s {
            match d.get_mut(k) {
                Some(dv) if dv.is_object() && sv.is_object() => merge_left_wins(dv, sv),
                Some(_) => {}
                None => {
                    d.insert(k.clone(), sv.clone());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_has_sorted_keys_and_no_trailing_newline() {
        let v = from_json(&serde_json::json!({"b": [1, "x"], "a": {"z": true}}));
        assert_eq!(to_yaml(&v).unwrap(), "a:\n  z: true\nb:\n- 1\n- x");
    }

    #[test]
    fn merge_keeps_left() {
        let mut a = serde_json::json!({"x": 1, "m": {"a": 1}});
        merge_left_wins(
            &mut a,
            &serde_json::json!({"x": 2, "y": 3, "m": {"a": 2, "b": 2}}),
        );
        assert_eq!(
            a,
            serde_json::json!({"x": 1, "y": 3, "m": {"a": 1, "b": 2}})
        );
    }
}
