//! Generated block-YAML documents and mutations for the differential tests of the fast paths
//! (`tests/manifest_fastpath.rs`, `tests/values_fastpath.rs`): trees of maps, sequences (compact
//! and indentless), scalars of every style and shape, blocks and flows, written with varying
//! indentation, and small edits (inserted YAML indicators, deleted characters, re-indented,
//! duplicated or swapped lines) that turn them into near-misses and invalid documents.
#![allow(dead_code)]

use proptest::prelude::*;

/// Pieces inserted by the mutations: YAML's significant characters and a few whole lines.
pub const SNIPPETS: &[&str] = &[
    ":",
    ": ",
    "-",
    "- ",
    " ",
    "  ",
    "#",
    " #",
    "'",
    "\"",
    "|",
    ">",
    "[",
    "]",
    "{",
    "}",
    ",",
    "\n",
    "\n  ",
    "\n- ",
    "&a ",
    "*a",
    "!t ",
    "? ",
    "\t",
    "%",
    "@",
    "`",
    "\\",
    "...",
    "---",
    "\r",
    "\u{85}",
    "\u{2028}",
    "\u{feff}",
    "\u{7}",
    "é",
    "kind: X\n",
    "metadata:\n",
    "  name: y\n",
    "labels:\n",
    "    k: v\n",
    "|-\n",
    "''",
    "\\x4",
    "\\u12",
];

#[derive(Debug, Clone)]
pub enum Mutation {
    Insert(usize, usize),
    Delete(usize, usize),
    DuplicateLine(usize),
    Reindent(usize, i8),
    SwapLines(usize, usize),
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<usize>(), 0..SNIPPETS.len()).prop_map(|(p, s)| Mutation::Insert(p, s)),
        2 => (any::<usize>(), 1usize..4).prop_map(|(p, n)| Mutation::Delete(p, n)),
        1 => any::<usize>().prop_map(Mutation::DuplicateLine),
        2 => (any::<usize>(), -3i8..4).prop_map(|(l, d)| Mutation::Reindent(l, d)),
        1 => (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
    ]
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

pub fn apply(doc: &str, m: &Mutation) -> String {
    let mut lines: Vec<String> = doc.split('\n').map(str::to_string).collect();
    let n = lines.len();
    match *m {
        Mutation::Insert(p, s) => {
            let at = floor_boundary(doc, p % (doc.len() + 1));
            return format!("{}{}{}", &doc[..at], SNIPPETS[s], &doc[at..]);
        }
        Mutation::Delete(p, len) => {
            let from = floor_boundary(doc, p % (doc.len() + 1));
            let to = floor_boundary(doc, from + len);
            return format!("{}{}", &doc[..from], &doc[to..]);
        }
        Mutation::DuplicateLine(l) => {
            let line = lines[l % n].clone();
            lines.insert(l % n, line);
        }
        Mutation::Reindent(l, d) => {
            let line = &mut lines[l % n];
            if d >= 0 {
                *line = format!("{}{line}", " ".repeat(d as usize));
            } else {
                let strip = line.len() - line.trim_start_matches(' ').len();
                *line = line[strip.min((-d) as usize)..].to_string();
            }
        }
        Mutation::SwapLines(a, b) => lines.swap(a % n, b % n),
    }
    lines.join("\n")
}

