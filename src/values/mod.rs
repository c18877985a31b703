//! Values: the `--set` family (strvals), `-f` files, coalescing with chart defaults and
//! subcharts, and `values.schema.json` validation.

pub mod coalesce;
pub mod dependencies;
pub mod options;
pub mod schema;
pub mod strvals;
pub mod yaml;

/// A values tree: a YAML/JSON map. Keys iterate in sorted order (serde_json's default map), which
/// is what makes renders byte-for-byte reproducible.
pub type Values = serde_json::Map<String, serde_json::Value>;

/// Why values could not be computed: names where (a file and line, a `--set` expression and the
/// position in it, a chart and dependency, a JSON path in the values) and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {message}")]
pub struct ValuesError {
    /// Where: `values.yaml:12:3`, `--set "a.b[x]=1"` at position 4, `chart mysql`, ...
    pub location: String,
    /// What is wrong.
    pub message: String,
}

impl ValuesError {
    /// Builds an error from a location and a message.
    pub fn new(location: impl Into<String>, message: impl Into<String>) -> Self {
        ValuesError {
            location: location.into(),
            message: message.into(),
        }
    }
}

/// A short description of a value's type for error messages ("a list", "a string" ...).
pub(crate) fn describe(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a map",
    }
}
