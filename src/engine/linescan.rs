//! The first fast path for the heads of rendered documents: one loop over the lines.
//!
//! A large render spends most of its parsing time reading documents that are nothing but block
//! maps and sequences of one-line scalars. [`scan`] reads exactly that, line by line, with an
//! explicit stack of open collections and no events: it keeps the head fields and only checks
//! the rest. It reads a strict subset of what the block-YAML reader and its head sink
//! ([`super::headscan`]) accept, and returns what they return; on anything else (flow
//! collections other than `[]` and `{}`, compact nested sequences, quoted keys of compact maps,
//! explicit block indentation, a head field that is not a plain string ...) it declines and the
//! caller asks them, and they in turn the full parser.

use std::borrow::Cow;

use super::blockyaml::Decline;
use super::blockyaml::{
    MAX_DEPTH, MAX_KEY_BYTES, R, Scalar, find_byte, is_dash, only_comment, plain_characters,
    plain_end, plain_start, quoted, skip_spaces_fast,
};
use super::headscan::string_of;
use super::manifest::DocHead;

/// Reads the head of one trimmed document, or `None` when the document is outside the subset
/// this reader understands (the caller must then use the next path).
pub fn scan(doc: &str) -> Option<DocHead> {
    if !plain_characters(doc) {
        return None;
    }
    let mut s = Scanner {
        text: doc,
        next: 0,
        stack: Vec::new(),
        head: DocHead::default(),
        entry_key: Cow::Borrowed(""),
    };
    s.run().ok()?;
    Some(s.head)
}

/// Which mapping a collection is, for the head.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Root,
    Meta,
    Labels,
    Annotations,
    Other,
}

/// What the value of the entry (or item) being read is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Slot {
    ApiVersion,
    Kind,
    Name,
    Namespace,
    Metadata,
    Labels,
    Annotations,
    /// A label whose key is in `Scanner::entry_key`.
    Label,
    /// An annotation whose key is in `Scanner::entry_key`.
    Annotation,
    Ignored,
}

/// An open block collection.
#[derive(Clone, Copy)]
struct Frame {
    /// The column of its keys or of its `-`.
    col: usize,
    seq: bool,
    role: Role,
    /// Head fields seen in this mapping (a repeated one is an error for the full parser).
    seen: u8,
}

/// A key or an item whose value is on the next lines (or empty).
#[derive(Clone, Copy)]
struct Pending {
    /// The column of the key, or of the item's `-`.
    col: usize,
    slot: Slot,
    in_map: bool,
}

struct Scanner<'a> {
    text: &'a str,
    /// The start of the next line to read.
    next: usize,
    stack: Vec<Frame>,
    head: DocHead,
    /// The key of the label or annotation being read.
    entry_key: Cow<'a, str>,
}

impl<'a> Scanner<'a> {
    /// The next line with content, as (start, indentation, end); `None` at the end of the text.
    /// Declines on document markers and directives.
    fn next_line(&mut self) -> R<Option<(usize, usize, usize)>> {
        let b = self.text.as_bytes();
        while self.next < b.len() {
            let start = self.next;
            let end = find_byte(b, start, b'\n').unwrap_or(b.len());
            self.next = end + 1;
            if matches!(b[start], b'-' | b'.' | b'%') {
                let line = &b[start..end];
                if line.starts_with(b"---") || line.starts_with(b"...") || line[0] == b'%' {
                    return Err(Decline);
                }
            }
            let i = skip_spaces_fast(b, start).min(end);
            if i == end || b[i] == b'#' {
                continue;
            }
            return Ok(Some((start, i - start, end)));
        }
        Ok(None)
    }

    fn push(&mut self, frame: Frame) -> R<()> {
        if self.stack.len() >= MAX_DEPTH - 4 {
            return Err(Decline);
        }
        self.stack.push(frame);
        Ok(())
    }

