//! Reading a YAML values file (`-f`) exactly as Helm 4 reads it (`loader.LoadValues`).
//!
//! Helm splits the file into documents at lines starting with `---` (anything but a comment after
//! the dashes is an error), decodes each document with go-yaml v2 through `sigs.k8s.io/yaml`, and
//! merges the documents in order with `MergeMaps`. go-yaml v2 speaks YAML 1.1, so plain scalars such
//! as `yes`, `off`, `y`, `0755` (octal), `1_000` and `08` resolve to booleans and numbers, while
//! yaml_serde (YAML 1.2) keeps them strings; map keys are resolved the same way and then turned into
//! strings (`y: 1` is the key `"true"`). This module parses with yaml_serde and re-resolves the plain
//! scalars it left as strings with go-yaml v2's rules, so values files mean what they mean to Helm.
//!
//! Known differences, all on explicit or custom tags: a scalar under a custom tag (`!foo 12`) keeps
//! its YAML 1.2 type where Helm makes it a string, `!!bool yes` and `!!null ""` are errors here,
//! and `!!binary` is decoded only on a one-line scalar.

use std::fmt;
use std::sync::LazyLock;

use base64::Engine as _;
use serde::de::{self, DeserializeSeed, EnumAccess, MapAccess, SeqAccess};
use serde::de::{VariantAccess, Visitor};
use serde_json::{Map, Number, Value};

use super::{Values, ValuesError, options::merge_maps};

mod fast;

/// Parses the text of a values file named `name` (used in errors) into values: every YAML document
/// of the file merged in order, an empty file or document being `{}`.
///
/// Errors name `name:line:column` for YAML errors, `name:line` for a document that is not a map or
/// a bad `---` separator line.
pub fn parse_values(name: &str, text: &str) -> Result<Values, ValuesError> {
    parse(name, text, true)
}

/// [`parse_values`] without its fast path: every document through the full YAML parser. The
/// reference the fast path is tested against (`tests/values_fastpath.rs`).
pub fn parse_values_full(name: &str, text: &str) -> Result<Values, ValuesError> {
    parse(name, text, false)
}

/// [`parse_values`] with its fast path only: `None` when a document of `text` is outside what
/// the fast path reads (or is an error). For differential tests of the fast path.
pub fn parse_values_fast(text: &str) -> Option<Values> {
    let mut values = Values::new();
    for (_, doc) in split_documents("", text).ok()? {
        merge_maps(&mut values, fast::document(doc)?);
    }
    Some(values)
}

fn parse(name: &str, text: &str, fast: bool) -> Result<Values, ValuesError> {
    let mut values = Values::new();
    for (first_line, doc) in split_documents(name, text)? {
        // Most values files are plain block YAML: read them without the full parser.
        if fast && let Some(map) = fast::document(doc) {
            merge_maps(&mut values, map);
            continue;
        }
        // Pad with empty lines so that yaml_serde reports lines of the whole file.
        let padded = format!("{}{doc}", "\n".repeat(first_line - 1));
        let Some(document) = yaml_serde::Deserializer::from_str(&padded).next() else {
            continue;
        };
        let seed = NodeSeed { src: &padded };
        let node = seed
            .deserialize(document)
            .map_err(|e| yaml_error(name, &e))?;
        match node {
            Value::Null => {}
            Value::Object(map) => merge_maps(&mut values, map),
            other => {
                return Err(ValuesError::new(
                    format!("{name}:{first_line}"),
                    format!(
                        "the YAML document starting here is {}; values must be a map",
                        super::describe(&other)
                    ),
                ));
            }
        }
    }
    Ok(values)
}

/// A yaml_serde error as a values error located at `name:line:column`; the message loses its
/// own `at line L column C` for the first position (the location says it) and stays on one line.
fn yaml_error(name: &str, e: &yaml_serde::Error) -> ValuesError {
    let text = e.to_string();
    let (location, message) = match e.location() {
        Some(at) => (
            format!("{name}:{}:{}", at.line(), at.column()),
            text.replacen(
                &format!(" at line {} column {}", at.line(), at.column()),
                "",
                1,
            ),
        ),
        None => (name.to_string(), text),
    };
    let message = crate::text::one_line(&message);
    ValuesError::new(location, message)
}

