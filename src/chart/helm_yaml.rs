//! YAML as Helm writes it (`sigs.k8s.io/yaml`): mapping keys sorted alphabetically, sequences
//! at the indentation of their key, and every string that a YAML 1.1 reader would take for
//! something else (`yes`, `1.0`, `0x1f`, a timestamp, `~`, ...) quoted.
//!
//! Helm reads `Chart.yaml` and `index.yaml` with a YAML 1.1 parser, so a plain `on` or
//! `2026-01-01T00:00:00Z` would not come back as the string we meant; a general YAML 1.2
//! serialiser does not quote those. This writer is used for the `Chart.yaml` of packaged charts
//! and for `index.yaml`, where the output must read back identically in Helm and in rudder.

use serde_json::Value;

/// Serialises `value` as a YAML document in Helm's layout (see the module documentation).
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => write_mapping(value, 0, &mut out),
        Value::Array(items) if !items.is_empty() => write_sequence(items, 0, &mut out),
        other => {
            out.push_str(&inline(other));
            out.push('\n');
        }
    }
    out
}

/// A value that fits on its key's line: a scalar, `{}` or `[]`.
fn inline(value: &Value) -> String {
    match value {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => scalar(s),
        Value::Object(_) => "{}".into(),
        Value::Array(_) => "[]".into(),
    }
}

/// Whether `value` is written on its own lines below its key (a non-empty map or list).
fn is_block(value: &Value) -> bool {
    match value {
        Value::Object(map) => !map.is_empty(),
        Value::Array(items) => !items.is_empty(),
        _ => false,
    }
}

/// Writes a non-empty mapping, keys sorted, each line indented by `indent` spaces.
fn write_mapping(value: &Value, indent: usize, out: &mut String) {
    let Value::Object(map) = value else {
        return;
    };
    let mut keys: Vec<&String> = map.keys().collect();
    keys.sort();
    for key in keys {
        let child = &map[key.as_str()];
        push_indent(indent, out);
        out.push_str(&scalar(key));
        out.push(':');
        match child {
            Value::Object(_) if is_block(child) => {
                out.push('\n');
                write_mapping(child, indent + 2, out);
            }
            Value::Array(items) if is_block(child) => {
                out.push('\n');
                write_sequence(items, indent, out);
            }
            _ => {
                out.push(' ');
                out.push_str(&inline(child));
                out.push('\n');
            }
        }
    }
}

/// Writes a non-empty sequence, each item starting with `- ` at `indent`.
fn write_sequence(items: &[Value], indent: usize, out: &mut String) {
    for item in items {
        if !is_block(item) {
            push_indent(indent, out);
            out.push_str("- ");
            out.push_str(&inline(item));
            out.push('\n');
            continue;
        }
        // The item's first line shares the `- ` line: write it indented, then overwrite the
        // indentation of that first line with the dash.
        let mut block = String::new();
        match item {
            Value::Array(inner) => write_sequence(inner, indent + 2, &mut block),
            _ => write_mapping(item, indent + 2, &mut block),
        }
        push_indent(indent, out);
        out.push_str("- ");
        out.push_str(&block[indent + 2..]);
    }
}

fn push_indent(indent: usize, out: &mut String) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// A string scalar: plain when every YAML 1.1 and 1.2 reader takes it back as that same
/// string, double-quoted otherwise.
fn scalar(s: &str) -> String {
    if plain_is_safe(s) {
        s.to_string()
    } else {
        double_quoted(s)
    }
}

/// Characters that may not start a plain scalar.
const INDICATORS: &str = "-?:,[]{}#&*!|>'\"%@`=< ";

fn plain_is_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if INDICATORS.contains(first) || s.ends_with([' ', ':']) {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.contains(['\t', '\n', '\r']) {
        return false;
    }
    if s.chars().any(|c| needs_escape(c) || c == '\u{feff}') {
        return false;
    }
    !resolves_to_non_string(s)
}

/// Whether a plain scalar `s` would be read as a bool, null, number or timestamp by a YAML 1.1
/// or 1.2 reader (go-yaml, libyaml-based readers, rudder's own).
fn resolves_to_non_string(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "y", "yes", "n", "no", "true", "false", "on", "off", "null", "~",
    ];
    let lower = s.to_ascii_lowercase();
    if WORDS.contains(&lower.as_str()) {
        return true;
    }
    let unsigned = lower.trim_start_matches(['+', '-']);
    if unsigned.starts_with(".inf") || unsigned.starts_with(".nan") {
        return true;
    }
    let digits = unsigned.replace('_', "");
    if !digits.is_empty() && digits.parse::<f64>().is_ok() {
        return true;
    }
    if let Some(rest) = ["0x", "0o", "0b"]
        .iter()
        .find_map(|p| digits.strip_prefix(p))
        && !rest.is_empty()
        && rest.chars().all(|c| c.is_ascii_hexdigit())
    {
        return true;
    }
    is_sexagesimal(&digits) || looks_like_timestamp(s)
}

