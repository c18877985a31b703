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