    fn run(&mut self) -> R<()> {
        let mut pending: Option<Pending> = None;
        let mut started = false;
        while let Some((start, i, end)) = self.next_line()? {
            let dash = is_dash(&self.text[start + i..end]);
            if let Some(p) = pending.take() {
                if i > p.col || (i == p.col && dash && p.in_map) {
                    self.open(p.slot, i, dash)?;
                } else {
                    empty(p.slot)?;
                }
            } else if !started {
                if dash {
                    return Err(Decline);
                }
                self.push(Frame {
                    col: i,
                    seq: false,
                    role: Role::Root,
                    seen: 0,
                })?;
                started = true;
            }
            // Close the collections this line is not part of.
            loop {
                let top = self.stack.last().ok_or(Decline)?;
                if i < top.col {
                    self.stack.pop();
                } else if i > top.col {
                    return Err(Decline);
                } else if top.seq {
                    if dash {
                        break;
                    }
                    self.stack.pop(); // the parent decides (a key after an indentless sequence)
                } else if dash {
                    return Err(Decline);
                } else {
                    break;
                }
            }
            pending = self.line(start, i, end)?;
        }
        if !started {
            return Err(Decline);
        }
        match pending {
            Some(p) => empty(p.slot),
            None => Ok(()),
        }
    }

    /// Opens the collection that is the value of a pending key or item, at column `col`.
    fn open(&mut self, slot: Slot, col: usize, seq: bool) -> R<()> {
        let role = match (slot, seq) {
            (Slot::Ignored, _) => Role::Other,
            (Slot::Metadata, false) => Role::Meta,
            (Slot::Labels, false) => Role::Labels,
            (Slot::Annotations, false) => Role::Annotations,
            _ => return Err(Decline),
        };
        self.push(Frame {
            col,
            seq,
            role,
            seen: 0,
        })
    }

    /// The content of a line at column `i`, which the top collection starts at.
    fn line(&mut self, start: usize, i: usize, end: usize) -> R<Option<Pending>> {
        let top = *self.stack.last().ok_or(Decline)?;
        if !top.seq {
            return self.entry(start, i, end);
        }
        // A sequence item: `-` at column `i`.
        let text = self.text;
        let rest = &text[start + i + 1..end];
        let t = trim_start(rest);
        if t.is_empty() || t.starts_with('#') {
            return Ok(Some(Pending {
                col: i,
                slot: Slot::Ignored,
                in_map: false,
            }));
        }
        let c = end - t.len();
        let tb = t.as_bytes();
        if tb[0] != b'\'' && tb[0] != b'"' && plain_start(t) && plain_end(t).1 {
            // A compact mapping: its first key is on this line.
            let col = c - start;
            self.push(Frame {
                col,
                seq: false,
                role: Role::Other,
                seen: 0,
            })?;
            return self.entry(start, col, end);
        }
        self.value(Slot::Ignored, i, t).map(|()| None)
    }

    /// A `key: value` entry at column `m` of the line, in the mapping on top of the stack.
    fn entry(&mut self, start: usize, m: usize, end: usize) -> R<Option<Pending>> {
        let text = self.text;
        let t = &text[start + m..end];
        let (key, after) = match t.as_bytes()[0] {
            b'\'' | b'"' => {
                let (key, after) = quoted(t)?;
                let rest = trim_start(after);
                let rb = rest.as_bytes();
                if rb.first() != Some(&b':') || !(rb.len() == 1 || rb[1] == b' ') {
                    return Err(Decline);
                }
                (key, &rest[1..])
            }
            _ if plain_start(t) => {
                let (e, is_key) = plain_end(t);
                if !is_key {
                    return Err(Decline);
                }
                // Trimmed by `slot` when it matters.
                (Scalar::Plain(&t[..e]), &t[e + 1..])
            }
            _ => return Err(Decline),
        };
        if t.len() - after.len() > MAX_KEY_BYTES {
            return Err(Decline);
        }
        let slot = self.slot(key)?;
        let v = trim_start(after);
        if v.is_empty() || v.starts_with('#') {
            return Ok(Some(Pending {
                col: m,
                slot,
                in_map: true,
            }));
        }
        self.value(slot, m, v).map(|()| None)
    }

    /// The slot of the value of `key`, a key of the mapping on top of the stack.
    fn slot(&mut self, key: Scalar<'a>) -> R<Slot> {
        let top = self.stack.last_mut().ok_or(Decline)?;
        if top.role == Role::Other {
            return Ok(Slot::Ignored);
        }
        let key = match key {
            Scalar::Plain(p) => Scalar::Plain(trim_end(p)),
            key => key,
        };
        let slot = match top.role {
            Role::Other => Slot::Ignored,
            Role::Labels | Role::Annotations => {
                self.entry_key = string_of(key).ok_or(Decline)?;
                if top.role == Role::Labels {
                    Slot::Label
                } else {
                    Slot::Annotation
                }
            }
            Role::Root | Role::Meta => {
                let key = string_of(key).ok_or(Decline)?;
                let (slot, bit) = match (top.role, key.as_ref()) {
                    (Role::Root, "apiVersion") => (Slot::ApiVersion, 1),
                    (Role::Root, "kind") => (Slot::Kind, 2),
                    (Role::Root, "metadata") => (Slot::Metadata, 4),
                    (Role::Meta, "name") => (Slot::Name, 1),
                    (Role::Meta, "namespace") => (Slot::Namespace, 2),
                    (Role::Meta, "labels") => (Slot::Labels, 4),
                    (Role::Meta, "annotations") => (Slot::Annotations, 8),
                    _ => (Slot::Ignored, 0),
                };
                if top.seen & bit != 0 {
                    return Err(Decline);
                }
                top.seen |= bit;
                slot
            }
        };
        Ok(slot)
    }

