//! A fast, conservative reader for the heads of rendered documents.
//!
//! Every rendered document is parsed to check it is valid YAML and to read its head
//! (`apiVersion`, `kind`, `metadata.name/namespace/labels/annotations`). A full YAML parse costs
//! about 20 µs per kilobyte, which dominates the render of a large chart; templates, though,
//! produce a small subset of YAML: block maps and sequences, one-line scalars, literal and folded
//! blocks, one-line flow collections and comments. [`scan`] reads that subset in one pass over the
//! lines and returns the head; on anything outside it (anchors, aliases, tags, explicit keys,
//! multi-line plain, quoted or flow scalars, tabs, carriage returns, unusual characters, head values
//! that are not plain strings, repeated head keys ...) it declines with `None`, and the caller
//! parses the document with the full parser, which also produces every error message. The subset
//! is chosen so that an accepted document is one the full parser accepts with the same head (see
//! the differential tests in `tests/manifest_fastpath.rs`).

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::manifest::DocHead;

/// Block collections nested deeper than this are left to the full parser.
const MAX_DEPTH: usize = 64;
/// Longest implicit key accepted (libyaml refuses keys longer than 1024 characters).
const MAX_KEY_BYTES: usize = 1000;

/// The fast path gave up: the document is outside the subset it reads.
struct Decline;

type R<T> = Result<T, Decline>;

/// Reads the head of one trimmed document, or `None` when the document is outside the subset
/// this reader understands (the caller must then use the full parser).
pub fn scan(doc: &str) -> Option<DocHead> {
    if !plain_characters(doc) {
        return None;
    }
    let mut s = Scanner {
        text: doc,
        pos: 0,
        end: 0,
        depth: 0,
        marker: false,
        head: Head::default(),
    };
    s.set_pos(0);
    s.document().ok()?;
    if s.marker {
        return None;
    }
    let head = s.head;
    let meta = head.metadata.unwrap_or_default();
    Some(DocHead {
        api_version: head.api_version.unwrap_or_default(),
        kind: head.kind.unwrap_or_default(),
        name: meta.name.unwrap_or_default(),
        namespace: meta.namespace,
        labels: meta.labels.unwrap_or_default(),
        annotations: meta.annotations.unwrap_or_default(),
    })
}

/// Whether every character is one the subset allows: printable ASCII and newlines, and printable
/// non-ASCII characters other than line or paragraph separators and byte-order marks. Tabs and
/// carriage returns are left to the full parser.
fn plain_characters(doc: &str) -> bool {
    // Counted without early exit so that the loop vectorizes.
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

#[derive(Default)]
struct Head {
    api_version: Option<String>,
    kind: Option<String>,
    metadata: Option<Meta>,
}

#[derive(Default)]
struct Meta {
    name: Option<String>,
    namespace: Option<String>,
    labels: Option<BTreeMap<String, String>>,
    annotations: Option<BTreeMap<String, String>>,
}

/// Which mapping is being read, for the keys whose values make up the head.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Root,
    Meta,
    Labels,
    Annotations,
    Other,
}

/// What a value must be.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Want {
    /// Anything valid.
    Any,
    /// A scalar the full parser reads as a string, not null.
    Str,
    /// A mapping (block or empty flow) read with the given role.
    Map(Role),
}

/// What a head slot receives.
enum Slot {
    ApiVersion,
    Kind,
    Name,
    Namespace,
    Metadata,
    Labels,
    Annotations,
    Entry(Role),
    Ignored,
}

/// A value read from the document, as far as the head needs it.
enum Val<'a> {
    Str(Cow<'a, str>),
    Other,
}

struct Scanner<'a> {
    text: &'a str,
    /// Byte offset of the start of the current line.
    pos: usize,
    /// Byte offset of the end of the current line (its `\n` or the end of the text).
    end: usize,
    depth: usize,
    /// A line started with `---`, `...` or `%` (document markers and directives, left to the
    /// full parser).
    marker: bool,
    head: Head,
}

/// Whether `t` starts a block sequence entry: `-` then a space or the end of the line.
fn is_dash(t: &str) -> bool {
    let b = t.as_bytes();
    b.first() == Some(&b'-') && (b.len() == 1 || b[1] == b' ')
}

