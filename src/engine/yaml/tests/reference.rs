//! The emitter as it was before it worked on bytes and on Tera values (character by
//! character, JSON only), kept as the reference model the new one must match byte for byte.

use serde_json::Value;

const BEST_WIDTH: usize = 80;

/// Serialises a value as block YAML, ending with a newline (like go-yaml's Marshal).
pub(super) fn to_yaml_string(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(m) if !m.is_empty() => emit_map(&mut out, m, 0, false),
        Value::Array(a) if !a.is_empty() => emit_seq(&mut out, a, 0, false),
        other => {
            emit_scalar(&mut out, other, 0, 0);
            out.push('\n');
        }
    }
    out
}

fn pad(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n(' ', n));
}

/// The column the last line of `out` has reached.
fn column(out: &str) -> usize {
    out.rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
}

/// A mapping at `indent`; with `inline`, the first key continues the current line (after `- `).
fn emit_map(out: &mut String, m: &serde_json::Map<String, Value>, indent: usize, inline: bool) {
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 || !inline {
            pad(out, indent);
        }
        let key_style = scalar_style(k, true);
        write_string(out, k, key_style, indent + 2, false);
        out.push(':');
        emit_child(out, v, indent, indent + 2);
    }
}

/// A sequence at `indent`; with `inline`, the first item continues the current line.
fn emit_seq(out: &mut String, a: &[Value], indent: usize, inline: bool) {
    for (i, v) in a.iter().enumerate() {
        if i > 0 || !inline {
            pad(out, indent);
        }
        out.push('-');
        match v {
            Value::Object(m) if !m.is_empty() => {
                out.push(' ');
                emit_map(out, m, indent + 2, true);
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push(' ');
                emit_seq(out, inner, indent + 2, true);
            }
            other => {
                out.push(' ');
                emit_scalar(out, other, indent + 2, indent + 2);
                out.push('\n');
            }
        }
    }
}

/// The value after `key:` of a mapping at `indent`.
fn emit_child(out: &mut String, v: &Value, indent: usize, content_indent: usize) {
    match v {
        Value::Object(m) if !m.is_empty() => {
            out.push('\n');
            emit_map(out, m, indent + 2, false);
        }
        Value::Array(a) if !a.is_empty() => {
            out.push('\n');
            emit_seq(out, a, indent, false);
        }
        other => {
            out.push(' ');
            emit_scalar(out, other, content_indent, content_indent);
            out.push('\n');
        }
    }
}

fn emit_scalar(out: &mut String, v: &Value, fold_indent: usize, block_indent: usize) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&number_text(n)),
        Value::String(s) => {
            let style = scalar_style(s, false);
            if style == Style::Literal {
                write_literal(out, s, block_indent);
            } else {
                write_string(out, s, style, fold_indent, true);
            }
        }
        Value::Object(_) => out.push_str("{}"),
        Value::Array(_) => out.push_str("[]"),
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)` for floats; integers as they are.
fn number_text(n: &serde_json::Number) -> String {
    if n.is_i64() || n.is_u64() {
        return n.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+.inf".into()
        } else {
            "-.inf".into()
        };
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-4..1e21).contains(&abs) {
        let s = format!("{f:e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let (sign, digits) = match exp.strip_prefix('-') {
            Some(d) => ('-', d),
            None => ('+', exp),
        };
        return format!("{mantissa}e{sign}{digits:0>2}");
    }
    format!("{f}")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// Whether YAML 1.1 (go-yaml v2's resolver) reads this plain text as something else than a string.
fn resolves_to_non_string(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true",
        "True", "TRUE", "n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE",
        ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan",
        ".NaN", ".NAN",
    ];
    if SPECIAL.contains(&s) {
        return true;
    }
    let Some(first) = s.chars().next() else {
        return true;
    };
    if !"+-.0123456789".contains(first) {
        return false;
    }
    let plain = s.replace('_', "");
    let unsigned = plain.trim_start_matches(['+', '-']);
    let int_like =
        |digits: &str, radix: u32| !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix));
    let is_int = if let Some(hex) = unsigned
        .strip_prefix("0x")
        .or_else(|| unsigned.strip_prefix("0X"))
    {
        int_like(hex, 16)
    } else if let Some(oct) = unsigned
        .strip_prefix("0o")
        .or_else(|| unsigned.strip_prefix("0O"))
    {
        int_like(oct, 8)
    } else if let Some(bin) = unsigned
        .strip_prefix("0b")
        .or_else(|| unsigned.strip_prefix("0B"))
    {
        int_like(bin, 2)
    } else if unsigned.len() > 1 && unsigned.starts_with('0') {
        int_like(&unsigned[1..], 8) || int_like(unsigned, 10)
    } else {
        int_like(unsigned, 10)
    };
    is_int || is_yaml_float(&plain) || is_base60(s)
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_float(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mant, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let mant_ok = match mant.split_once('.') {
        Some(("", frac)) => digits(frac),
        Some((int, frac)) => digits(int) && (frac.is_empty() || digits(frac)),
        None => digits(mant),
    };
    let exp_ok = exp.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    mant_ok && exp_ok
}

/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$` (YAML 1.1 sexagesimal numbers).
fn is_base60(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (body, frac) = match s.split_once('.') {
        Some((b, f)) => (b, Some(f)),
        None => (s, None),
    };
    let mut parts = body.split(':');
    let head = parts.next().unwrap_or("");
    let head_ok = head.starts_with(|c: char| c.is_ascii_digit())
        && head.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    let rest: Vec<&str> = parts.collect();
    let rest_ok = !rest.is_empty()
        && rest.iter().all(|p| {
            (1..=2).contains(&p.len())
                && p.bytes().all(|b| b.is_ascii_digit())
                && (p.len() == 1 || p.as_bytes()[0] <= b'5')
        });
    let frac_ok = frac.is_none_or(|f| f.bytes().all(|b| b.is_ascii_digit() || b == b'_'));
    head_ok && rest_ok && frac_ok
}

