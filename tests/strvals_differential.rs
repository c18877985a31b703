//! Differential tests of the `--set` family against the real Helm v4 strvals parser.
//!
//! Each corpus in `tests/corpus/` is parsed by rudder and by Helm (`tests/oracle/strvals.py`);
//! per expression both must fail, or both succeed with equal values. All mismatches are reported
//! together.

mod common;

use rudder::values::options::{ValueOptions, ValueSource};
use rudder::values::strvals::{SetKind, parse_kind};
use serde_json::{Value, json};

/// Expressions where Helm's behaviour is a bug we deliberately do not reproduce, with the reason.
/// Keep this tiny; it is empty today.
const ALLOWED_MISMATCHES: &[&str] = &[];

/// Reads a corpus: one expression per line, verbatim; `#` lines and blank lines are skipped; a
/// line `json:"…"` is a JSON string (for empty expressions, edge white space, control characters).
fn corpus(name: &str) -> Vec<String> {
    let path = common::repo_root().join("tests/corpus").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.is_empty() && !line.starts_with('#'))
        .map(|(n, line)| match line.strip_prefix("json:") {
            Some(encoded) => serde_json::from_str(encoded)
                .unwrap_or_else(|e| panic!("{name}:{}: bad json: line: {e}", n + 1)),
            None => line.to_string(),
        })
        .collect()
}

/// Value equality as the oracle can express it. Helm decodes `--set-json` numbers as float64, so
/// with `numeric` numbers compare as f64; otherwise integers must be equal integers.
fn same(ours: &Value, helm: &Value, numeric: bool) -> bool {
    match (ours, helm) {
        (Value::Number(a), Value::Number(b)) => {
            if numeric || a.is_f64() || b.is_f64() {
                a.as_f64() == b.as_f64()
            } else {
                a.as_i64().is_some() && a.as_i64() == b.as_i64()
                    || a.as_u64().is_some() && a.as_u64() == b.as_u64()
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y, numeric))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, x)| b.get(k).is_some_and(|y| same(x, y, numeric)))
        }
        (a, b) => a == b,
    }
}

/// Runs one corpus through rudder and Helm and fails with every mismatch.
fn compare(corpus_name: &str, oracle_kind: &str, kind: SetKind, minimum: usize) {
    let exprs = corpus(corpus_name);
    assert!(
        exprs.len() >= minimum,
        "{corpus_name} has {} expressions, expected at least {minimum}",
        exprs.len()
    );
    let helm = common::oracle("strvals.py", &json!({"kind": oracle_kind, "exprs": exprs}));
    let helm = helm.as_array().expect("oracle returns a list");
    assert_eq!(helm.len(), exprs.len(), "oracle answered every expression");

    let mut mismatches = Vec::new();
    for (expr, helm) in exprs.iter().zip(helm) {
        let ours = parse_kind(expr, kind);
        let agree = match (&ours, helm["ok"].as_bool()) {
            (Ok(v), Some(true)) => same(
                &Value::Object(v.clone()),
                &helm["value"],
                kind == SetKind::Json,
            ),
            (Err(_), Some(false)) => true,
            _ => false,
        };
        if !agree && !ALLOWED_MISMATCHES.contains(&expr.as_str()) {
            let ours = match ours {
                Ok(v) => Value::Object(v).to_string(),
                Err(e) => format!("error: {e}"),
            };
            let helm = if helm["ok"] == json!(true) {
                helm["value"].to_string()
            } else {
                format!("error: {}", helm["error"])
            };
            mismatches.push(format!(
                "  {kind:?} {expr:?}\n    ours: {ours}\n    helm: {helm}"
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} expressions differ from Helm:\n{}",
        mismatches.len(),
        exprs.len(),
        mismatches.join("\n")
    );
}

#[test]
fn set_matches_helm() {
    compare("set_expressions.txt", "set", SetKind::Typed, 100);
}

#[test]
fn set_string_matches_helm() {
    compare("strvals_string.txt", "string", SetKind::String, 15);
}

#[test]
fn set_json_matches_helm() {
    compare("strvals_json.txt", "json", SetKind::Json, 15);
}

#[test]
fn set_literal_matches_helm() {
    compare("strvals_literal.txt", "literal", SetKind::Literal, 15);
}

#[test]
fn set_file_matches_helm() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    };
    let plain = write("plain.txt", "hello\nworld\n");
    let empty = write("empty.txt", "");
    let typed = write("typed.txt", "true");
    let unicode = write("unicode.txt", "ключ: 😀");
    write("a,b.txt", "comma");
    let comma = dir.path().join(r"a\,b.txt").to_string_lossy().into_owned();
    let missing = dir
        .path()
        .join("missing.txt")
        .to_string_lossy()
        .into_owned();
    let folder = dir.path().to_string_lossy().into_owned();
    let exprs = [
        format!("a={plain}"),
        format!("a.b={empty},c={typed}"),
        format!("list[1]={unicode}"),
        format!("l={{{plain},{typed}}}"),
        format!("x={comma}"),
        "a=".to_string(),
        format!("a={missing}"),
        format!("a={folder}"),
        format!("a={plain},b"),
    ];
    let helm = common::oracle("strvals.py", &json!({"kind": "file", "exprs": exprs}));
    let helm = helm.as_array().expect("oracle returns a list");
    let mut mismatches = Vec::new();
    for (expr, helm) in exprs.iter().zip(helm) {
        let options = ValueOptions {
            files: vec![],
            sets: vec![ValueSource::SetFile(expr.clone())],
        };
        let ours = options.merge(&mut std::io::empty());
        let agree = match (&ours, helm["ok"].as_bool()) {
            (Ok(v), Some(true)) => same(&Value::Object(v.clone()), &helm["value"], false),
            (Err(_), Some(false)) => true,
            _ => false,
        };
        if !agree {
            mismatches.push(format!("  {expr:?}\n    ours: {ours:?}\n    helm: {helm}"));
        }
    }
    assert!(
        mismatches.is_empty(),
        "--set-file differs from Helm:\n{}",
        mismatches.join("\n")
    );
}

#[test]
fn numbers_compare_strictly_unless_json() {
    // The comparison itself must be able to fail: an int differing from Helm's is a mismatch.
    assert!(!same(
        &json!({"a": 9007199254740993_i64}),
        &json!({"a": 9007199254740992_i64}),
        false
    ));
    assert!(same(&json!({"a": 1.0}), &json!({"a": 1}), true));
    assert!(!same(&json!({"a": "1"}), &json!({"a": 1}), true));
    assert!(!same(&json!({"a": [1]}), &json!({"a": [1, null]}), false));
}