/// Whether the rest of a line after a complete node is empty or a comment (which needs a space
/// before its `#`).
fn only_comment(after: &str) -> bool {
    let trimmed = after.trim_start_matches(' ');
    trimmed.is_empty() || (trimmed.len() < after.len() && trimmed.starts_with('#'))
}

/// Whether a plain scalar is certainly read as a string (not null, a boolean or a number) by the
/// full parser (YAML 1.2 core schema): it starts with a letter and is not a null or boolean word.
fn plain_is_string(s: &str) -> bool {
    s.as_bytes().first().is_some_and(u8::is_ascii_alphabetic)
        && !matches!(
            s,
            "null" | "Null" | "NULL" | "true" | "True" | "TRUE" | "false" | "False" | "FALSE"
        )
}

/// Whether `b` may start a plain scalar in block context (`-` only when followed by a
/// non-space, which the caller checks; `?` and `:` are left to the full parser).
fn plain_start(b: u8) -> bool {
    !matches!(
        b,
        b'-' | b'?'
            | b':'
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
    )
}

/// Where a one-line block plain scalar starting at `t[0]` ends, and whether it ends at a `:`
/// that makes it a mapping key: `(end, is_key)`. The scalar ends at `: `, a final `:`, ` #` or
/// the end of the line.
fn plain_end(t: &str) -> (usize, bool) {
    let b = t.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b':' if i + 1 == b.len() || b[i + 1] == b' ' => return (i, true),
            b'#' if i > 0 && b[i - 1] == b' ' => return (i, false),
            _ => i += 1,
        }
    }
    (b.len(), false)
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

/// A double-quoted scalar at the start of `t`: its value (`None` when it has escapes, which are
/// validated but not decoded) and the rest of the line after it.
fn double_quoted(t: &str) -> R<(Option<&str>, &str)> {
    let b = t.as_bytes();
    let mut i = 1;
    let mut escaped = false;
    loop {
        match b.get(i) {
            None => return Err(Decline),
            Some(b'"') => {
                let value = (!escaped).then(|| &t[1..i]);
                return Ok((value, &t[i + 1..]));
            }
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
                let digits = t.get(i + 2..i + 2 + code_len).ok_or(Decline)?;
                if code_len > 0 {
                    let code = u32::from_str_radix(digits, 16).map_err(|_| Decline)?;
                    if !digits.bytes().all(|d| d.is_ascii_hexdigit())
                        || (0xD800..=0xDFFF).contains(&code)
                        || code > 0x10FFFF
                    {
                        return Err(Decline);
                    }
                }
                i += 2 + code_len;
            }
            Some(_) => i += 1,
        }
    }
}

/// A one-line quoted scalar at the start of `t` (`'` or `"`): its value when it has no escapes
/// to decode, and the rest of the line.
fn quoted(t: &str) -> R<(Option<Cow<'_, str>>, &str)> {
    if t.starts_with('\'') {
        let (v, rest) = single_quoted(t)?;
        Ok((Some(v), rest))
    } else {
        let (v, rest) = double_quoted(t)?;
        Ok((v.map(Cow::Borrowed), rest))
    }
}

/// Validates a one-line flow collection at the start of `t` and returns the rest of the line
/// and whether the collection is an empty mapping. Only a strict subset is read: entries are
/// quoted scalars, simple plain scalars or nested collections; mapping entries are `key: value`.
fn flow(t: &str) -> R<(&str, bool)> {
    let b = t.as_bytes();
    let end = flow_node(t, 0, 0)?;
    let empty_map = b[0] == b'{' && t[1..end - 1].trim_matches(' ').is_empty();
    Ok((&t[end..], empty_map))
}

fn skip_spaces(b: &[u8], mut i: usize) -> usize {
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    i
}