fn is_printable(c: char) -> bool {
    matches!(c, '\n' | '\u{20}'..='\u{7e}' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..='\u{10ffff}')
        && c != '\u{feff}'
}

/// libyaml's scalar analysis for block context, after go-yaml's choice of style.
pub(super) fn scalar_style(s: &str, is_key: bool) -> Style {
    let has_break = s.contains('\n');
    let special = s.chars().any(|c| !is_printable(c));
    let chars: Vec<char> = s.chars().collect();
    let blankz = |i: usize| chars.get(i).is_none_or(|c| matches!(c, ' ' | '\t' | '\n'));
    let mut block_indicators = false;
    let mut space_break = false;
    let mut break_space = false;
    for (i, &c) in chars.iter().enumerate() {
        if i == 0 {
            if "#,[]{}&*!|>'\"%@`".contains(c) {
                block_indicators = true;
            }
            if (c == '?' || c == ':' || c == '-') && blankz(1) {
                block_indicators = true;
            }
        } else {
            if c == ':' && blankz(i + 1) {
                block_indicators = true;
            }
            if c == '#' && matches!(chars[i - 1], ' ' | '\t' | '\n') {
                block_indicators = true;
            }
        }
        if c == ' ' && chars.get(i + 1) == Some(&'\n') {
            space_break = true;
        }
        if c == '\n' && chars.get(i + 1) == Some(&' ') {
            break_space = true;
        }
    }
    let leading = chars.first().is_some_and(|c| *c == ' ' || *c == '\n');
    let trailing_space = chars.last() == Some(&' ');
    let trailing = trailing_space || chars.last() == Some(&'\n');
    let doc_marker = s.starts_with("---") || s.starts_with("...");
    if special || space_break {
        return Style::Double;
    }
    if has_break && !is_key {
        return if trailing_space {
            Style::Double
        } else {
            Style::Literal
        };
    }
    if resolves_to_non_string(s) {
        return Style::Double;
    }
    let plain_ok =
        !(leading || trailing || has_break || block_indicators || doc_marker || break_space);
    if plain_ok {
        Style::Plain
    } else if break_space || has_break {
        Style::Double
    } else {
        Style::Single
    }
}

/// Writes a plain, single- or double-quoted scalar; plain and single fold at spaces past 80 columns.
fn write_string(out: &mut String, s: &str, style: Style, fold_indent: usize, allow_breaks: bool) {
    match style {
        Style::Double => {
            out.push('"');
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\0' => out.push_str("\\0"),
                    '\u{7}' => out.push_str("\\a"),
                    '\u{8}' => out.push_str("\\b"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\u{b}' => out.push_str("\\v"),
                    '\u{c}' => out.push_str("\\f"),
                    '\r' => out.push_str("\\r"),
                    '\u{1b}' => out.push_str("\\e"),
                    '\u{85}' => out.push_str("\\N"),
                    '\u{a0}' => out.push_str("\\_"),
                    '\u{2028}' => out.push_str("\\L"),
                    '\u{2029}' => out.push_str("\\P"),
                    c if !is_printable(c) => {
                        let v = c as u32;
                        if v <= 0xff {
                            out.push_str(&format!("\\x{v:02X}"));
                        } else if v <= 0xffff {
                            out.push_str(&format!("\\u{v:04X}"));
                        } else {
                            out.push_str(&format!("\\U{v:08X}"));
                        }
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
        }
        Style::Plain | Style::Single => {
            let single = style == Style::Single;
            if single {
                out.push('\'');
            }
            let chars: Vec<char> = s.chars().collect();
            let mut col = column(out);
            let mut prev_space = false;
            for (i, &c) in chars.iter().enumerate() {
                if c == ' ' {
                    if allow_breaks
                        && !prev_space
                        && col > BEST_WIDTH
                        && i + 1 < chars.len()
                        && chars[i + 1] != ' '
                    {
                        out.push('\n');
                        pad(out, fold_indent);
                        col = fold_indent;
                    } else {
                        out.push(' ');
                        col += 1;
                    }
                    prev_space = true;
                    continue;
                }
                prev_space = false;
                if single && c == '\'' {
                    out.push_str("''");
                    col += 2;
                } else {
                    out.push(c);
                    col += 1;
                }
            }
            if single {
                out.push('\'');
            }
        }
        Style::Literal => write_literal(out, s, fold_indent),
    }
}

/// `|`, `|-` or `|+` (with an indentation indicator when the text starts with a space or break).
fn write_literal(out: &mut String, s: &str, indent: usize) {
    out.push('|');
    if s.starts_with([' ', '\n']) {
        out.push('2');
    }
    if !s.ends_with('\n') {
        out.push('-');
    } else if s == "\n" || s[..s.len() - 1].ends_with('\n') {
        out.push('+');
    }
    out.push('\n');
    let body = s.trim_end_matches('\n');
    let trailing_breaks = s.len() - body.len();
    for (i, line) in body.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if !line.is_empty() {
            pad(out, indent);
            out.push_str(line);
        }
    }
    // `|+` keeps the extra trailing line breaks; the last one is written by the caller.
    for _ in 1..trailing_breaks {
        out.push('\n');
    }
}
