//! The fast path for document heads (`engine::headscan::scan`) against the full YAML parser
//! (`engine::manifest::read_head`): whenever the fast path accepts a document, the full parser
//! must accept it too and read the same head. Checked on every document our charts render (the
//! snapshots of `tests/snapshots/` and fresh renders), on the benchmark's scale chart, on
//! generated block YAML and on mutations of all of these.

mod common;

use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use rudder::engine::headscan::scan;
use rudder::engine::manifest::{read_head, split_documents};

/// Asserts the fast path agrees with the full parser on `doc`; returns whether it accepted.
fn agrees(doc: &str) -> bool {
    let Some(fast) = scan(doc) else {
        return false;
    };
    match read_head(doc) {
        Ok(Some(full)) => assert_eq!(fast, full, "heads differ on:\n{doc}"),
        other => {
            panic!("the fast path accepted a document the full parser reads as {other:?}:\n{doc}")
        }
    }
    true
}

/// Documents from rendering `dir` with its defaults through the library (raw template output).
fn rendered(dir: &Path) -> Vec<String> {
    let req = rudder::action::render::RenderRequest {
        chart: dir.to_path_buf(),
        ..Default::default()
    };
    let result = rudder::action::render::load_and_render(&req, &mut std::io::empty())
        .unwrap_or_else(|e| panic!("render {}: {e}", dir.display()));
    result
        .rendered
        .outputs
        .values()
        .flat_map(|text| split_documents(text).into_iter().map(str::to_string))
        .collect()
}

/// The scale chart of the benchmark (`bench/gen_chart.py`, Tera dialect), rendered.
fn scale_documents() -> &'static [String] {
    static DOCS: OnceLock<Vec<String>> = OnceLock::new();
    DOCS.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let status = std::process::Command::new("python3")
            .arg(common::repo_root().join("bench/gen_chart.py"))
            .args(["30", dir.path().to_str().unwrap(), "--dialect", "tera"])
            .stderr(std::process::Stdio::null())
            .status()
            .expect("run bench/gen_chart.py");
        assert!(status.success());
        rendered(dir.path())
    })
}

/// Every document of the chart snapshots and of fresh renders of `charts/*` with defaults.
fn chart_documents() -> &'static [String] {
    static DOCS: OnceLock<Vec<String>> = OnceLock::new();
    DOCS.get_or_init(|| {
        let root = common::repo_root();
        let mut docs = Vec::new();
        let mut snaps: Vec<_> = std::fs::read_dir(root.join("tests/snapshots"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "snap"))
            // NOTES are text, not manifests.
            .filter(|p| !p.to_string_lossy().ends_with("-notes.snap"))
            .collect();
        snaps.sort();
        for snap in snaps {
            let text = std::fs::read_to_string(&snap).unwrap();
            // Drop insta's header (`---\nsource: ...\n---\n`).
            let body = text.split_once("\n---\n").map_or("", |x| x.1);
            docs.extend(split_documents(body).into_iter().map(str::to_string));
        }
        let mut charts: Vec<_> = std::fs::read_dir(root.join("charts"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.join("Chart.yaml").exists())
            .collect();
        charts.sort();
        for chart in charts {
            docs.extend(rendered(&chart));
        }
        docs
    })
}

#[test]
fn every_scale_chart_document_takes_the_fast_path() {
    let docs = scale_documents();
    assert_eq!(docs.len(), 90);
    for doc in docs {
        assert!(agrees(doc), "declined:\n{doc}");
    }
}

#[test]
fn chart_documents_agree_and_mostly_take_the_fast_path() {
    let docs = chart_documents();
    assert!(docs.len() > 100, "only {} documents", docs.len());
    let accepted = docs.iter().filter(|d| agrees(d)).count();
    // Most documents are plain block YAML; the rest (multi-line strings ...) use the full parser.
    assert!(
        accepted * 10 >= docs.len() * 9,
        "the fast path took only {accepted} of {} documents",
        docs.len()
    );
}