/// One flow node starting at `b[i]`; returns the index just after it.
fn flow_node(t: &str, i: usize, depth: usize) -> R<usize> {
    let b = t.as_bytes();
    if depth > MAX_DEPTH {
        return Err(Decline);
    }
    match b.get(i) {
        Some(b'[') => {
            let mut i = skip_spaces(b, i + 1);
            if b.get(i) == Some(&b']') {
                return Ok(i + 1);
            }
            loop {
                i = flow_node(t, i, depth + 1)?;
                i = skip_spaces(b, i);
                match b.get(i) {
                    Some(b',') => {
                        i = skip_spaces(b, i + 1);
                        if b.get(i) == Some(&b']') {
                            return Err(Decline);
                        }
                    }
                    Some(b']') => return Ok(i + 1),
                    _ => return Err(Decline),
                }
            }
        }
        Some(b'{') => {
            let mut i = skip_spaces(b, i + 1);
            if b.get(i) == Some(&b'}') {
                return Ok(i + 1);
            }
            loop {
                i = flow_scalar(t, i)?;
                i = skip_spaces(b, i);
                if b.get(i) != Some(&b':') || b.get(i + 1) != Some(&b' ') {
                    return Err(Decline);
                }
                i = skip_spaces(b, i + 1);
                i = flow_node(t, i, depth + 1)?;
                i = skip_spaces(b, i);
                match b.get(i) {
                    Some(b',') => {
                        i = skip_spaces(b, i + 1);
                        if b.get(i) == Some(&b'}') {
                            return Err(Decline);
                        }
                    }
                    Some(b'}') => return Ok(i + 1),
                    _ => return Err(Decline),
                }
            }
        }
        _ => flow_scalar(t, i),
    }
}

/// A quoted or simple plain scalar in a flow collection; returns the index just after it
/// (trailing spaces of a plain scalar are left for the caller).
fn flow_scalar(t: &str, i: usize) -> R<usize> {
    let b = t.as_bytes();
    match b.get(i) {
        Some(b'\'' | b'"') => {
            let (_, rest) = quoted(t.get(i..).ok_or(Decline)?)?;
            Ok(b.len() - rest.len())
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
                    // `:` is left to the caller, which requires `: ` in a mapping entry.
                    break;
                } else {
                    return Err(Decline);
                }
            }
            // A ` :` inside a plain scalar is fine, but `a:b` is not in this subset.
            if b.get(j) == Some(&b':') && b.get(j + 1) != Some(&b' ') {
                return Err(Decline);
            }
            // Trailing spaces belong to the separator, not the scalar.
            while j > i && b[j - 1] == b' ' {
                j -= 1;
            }
            Ok(j)
        }
        None => Err(Decline),
    }
}

