//! A YAML emitter with Helm's `toYaml` style (go-yaml v2 through sigs.k8s.io/yaml): sorted keys,
//! sequences not indented under their key, literal blocks for multi-line strings, double quotes
//! for strings that YAML 1.1 would read as another type (`"on"`, `"yes"`, `"1.0"`), single quotes
//! for strings plain style cannot carry (`'a: b'`), plain and single-quoted text folded at 80
//! columns. Kubernetes' YAML 1.1 parsers read back exactly the strings we meant.
//!
//! The emitter walks any tree that implements [`YamlNode`]: JSON values (values files, the
//! reference) and Tera values (what `toYaml` receives in a template), so a template's value is
//! printed without being converted to JSON first.

mod scalar;
mod tera_node;

use scalar::{pad, scalar_style, write_float, write_int, write_scalar_string, write_string};
pub(crate) use tera_node::to_yaml_tera;

use serde_json::Value;

/// What one node of a value tree is, as the emitter needs to see it.
pub(crate) enum View<'a, N> {
    /// `null`.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// A signed integer.
    Int(i64),
    /// An unsigned integer past `i64`.
    UInt(u64),
    /// A float (non-finite ones print as `.nan`, `+.inf`, `-.inf`).
    Float(f64),
    /// A string.
    Str(&'a str),
    /// A sequence.
    Seq(&'a [N]),
    /// A mapping, entries sorted by key.
    Map(Vec<(&'a str, &'a N)>),
}

/// A value tree the emitter can print.
pub(crate) trait YamlNode: Sized {
    /// This node, or `None` when it holds something only the JSON conversion knows how to
    /// print (the caller then converts the whole value to JSON and prints that).
    fn view(&self) -> Option<View<'_, Self>>;
}

/// A node without a [`View`]: print the JSON conversion instead.
pub(crate) struct Unsupported;

type Emit = Result<(), Unsupported>;

impl YamlNode for Value {
    fn view(&self) -> Option<View<'_, Self>> {
        Some(match self {
            Value::Null => View::Null,
            Value::Bool(b) => View::Bool(*b),
            Value::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => View::Int(i),
                (None, Some(u)) => View::UInt(u),
                (None, None) => View::Float(n.as_f64().unwrap_or(0.0)),
            },
            Value::String(s) => View::Str(s),
            Value::Array(a) => View::Seq(a),
            // serde_json's map is ordered by key already.
            Value::Object(m) => View::Map(m.iter().map(|(k, v)| (k.as_str(), v)).collect()),
        })
    }
}

/// Serialises a value as block YAML, ending with a newline (like go-yaml's Marshal).
pub fn to_yaml_string(value: &Value) -> String {
    let mut out = String::new();
    // JSON values always have a view.
    let _ = emit_document(&mut out, value);
    out
}

/// Prints `value` as a document into `out`; fails (with `out` partly written) on a node
/// without a view.
pub(crate) fn emit_document<N: YamlNode>(out: &mut String, value: &N) -> Emit {
    match value.view().ok_or(Unsupported)? {
        View::Map(m) if !m.is_empty() => emit_map(out, &m, 0, false),
        View::Seq(a) if !a.is_empty() => emit_seq(out, a, 0, false),
        other => {
            emit_scalar(out, &other, 0, 0);
            out.push('\n');
            Ok(())
        }
    }
}

/// A mapping at `indent`; with `inline`, the first key continues the current line (after `- `).
fn emit_map<N: YamlNode>(out: &mut String, m: &[(&str, &N)], indent: usize, inline: bool) -> Emit {
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 || !inline {
            pad(out, indent);
        }
        write_string(out, k, scalar_style(k, true), indent + 2, false);
        out.push(':');
        emit_child(out, v.view().ok_or(Unsupported)?, indent, indent + 2)?;
    }
    Ok(())
}

/// A sequence at `indent`; with `inline`, the first item continues the current line.
fn emit_seq<N: YamlNode>(out: &mut String, a: &[N], indent: usize, inline: bool) -> Emit {
    for (i, v) in a.iter().enumerate() {
        if i > 0 || !inline {
            pad(out, indent);
        }
        out.push_str("- ");
        match v.view().ok_or(Unsupported)? {
            View::Map(m) if !m.is_empty() => emit_map(out, &m, indent + 2, true)?,
            View::Seq(inner) if !inner.is_empty() => emit_seq(out, inner, indent + 2, true)?,
            other => {
                emit_scalar(out, &other, indent + 2, indent + 2);
                out.push('\n');
            }
        }
    }
    Ok(())
}

/// The value after `key:` of a mapping at `indent`.
fn emit_child<N: YamlNode>(
    out: &mut String,
    v: View<'_, N>,
    indent: usize,
    content_indent: usize,
) -> Emit {
    match v {
        View::Map(m) if !m.is_empty() => {
            out.push('\n');
            emit_map(out, &m, indent + 2, false)
        }
        View::Seq(a) if !a.is_empty() => {
            out.push('\n');
            emit_seq(out, a, indent, false)
        }
        other => {
            out.push(' ');
            emit_scalar(out, &other, content_indent, content_indent);
            out.push('\n');
            Ok(())
        }
    }
}

fn emit_scalar<N>(out: &mut String, v: &View<'_, N>, fold_indent: usize, block_indent: usize) {
    match v {
        View::Null => out.push_str("null"),
        View::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        View::Int(n) => write_int(out, n),
        View::UInt(n) => write_int(out, n),
        View::Float(f) => write_float(out, *f),
        View::Str(s) => write_scalar_string(out, s, fold_indent, block_indent),
        View::Map(_) => out.push_str("{}"),
        View::Seq(_) => out.push_str("[]"),
    }
}

#[cfg(test)]
mod tests;