#[test]
fn heads_are_read_as_the_full_parser_reads_them() {
    let doc = "# c\napiVersion: v1 # trailing\n\"kind\": 'Conf''ig'\nmetadata:\n  labels:\n    a.b/c: x y\n    \"q\": \"\"\n  name: n\n  annotations: {}\nspec:\n- a: |\n    text: [\n  b: [x, {y: z}]\n";
    let head = scan(doc).expect("accepted");
    assert_eq!(head.api_version, "v1");
    assert_eq!(head.kind, "Conf'ig");
    assert_eq!(head.name, "n");
    assert_eq!(head.namespace, None);
    assert_eq!(head.labels.len(), 2);
    assert_eq!(head.labels["a.b/c"], "x y");
    assert!(agrees(doc));
}

#[test]
fn the_fast_path_declines_what_it_does_not_read() {
    for doc in [
        "a: &x 1\nb: *x",                 // anchors and aliases
        "a: !!str 1",                     // tags
        "kind: A\nkind: B",               // repeated head field (an error)
        "metadata:\n  labels:\n    a: 1", // a label that is not a string
        "metadata:\n  name: 1.0",         // a name the full parser reads as a number
        "a: b\n  c",                      // a multi-line plain scalar
        "a: \"b\n  c\"",                  // a multi-line quoted scalar
        "a: [b,\n  c]",                   // a multi-line flow collection
        "a:\tb",                          // tabs
        "a: b\r\nc: d",                   // carriage returns
        "? a\n: b",                       // explicit keys
        "- a",                            // not a mapping
        "# only a comment",               // no content
        "a: b: c",                        // an error
        "a: |\n    \n  x",                // leading blank line longer than the indentation
        "kind: \"\\x41\"",                // an escape in a head value
        "a: b\n...\nc: d",                // document end marker
    ] {
        assert!(scan(doc).is_none(), "accepted:\n{doc}");
    }
}

/// Pieces inserted by the mutations: YAML's significant characters and a few whole lines.
const SNIPPETS: &[&str] = &[
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
enum Mutation {
    Insert(usize, usize),
    Delete(usize, usize),
    DuplicateLine(usize),
    Reindent(usize, i8),
    SwapLines(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
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

fn apply(doc: &str, m: &Mutation) -> String {
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
enum Node {
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
const KEYS: &[&str] = &[
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
const ODD_KEYS: &[&str] = &[
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
const SCALARS: &[&str] = &[
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
const ODD_SCALARS: &[&str] = &[
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

const BLOCK_LINES: &[&str] = &[
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

fn root() -> impl Strategy<Value = Node> {
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

fn document(root: &Node) -> String {
    let mut out = String::new();
    if let Node::Map(e, _) = root {
        write_map(&mut out, 0, e);
    }
    out.trim().to_string()
}

#[test]
fn generated_documents_are_often_accepted() {
    // Not vacuous: a fair share of generated documents must take the fast path.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut total, mut accepted) = (0, 0);
    for _ in 0..2000 {
        let tree = root().new_tree(&mut runner).unwrap().current();
        total += 1;
        accepted += usize::from(agrees(&document(&tree)));
    }
    assert!(
        accepted * 10 >= total,
        "only {accepted} of {total} accepted"
    );
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 10000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn generated_documents_agree(tree in root()) {
        agrees(&document(&tree));
    }

    #[test]
    fn mutated_generated_documents_agree(
        tree in root(),
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        let mut doc = document(&tree);
        for m in &mutations {
            doc = apply(&doc, m);
        }
        agrees(doc.trim());
    }

    #[test]
    fn mutated_chart_documents_agree(
        pick in any::<usize>(),
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        let charts = chart_documents();
        let scale = scale_documents();
        let i = pick % (charts.len() + scale.len());
        let mut doc = if i < charts.len() { charts[i].clone() } else { scale[i - charts.len()].clone() };
        for m in &mutations {
            doc = apply(&doc, m);
        }
        agrees(doc.trim());
    }
}
