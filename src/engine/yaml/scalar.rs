//! Scalars in Helm's `toYaml` style (go-yaml v2, libyaml's analysis): which style a string
//! takes, how it is written, and how numbers print. The analysis works on bytes: every rule
//! looks at ASCII characters only, and a UTF-8 continuation byte is never ASCII.

use std::borrow::Cow;
use std::fmt::Write as _;

/// libyaml's preferred line width: plain and single-quoted text folds at spaces past it.
const BEST_WIDTH: usize = 80;

/// How a string scalar is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Style {
    Plain,
    Single,
    Double,
    Literal,
}

/// Appends `n` spaces.
pub(super) fn pad(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut n = n;
    while n > SPACES.len() {
        out.push_str(SPACES);
        n -= SPACES.len();
    }
    out.push_str(&SPACES[..n]);
}

/// Writes an integer.
pub(super) fn write_int(out: &mut String, n: impl std::fmt::Display) {
    let _ = write!(out, "{n}");
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`, with YAML's names for the non-finite values.
pub(super) fn write_float(out: &mut String, f: f64) {
    if f.is_nan() {
        out.push_str(".nan");
        return;
    }
    if f.is_infinite() {
        out.push_str(if f > 0.0 { "+.inf" } else { "-.inf" });
        return;
    }
    let abs = f.abs();
    if abs != 0.0 && !(1e-4..1e21).contains(&abs) {
        let s = format!("{f:e}");
        let (mantissa, exp) = s.split_once('e').unwrap_or((&s, "0"));
        let (sign, digits) = match exp.strip_prefix('-') {
            Some(d) => ('-', d),
            None => ('+', exp),
        };
        let _ = write!(out, "{mantissa}e{sign}{digits:0>2}");
        return;
    }
    let _ = write!(out, "{f}");
}

/// Whether YAML 1.1 (go-yaml v2's resolver) reads this plain text as something else than a string.
fn resolves_to_non_string(s: &str) -> bool {
    if matches!(
        s,
        "" | "~"
            | "null"
            | "Null"
            | "NULL"
            | "y"
            | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "on"
            | "On"
            | "ON"
            | "true"
            | "True"
            | "TRUE"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "off"
            | "Off"
            | "OFF"
            | "false"
            | "False"
            | "FALSE"
            | ".inf"
            | ".Inf"
            | ".INF"
            | "+.inf"
            | "+.Inf"
            | "+.INF"
            | "-.inf"
            | "-.Inf"
            | "-.INF"
            | ".nan"
            | ".NaN"
            | ".NAN"
    ) {
        return true;
    }
    let Some(&first) = s.as_bytes().first() else {
        return true;
    };
    if !matches!(first, b'+' | b'-' | b'.' | b'0'..=b'9') {
        return false;
    }
    let plain: Cow<str> = if s.contains('_') {
        Cow::Owned(s.replace('_', ""))
    } else {
        Cow::Borrowed(s)
    };
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
    let mut rest = 0;
    let rest_ok = parts.all(|p| {
        rest += 1;
        (1..=2).contains(&p.len())
            && p.bytes().all(|b| b.is_ascii_digit())
            && (p.len() == 1 || p.as_bytes()[0] <= b'5')
    }) && rest > 0;
    let frac_ok = frac.is_none_or(|f| f.bytes().all(|b| b.is_ascii_digit() || b == b'_'));
    head_ok && rest_ok && frac_ok
}

/// libyaml's printable set (a line break counts as printable).
fn is_printable(c: char) -> bool {
    matches!(c, '\n' | '\u{20}'..='\u{7e}' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..='\u{10ffff}')
        && c != '\u{feff}'
}

/// libyaml's scalar analysis for block context, after go-yaml's choice of style.
pub(super) fn scalar_style(s: &str, is_key: bool) -> Style {
    let b = s.as_bytes();
    let blank = |i: usize| b.get(i).is_none_or(|c| matches!(c, b' ' | b'\t' | b'\n'));
    let mut has_break = false;
    let mut block_indicators = b.first().is_some_and(|&first| {
        b"#,[]{}&*!|>'\"%@`".contains(&first) || (matches!(first, b'?' | b':' | b'-') && blank(1))
    });
    let mut space_break = false;
    let mut break_space = false;
    let mut special = false;
    let mut non_ascii = false;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'\n' => {
                has_break = true;
                break_space |= b.get(i + 1) == Some(&b' ');
            }
            b' ' => space_break |= b.get(i + 1) == Some(&b'\n'),
            b':' if i > 0 && blank(i + 1) => block_indicators = true,
            b'#' if i > 0 && matches!(b[i - 1], b' ' | b'\t' | b'\n') => block_indicators = true,
            0x80.. => non_ascii = true,
            // Control characters (a line break is printable) and DEL.
            ..0x20 | 0x7f => special = true,
            _ => {}
        }
    }
    if non_ascii && !special {
        special = s.chars().any(|c| !is_printable(c));
    }
    let leading = matches!(b.first(), Some(b' ' | b'\n'));
    let trailing_space = b.last() == Some(&b' ');
    let trailing = trailing_space || b.last() == Some(&b'\n');
    let doc_marker = s.starts_with("---") || s.starts_with("...");
    if space_break || special {
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

/// Writes a string scalar in the style `scalar_style` chose.
pub(super) fn write_scalar_string(
    out: &mut String,
    s: &str,
    fold_indent: usize,
    block_indent: usize,
) {
    let style = scalar_style(s, false);
    if style == Style::Literal {
        write_literal(out, s, block_indent);
    } else {
        write_string(out, s, style, fold_indent, true);
    }
}

/// Writes a plain, single- or double-quoted scalar; plain and single fold at spaces past 80 columns.
pub(super) fn write_string(
    out: &mut String,
    s: &str,
    style: Style,
    fold_indent: usize,
    allow_breaks: bool,
) {
    match style {
        Style::Double => write_double(out, s),
        Style::Plain | Style::Single => {
            let single = style == Style::Single;
            // Bytes bound characters from above: text that cannot pass column 80 never folds.
            let line_start = memchr::memrchr(b'\n', out.as_bytes()).map_or(0, |i| i + 1);
            let widest = out.len() - line_start + 2 * s.len() + 2;
            if !allow_breaks || widest <= BEST_WIDTH {
                if single {
                    out.push('\'');
                    push_single_body(out, s);
                    out.push('\'');
                } else {
                    out.push_str(s);
                }
            } else {
                write_folded(out, s, single, fold_indent);
            }
        }
        Style::Literal => write_literal(out, s, fold_indent),
    }
}

/// The body of a single-quoted scalar: `'` doubled.
fn push_single_body(out: &mut String, s: &str) {
    let mut rest = s;
    while let Some(i) = rest.find('\'') {
        out.push_str(&rest[..=i]);
        out.push('\'');
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
}

/// A plain or single-quoted scalar that may reach column 80: folded at single spaces past it.
fn write_folded(out: &mut String, s: &str, single: bool, fold_indent: usize) {
    if single {
        out.push('\'');
    }
    let chars: Vec<char> = s.chars().collect();
    let line_start = memchr::memrchr(b'\n', out.as_bytes()).map_or(0, |i| i + 1);
    let mut col = out[line_start..].chars().count();
    let mut prev_space = false;
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            if !prev_space && col > BEST_WIDTH && i + 1 < chars.len() && chars[i + 1] != ' ' {
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

/// A double-quoted scalar with libyaml's escapes.
fn write_double(out: &mut String, s: &str) {
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
                let _ = if v <= 0xff {
                    write!(out, "\\x{v:02X}")
                } else if v <= 0xffff {
                    write!(out, "\\u{v:04X}")
                } else {
                    write!(out, "\\U{v:08X}")
                };
            }
            c => out.push(c),
        }
    }
    out.push('"');
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