    /// A value on the current line: `t` is the rest of the line from it, `p` the column of the
    /// collection it belongs to.
    fn value(&mut self, slot: Slot, p: usize, t: &'a str) -> R<()> {
        match t.as_bytes()[0] {
            b'\'' | b'"' => {
                let (value, after) = quoted(t)?;
                if !only_comment(after) {
                    return Err(Decline);
                }
                self.scalar(slot, value)
            }
            b'|' | b'>' if slot == Slot::Ignored => self.block_scalar(p, t),
            b'[' | b'{' if slot == Slot::Ignored => {
                if (t.starts_with("[]") || t.starts_with("{}")) && only_comment(&t[2..]) {
                    return Ok(());
                }
                Err(Decline)
            }
            _ if plain_start(t) => {
                let (e, is_key) = plain_end(t);
                if is_key {
                    return Err(Decline);
                }
                self.scalar(slot, Scalar::Plain(trim_end(&t[..e])))
            }
            _ => Err(Decline),
        }
    }

    /// A one-line scalar value for `slot`.
    fn scalar(&mut self, slot: Slot, value: Scalar<'a>) -> R<()> {
        if slot == Slot::Ignored {
            return Ok(());
        }
        let text = string_of(value).ok_or(Decline)?.into_owned();
        match slot {
            Slot::ApiVersion => self.head.api_version = text,
            Slot::Kind => self.head.kind = text,
            Slot::Name => self.head.name = text,
            Slot::Namespace => self.head.namespace = Some(text),
            Slot::Label | Slot::Annotation => {
                let map = if slot == Slot::Label {
                    &mut self.head.labels
                } else {
                    &mut self.head.annotations
                };
                let key = std::mem::replace(&mut self.entry_key, Cow::Borrowed(""));
                if map.insert(key.into_owned(), text).is_some() {
                    return Err(Decline);
                }
            }
            // A head map that is a scalar: the other paths decide.
            Slot::Metadata | Slot::Labels | Slot::Annotations | Slot::Ignored => {
                return Err(Decline);
            }
        }
        Ok(())
    }