/// Helm's `YAMLReader`: the documents of `text` with the 1-based line each starts on. A line
/// starting with `---` separates documents; only white space or a comment may follow the dashes.
/// Documents with no lines are skipped.
fn split_documents<'t>(name: &str, text: &'t str) -> Result<Vec<(usize, &'t str)>, ValuesError> {
    let b = text.as_bytes();
    let mut docs = Vec::new();
    // Separator lines start at the text's start or after a `\n` (found by substring search:
    // walking every line of a large values file costs more).
    let separators = text
        .starts_with("---")
        .then_some(0)
        .into_iter()
        .chain(memchr::memmem::find_iter(b, b"\n---").map(|i| i + 1));
    // The 1-based line of byte `counted`.
    let (mut line, mut counted) = (1, 0);
    let mut line_of = |at: usize| {
        line += memchr::memchr_iter(b'\n', &b[counted..at]).count();
        counted = at;
        line
    };
    // Where the lines after the previous separator start.
    let mut start = 0;
    for sep in separators {
        let sep_end = memchr::memchr(b'\n', &b[sep..]).map_or(b.len(), |i| sep + i + 1);
        if start < sep {
            docs.push((line_of(start), &text[start..sep]));
        }
        let rest = text[sep + 3..sep_end].trim();
        if !rest.is_empty() && !rest.starts_with('#') {
            return Err(ValuesError::new(
                format!("{name}:{}", line_of(sep)),
                format!("invalid YAML document separator: {rest}"),
            ));
        }
        start = sep_end;
    }
    if start < text.len() {
        docs.push((line_of(start), &text[start..]));
    }
    Ok(docs)
}

/// Deserializes one YAML node into a JSON value with go-yaml v2's resolution. `src` is the text
/// being parsed: yaml_serde hands plain and quoted scalars to us as slices of it, and the
/// characters before a slice tell whether the scalar was quoted or tagged.
#[derive(Clone, Copy)]
struct NodeSeed<'s> {
    src: &'s str,
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_> {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        match d.deserialize_any(NodeVisitor {
            src: self.src,
            key: false,
        })? {
            Node::Value(v) => Ok(v),
            Node::Merge => Ok(Value::String("<<".into())),
        }
    }
}

/// A map key: its string form as `sigs.k8s.io/yaml` makes it, or the merge key `<<`.
#[derive(Clone, Copy)]
struct KeySeed<'s> {
    src: &'s str,
}

enum Key {
    Name(String),
    Merge,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        let node = d.deserialize_any(NodeVisitor {
            src: self.src,
            key: true,
        })?;
        match node {
            Node::Merge => Ok(Key::Merge),
            Node::Value(value) => key_name(value).map(Key::Name).map_err(de::Error::custom),
        }
    }
}

/// A resolved map key as the string `sigs.k8s.io/yaml` makes of it.
fn key_name(value: Value) -> Result<String, String> {
    Ok(match value {
        Value::String(s) => s,
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => i.to_string(),
            (None, Some(f)) if n.is_f64() => go_float32_key(f),
            // sigs.k8s.io/yaml has no string form for uint64 keys.
            _ => return Err(format!("unsupported map key: {n} (larger than int64)")),
        },
        other => return Err(format!("unsupported map key: {}", super::describe(&other))),
    })
}

enum Node {
    Value(Value),
    /// A plain `<<` scalar: a merge key when it is a map key.
    Merge,
}

struct NodeVisitor<'s> {
    src: &'s str,
    key: bool,
}

impl NodeVisitor<'_> {
    fn number<E: de::Error>(f: f64) -> Result<Node, E> {
        Number::from_f64(f)
            .map(|n| Node::Value(Value::Number(n)))
            .ok_or_else(|| E::custom(format!("unsupported value: {f} (JSON cannot hold it)")))
    }

    /// How a scalar handed over as a slice of the source was written.
    fn style(&self, s: &str) -> Style {
        scalar_style(self.src, s)
    }
}

