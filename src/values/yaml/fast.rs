//! The fast path for values files: one document read with the block-YAML reader
//! (`engine::blockyaml`) into the values [`super::parse_values`] gives, or a decline.
//!
//! Scalars are resolved exactly as the full path resolves them: YAML 1.2 nulls, booleans and
//! plain decimal integers as yaml_serde reads them, then go-yaml v2's rules ([`resolve_plain`])
//! for the plain scalars yaml_serde leaves as strings, with the same look at node properties
//! before a scalar ([`scalar_style`]). Plain scalars of any other shape (floats, octals,
//! versions, dates ...) are rare enough to go through the full path's own visitor, one scalar at
//! a time. Everything the full path would refuse (null keys, merge keys, `.inf`) declines.

use serde::de::DeserializeSeed;
use serde_json::{Map, Number, Value};

use super::{Key, KeySeed, NodeSeed, Style, key_name, resolve_plain, scalar_style};
use crate::engine::blockyaml::{self, Block, Chomp, Decline, R, Scalar, Sink};

/// The values of one YAML document (a slice of a values file), or `None` when the fast path
/// cannot read it exactly (the caller must then use the full path).
pub(super) fn document(doc: &str) -> Option<Map<String, Value>> {
    let mut sink = ValuesSink {
        src: doc,
        stack: Vec::new(),
        root: None,
    };
    blockyaml::parse(doc, &mut sink).ok()?;
    sink.root
}

enum Frame {
    Map(Map<String, Value>, Option<String>),
    Seq(Vec<Value>),
}

/// Builds the values from the reader's events.
struct ValuesSink<'a> {
    /// The document: scalars are slices of it.
    src: &'a str,
    stack: Vec<Frame>,
    root: Option<Map<String, Value>>,
}

impl ValuesSink<'_> {
    /// Puts a finished value where it belongs: under the pending key or at the end of the list.
    fn attach(&mut self, value: Value) -> R<()> {
        match self.stack.last_mut() {
            Some(Frame::Map(map, key)) => {
                let key = key.take().ok_or(Decline)?;
                map.insert(key, value);
            }
            Some(Frame::Seq(items)) => items.push(value),
            None => match value {
                Value::Object(map) => self.root = Some(map),
                _ => return Err(Decline),
            },
        }
        Ok(())
    }

    /// A plain scalar's value (`key` for a map key, which the full path resolves the same way).
    fn plain(&self, p: &str, key: bool) -> R<Value> {
        // Most scalars are words: a string for every resolution below unless they are one of
        // the null and boolean words (all of at most five letters, starting with one of these).
        let b = p.as_bytes();
        let maybe_word = b.len() <= 5
            && matches!(
                b.first(),
                Some(b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'y' | b'Y' | b'o' | b'O')
            );
        if b.first().is_some_and(u8::is_ascii_alphabetic)
            && !maybe_word
            && quick_style(self.src, p) == Some(true)
        {
            return Ok(Value::String(p.to_owned()));
        }
        // yaml_serde's own resolution comes first (YAML 1.2).
        match p {
            "" | "~" | "null" | "Null" | "NULL" => return Ok(Value::Null),
            "true" | "True" | "TRUE" => return Ok(Value::Bool(true)),
            "false" | "False" | "FALSE" => return Ok(Value::Bool(false)),
            _ => {}
        }
        if let Some(n) = simple_int(p) {
            return Ok(Value::Number(n));
        }
        // Node properties before the scalar change how the full path reads it.
        let plain = match quick_style(self.src, p) {
            Some(plain) => plain,
            None => matches!(scalar_style(self.src, p), Style::Plain),
        };
        if !plain {
            return Err(Decline);
        }
        if !matches!(p.as_bytes()[0], b'0'..=b'9' | b'+' | b'-' | b'.') {
            // Never a number for yaml_serde (its numbers, infinities and NaNs start with a
            // digit, a sign or a dot): go-yaml v2's resolution decides.
            return resolve_plain(p).map_err(|_| Decline);
        }
        // Any other shape: the full path's visitor, on the scalar alone (as a document of its
        // own it reads the same, except for document markers).
        if p.starts_with("---") || p.starts_with("...") || (key && p == "<<") {
            return Err(Decline);
        }
        let document = yaml_serde::Deserializer::from_str(p)
            .next()
            .ok_or(Decline)?;
        if key {
            match (KeySeed { src: p }).deserialize(document) {
                Ok(Key::Name(name)) => Ok(Value::String(name)),
                _ => Err(Decline),
            }
        } else {
            NodeSeed { src: p }
                .deserialize(document)
                .map_err(|_| Decline)
        }
    }
}

/// [`TOKEN_STOP`]: a byte that ends a token.
const DELIMITER: u8 = 1;
/// [`TOKEN_STOP`]: a non-ASCII byte.
const NON_ASCII: u8 = 2;

/// What each byte is for [`quick_style`]'s walk back over a token: 0 for a byte of the token.
static TOKEN_STOP: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0x80;
    while c < 256 {
        t[c] = NON_ASCII;
        c += 1;
    }
    t[b' ' as usize] = DELIMITER;
    t[b'\n' as usize] = DELIMITER;
    t[b',' as usize] = DELIMITER;
    t[b'[' as usize] = DELIMITER;
    t[b']' as usize] = DELIMITER;
    t[b'{' as usize] = DELIMITER;
    t[b'}' as usize] = DELIMITER;
    t
};

