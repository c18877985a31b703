//! Output formats shared by listing commands: `-o table|json|yaml`.

use clap::ValueEnum;
use serde::Serialize;

/// `-o/--output`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum OutputFormat {
    /// Human-readable table (or text).
    #[default]
    Table,
    /// JSON with Helm's field names.
    Json,
    /// YAML with Helm's field names.
    Yaml,
}

/// Serialises `value` as JSON or YAML; `None` for table output (the caller formats it).
pub fn structured<T: Serialize>(format: OutputFormat, value: &T) -> anyhow::Result<Option<String>> {
    Ok(match format {
        OutputFormat::Table => None,
        OutputFormat::Json => Some(serde_json::to_string(value)? + "\n"),
        OutputFormat::Yaml => Some(yaml_serde::to_string(value)?),
    })
}