/// How a scalar handed over as a slice `s` of the source `src` was written: plain, tagged, or
/// something else (quoted, block), judged from the characters before it.
fn scalar_style(src: &str, s: &str) -> Style {
    let start = (s.as_ptr() as usize).wrapping_sub(src.as_ptr() as usize);
    let Some(before) = src.get(..start) else {
        return Style::Other;
    };
    if before.ends_with(['"', '\'']) {
        return Style::Other;
    }
    // Node properties (`!tag`, `&anchor`) may precede the scalar, on the same or earlier lines.
    let mut rest = before.trim_end();
    for _ in 0..2 {
        // After the separator, which may be a multi-byte white space (U+2028 ...).
        let token_start = rest
            .char_indices()
            .rev()
            .find(|&(_, c)| c.is_whitespace() || ",[]{}".contains(c))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let token = &rest[token_start..];
        if let Some(tag) = token.strip_prefix('!') {
            return Style::Tagged(tag.to_string());
        }
        if !token.starts_with('&') {
            break;
        }
        rest = rest[..token_start].trim_end();
    }
    Style::Plain
}

enum Style {
    Plain,
    /// The tag's text after the first `!` (`!str` for `!!str`).
    Tagged(String),
    /// Quoted, block or folded: a string.
    Other,
}

impl<'de> Visitor<'de> for NodeVisitor<'_> {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Value(Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Value(Value::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Value(Value::from(v)))
    }

    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Node, E> {
        match i64::try_from(v) {
            Ok(v) => self.visit_i64(v),
            Err(_) => Self::number(v as f64),
        }
    }

    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Node, E> {
        match u64::try_from(v) {
            Ok(v) => self.visit_u64(v),
            Err(_) => Self::number(v as f64),
        }
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Node, E> {
        Self::number(v)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Value(Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Value(Value::Null))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node, E> {
        // Not a slice of the source: quoted with escapes, block, or a multi-line plain scalar,
        // none of which resolve to anything but a string.
        Ok(Node::Value(Value::String(v.to_string())))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Node, E> {
        match self.style(v) {
            Style::Plain if v == "<<" && self.key => Ok(Node::Merge),
            Style::Plain => resolve_plain(v).map(Node::Value).map_err(E::custom),
            Style::Tagged(tag) if tag == "!binary" => {
                let compact: String = v.chars().filter(|c| !c.is_whitespace()).collect();
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(compact)
                    .map_err(|e| E::custom(format!("!!binary value is not base64: {e}")))?;
                Ok(Node::Value(Value::String(
                    String::from_utf8_lossy(&bytes).into_owned(),
                )))
            }
            Style::Tagged(_) | Style::Other => Ok(Node::Value(Value::String(v.to_string()))),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(NodeSeed { src: self.src })? {
            items.push(item);
        }
        Ok(Node::Value(Value::Array(items)))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key_seed(KeySeed { src: self.src })? {
            let value = map.next_value_seed(NodeSeed { src: self.src })?;
            match key {
                Key::Name(name) => {
                    out.insert(name, value);
                }
                Key::Merge => merge_key(&mut out, value).map_err(de::Error::custom)?,
            }
        }
        Ok(Node::Value(Value::Object(out)))
    }

    fn visit_enum<A: EnumAccess<'de>>(self, data: A) -> Result<Node, A::Error> {
        // A custom tag (`!foo value`): go-yaml keeps the value, ignoring the tag.
        let (_tag, variant): (String, _) = data.variant()?;
        variant
            .newtype_variant_seed(NodeSeed { src: self.src })
            .map(Node::Value)
    }
}

/// go-yaml v2's `<<` merge key: the entries of a map (or of each map of a list, earlier maps
/// winning) are set into `out`, replacing keys set before and replaced by keys set after.
fn merge_key(out: &mut Values, value: Value) -> Result<(), String> {
    const WRONG: &str = "map merge requires map or sequence of maps as the value";
    match value {
        Value::Object(map) => out.extend(map),
        Value::Array(items) => {
            for item in items.into_iter().rev() {
                match item {
                    Value::Object(map) => out.extend(map),
                    _ => return Err(WRONG.into()),
                }
            }
        }
        _ => return Err(WRONG.into()),
    }
    Ok(())
}

/// go-yaml v2's `resolve` for a plain scalar that yaml_serde (YAML 1.2) left a string: YAML 1.1
/// booleans, and numbers with underscores, a leading `0` (octal), or `0X`/`0O`/`0B` prefixes.
fn resolve_plain(s: &str) -> Result<Value, String> {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" => {
            return Ok(Value::Bool(true));
        }
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => {
            return Ok(Value::Bool(false));
        }
        "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::Null),
        ".nan" | ".NaN" | ".NAN" | ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF"
        | "-.inf" | "-.Inf" | "-.INF" => {
            return Err(format!("unsupported value: {s} (JSON cannot hold it)"));
        }
        _ => {}
    }
    let string = || Ok(Value::String(s.to_string()));
    match s.as_bytes().first() {
        Some(b'.') => match s.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(float(f)),
            _ => string(),
        },
        Some(b'0'..=b'9' | b'+' | b'-') => {
            let plain = s.replace('_', "");
            match go_parse_int(&plain) {
                Some(Parsed::Int(n)) => return Ok(Value::from(n)),
                Some(Parsed::Uint(n)) => return Ok(Value::from(n)),
                Some(Parsed::Big(f)) => return Ok(float(f)),
                None => {}
            }
            if YAML_FLOAT.is_match(&plain)
                && let Ok(f) = plain.parse::<f64>()
                && f.is_finite()
            {
                return Ok(float(f));
            }
            string()
        }
        _ => string(),
    }
}