/// A node of a generated block-YAML tree.
#[derive(Debug, Clone)]
pub enum Node {
    /// A one-line scalar or flow collection, as written.
    Inline(&'static str),
    /// A literal or folded block: header and content lines.
    Block(&'static str, Vec<&'static str>),
    /// A mapping; `wide` indents its children by 4 instead of 2.
    Map(Vec<(&'static str, Node)>, bool),
    /// A sequence; `indentless` writes it at its key's indentation.
    Seq(Vec<Node>, bool),
}

/// Keys that are fine in block YAML, head keys first.
pub const KEYS: &[&str] = &[
    "y",
    "n",
    "0x10",
    "1.5",
    "\"yes\"",
    "1e20",
    "007",
    "-1",
    "+1",
    "1_000",
    "Yes",
    "off",
    "on",
    "apiVersion",
    "kind",
    "metadata",
    "name",
    "namespace",
    "labels",
    "annotations",
    "spec",
    "a",
    "b.c/d",
    "'q'",
    "\"dq\"",
    "'it''s'",
    "app.kubernetes.io/name",
    "\"kind\"",
    "k ",
    "x:y",
    "a b",
    "-x",
    "1",
    "true",
    "~",
    "<<",
];

/// Keys outside the subset or invalid.
pub const ODD_KEYS: &[&str] = &[
    "\"e\\x41\"",
    "? k",
    "?k",
    ":k",
    "- k",
    "[k]",
    "{k: v}",
    "&a k",
    "!t k",
    "*a",
    "k:v:",
    "'k",
    "k #c",
];

/// Valid one-line values.
pub const SCALARS: &[&str] = &[
    "0755",
    "-0755",
    "1_000",
    "1e3",
    "1.5E-3",
    "0x1F",
    "0X1F",
    "0o17",
    "0b101",
    "+12",
    "-12",
    "-0",
    "1.",
    ".5",
    "Yes",
    "off",
    "y",
    "n",
    "NO",
    "NaN",
    "2001-12-14",
    "1:20",
    "08",
    "000",
    "-.inf",
    "99999999999999999999",
    "18446744073709551615",
    "9223372036854775808",
    "/path/to",
    "<<",
    "10Gi",
    "100m",
    "1.16.0",
    "\"a\\tb\"",
    "\"\\x41\\u00e9\\U0001F600\\N\\_\\\\\"",
    "'a''b'",
    "\"yes\"",
    "'08'",
    "a  b",
    "é ü",
    "x #y",
    "x#y",
    "[1, 0x10, yes, '08', \"s\"]",
    "{a: 1, b: [x, {c: off}]}",
    "[ ]",
    "{ }",
    "[a, [b, [c]]]",
    "v1",
    "Pod",
    "x y",
    "1",
    "1.5",
    "0x10",
    "007",
    "true",
    "null",
    "~",
    "'s'",
    "'it''s'",
    "\"d\"",
    "\"e\\n\"",
    "\"\\u00e9\"",
    "[]",
    "{}",
    "[a, b]",
    "[\"a\", 'b']",
    "{a: b}",
    "{a: [1, 2]}",
    "v # c",
    "v#c",
    "-v",
    "a:b",
    "http://x.y/z",
    "é",
    "\"\"",
    "''",
    ".inf",
    "yes",
    "Null",
    "a ]",
    "x  y",
];

/// Values outside the subset or invalid.
pub const ODD_SCALARS: &[&str] = &[
    "\"bad\\q\"",
    "[a,]",
    "{a}",
    "{a: 1",
    "a: b",
    "x:",
    "&x v",
    "*x",
    "!!str v",
    "@x",
    "`x`",
    "%x",
    "'unterminated",
    "- x",
    "? x",
    ": x",
    ":x",
    "?x",
    "|x",
    ">-2",
    "\"\\x4\"",
    "[a]]",
];

fn key() -> impl Strategy<Value = &'static str> {
    prop_oneof![
        6 => proptest::sample::select(KEYS),
        1 => proptest::sample::select(ODD_KEYS),
    ]
}

fn scalar() -> impl Strategy<Value = Node> {
    prop_oneof![
        6 => proptest::sample::select(SCALARS),
        1 => proptest::sample::select(ODD_SCALARS),
    ]
    .prop_map(Node::Inline)
}

pub const BLOCK_LINES: &[&str] = &[
    "    more",
    "",
    "",
    "x  ",
    "   ",
    "text",
    "  indented",
    "",
    "a: b",
    "# not a comment",
    "- x",
    "'",
];

fn node() -> impl Strategy<Value = Node> {
    let leaf = prop_oneof![
        4 => scalar(),
        1 => (
            proptest::sample::select(&["|", "|-", ">", ">+", "|2", "|1-", "|0", "| # c", "|x"][..]),
            proptest::collection::vec(proptest::sample::select(BLOCK_LINES), 0..4)
        )
            .prop_map(|(h, l)| Node::Block(h, l)),
    ];
    leaf.prop_recursive(4, 24, 5, |inner| {
        prop_oneof![
            (
                proptest::collection::vec((key(), inner.clone()), 0..5),
                any::<bool>()
            )
                .prop_map(|(e, w)| Node::Map(e, w)),
            (proptest::collection::vec(inner, 0..4), any::<bool>())
                .prop_map(|(i, f)| Node::Seq(i, f)),
        ]
    })
}

pub fn root() -> impl Strategy<Value = Node> {
    let head_value = prop_oneof![scalar(), node()];
    proptest::collection::vec((key(), head_value), 1..6).prop_map(|e| Node::Map(e, false))
}

/// Writes `node` as the value after `key:` (or after `-` when `key` is `None`) at `indent`.
fn write_value(out: &mut String, indent: usize, node: &Node) {
    match node {
        Node::Inline(s) => {
            out.push(' ');
            out.push_str(s);
            out.push('\n');
        }
        Node::Block(h, lines) => {
            out.push(' ');
            out.push_str(h);
            out.push('\n');
            for l in lines {
                if !l.is_empty() {
                    out.push_str(&" ".repeat(indent + 2));
                    out.push_str(l);
                }
                out.push('\n');
            }
        }
        Node::Map(e, _) if e.is_empty() => out.push_str(" {}\n"),
        Node::Seq(i, _) if i.is_empty() => out.push_str(" []\n"),
        Node::Map(e, wide) => {
            out.push('\n');
            write_map(out, indent + if *wide { 4 } else { 2 }, e);
        }
        Node::Seq(items, indentless) => {
            out.push('\n');
            write_seq(out, if *indentless { indent } else { indent + 2 }, items);
        }
    }
}

fn write_map(out: &mut String, indent: usize, entries: &[(&str, Node)]) {
    for (k, v) in entries {
        out.push_str(&" ".repeat(indent));
        out.push_str(k);
        out.push(':');
        write_value(out, indent, v);
    }
}

fn write_seq(out: &mut String, indent: usize, items: &[Node]) {
    for item in items {
        match item {
            // Compact forms: the first line of the nested collection follows the dash.
            Node::Map(e, _) if !e.is_empty() => {
                let mut inner = String::new();
                write_map(&mut inner, indent + 2, e);
                out.push_str(&" ".repeat(indent));
                out.push_str("- ");
                out.push_str(&inner[indent + 2..]);
            }
            Node::Seq(i, _) if !i.is_empty() => {
                let mut inner = String::new();
                write_seq(&mut inner, indent + 2, i);
                out.push_str(&" ".repeat(indent));
                out.push_str("- ");
                out.push_str(&inner[indent + 2..]);
            }
            _ => {
                out.push_str(&" ".repeat(indent));
                out.push('-');
                write_value(out, indent, item);
            }
        }
    }
}

pub fn document(root: &Node) -> String {
    let mut out = String::new();
    if let Node::Map(e, _) = root {
        write_map(&mut out, 0, e);
    }
    out.trim().to_string()
}
