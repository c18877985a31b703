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

/// A table as Helm prints one (gosuri/uitable): every column padded to its widest cell and
/// columns separated by a tab, so both eyes and `awk -F'\t'` can read it.
pub fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            if let Some(w) = widths.get_mut(i) {
                *w = (*w).max(cell.chars().count());
            }
        }
    }
    let mut out = String::new();
    let header: Vec<String> = headers.iter().map(|h| h.to_string()).collect();
    for row in std::iter::once(&header).chain(rows) {
        let last = row.len().saturating_sub(1);
        for (i, cell) in row.iter().enumerate() {
            if i == last {
                out.push_str(cell);
            } else {
                let pad = widths[i] - cell.chars().count();
                out.push_str(cell);
                out.extend(std::iter::repeat_n(' ', pad));
                out.push('\t');
            }
        }
        out.push('\n');
    }
    out
}