/// go-yaml v2's `yamlStyleFloat`.
static YAML_FLOAT: LazyLock<regex::Regex> = LazyLock::new(|| {
    regex::Regex::new(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
        .expect("a valid regex")
});

fn float(f: f64) -> Value {
    Number::from_f64(f).map_or(Value::Null, Value::Number)
}

enum Parsed {
    Int(i64),
    Uint(u64),
    /// Too large for 64 bits: go-yaml makes a big.Int, which JSON turns into a float64.
    Big(f64),
}

/// Go's `strconv.ParseInt(s, 0, 64)` then `ParseUint(s, 0, 64)` then `big.Int.SetString(s, 0)`:
/// an optional sign, a base prefix (`0x`, `0o`, `0b`, or a bare leading `0` for octal), digits.
fn go_parse_int(s: &str) -> Option<Parsed> {
    let (negative, unsigned) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let lower = unsigned.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = u128::from_str_radix(digits, radix).ok();
    match magnitude {
        Some(m) if negative && m <= i64::MAX as u128 + 1 => {
            Some(Parsed::Int((m as i128).wrapping_neg() as i64))
        }
        Some(m) if !negative && m <= i64::MAX as u128 => Some(Parsed::Int(m as i64)),
        Some(m) if !negative && m <= u64::MAX as u128 => Some(Parsed::Uint(m as u64)),
        _ => {
            let f = digits.chars().fold(0f64, |acc, c| {
                acc * f64::from(radix) + f64::from(c.to_digit(radix).unwrap_or(0))
            });
            Some(Parsed::Big(if negative { -f } else { f }))
        }
    }
}

/// A float map key as `sigs.k8s.io/yaml` writes it: `strconv.FormatFloat(f, 'g', -1, 32)`.
fn go_float32_key(f: f64) -> String {
    let f = f as f32;
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.into();
    }
    // Shortest round-trip digits of the float32, as `d.ddddde±x`.
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(m) => ("-", m),
        None => ("", mantissa),
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if !(-4..6).contains(&exp) {
        let mut out = format!("{sign}{}", &digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let exp_sign = if exp < 0 { '-' } else { '+' };
        out.push_str(&format!("e{exp_sign}{:02}", exp.abs()));
        return out;
    }
    let point = exp + 1; // digits before the decimal point
    if point <= 0 {
        format!(
            "{sign}0.{}{digits}",
            "0".repeat(point.unsigned_abs() as usize)
        )
    } else if point as usize >= digits.len() {
        format!(
            "{sign}{digits}{}",
            "0".repeat(point as usize - digits.len())
        )
    } else {
        let (int, frac) = digits.split_at(point as usize);
        format!("{sign}{int}.{frac}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn values(text: &str) -> Value {
        Value::Object(parse_values("v.yaml", text).unwrap_or_else(|e| panic!("{text:?}: {e}")))
    }

    fn error(text: &str) -> ValuesError {
        match parse_values("v.yaml", text) {
            Ok(v) => panic!("{text:?} parsed to {v:?}"),
            Err(e) => e,
        }
    }

    #[test]
    fn plain_scalars_resolve_as_yaml_1_1() {
        for (text, want) in [
            ("yes", json!(true)),
            ("On", json!(true)),
            ("y", json!(true)),
            ("NO", json!(false)),
            ("off", json!(false)),
            ("0755", json!(493)),
            ("-0755", json!(-493)),
            ("08", json!(8.0)),
            ("1_000", json!(1000)),
            ("0X1F", json!(31)),
            ("0O17", json!(15)),
            ("0b_101", json!(5)),
            ("1e3", json!(1000.0)),
            ("18446744073709551615", json!(u64::MAX)),
            ("1:20", json!("1:20")),
            ("2001-12-14", json!("2001-12-14")),
            ("NaN", json!("NaN")),
            ("yes please", json!("yes please")),
        ] {
            assert_eq!(values(&format!("a: {text}\n"))["a"], want, "{text}");
        }
    }

    #[test]
    fn quoted_tagged_and_block_scalars_stay_strings() {
        assert_eq!(
            values("a: \"yes\"\nb: '0755'\nc: !!str on\nd: &x !!str 08\ne: |\n  yes\nf: *x\n"),
            json!({"a": "yes", "b": "0755", "c": "on", "d": "08", "e": "yes\n", "f": "08"})
        );
        assert_eq!(values("a: !!binary aGk=\n"), json!({"a": "hi"}));
        assert_eq!(values("a: !custom {b: yes}\n"), json!({"a": {"b": true}}));
    }

    #[test]
    fn keys_are_resolved_then_stringified() {
        assert_eq!(
            values("y: 1\n2: b\n0x10: c\n1.5: d\n1e20: e\n\"on\": f\n"),
            json!({"true": 1, "2": "b", "16": "c", "1.5": "d", "1e+20": "e", "on": "f"})
        );
        assert!(
            error("~: 1\n")
                .message
                .contains("unsupported map key: null")
        );
        assert!(
            error("? [a]\n: 1\n")
                .message
                .contains("unsupported map key: a list")
        );
        assert!(
            error("18446744073709551615: 1\n")
                .message
                .contains("larger than int64")
        );
    }

    #[test]
    fn merge_keys_follow_go_yaml_v2() {
        assert_eq!(
            values("b: &b {k: 1, m: 1}\nc:\n  k: 0\n  <<: *b\n  m: 2\n"),
            json!({"b": {"k": 1, "m": 1}, "c": {"k": 1, "m": 2}})
        );
        assert_eq!(
            values("a: &a {k: 1}\nb: &b {k: 2, o: 2}\nc:\n  <<: [*a, *b]\n"),
            json!({"a": {"k": 1}, "b": {"k": 2, "o": 2}, "c": {"k": 1, "o": 2}})
        );
        assert_eq!(values("\"<<\": {a: 1}\n"), json!({"<<": {"a": 1}}));
        assert_eq!(values("a: [<<]\n"), json!({"a": ["<<"]}));
        assert!(error("<<: 1\n").message.contains("map merge requires map"));
    }

    #[test]
    fn documents_merge_and_empty_ones_are_skipped() {
        assert_eq!(
            values("---\n---\na: {b: 1, c: 2}\n--- # next\na: {c: 3}\n---\n"),
            json!({"a": {"b": 1, "c": 3}})
        );
        assert_eq!(values(""), json!({}));
        assert_eq!(values("# comment only\n"), json!({}));
        assert_eq!(values("a: 1\n...\nignored: [\n"), json!({"a": 1}));
    }

    #[test]
    fn errors_carry_file_line_and_column() {
        let e = error("a: 1\n---\nb: 2\n---\nc: [1\nd: 2\n");
        assert_eq!(e.location, "v.yaml:6:2");
        assert_eq!(
            e.message,
            "did not find expected ',' or ']', while parsing a flow sequence at line 5 column 4"
        );
        let e = error("a: 1\n---\n\n- 1\n");
        assert_eq!(e.location, "v.yaml:3");
        assert!(e.message.contains("a list; values must be a map"), "{e}");
        let e = error("a: 1\n--- b: 2\n");
        assert_eq!(e.location, "v.yaml:2");
        assert_eq!(e.message, "invalid YAML document separator: b: 2");
        let e = error("a: .inf\n");
        assert!(e.location.starts_with("v.yaml:1:"), "{e}");
        assert!(e.message.contains("JSON cannot hold it"), "{e}");
    }

    #[test]
    fn go_integer_parsing() {
        let int = |s: &str| match go_parse_int(s) {
            Some(Parsed::Int(n)) => Some(n as f64),
            Some(Parsed::Uint(n)) => Some(n as f64),
            Some(Parsed::Big(f)) => Some(f),
            None => None,
        };
        assert_eq!(int("0"), Some(0.0));
        assert_eq!(int("-9223372036854775808"), Some(-9223372036854775808.0));
        assert_eq!(int("0xff"), Some(255.0));
        assert_eq!(int("+017"), Some(15.0));
        assert_eq!(int("0x"), None);
        assert_eq!(int("09"), None);
        assert_eq!(int("+-1"), None);
        assert_eq!(int("0x1_0"), None); // underscores are removed before parsing
        assert_eq!(int("0x10000000000000000"), Some(18446744073709551616.0));
    }

    #[test]
    fn float_keys_use_go_g_format_at_float32_precision() {
        for (f, want) in [
            (1.0, "1"),
            (2.5, "2.5"),
            (0.1, "0.1"),
            (100000.0, "100000"),
            (1000000.0, "1e+06"),
            (1234567.0, "1.234567e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-0.0, "-0"),
            (-2.5e-7, "-2.5e-07"),
        ] {
            assert_eq!(go_float32_key(f), want, "{f}");
        }
    }

    #[test]
    fn multi_byte_white_space_before_a_scalar_is_no_panic() {
        // libyaml reads U+2028 as a line break: the scalar `08` follows it directly.
        assert_eq!(values("a:\n- b\u{2028}- 08\n"), json!({"a": ["b", 8.0]}));
    }

    proptest! {
        #[test]
        fn random_yaml_never_panics(text in "([a-c0-9_.:,!&*<>|#'\"{}\\[\\] -]{0,12}\n?){0,6}") {
            let _ = parse_values("fuzz.yaml", &text);
        }

        #[test]
        fn documents_split_as_a_line_walk_does(text in "([-a# \n]{0,5}\n?){0,8}") {
            // The reference: Helm's YAMLReader walking the lines.
            let mut want = Vec::new();
            let mut current: Option<(usize, usize)> = None;
            let mut offset = 0;
            let mut bad = None;
            for (n, line) in text.split_inclusive('\n').enumerate() {
                let line_start = offset;
                offset += line.len();
                if let Some(rest) = line.strip_prefix("---") {
                    let rest = rest.trim();
                    if !rest.is_empty() && !rest.starts_with('#') {
                        bad = Some(format!("x.yaml:{}", n + 1));
                        break;
                    }
                    if let Some((first, start)) = current.take() {
                        want.push((first, &text[start..line_start]));
                    }
                    continue;
                }
                if current.is_none() {
                    current = Some((n + 1, line_start));
                }
            }
            if let Some((first, start)) = current {
                want.push((first, &text[start..]));
            }
            match (split_documents("x.yaml", &text), bad) {
                (Err(e), Some(location)) => prop_assert_eq!(e.location, location),
                (Ok(got), None) => prop_assert_eq!(got, want),
                (got, bad) => prop_assert!(false, "{:?} / {:?}", got.map(|_| ()), bad),
            }
        }
    }
}