    /// A literal or folded block scalar whose header `t` ends the current line, in a collection
    /// at column `p`: consumes its lines as the block-YAML reader does. Explicit indentation
    /// indicators decline.
    fn block_scalar(&mut self, p: usize, t: &str) -> R<()> {
        let hb = t.as_bytes();
        let mut i = 1;
        if i < hb.len() && matches!(hb[i], b'+' | b'-') {
            i += 1;
        }
        if !only_comment(&t[i..]) {
            return Err(Decline);
        }
        let b = self.text.as_bytes();
        // The first non-blank line sets the indentation; blank lines before it must not be
        // longer.
        let mut max_blank = 0;
        let mut at = self.next.min(b.len());
        let mut first = None;
        while at < b.len() {
            let j = skip_spaces_fast(b, at);
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
        let indent = first.max(p + 1);
        // Its lines: blank ones, and those indented by at least `indent`.
        while self.next < b.len() {
            let start = self.next;
            let end = find_byte(b, start, b'\n').unwrap_or(b.len());
            let j = skip_spaces_fast(b, start).min(end);
            if j < end && j - start < indent {
                break;
            }
            self.next = end + 1;
        }
        Ok(())
    }
}

/// `s` without its leading spaces.
fn trim_start(s: &str) -> &str {
    let n = s.bytes().take_while(|&b| b == b' ').count();
    &s[n..]
}

/// `s` without its trailing spaces.
fn trim_end(s: &str) -> &str {
    let b = s.as_bytes();
    let mut e = b.len();
    while e > 0 && b[e - 1] == b' ' {
        e -= 1;
    }
    &s[..e]
}

/// An empty value (`key:` with nothing after it) for `slot`.
fn empty(slot: Slot) -> R<()> {
    if slot == Slot::Ignored {
        Ok(())
    } else {
        Err(Decline)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference: the block-YAML reader with the head sink.
    fn reference(doc: &str) -> Option<DocHead> {
        super::super::headscan::block_scan(doc)
    }

    #[test]
    fn reads_what_the_block_reader_reads() {
        let docs = [
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  namespace: ns\n  labels:\n    a: b\n    'c': \"d\"\n  annotations:\n    x/y: z # c\nspec:\n  containers:\n    - name: c\n      image: i\n      ports:\n        - containerPort: 80\n      env:\n      - name: A\n        value: \"1\"\n  data: |\n    text: [\n\n     more\n  other: >-\n    folded\n  empty:\n  list: []\n  map: {}\n",
            "# c\nkind: A\n\nmetadata:\n  name: n\nspec:\n- a\n- - b\n",
            "kind: A\nspec:\n  -\n    a: b\n  - c\n",
            "kind: A\nspec:\n- a: b\n  c: d\n- \"e\"\nother: 1\n",
            "kind: A\ndata: |\nnext: x\n",
            "kind: A\ndata: |-\n\n  x\n  y\nnext: x\n",
        ];
        for doc in docs {
            let fast = scan(doc);
            assert!(fast.is_some() || doc.contains("- - b"), "declined:\n{doc}");
            if let Some(fast) = fast {
                assert_eq!(Some(fast), reference(doc), "{doc}");
            }
        }
        let head = scan(docs[0]).unwrap();
        assert_eq!(head.name, "p");
        assert_eq!(head.namespace.as_deref(), Some("ns"));
        assert_eq!(head.labels.len(), 2);
        assert_eq!(head.annotations["x/y"], "z");
    }

    /// Documents and mutations of them (every byte deleted, a space or a line break inserted
    /// anywhere, every line deleted or doubled): whenever the line scanner accepts one, the
    /// block reader reads the same head.
    #[test]
    fn agrees_with_the_block_reader_on_mutations() {
        let docs = [
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: r-app\n  namespace: ns\n  labels:\n    app.kubernetes.io/name: app\n    team: t\n  annotations:\n    rev: \"1\"\nspec:\n  replicas: 1\n  template:\n    spec:\n      containers:\n        - name: app\n          ports:\n            - name: http\n              containerPort: 80\n          env:\n            - name: A\n              value: 'b'\n      volumes: []\n",
            "kind: ConfigMap\nmetadata:\n  name: c # n\ndata:\n  a: |-\n    x: [\n\n    y\n  b: >\n    z\n  c:\n  - d\n  -\n    e: f\n",
        ];
        let mut checked = 0;
        let mut check = |doc: &str| {
            if let Some(fast) = scan(doc) {
                assert_eq!(Some(fast), reference(doc), "on:\n{doc}");
                checked += 1;
            }
        };
        for doc in docs {
            check(doc);
            for i in 0..doc.len() {
                check(&format!("{}{}", &doc[..i], &doc[i + 1..]));
                check(&format!("{} {}", &doc[..i], &doc[i..]));
                check(&format!("{}\n{}", &doc[..i], &doc[i..]));
            }
            let lines: Vec<&str> = doc.lines().collect();
            for i in 0..lines.len() {
                let mut without = lines.clone();
                without.remove(i);
                check(&without.join("\n"));
                let mut doubled = lines.clone();
                doubled.insert(i, lines[i]);
                check(&doubled.join("\n"));
            }
        }
        assert!(checked > 300, "only {checked} accepted");
    }

    #[test]
    fn declines_what_it_does_not_read() {
        for doc in [
            "kind: A\nkind: B",
            "metadata:\n  labels:\n    a: 1",
            "metadata:\n  labels:\n    a: x\n    a: y",
            "metadata: {}",
            "metadata:\n- a",
            "a: b\n  c",
            "a: b: c",
            "- a",
            "# only",
            "a: |2\n  x",
            "a: |\n    \n  x",
            "a: b\n...\nc: d",
            "a: [x]",
            "a:\n  - b\n c: d",
            "a:\n  b: c\n d: e",
            "a: &x b",
            "kind: \"\\x41\"",
            "name:\nkind: A\nmetadata:\n  name:",
        ] {
            assert!(scan(doc).is_none(), "accepted:\n{doc}");
        }
    }
}
