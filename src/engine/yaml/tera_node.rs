//! Tera values as emitter nodes: `toYaml` prints a template's value directly, the same bytes
//! as converting it to JSON first (what `to_json` does) and printing that.

use tera::value::ValueKind;
use tera::{Map, Value};

use super::{View, YamlNode, emit_document};

impl YamlNode for Value {
    fn view(&self) -> Option<View<'_, Self>> {
        Some(match self.kind() {
            // Inside a container, undefined serialises as JSON null.
            ValueKind::Undefined | ValueKind::None => View::Null,
            ValueKind::Bool => View::Bool(self.as_bool()?),
            ValueKind::I64 => View::Int(self.as_i64()?),
            ValueKind::U64 => match self.as_i64() {
                Some(i) => View::Int(i),
                None => View::UInt(self.as_u64()?),
            },
            // JSON has no NaN or infinity: the conversion makes them null.
            ValueKind::F64 => match self.as_f64()? {
                f if f.is_finite() => View::Float(f),
                _ => View::Null,
            },
            ValueKind::String => View::Str(self.as_str()?),
            ValueKind::Array => View::Seq(self.as_array()?),
            ValueKind::Map => View::Map(sorted_entries(self.as_map()?)?),
            // 128-bit integers, bytes and kinds added later: the JSON conversion decides.
            _ => return None,
        })
    }
}

/// The entries of a Tera map by key, as the JSON conversion's ordered map holds them; `None`
/// when a key is not a string (the conversion turns those into strings, possibly colliding).
fn sorted_entries(map: &Map) -> Option<Vec<(&str, &Value)>> {
    let mut entries = Vec::with_capacity(map.len());
    for (k, v) in map {
        entries.push((k.as_str()?, v));
    }
    // Values come from JSON maps, already in order; keys of a map are distinct.
    if !entries.is_sorted_by(|a, b| a.0 < b.0) {
        entries.sort_unstable_by(|a, b| a.0.cmp(b.0));
    }
    Some(entries)
}

/// Helm's `toYaml` of a Tera value (ending with a newline), or `None` when the value holds
/// something only the JSON conversion can print (128-bit integers, bytes, non-string keys).
pub(crate) fn to_yaml_tera(value: &Value) -> Option<String> {
    // Most values printed in templates are small maps: one allocation for them.
    let mut out = String::with_capacity(128);
    emit_document(&mut out, value).ok()?;
    Some(out)
}