impl<'a> Scanner<'a> {
    /// Moves to the line starting at `pos`.
    fn set_pos(&mut self, pos: usize) {
        let b = self.text.as_bytes();
        self.pos = pos;
        self.end = b[pos..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(b.len(), |i| pos + i);
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
            let mut i = self.pos;
            while i < self.end && b[i] == b' ' {
                i += 1;
            }
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
        let first = self.rest(indent);
        if first.starts_with("...") || first.starts_with('%') || is_dash(first) {
            return Err(Decline);
        }
        self.mapping(indent, Role::Root)?;
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
    fn mapping(&mut self, m: usize, role: Role) -> R<()> {
        self.enter()?;
        let mut seen = [false; 4];
        loop {
            self.entry(m, role, &mut seen)?;
            match self.peek_indent() {
                None => break,
                Some(i) if i < m => break,
                Some(i) if i == m => {
                    let t = self.rest(m);
                    if is_dash(t) || t.starts_with("...") {
                        return Err(Decline);
                    }
                }
                Some(_) => return Err(Decline),
            }
        }
        self.depth -= 1;
        Ok(())
    }

    /// One `key: value` entry at column `m` of the current line.
    fn entry(&mut self, m: usize, role: Role, seen: &mut [bool; 4]) -> R<()> {
        let t = self.rest(m);
        let (key, after) = self.key(t)?;
        let slot = match (role, key.as_deref()) {
            (Role::Root, Some("apiVersion")) => Slot::ApiVersion,
            (Role::Root, Some("kind")) => Slot::Kind,
            (Role::Root, Some("metadata")) => Slot::Metadata,
            (Role::Meta, Some("name")) => Slot::Name,
            (Role::Meta, Some("namespace")) => Slot::Namespace,
            (Role::Meta, Some("labels")) => Slot::Labels,
            (Role::Meta, Some("annotations")) => Slot::Annotations,
            (Role::Labels | Role::Annotations, Some(_)) => Slot::Entry(role),
            // A key the head needs but could not read (escapes, not a string): full parser.
            (Role::Labels | Role::Annotations, None) => return Err(Decline),
            (Role::Root | Role::Meta, None) => return Err(Decline),
            _ => Slot::Ignored,
        };
        let index = match slot {
            Slot::ApiVersion | Slot::Name => Some(0),
            Slot::Kind | Slot::Namespace => Some(1),
            Slot::Metadata | Slot::Labels => Some(2),
            Slot::Annotations => Some(3),
            _ => None,
        };
        if let Some(i) = index {
            if seen[i] {
                return Err(Decline); // a repeated field is an error for the full parser
            }
            seen[i] = true;
        }
        let want = match slot {
            Slot::ApiVersion | Slot::Kind | Slot::Name | Slot::Namespace | Slot::Entry(_) => {
                Want::Str
            }
            Slot::Metadata => Want::Map(Role::Meta),
            Slot::Labels => Want::Map(Role::Labels),
            Slot::Annotations => Want::Map(Role::Annotations),
            Slot::Ignored => Want::Any,
        };
        let col = m + (t.len() - after.len());
        let value = self.map_value(m, col, want)?;
        let text = match value {
            Val::Str(s) => s.into_owned(),
            Val::Other => String::new(),
        };
        match slot {
            Slot::ApiVersion => self.head.api_version = Some(text),
            Slot::Kind => self.head.kind = Some(text),
            Slot::Name => self.meta().name = Some(text),
            Slot::Namespace => self.meta().namespace = Some(text),
            Slot::Metadata => {
                self.meta();
            }
            Slot::Labels => {
                self.meta().labels.get_or_insert_with(BTreeMap::new);
            }
            Slot::Annotations => {
                self.meta().annotations.get_or_insert_with(BTreeMap::new);
            }
            Slot::Entry(r) => {
                let key = key.unwrap_or_default().into_owned();
                let meta = self.meta();
                let map = if r == Role::Labels {
                    meta.labels.get_or_insert_with(BTreeMap::new)
                } else {
                    meta.annotations.get_or_insert_with(BTreeMap::new)
                };
                if map.insert(key, text).is_some() {
                    return Err(Decline);
                }
            }
            Slot::Ignored => {}
        }
        Ok(())
    }

    fn meta(&mut self) -> &mut Meta {
        self.head.metadata.get_or_insert_with(Meta::default)
    }

    /// The key at the start of `t` and the rest of the line after its `:`. The key's text is
    /// `None` when it could not be read as a plain string (a quoted key with escapes, a plain key
    /// that may not resolve to a string); such keys only matter in the head's mappings.
    fn key(&self, t: &'a str) -> R<(Option<Cow<'a, str>>, &'a str)> {
        let b = t.as_bytes();
        let (key, after) = match b.first() {
            Some(b'\'' | b'"') => {
                let (key, after) = quoted(t)?;
                let rest = after.trim_start_matches(' ');
                let rb = rest.as_bytes();
                if rb.first() != Some(&b':') || !(rb.len() == 1 || rb[1] == b' ') {
                    return Err(Decline);
                }
                (key, &rest[1..])
            }
            Some(&c) if plain_start(c) || (c == b'-' && b.len() > 1 && b[1] != b' ') => {
                let (end, is_key) = plain_end(t);
                if !is_key {
                    return Err(Decline);
                }
                let text = t[..end].trim_end_matches(' ');
                let key = plain_is_string(text).then_some(Cow::Borrowed(text));
                (key, &t[end + 1..])
            }
            _ => return Err(Decline),
        };
        if t.len() - after.len() > MAX_KEY_BYTES {
            return Err(Decline);
        }
        Ok((key, after))
    }

    /// The value of a mapping entry at column `m`, starting at byte column `col` of the current
    /// line (just after the `:`).
    fn map_value(&mut self, m: usize, col: usize, want: Want) -> R<Val<'_>> {
        let s = self.rest(col);
        let t = s.trim_start_matches(' ');
        if t.is_empty() || t.starts_with('#') {
            self.advance_line();
            return match self.peek_indent() {
                Some(i) if i > m => self.nested(i, want),
                Some(i) if i == m && is_dash(self.rest(i)) && want == Want::Any => {
                    self.sequence(m)?;
                    Ok(Val::Other)
                }
                // A null value: fine unless the head wanted something.
                _ if want == Want::Any => Ok(Val::Other),
                _ => Err(Decline),
            };
        }
        let col = col + (s.len() - t.len());
        self.inline(m, col, want, false)
    }

    /// A block collection starting on the current line at its indentation `i`.
    fn nested(&mut self, i: usize, want: Want) -> R<Val<'_>> {
        let t = self.rest(i);
        match want {
            Want::Str => Err(Decline),
            Want::Any if is_dash(t) => {
                self.sequence(i)?;
                Ok(Val::Other)
            }
            Want::Any => {
                self.mapping(i, Role::Other)?;
                Ok(Val::Other)
            }
            Want::Map(_) if is_dash(t) => Err(Decline),
            Want::Map(role) => {
                self.mapping(i, role)?;
                Ok(Val::Other)
            }
        }
    }