/// YAML 1.1 base-60 numbers: `1:30`, `190:20:30.15`.
fn is_sexagesimal(s: &str) -> bool {
    let mut parts = s.split(':');
    let head = parts.next().unwrap_or("");
    let rest: Vec<&str> = parts.collect();
    if rest.is_empty() || head.is_empty() || !head.chars().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let (last, middle) = rest.split_last().unwrap_or((&"", &[]));
    let two_digits =
        |p: &str| !p.is_empty() && p.len() <= 2 && p.chars().all(|c| c.is_ascii_digit());
    let last_int = last.split('.').next().unwrap_or("");
    middle.iter().all(|p| two_digits(p)) && two_digits(last_int)
}

/// `2026-01-02`, `2026-1-2T10:00:00Z` and the like: YAML 1.1 timestamps.
fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 8 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let mut parts = s[5..].splitn(3, '-');
    let month = parts.next().unwrap_or("");
    let day_and_rest = parts.next().unwrap_or("");
    let day: String = day_and_rest
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    (1..=2).contains(&month.len())
        && month.chars().all(|c| c.is_ascii_digit())
        && (1..=2).contains(&day.len())
}

/// Characters that a double-quoted scalar spells as an escape (controls, DEL, C1 controls,
/// line and paragraph separators), which YAML does not allow raw.
fn needs_escape(c: char) -> bool {
    (c < ' ' && c != '\t')
        || ('\u{7f}'..='\u{9f}').contains(&c)
        || c == '\u{2028}'
        || c == '\u{2029}'
}

fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{feff}' => out.push_str("\\uFEFF"),
            c if needs_escape(c) => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn layout_is_helms() {
        let v = json!({
            "version": "0.1.0",
            "apiVersion": "v2",
            "dependencies": [{"name": "a", "repository": "", "tags": ["x", "y"]}],
            "annotations": {},
            "keywords": [],
            "deprecated": true,
            "nested": [[1, 2], {"k": {"z": 1, "a": null}}],
        });
        assert_eq!(
            to_yaml(&v),
            "annotations: {}\napiVersion: v2\ndependencies:\n- name: a\n  repository: \"\"\n  tags:\n  - x\n  - \"y\"\ndeprecated: true\nkeywords: []\nnested:\n- - 1\n  - 2\n- k:\n    a: null\n    z: 1\nversion: 0.1.0\n"
        );
    }

    #[test]
    fn ambiguous_strings_are_quoted() {
        for s in [
            "",
            "yes",
            "No",
            "ON",
            "~",
            "null",
            "1.0",
            "10",
            "-1",
            "1e3",
            "0x1F",
            "0o17",
            "1_000",
            ".inf",
            "-.Inf",
            ".NaN",
            "1:30",
            "2026-01-01T00:00:00Z",
            "2026-1-2",
            "- a",
            "a: b",
            "a #b",
            "#c",
            "*x",
            "&y",
            "!t",
            "|",
            ">",
            "@a",
            "`b",
            "'q'",
            "\"q\"",
            "{a}",
            "[a]",
            "%x",
            " lead",
            "trail ",
            "end:",
            "multi\nline",
            "tab\there",
            "=",
            "<<",
            "\u{7f}",
        ] {
            assert!(scalar(s).starts_with('"'), "{s:?} must be quoted");
        }
        for s in [
            "0.1.0",
            "1.0.0-rc.1",
            "~1",
            "v2",
            "application",
            "https://example.com/a?b=c",
            "file://../lobsters",
            "lobsters.enabled",
            "A chart, with words",
            "it's fine",
            "sha256:abc",
            "a:b",
            "über",
        ] {
            assert_eq!(scalar(s), s, "{s:?} can stay plain");
        }
        assert_eq!(scalar(">=1.23.0-0"), "\">=1.23.0-0\"");
        assert_eq!(scalar("a\"b\\c\u{1}"), "\"a\\\"b\\\\c\\u0001\"");
    }

    #[test]
    fn output_reads_back_as_the_same_value() {
        let v = json!({
            "strings": ["yes", "1.0", "2026-01-01T00:00:00Z", "a: b", "multi\nline\n", "\u{2028}", "é"],
            "map": {"on": "off", "": "empty key", "k": [{"a": [], "b": {}}]},
            "n": 3, "f": 1.5, "b": false, "z": null,
        });
        let text = to_yaml(&v);
        let back: Value = yaml_serde::from_str(&text).unwrap();
        assert_eq!(back, v, "{text}");
    }
}