/// [`scalar_style`] of a slice `p` of `src` for the common case, without its Unicode handling:
/// whether it is plain, `None` when a non-ASCII character is met (then ask [`scalar_style`]).
fn quick_style(src: &str, p: &str) -> Option<bool> {
    let b = src.as_bytes();
    let mut i = (p.as_ptr() as usize).checked_sub(src.as_ptr() as usize)?;
    if i > b.len() {
        return None;
    }
    if i > 0 && matches!(b[i - 1], b'"' | b'\'') {
        return Some(false);
    }
    // White space, then the token before the scalar: a tag or an anchor there is not plain.
    while i > 0 && matches!(b[i - 1], b' ' | b'\n') {
        i -= 1;
    }
    if i > 0 && b[i - 1] >= 0x80 {
        return None; // maybe a Unicode white space
    }
    let end = i;
    // One table look-up a byte: the token's delimiters stop the walk, non-ASCII gives up.
    while i > 0 {
        match TOKEN_STOP[usize::from(b[i - 1])] {
            0 => i -= 1,
            DELIMITER => break,
            _ => return None,
        }
    }
    match b[i..end].first() {
        Some(b'!' | b'&') => None,
        _ => Some(true),
    }
}

/// A plain decimal integer that yaml_serde reads as a 64-bit integer: no sign but `-`, no
/// leading zero, at most 18 digits.
fn simple_int(p: &str) -> Option<Number> {
    let digits = p.strip_prefix('-').unwrap_or(p);
    let b = digits.as_bytes();
    let ok = (p == "0")
        || (!b.is_empty() && b.len() <= 18 && b[0] != b'0' && b.iter().all(u8::is_ascii_digit));
    if !ok {
        return None;
    }
    p.parse::<i64>().ok().map(Number::from)
}

/// The value of a double-quoted scalar's escapes (validated by the reader).
fn unescape(raw: &str) -> R<String> {
    let mut out = String::with_capacity(raw.len());
    let mut chars = raw.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next().ok_or(Decline)?;
        let digits = match e {
            '0' => {
                out.push('\0');
                continue;
            }
            'a' => '\x07',
            'b' => '\x08',
            't' => '\t',
            'n' => '\n',
            'v' => '\x0b',
            'f' => '\x0c',
            'r' => '\r',
            'e' => '\x1b',
            ' ' => ' ',
            '"' => '"',
            '/' => '/',
            '\\' => '\\',
            'N' => '\u{85}',
            '_' => '\u{a0}',
            'L' => '\u{2028}',
            'P' => '\u{2029}',
            'x' | 'u' | 'U' => {
                let n = match e {
                    'x' => 2,
                    'u' => 4,
                    _ => 8,
                };
                let hex: String = chars.by_ref().take(n).collect();
                let code = u32::from_str_radix(&hex, 16).map_err(|_| Decline)?;
                out.push(char::from_u32(code).ok_or(Decline)?);
                continue;
            }
            _ => return Err(Decline),
        };
        out.push(digits);
    }
    Ok(out)
}

/// The value of a literal block scalar, as libyaml builds it; folded blocks decline.
fn block_value(block: &Block<'_>) -> R<String> {
    if !block.literal {
        return Err(Decline);
    }
    let mut out = String::new();
    let mut leading_break = false;
    let mut trailing_breaks = 0;
    for line in block.body.split_inclusive('\n') {
        let has_break = line.ends_with('\n');
        let text = line.strip_suffix('\n').unwrap_or(line);
        let spaces = text.len() - text.trim_start_matches(' ').len();
        if spaces == text.len() && spaces <= block.indent {
            trailing_breaks += usize::from(has_break);
            continue;
        }
        if leading_break {
            out.push('\n');
        }
        out.extend(std::iter::repeat_n('\n', trailing_breaks));
        trailing_breaks = 0;
        out.push_str(&text[block.indent..]);
        leading_break = has_break;
    }
    if block.chomp != Chomp::Strip && leading_break {
        out.push('\n');
    }
    if block.chomp == Chomp::Keep {
        out.extend(std::iter::repeat_n('\n', trailing_breaks));
    }
    Ok(out)
}

impl<'a> Sink<'a> for ValuesSink<'a> {
    fn map_start(&mut self) -> R<()> {
        self.stack.push(Frame::Map(Map::new(), None));
        Ok(())
    }

    fn map_end(&mut self) -> R<()> {
        match self.stack.pop() {
            Some(Frame::Map(map, None)) => self.attach(Value::Object(map)),
            _ => Err(Decline),
        }
    }

    fn seq_start(&mut self) -> R<()> {
        self.stack.push(Frame::Seq(Vec::new()));
        Ok(())
    }

    fn seq_end(&mut self) -> R<()> {
        match self.stack.pop() {
            Some(Frame::Seq(items)) => self.attach(Value::Array(items)),
            _ => Err(Decline),
        }
    }

    fn key(&mut self, key: Scalar<'a>) -> R<()> {
        let name = match key {
            Scalar::Plain("<<") => return Err(Decline), // a merge key
            Scalar::Plain(p) => key_name(self.plain(p, true)?).map_err(|_| Decline)?,
            Scalar::Quoted(q) => q.into_owned(),
            Scalar::Escaped(raw) => unescape(raw)?,
            Scalar::Empty | Scalar::Block(_) => return Err(Decline),
        };
        match self.stack.last_mut() {
            Some(Frame::Map(_, pending @ None)) => *pending = Some(name),
            _ => return Err(Decline),
        }
        Ok(())
    }

    fn scalar(&mut self, value: Scalar<'a>) -> R<()> {
        let value = match value {
            Scalar::Empty => Value::Null,
            Scalar::Plain(p) => self.plain(p, false)?,
            Scalar::Quoted(q) => Value::String(q.into_owned()),
            Scalar::Escaped(raw) => Value::String(unescape(raw)?),
            Scalar::Block(block) => Value::String(block_value(&block)?),
        };
        self.attach(value)
    }
}
