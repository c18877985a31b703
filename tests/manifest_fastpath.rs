//! The fast path for document heads (`engine::headscan::scan`) against the full YAML parser
//! (`engine::manifest::read_head`): whenever the fast path accepts a document, the full parser
//! must accept it too and read the same head. Checked on every document our charts render (the
//! snapshots of `tests/snapshots/` and fresh renders), on the benchmark's scale chart, on
//! generated block YAML and on mutations of all of these.

mod common;
#[path = "common/yamlgen.rs"]
mod yamlgen;

use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use rudder::engine::headscan::scan;
use rudder::engine::manifest::{read_head, split_documents};
use yamlgen::{apply, document, mutation, root};

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
        .flat_map(|text| {
            split_documents(&text.text())
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
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
        "--- kind: Pod",                  // a document start marker
        "kind: Pod\n... # end",           // a document end marker
        "a: \"\\uD800\"",                 // an escape of a surrogate (an error)
    ] {
        assert!(scan(doc).is_none(), "accepted:\n{doc}");
    }
    // Implicit keys are limited to 1024 characters.
    let long = format!("{}: x\nkind: Pod", "k".repeat(1100));
    assert!(read_head(&long).is_err());
    assert!(scan(&long).is_none());
    let long_enough = format!("{}: x\nkind: Pod", "k".repeat(900));
    assert_eq!(scan(&long_enough).map(|h| h.kind), Some("Pod".to_string()));
    assert!(agrees(&long_enough));
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
