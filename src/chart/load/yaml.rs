//! YAML of chart files read the way Helm reads it: `values.yaml` documents merged into one map
//! (duplicate keys: last wins; scalar keys become strings), errors located as `file:line:column`.

use std::fmt;

use regex::Regex;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::chart::ChartError;

/// Formats a YAML error as a [`ChartError`] against `path`, with `:line:column` when known
/// (the position is moved from the message into the path).
pub(super) fn yaml_error(path: &str, err: &yaml_serde::Error) -> ChartError {
    let located = match err.location() {
        Some(loc) => format!("{path}:{}:{}", loc.line(), loc.column()),
        None => path.to_string(),
    };
    ChartError::Invalid {
        path: located,
        message: strip_positions(&err.to_string()),
    }
}

/// Removes `at line N column M` / `at position N` from a parser message (the position is
/// reported in the path instead) and keeps it on one line.
fn strip_positions(message: &str) -> String {
    static POSITION: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    let re = POSITION.get_or_init(|| {
        Regex::new(r" at (line \d+ column \d+|position \d+)").expect("a valid regex")
    });
    let text = re.replace_all(message, "");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parses any YAML file (a lock file) to check it is well formed; returns its value.
pub(super) fn parse_any(text: &str, path: &str) -> Result<Value, ChartError> {
    let JsonValue(value) = yaml_serde::from_str(text).map_err(|e| yaml_error(path, &e))?;
    Ok(value)
}

/// A YAML value read into JSON as Helm's YAML-to-JSON step does: scalar map keys become
/// strings, a repeated key keeps its last value, tags are dropped.
struct JsonValue(Value);

impl<'de> Deserialize<'de> for JsonValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(JsonVisitor).map(JsonValue)
    }
}

/// Builds a [`serde_json::Value`] from any YAML node.
struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(JsonVisitor)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Number::from_f64(v)
            .map(Value::Number)
            .unwrap_or_else(|| Value::String(v.to_string())))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(JsonValue(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(KeyString(key)) = map.next_key()? {
            let JsonValue(value) = map.next_value()?;
            out.insert(key, value);
        }
        Ok(Value::Object(out))
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        // A custom tag (`!foo value`): keep the value, drop the tag.
        use serde::de::VariantAccess;
        let (_tag, variant): (String, _) = data.variant()?;
        let JsonValue(value) = variant.newtype_variant()?;
        Ok(value)
    }
}

/// A map key: any scalar, as its text (`1` -> `"1"`, `true` -> `"true"`, `~` -> `"null"`).
struct KeyString(String);

impl<'de> Deserialize<'de> for KeyString {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(KeyVisitor).map(KeyString)
    }
}

/// Reads a scalar map key as a string.
struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a scalar map key")
    }
    fn visit_unit<E>(self) -> Result<String, E> {
        Ok("null".into())
    }
    fn visit_bool<E>(self, v: bool) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_i64<E>(self, v: i64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_u64<E>(self, v: u64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_f64<E>(self, v: f64) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_str<E>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_string<E>(self, v: String) -> Result<String, E> {
        Ok(v)
    }
}
