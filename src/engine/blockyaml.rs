//! A fast, conservative reader for the block YAML that templates and values files are made of.
//!
//! A full YAML parse costs about 20 µs per kilobyte, which dominates the render of a large chart
//! (its values file and every rendered document are parsed). Those texts use a small subset of
//! YAML: block maps and sequences (compact and indentless forms included), one-line plain and
//! quoted scalars, literal and folded blocks, one-line flow collections of simple scalars, and
//! comments. [`parse`] reads that subset in one pass over the lines and reports what it reads to
//! a [`Sink`]; on anything outside it (anchors, aliases, tags, explicit keys, directives, document
//! markers, multi-line plain, quoted or flow scalars, tabs, carriage returns, control or
//! line-separator characters, deep nesting ...) it declines, and the caller must use the full
//! parser, which also produces every error message. Everything accepted is valid YAML that
//! libyaml (the full parser) reads as the same structure; the sinks add their own, stricter
//! conditions (see `headscan` and `values::yaml`, and the differential tests of both).

use std::borrow::Cow;

/// Block collections nested deeper than this are left to the full parser (which has a
/// recursion limit of its own).
pub(super) const MAX_DEPTH: usize = 64;
/// Longest implicit key accepted (libyaml refuses keys longer than 1024 characters).
pub(super) const MAX_KEY_BYTES: usize = 1000;

/// The fast path gave up: the text is outside the subset it reads (or a sink refused it).
#[derive(Debug)]
pub struct Decline;

/// A fast-path result.
pub type R<T> = Result<T, Decline>;