    /// A node starting at byte column `col` of the current line, inside a collection indented by
    /// `p`. In a sequence entry (`in_seq`), the node may be a compact mapping or sequence.
    fn inline(&mut self, p: usize, col: usize, want: Want, in_seq: bool) -> R<Val<'_>> {
        let t = self.rest(col);
        let b = t.as_bytes();
        match b[0] {
            b'\'' | b'"' => {
                let (value, after) = quoted(t)?;
                if !only_comment(after) {
                    let rest = after.trim_start_matches(' ');
                    if in_seq && rest.starts_with(':') {
                        return self.compact_mapping(col, want);
                    }
                    return Err(Decline);
                }
                self.advance_line();
                match want {
                    Want::Any => Ok(Val::Other),
                    Want::Str => value.map(Val::Str).ok_or(Decline),
                    Want::Map(_) => Err(Decline),
                }
            }
            b'|' | b'>' if want == Want::Any => {
                self.block_scalar(p, &t[1..])?;
                Ok(Val::Other)
            }
            b'[' | b'{' => {
                let (after, empty_map) = flow(t)?;
                if !only_comment(after) {
                    return Err(Decline);
                }
                self.advance_line();
                match want {
                    Want::Any => Ok(Val::Other),
                    Want::Map(_) if empty_map => Ok(Val::Other),
                    _ => Err(Decline),
                }
            }
            b'-' if is_dash(t) && in_seq && want == Want::Any => {
                self.sequence(col)?;
                Ok(Val::Other)
            }
            c if plain_start(c) || (c == b'-' && b.len() > 1 && b[1] != b' ') => {
                let (end, is_key) = plain_end(t);
                if is_key {
                    if in_seq {
                        return self.compact_mapping(col, want);
                    }
                    return Err(Decline);
                }
                let text = t[..end].trim_end_matches(' ');
                self.advance_line();
                match want {
                    Want::Any => Ok(Val::Other),
                    Want::Str if plain_is_string(text) => Ok(Val::Str(Cow::Borrowed(text))),
                    _ => Err(Decline),
                }
            }
            _ => Err(Decline),
        }
    }

    fn compact_mapping(&mut self, col: usize, want: Want) -> R<Val<'_>> {
        if want != Want::Any {
            return Err(Decline);
        }
        self.mapping(col, Role::Other)?;
        Ok(Val::Other)
    }

    /// A block sequence whose first `-` is on the current line at column `n`.
    fn sequence(&mut self, n: usize) -> R<()> {
        self.enter()?;
        loop {
            let after = &self.rest(n)[1..];
            let t = after.trim_start_matches(' ');
            if t.is_empty() || t.starts_with('#') {
                self.advance_line();
                if let Some(i) = self.peek_indent()
                    && i > n
                {
                    self.nested(i, Want::Any)?;
                }
            } else {
                let col = n + 1 + (after.len() - t.len());
                self.inline(n, col, Want::Any, true)?;
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
        self.depth -= 1;
        Ok(())
    }

    /// A literal or folded block scalar whose header (after `|` or `>`) is `header`, in a
    /// collection indented by `p`; consumes its lines.
    fn block_scalar(&mut self, p: usize, header: &str) -> R<()> {
        let hb = header.as_bytes();
        let mut i = 0;
        let mut explicit = None;
        let mut chomp = false;
        while i < hb.len() && i < 2 {
            match hb[i] {
                b'+' | b'-' if !chomp => chomp = true,
                d @ b'1'..=b'9' if explicit.is_none() => explicit = Some((d - b'0') as usize),
                _ => break,
            }
            i += 1;
        }
        if !only_comment(&header[i..]) {
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
        while self.pos < b.len() {
            let mut j = self.pos;
            while j < self.end && b[j] == b' ' {
                j += 1;
            }
            if j < self.end && j - self.pos < indent {
                break;
            }
            self.advance_line();
        }
        Ok(())
    }
}
