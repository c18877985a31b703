//! Conversions between Tera values, JSON values and text, shared by the function library.

use std::borrow::Cow;

use tera::{Error, TeraResult, Value};

/// A Tera value as JSON (maps keep their order: sorted when they came from values).
pub(crate) fn to_json(v: &Value) -> TeraResult<serde_json::Value> {
    if v.is_undefined() {
        return Err(Error::message("the value is undefined"));
    }
    serde_json::to_value(v).map_err(|e| Error::message(format!("cannot convert value: {e}")))
}

/// A JSON value as a Tera value.
pub(crate) fn from_json(v: &serde_json::Value) -> Value {
    Value::from_serializable(v)
}

/// A chart's values as the Tera value templates see as `Values`: the same value as
/// [`from_json`], built faster for large values. A long list at the top (`apps:` with a
/// thousand entries) is converted in two halves, one on another thread, since the render
/// cannot start before its values are ready.
pub(crate) fn values_to_tera(values: &serde_json::Map<String, serde_json::Value>) -> Value {
    let large = |v: &serde_json::Value| v.as_array().is_some_and(|a| a.len() >= PARALLEL_ITEMS);
    if !values.values().any(large) {
        return Value::from_serializable(values);
    }
    let entries: Vec<(&str, Part<'_>)> = values
        .iter()
        .map(|(k, v)| match v.as_array() {
            Some(items) if large(v) => (k.as_str(), Part::Tera(list_in_halves(items))),
            _ => (k.as_str(), Part::Json(v)),
        })
        .collect();
    Value::from_serializable(&Entries(entries))
}

/// Lists at least this long are converted on two threads.
const PARALLEL_ITEMS: usize = 256;

/// Converts `items` as one Tera list, its second half on another thread (all of it here when
/// no thread can be started).
fn list_in_halves(items: &[serde_json::Value]) -> Value {
    let (first, second) = items.split_at(items.len() / 2);
    let (a, b) = std::thread::scope(|scope| {
        let other = std::thread::Builder::new()
            .name("rudder-values".into())
            .spawn_scoped(scope, || Value::from_serializable(second));
        let a = Value::from_serializable(first);
        let b = match other.map(|h| h.join()) {
            Ok(Ok(b)) => b,
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(_) => Value::from_serializable(second),
        };
        (a, b)
    });
    let mut all = Vec::with_capacity(items.len());
    for half in [a, b] {
        all.extend(half.as_array().into_iter().flatten().cloned());
    }
    Value::from(all)
}

/// A value of the top-level map: still JSON, or already converted (passed through as is).
enum Part<'a> {
    Json(&'a serde_json::Value),
    Tera(Value),
}

impl serde::Serialize for Part<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Part::Json(v) => v.serialize(serializer),
            Part::Tera(v) => v.serialize(serializer),
        }
    }
}

/// The top-level map, in its order, as one serde map.
struct Entries<'a>(Vec<(&'a str, Part<'a>)>);

impl serde::Serialize for Entries<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// The text of a scalar as Go's `%v` prints it (strings as-is, `null` as empty).
pub(crate) fn text(v: &Value) -> TeraResult<String> {
    text_ref(v).map(Cow::into_owned)
}

/// [`text`] borrowing strings instead of copying them, for filters that only read the text.
pub(crate) fn text_ref(v: &Value) -> TeraResult<Cow<'_, str>> {
    if v.is_undefined() {
        return Err(Error::message("the value is undefined"));
    }
    if let Some(s) = v.as_str() {
        return Ok(Cow::Borrowed(s));
    }
    if v.is_none() {
        return Ok(Cow::Borrowed(""));
    }
    Ok(Cow::Owned(v.to_string()))
}

/// Sprig's notion of "empty": undefined, null, false, 0, "", [] and {}.
pub(crate) fn is_empty(v: &Value) -> bool {
    if v.is_undefined() || v.is_none() {
        return true;
    }
    if let Some(b) = v.as_bool() {
        return !b;
    }
    if let Some(s) = v.as_str() {
        return s.is_empty();
    }
    if v.is_number() {
        return v.as_f64() == Some(0.0);
    }
    matches!(v.len(), Some(0))
}

/// Helm's type names (`typeOf`): string, bool, int64, float64, []interface {}, map[string]interface {}.
pub(crate) fn type_name(v: &Value) -> &'static str {
    if v.is_undefined() || v.is_none() {
        "<nil>"
    } else if v.is_string() {
        "string"
    } else if v.is_bool() {
        "bool"
    } else if v.is_f64() {
        "float64"
    } else if v.is_number() {
        "int64"
    } else if v.is_array() {
        "[]interface {}"
    } else if v.is_map() {
        "map[string]interface {}"
    } else {
        "[]uint8"
    }
}

/// Helm's kind names (`kindOf`/`kindIs`): string, bool, int64, float64, slice, map, invalid.
pub(crate) fn kind_name(v: &Value) -> &'static str {
    match type_name(v) {
        "<nil>" => "invalid",
        "[]interface {}" => "slice",
        "map[string]interface {}" => "map",
        "[]uint8" => "slice",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::{Value as Json, json};

    /// The same value as the plain conversion: equal, same variants (Debug), same order.
    fn assert_same(values: &serde_json::Map<String, Json>) {
        let fast = values_to_tera(values);
        let plain = Value::from_serializable(values);
        assert_eq!(fast, plain);
        assert_eq!(format!("{fast:?}"), format!("{plain:?}"));
        assert_eq!(
            serde_json::to_string(&fast).unwrap(),
            serde_json::to_string(&plain).unwrap()
        );
    }

    #[test]
    fn long_lists_convert_as_the_plain_conversion_does() {
        let apps: Vec<Json> = (0..1001)
            .map(|i| {
                json!({
                    "name": format!("app-{i}"), "port": 8000 + i, "neg": -i, "f": i as f64 / 3.0,
                    "none": null, "on": i % 2 == 0, "env": {"A": "1", "B": [1, "x", null]},
                })
            })
            .collect();
        let values = json!({
            "z": 1, "apps": apps, "short": [1, 2, 3], "global": {"x": {"y": [true]}},
            "exact": (0..PARALLEL_ITEMS).collect::<Vec<_>>(), "a": "first",
        });
        assert_same(values.as_object().unwrap());
        let odd = json!({"only": (0..PARALLEL_ITEMS + 1).map(|i| json!([i])).collect::<Vec<_>>()});
        assert_same(odd.as_object().unwrap());
    }

    proptest! {
        #[test]
        fn any_values_convert_as_the_plain_conversion_does(
            items in prop::collection::vec(
                prop_oneof![
                    any::<i64>().prop_map(Json::from),
                    any::<u64>().prop_map(Json::from),
                    "[a-z]{0,6}".prop_map(Json::from),
                    Just(Json::Null),
                    prop::collection::btree_map("[a-c]{1,2}", any::<i32>(), 0..3)
                        .prop_map(|m| json!(m)),
                ],
                0..600,
            ),
            key in "[a-z]{1,4}",
        ) {
            let values = json!({ key: items, "other": {"k": 1} });
            assert_same(values.as_object().unwrap());
        }
    }
}