/// A scalar as written.
#[derive(Debug)]
pub enum Scalar<'a> {
    /// No value at all (`key:` with nothing after it).
    Empty,
    /// A one-line plain scalar, a slice of the text (trailing spaces removed).
    Plain(&'a str),
    /// A one-line single-quoted or double-quoted scalar without escapes: its value.
    Quoted(Cow<'a, str>),
    /// A one-line double-quoted scalar with escapes (validated, not decoded): the text between
    /// the quotes.
    Escaped(&'a str),
    /// A literal (`|`) or folded (`>`) block scalar.
    Block(Block<'a>),
}

/// How a block scalar ends (its chomping indicator).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Chomp {
    /// `-`: no final line break.
    Strip,
    /// No indicator: one final line break.
    Clip,
    /// `+`: every final line break.
    Keep,
}

/// A block scalar: its header and its lines.
#[derive(Debug)]
pub struct Block<'a> {
    /// `|` (true) or `>` (false).
    pub literal: bool,
    /// The chomping indicator.
    pub chomp: Chomp,
    /// The indentation of its content lines.
    pub indent: usize,
    /// Its lines, from the line after the header up to the end of its last line (with that
    /// line's `\n` when it has one).
    pub body: &'a str,
}

/// What [`parse`] reports, in document order. Any method may decline.
pub trait Sink<'a> {
    /// A mapping starts (the document's root, a value, or an item).
    fn map_start(&mut self) -> R<()>;
    /// The current mapping ends.
    fn map_end(&mut self) -> R<()>;
    /// A sequence starts.
    fn seq_start(&mut self) -> R<()>;
    /// The current sequence ends.
    fn seq_end(&mut self) -> R<()>;
    /// The key of the next entry of the current mapping (never [`Scalar::Empty`] nor a block).
    fn key(&mut self, key: Scalar<'a>) -> R<()>;
    /// A scalar value: the value of the pending key, or an item of the current sequence.
    fn scalar(&mut self, value: Scalar<'a>) -> R<()>;
}

/// Reads `doc`, whose root must be a block mapping, reporting it to `sink`.
pub fn parse<'a, S: Sink<'a>>(doc: &'a str, sink: &mut S) -> R<()> {
    if !plain_characters(doc) {
        return Err(Decline);
    }
    let mut p = Parser {
        text: doc,
        pos: 0,
        end: 0,
        depth: 0,
        marker: false,
        sink,
    };
    p.set_pos(0);
    p.document()?;
    if p.marker {
        return Err(Decline);
    }
    Ok(())
}

/// Whether every character is one the subset allows: printable ASCII and newlines, and printable
/// non-ASCII characters other than line or paragraph separators and byte-order marks. Tabs and
/// carriage returns are left to the full parser.
pub(super) fn plain_characters(doc: &str) -> bool {
    // Folded without early exit so that the loop vectorizes.
    let controls = doc.as_bytes().iter().fold(0u8, |acc, &b| {
        acc | u8::from((b < 0x20) & (b != b'\n')) | u8::from(b == 0x7f)
    });
    if controls != 0 {
        return false;
    }
    doc.is_ascii()
        || doc.chars().all(|c| {
            let c = c as u32;
            c < 0x80
                || ((0xA0..=0xD7FF).contains(&c) && c != 0x2028 && c != 0x2029)
                || ((0xE000..=0xFFFD).contains(&c) && c != 0xFEFF)
                || c >= 0x10000
        })
}

/// Whether `t` starts a block sequence entry: `-` then a space or the end of the line.
#[inline]
pub(super) fn is_dash(t: &str) -> bool {
    let b = t.as_bytes();
    b.first() == Some(&b'-') && (b.len() == 1 || b[1] == b' ')
}

/// Whether the rest of a line after a complete node is empty or a comment (which needs a space
/// before its `#`).
#[inline]
pub(super) fn only_comment(after: &str) -> bool {
    let trimmed = after.trim_start_matches(' ');
    trimmed.is_empty() || (trimmed.len() < after.len() && trimmed.starts_with('#'))
}

/// Whether `t` starts a plain scalar in block context: not an indicator (`-` only when followed
/// by a non-space; `?` and `:` are left to the full parser).
#[inline]
pub(super) fn plain_start(t: &str) -> bool {
    let b = t.as_bytes();
    match b.first() {
        Some(b'-') => b.len() > 1 && b[1] != b' ',
        Some(&c) => !matches!(
            c,
            b'?' | b':'
                | b','
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b'#'
                | b'&'
                | b'*'
                | b'!'
                | b'|'
                | b'>'
                | b'\''
                | b'"'
                | b'%'
                | b'@'
                | b'`'
                | b' '
        ),
        None => false,
    }
}

/// Where a one-line block plain scalar starting at `t[0]` ends, and whether it ends at a `:`
/// that makes it a mapping key: `(end, is_key)`. The scalar ends at `: `, a final `:`, ` #` or
/// the end of the line.
pub(super) fn plain_end(t: &str) -> (usize, bool) {
    let b = t.as_bytes();
    let mut from = 0;
    // Only `:` and `#` can end the scalar: jump from one to the next.
    while let Some(i) = find_either(b, from, b':', b'#') {
        match b[i] {
            b':' if i + 1 == b.len() || b[i + 1] == b' ' => return (i, true),
            b'#' if i > 0 && b[i - 1] == b' ' => return (i, false),
            _ => from = i + 1,
        }
    }
    (b.len(), false)
}

/// `0x01` in every byte of a word.
const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
/// `0x80` in every byte of a word.
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);

/// The high bit of each zero byte of `x` set (bytes above the first zero byte may be marked
/// wrongly, never the bytes below it: the lowest mark is exact).
fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// The eight bytes of `b` at `i` as a little-endian word (byte `i` lowest), if there are eight.
fn word_at(b: &[u8], i: usize) -> Option<u64> {
    let chunk: [u8; 8] = b.get(i..i + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(chunk))
}

/// The index of the first `c1` or `c2` in `b` from `from`: eight bytes at a time, since keys and
/// scalars are too short for `memchr` to pay off.
fn find_either(b: &[u8], from: usize, c1: u8, c2: u8) -> Option<usize> {
    let mut i = from;
    let (s1, s2) = (ONES * u64::from(c1), ONES * u64::from(c2));
    while let Some(w) = word_at(b, i) {
        let hits = zero_bytes(w ^ s1) | zero_bytes(w ^ s2);
        if hits != 0 {
            return Some(i + (hits.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    (i..b.len()).find(|&j| b[j] == c1 || b[j] == c2)
}

/// The index of the first `c` in `b` from `from`, eight bytes at a time: lines are too short
/// for `memchr` to pay off.
#[inline]
pub(super) fn find_byte(b: &[u8], from: usize, c: u8) -> Option<usize> {
    let mut i = from;
    let s = ONES * u64::from(c);
    while let Some(w) = word_at(b, i) {
        let hits = zero_bytes(w ^ s);
        if hits != 0 {
            return Some(i + (hits.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    (i..b.len()).find(|&j| b[j] == c)
}

/// The index of the first byte of `b` from `from` that is not a space (`b.len()` if none).
pub(super) fn skip_spaces_fast(b: &[u8], from: usize) -> usize {
    const SPACES: u64 = ONES * b' ' as u64;
    let mut i = from;
    while let Some(w) = word_at(b, i) {
        let other = w ^ SPACES;
        if other != 0 {
            return i + (other.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    i
}

/// A single-quoted scalar at the start of `t`: its value and the rest of the line after it.
fn single_quoted(t: &str) -> R<(Cow<'_, str>, &str)> {
    let b = t.as_bytes();
    let mut i = 1;
    let mut value: Option<String> = None;
    let mut from = 1;
    loop {
        match b.get(i) {
            None => return Err(Decline),
            Some(b'\'') if b.get(i + 1) == Some(&b'\'') => {
                value.get_or_insert_with(String::new).push_str(&t[from..=i]);
                i += 2;
                from = i;
            }
            Some(b'\'') => {
                let value = match value {
                    Some(mut v) => {
                        v.push_str(&t[from..i]);
                        Cow::Owned(v)
                    }
                    None => Cow::Borrowed(&t[1..i]),
                };
                return Ok((value, &t[i + 1..]));
            }
            Some(_) => i += 1,
        }
    }
}

/// A double-quoted scalar at the start of `t`: the text between its quotes, whether it has
/// escapes (validated, not decoded), and the rest of the line after it.
fn double_quoted(t: &str) -> R<(&str, bool, &str)> {
    let b = t.as_bytes();
    let mut i = 1;
    let mut escaped = false;
    loop {
        match b.get(i) {
            None => return Err(Decline),
            Some(b'"') => return Ok((&t[1..i], escaped, &t[i + 1..])),
            Some(b'\\') => {
                escaped = true;
                let code_len = match b.get(i + 1) {
                    Some(
                        b'0' | b'a' | b'b' | b't' | b'n' | b'v' | b'f' | b'r' | b'e' | b' ' | b'"'
                        | b'/' | b'\\' | b'N' | b'_' | b'L' | b'P',
                    ) => 0,
                    Some(b'x') => 2,
                    Some(b'u') => 4,
                    Some(b'U') => 8,
                    _ => return Err(Decline),
                };
                if code_len > 0 {
                    let digits = t.get(i + 2..i + 2 + code_len).ok_or(Decline)?;
                    if !digits.bytes().all(|d| d.is_ascii_hexdigit()) {
                        return Err(Decline);
                    }
                    let code = u32::from_str_radix(digits, 16).map_err(|_| Decline)?;
                    if (0xD800..=0xDFFF).contains(&code) || code > 0x10FFFF {
                        return Err(Decline);
                    }
                }
                i += 2 + code_len;
            }
            Some(_) => i += 1,
        }
    }
}

/// A one-line quoted scalar at the start of `t` (`'` or `"`) and the rest of the line.
pub(super) fn quoted(t: &str) -> R<(Scalar<'_>, &str)> {
    if t.starts_with('\'') {
        let (v, rest) = single_quoted(t)?;
        Ok((Scalar::Quoted(v), rest))
    } else {
        let (v, escaped, rest) = double_quoted(t)?;
        let value = if escaped {
            Scalar::Escaped(v)
        } else {
            Scalar::Quoted(Cow::Borrowed(v))
        };
        Ok((value, rest))
    }
}

fn skip_spaces(b: &[u8], mut i: usize) -> usize {
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    i
}

/// The reader: the text, the current line and the sink.
struct Parser<'a, 's, S> {
    text: &'a str,
    /// Byte offset of the start of the current line.
    pos: usize,
    /// Byte offset of the end of the current line (its `\n` or the end of the text).
    end: usize,
    depth: usize,
    /// A line started with `---`, `...` or `%` (document markers and directives, left to the
    /// full parser).
    marker: bool,
    sink: &'s mut S,
}

impl<'a, S: Sink<'a>> Parser<'a, '_, S> {
    /// Moves to the line starting at `pos`.
    fn set_pos(&mut self, pos: usize) {
        let b = self.text.as_bytes();
        self.pos = pos;
        self.end = memchr::memchr(b'\n', &b[pos..]).map_or(b.len(), |i| pos + i);
        let line = &b[pos..self.end];
        if line.starts_with(b"---") || line.starts_with(b"...") || line.starts_with(b"%") {
            self.marker = true;
        }
    }

    /// The current line from byte column `col`.
    fn rest(&self, col: usize) -> &'a str {
        &self.text[(self.pos + col).min(self.end)..self.end]
    }

    fn advance_line(&mut self) {
        self.set_pos((self.end + 1).min(self.text.len()));
    }

    /// Skips blank and comment-only lines; the indentation of the next line, `None` at the end.
    fn peek_indent(&mut self) -> Option<usize> {
        let b = self.text.as_bytes();
        while self.pos < b.len() {
            // The line's `\n` (or the text's end) stops the spaces.
            let i = skip_spaces_fast(b, self.pos).min(self.end);
            if i == self.end || b[i] == b'#' {
                self.advance_line();
                continue;
            }
            return Some(i - self.pos);
        }
        None
    }

    fn document(&mut self) -> R<()> {
        let indent = self.peek_indent().ok_or(Decline)?;
        if is_dash(self.rest(indent)) {
            return Err(Decline);
        }
        self.mapping(indent)?;
        if self.peek_indent().is_some() {
            return Err(Decline);
        }
        Ok(())
    }

    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            Err(Decline)
        } else {
            Ok(())
        }
    }

    /// A block mapping whose first key is on the current line at column `m`; its other keys are
    /// on lines indented by `m`.
    fn mapping(&mut self, m: usize) -> R<()> {
        self.enter()?;
        self.sink.map_start()?;
        loop {
            self.entry(m)?;
            match self.peek_indent() {
                None => break,
                Some(i) if i < m => break,
                Some(i) if i == m => {
                    if is_dash(self.rest(m)) {
                        return Err(Decline);
                    }
                }
                Some(_) => return Err(Decline),
            }
        }
        self.sink.map_end()?;
        self.depth -= 1;
        Ok(())
    }

    /// One `key: value` entry at column `m` of the current line.
    fn entry(&mut self, m: usize) -> R<()> {
        let t = self.rest(m);
        let (key, after) = match t.as_bytes().first() {
            Some(b'\'' | b'"') => {
                let (key, after) = quoted(t)?;
                let rest = after.trim_start_matches(' ');
                let rb = rest.as_bytes();
                if rb.first() != Some(&b':') || !(rb.len() == 1 || rb[1] == b' ') {
                    return Err(Decline);
                }
                (key, &rest[1..])
            }
            _ if plain_start(t) => {
                let (end, is_key) = plain_end(t);
                if !is_key {
                    return Err(Decline);
                }
                (Scalar::Plain(t[..end].trim_end_matches(' ')), &t[end + 1..])
            }
            _ => return Err(Decline),
        };
        if t.len() - after.len() > MAX_KEY_BYTES {
            return Err(Decline);
        }
        self.sink.key(key)?;
        let col = m + (t.len() - after.len());
        self.map_value(m, col)
    }

    /// The value of a mapping entry at column `m`, starting at byte column `col` of the current
    /// line (just after the `:`).
    fn map_value(&mut self, m: usize, col: usize) -> R<()> {
        let s = self.rest(col);
        let t = s.trim_start_matches(' ');
        if t.is_empty() || t.starts_with('#') {
            self.advance_line();
            return match self.peek_indent() {
                Some(i) if i > m => self.nested(i),
                Some(i) if i == m && is_dash(self.rest(i)) => self.sequence(m),
                _ => self.sink.scalar(Scalar::Empty),
            };
        }
        let col = col + (s.len() - t.len());
        self.inline(m, col, false)
    }

    /// A block collection starting on the current line at its indentation `i`.
    fn nested(&mut self, i: usize) -> R<()> {
        if is_dash(self.rest(i)) {
            self.sequence(i)
        } else {
            self.mapping(i)
        }
    }

    /// A node starting at byte column `col` of the current line, inside a collection indented by
    /// `p`. In a sequence entry (`in_seq`), the node may be a compact mapping or sequence.
    fn inline(&mut self, p: usize, col: usize, in_seq: bool) -> R<()> {
        let t = self.rest(col);
        match t.as_bytes()[0] {
            b'\'' | b'"' => {
                let (value, after) = quoted(t)?;
                if !only_comment(after) {
                    if in_seq && after.trim_start_matches(' ').starts_with(':') {
                        return self.mapping(col);
                    }
                    return Err(Decline);
                }
                self.advance_line();
                self.sink.scalar(value)
            }
            b'|' | b'>' => self.block_scalar(p, t),
            b'[' | b'{' => {
                let end = self.flow_node(t, 0, 0)?;
                if !only_comment(&t[end..]) {
                    return Err(Decline);
                }
                self.advance_line();
                Ok(())
            }
            _ if is_dash(t) => {
                if !in_seq {
                    return Err(Decline);
                }
                self.sequence(col)
            }
            _ if plain_start(t) => {
                let (end, is_key) = plain_end(t);
                if is_key {
                    if in_seq {
                        return self.mapping(col);
                    }
                    return Err(Decline);
                }
                self.advance_line();
                self.sink
                    .scalar(Scalar::Plain(t[..end].trim_end_matches(' ')))
            }
            _ => Err(Decline),
        }
    }

    /// A block sequence whose first `-` is on the current line at column `n`.
    fn sequence(&mut self, n: usize) -> R<()> {
        self.enter()?;
        self.sink.seq_start()?;
        loop {
            let after = &self.rest(n)[1..];
            let t = after.trim_start_matches(' ');
            if t.is_empty() || t.starts_with('#') {
                self.advance_line();
                match self.peek_indent() {
                    Some(i) if i > n => self.nested(i)?,
                    _ => self.sink.scalar(Scalar::Empty)?,
                }
            } else {
                let col = n + 1 + (after.len() - t.len());
                self.inline(n, col, true)?;
            }
            match self.peek_indent() {
                None => break,
                Some(i) if i < n => break,
                Some(i) if i == n => {
                    if !is_dash(self.rest(n)) {
                        break; // the parent decides (a key after an indentless sequence)
                    }
                }
                Some(_) => return Err(Decline),
            }
        }
        self.sink.seq_end()?;
        self.depth -= 1;
        Ok(())
    }

    /// A literal or folded block scalar whose header `t` (`|` or `>` and indicators) ends the
    /// current line, in a collection indented by `p`; consumes its lines.
    fn block_scalar(&mut self, p: usize, t: &'a str) -> R<()> {
        let hb = t.as_bytes();
        let literal = hb[0] == b'|';
        let mut i = 1;
        let mut explicit = None;
        let mut chomp = Chomp::Clip;
        while i < hb.len() && i < 3 {
            match hb[i] {
                b'+' if chomp == Chomp::Clip => chomp = Chomp::Keep,
                b'-' if chomp == Chomp::Clip => chomp = Chomp::Strip,
                d @ b'1'..=b'9' if explicit.is_none() => explicit = Some((d - b'0') as usize),
                _ => break,
            }
            i += 1;
        }
        if !only_comment(&t[i..]) {
            return Err(Decline);
        }
        self.advance_line();
        let b = self.text.as_bytes();
        let indent = match explicit {
            Some(d) => p + d,
            None => {
                // The first non-blank line sets the indentation; blank lines before it must
                // not be longer (libyaml would then take their length).
                let mut max_blank = 0;
                let mut at = self.pos;
                let mut first = None;
                while at < b.len() {
                    let mut j = at;
                    while j < b.len() && b[j] == b' ' {
                        j += 1;
                    }
                    if j < b.len() && b[j] != b'\n' {
                        first = Some(j - at);
                        break;
                    }
                    max_blank = max_blank.max(j - at);
                    at = (j + 1).min(b.len());
                }
                let first = first.unwrap_or(0);
                if max_blank > first {
                    return Err(Decline);
                }
                first.max(p + 1)
            }
        };
        let start = self.pos;
        let mut body_end = start;
        while self.pos < b.len() {
            let mut j = self.pos;
            while j < self.end && b[j] == b' ' {
                j += 1;
            }
            if j < self.end && j - self.pos < indent {
                break;
            }
            body_end = (self.end + 1).min(b.len());
            self.advance_line();
        }
        self.sink.scalar(Scalar::Block(Block {
            literal,
            chomp,
            indent,
            body: &self.text[start..body_end],
        }))
    }

    /// One node of a one-line flow collection starting at byte `i` of `t`; returns the index
    /// just after it. Only a strict subset is read: entries are quoted scalars, simple plain
    /// scalars or nested collections; mapping entries are `key: value`.
    fn flow_node(&mut self, t: &'a str, i: usize, depth: usize) -> R<usize> {
        if self.depth + depth > MAX_DEPTH {
            return Err(Decline);
        }
        let b = t.as_bytes();
        match b.get(i) {
            Some(b'[') => {
                self.sink.seq_start()?;
                let mut i = skip_spaces(b, i + 1);
                if b.get(i) != Some(&b']') {
                    loop {
                        i = self.flow_node(t, i, depth + 1)?;
                        i = skip_spaces(b, i);
                        match b.get(i) {
                            Some(b',') => {
                                i = skip_spaces(b, i + 1);
                                if b.get(i) == Some(&b']') {
                                    return Err(Decline);
                                }
                            }
                            Some(b']') => break,
                            _ => return Err(Decline),
                        }
                    }
                }
                self.sink.seq_end()?;
                Ok(i + 1)
            }
            Some(b'{') => {
                self.sink.map_start()?;
                let mut i = skip_spaces(b, i + 1);
                if b.get(i) != Some(&b'}') {
                    loop {
                        let (key, end) = flow_scalar(t, i)?;
                        self.sink.key(key)?;
                        i = skip_spaces(b, end);
                        if b.get(i) != Some(&b':') || b.get(i + 1) != Some(&b' ') {
                            return Err(Decline);
                        }
                        i = skip_spaces(b, i + 1);
                        i = self.flow_node(t, i, depth + 1)?;
                        i = skip_spaces(b, i);
                        match b.get(i) {
                            Some(b',') => {
                                i = skip_spaces(b, i + 1);
                                if b.get(i) == Some(&b'}') {
                                    return Err(Decline);
                                }
                            }
                            Some(b'}') => break,
                            _ => return Err(Decline),
                        }
                    }
                }
                self.sink.map_end()?;
                Ok(i + 1)
            }
            _ => {
                let (value, end) = flow_scalar(t, i)?;
                self.sink.scalar(value)?;
                Ok(end)
            }
        }
    }
}

/// A quoted or simple plain scalar in a flow collection at byte `i` of `t`, and the index just
/// after it (trailing spaces of a plain scalar are left for the caller).
fn flow_scalar(t: &str, i: usize) -> R<(Scalar<'_>, usize)> {
    let b = t.as_bytes();
    match b.get(i) {
        Some(b'\'' | b'"') => {
            let (value, rest) = quoted(&t[i..])?;
            Ok((value, t.len() - rest.len()))
        }
        Some(&c) => {
            let starts = c.is_ascii_alphanumeric()
                || matches!(c, b'.' | b'_' | b'/')
                || (c == b'-'
                    && b.get(i + 1)
                        .is_some_and(|n| n.is_ascii_alphanumeric() || *n == b'.'));
            if !starts {
                return Err(Decline);
            }
            let mut j = i;
            while let Some(&c) = b.get(j) {
                let ok = c.is_ascii_alphanumeric()
                    || c >= 0x80
                    || matches!(
                        c,
                        b' ' | b'-'
                            | b'.'
                            | b'_'
                            | b'/'
                            | b'='
                            | b'+'
                            | b'~'
                            | b'$'
                            | b'^'
                            | b'('
                            | b')'
                            | b'<'
                            | b'>'
                            | b';'
                            | b'@'
                            | b'%'
                            | b'*'
                            | b'!'
                            | b'&'
                            | b'|'
                            | b'\\'
                    );
                if ok {
                    j += 1;
                } else if matches!(c, b',' | b']' | b'}' | b':') {
                    break;
                } else {
                    return Err(Decline);
                }
            }
            // `a:b` is not in this subset; `a: b` ends the scalar (in a mapping entry).
            if b.get(j) == Some(&b':') && b.get(j + 1) != Some(&b' ') {
                return Err(Decline);
            }
            // Trailing spaces belong to the separator, not the scalar.
            while j > i && b[j - 1] == b' ' {
                j -= 1;
            }
            Ok((Scalar::Plain(&t[i..j]), j))
        }
        None => Err(Decline),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Bytes where `:`, `#`, spaces, newlines, non-ASCII and the bytes next to them in value
    /// (borrows in the word trick) are frequent.
    fn bytes() -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(
            prop_oneof![
                Just(b':'),
                Just(b'#'),
                Just(b' '),
                Just(b'\n'),
                Just(0u8),
                Just(1u8),
                Just(b'9'),
                Just(b';'),
                Just(b'"'),
                Just(b'$'),
                Just(0x80u8),
                Just(0xffu8),
                any::<u8>(),
            ],
            0..40,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn find_either_finds_the_first(b in bytes(), from in 0usize..45) {
            let from = from.min(b.len());
            let want = (from..b.len()).find(|&j| b[j] == b':' || b[j] == b'#');
            prop_assert_eq!(find_either(&b, from, b':', b'#'), want);
        }

        #[test]
        fn find_byte_finds_the_first(b in bytes(), from in 0usize..45) {
            let from = from.min(b.len());
            let want = (from..b.len()).find(|&j| b[j] == b'\n');
            prop_assert_eq!(find_byte(&b, from, b'\n'), want);
        }

        #[test]
        fn skip_spaces_fast_stops_at_the_first_other_byte(b in bytes(), from in 0usize..45) {
            let from = from.min(b.len());
            let want = (from..b.len()).find(|&j| b[j] != b' ').unwrap_or(b.len());
            prop_assert_eq!(skip_spaces_fast(&b, from), want);
        }
    }
}
