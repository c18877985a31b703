//! The fast path of values files (`values::yaml`, block-YAML reader) against the full path
//! (`parse_values_full`, yaml_serde): whenever the fast path reads a file, the full path must
//! give the same values, and `parse_values` (fast path first) must always give what the full
//! path gives, errors included. Checked on the values corpus of
//! `tests/value_options_differential.rs`, every values file of `charts/` and `tests/fixtures/`,
//! the benchmark's scale chart, generated block YAML and mutations of all of these.

mod common;
#[path = "common/yamlgen.rs"]
mod yamlgen;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use rudder::values::yaml::{parse_values, parse_values_fast, parse_values_full};
use yamlgen::{apply, document, mutation, root};

/// Asserts the fast path agrees with the full path on `text`; returns whether it read it.
fn agrees(text: &str) -> bool {
    let full = parse_values_full("values.yaml", text);
    assert_eq!(
        parse_values("values.yaml", text),
        full,
        "parse_values differs from the full path on:\n{text}"
    );
    match parse_values_fast(text) {
        Some(fast) => {
            assert_eq!(
                Ok(&fast),
                full.as_ref(),
                "the fast path read other values from:\n{text}"
            );
            true
        }
        None => false,
    }
}

/// The cases of `tests/corpus/value_options_yaml.txt` (see its header for the format).
fn corpus() -> &'static [String] {
    static CASES: OnceLock<Vec<String>> = OnceLock::new();
    CASES.get_or_init(|| {
        let path = common::repo_root().join("tests/corpus/value_options_yaml.txt");
        let text = std::fs::read_to_string(path).unwrap();
        let mut cases: Vec<(String, String)> = Vec::new();
        for line in text.split_inclusive('\n') {
            if let Some(title) = line.strip_prefix("=== ") {
                cases.push((title.trim_end().to_string(), String::new()));
            } else if let Some((_, body)) = cases.last_mut() {
                body.push_str(line);
            }
        }
        cases
            .into_iter()
            .map(|(title, mut body)| {
                if title.ends_with("[no-eol]") {
                    body.pop();
                }
                body
            })
            .collect()
    })
}

fn values_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            values_files(&path, out);
        } else if path.file_name().is_some_and(|n| n == "values.yaml") {
            out.push(path);
        }
    }
}

/// Every `values.yaml` under `charts/` and `tests/fixtures/`.
fn chart_values() -> &'static [String] {
    static FILES: OnceLock<Vec<String>> = OnceLock::new();
    FILES.get_or_init(|| {
        let root = common::repo_root();
        let mut paths = Vec::new();
        values_files(&root.join("charts"), &mut paths);
        values_files(&root.join("tests/fixtures"), &mut paths);
        paths
            .iter()
            .map(|p| std::fs::read_to_string(p).unwrap())
            .collect()
    })
}

/// The values file of the benchmark's scale chart (`bench/gen_chart.py`).
fn scale_values() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let status = std::process::Command::new("python3")
            .arg(common::repo_root().join("bench/gen_chart.py"))
            .args(["40", dir.path().to_str().unwrap()])
            .stderr(std::process::Stdio::null())
            .status()
            .expect("run bench/gen_chart.py");
        assert!(status.success());
        std::fs::read_to_string(dir.path().join("values.yaml")).unwrap()
    })
}

#[test]
fn the_scale_chart_values_take_the_fast_path() {
    assert!(agrees(scale_values()));
}

#[test]
fn corpus_and_chart_values_agree() {
    let corpus = corpus();
    assert!(corpus.len() >= 30);
    let accepted = corpus.iter().filter(|t| agrees(t)).count();
    // The corpus is mostly about YAML's corners; a fair share is still plain block YAML.
    assert!(
        accepted * 4 >= corpus.len(),
        "{accepted} of {}",
        corpus.len()
    );
    let charts = chart_values();
    assert!(charts.len() >= 10);
    let accepted = charts.iter().filter(|t| agrees(t)).count();
    assert!(
        accepted * 2 >= charts.len(),
        "{accepted} of {}",
        charts.len()
    );
}

#[test]
fn scalars_resolve_as_the_full_path_resolves_them() {
    let text = "a: yes\nb: 0755\nc: 1.5\nd: \"x\\ty\"\ne: 'it''s'\nf: |\n  one\n\n   two\ng: ~\nh: [1, off, '08']\n1: k\ny: k\ni:\n- 08\n- 1_000\n";
    let fast = parse_values_fast(text).expect("read by the fast path");
    assert_eq!(Ok(&fast), parse_values_full("v", text).as_ref());
    assert_eq!(fast["a"], serde_json::json!(true));
    assert_eq!(fast["b"], serde_json::json!(493));
    assert_eq!(fast["d"], serde_json::json!("x\ty"));
    assert_eq!(fast["f"], serde_json::json!("one\n\n two\n"));
    assert_eq!(fast["true"], serde_json::json!("k"));
}

#[test]
fn the_fast_path_declines_what_the_full_path_refuses_or_reads_otherwise() {
    for text in [
        "~: 1\n",                    // a null key
        "<<: {a: 1}\n",              // a merge key
        "a: .inf\n",                 // not representable
        "a: &x 1\nb: *x\n",          // anchors
        "a: !!str 08\n",             // tags
        "a: x !y\n08: 1\n",          // a key read as tagged by the full path
        "a: >\n  folded\n",          // folded blocks
        "- a\n",                     // not a map (an error)
        "a: 1\n--- x\n",             // a bad separator (an error)
        "18446744073709551615: 1\n", // a key larger than int64 (an error)
    ] {
        assert!(parse_values_fast(text).is_none(), "read:\n{text}");
        agrees(text);
    }
}

#[test]
fn generated_values_are_often_read() {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let (mut total, mut accepted) = (0, 0);
    for _ in 0..2000 {
        let tree = root().new_tree(&mut runner).unwrap().current();
        total += 1;
        accepted += usize::from(agrees(&format!("{}\n", document(&tree))));
    }
    assert!(accepted * 10 >= total, "only {accepted} of {total} read");
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 5000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn generated_values_agree(tree in root(), second in proptest::option::of(root()), eol in any::<bool>()) {
        let mut text = document(&tree);
        if let Some(second) = second {
            text = format!("{text}\n---\n{}", document(&second));
        }
        if eol {
            text.push('\n');
        }
        agrees(&text);
    }

    #[test]
    fn mutated_values_agree(
        tree in root(),
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        let mut text = format!("{}\n", document(&tree));
        for m in &mutations {
            text = apply(&text, m);
        }
        agrees(&text);
    }

    #[test]
    fn mutated_corpus_values_agree(
        pick in any::<usize>(),
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        let corpus = corpus();
        let charts = chart_values();
        let i = pick % (corpus.len() + charts.len() + 1);
        let mut text = if i < corpus.len() {
            corpus[i].clone()
        } else if i < corpus.len() + charts.len() {
            charts[i - corpus.len()].clone()
        } else {
            scale_values().to_string()
        };
        for m in &mutations {
            text = apply(&text, m);
        }
        agrees(&text);
    }
}
