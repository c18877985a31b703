//! Differential tests of values files against the real Helm v4 `loader.LoadValues` (the reader of
//! `-f` files and of a chart's values.yaml): every case of `tests/corpus/value_options_yaml.txt`
//! must fail in both or give equal values. All mismatches are reported together.

mod common;

use rudder::values::yaml::parse_values;
use serde_json::{Value, json};

/// Cases where Helm's behaviour is a bug we deliberately do not reproduce. Empty today.
const ALLOWED_MISMATCHES: &[&str] = &[];

/// The corpus as (title, text) pairs; see the corpus header for the format.
fn corpus() -> Vec<(String, String)> {
    let path = common::repo_root().join("tests/corpus/value_options_yaml.txt");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let mut cases: Vec<(String, String)> = Vec::new();
    for line in text.split_inclusive('\n') {
        if let Some(title) = line.strip_prefix("=== ") {
            cases.push((title.trim_end().to_string(), String::new()));
        } else if let Some((_, body)) = cases.last_mut() {
            body.push_str(line);
        }
    }
    for (title, body) in &mut cases {
        if title.ends_with("[no-eol]") {
            body.pop();
        }
    }
    cases
}

/// Helm's values pass through float64, so numbers compare as f64.
fn same(ours: &Value, helm: &Value) -> bool {
    match (ours, helm) {
        (Value::Number(a), Value::Number(b)) => a.as_f64() == b.as_f64(),
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, x)| b.get(k).is_some_and(|y| same(x, y)))
        }
        (a, b) => a == b,
    }
}

#[test]
fn values_files_match_helm() {
    let cases = corpus();
    assert!(cases.len() >= 30, "the corpus has {} cases", cases.len());
    let docs: Vec<&str> = cases.iter().map(|(_, text)| text.as_str()).collect();
    let helm = common::oracle("value_options.py", &json!({ "docs": docs }));
    let helm = helm.as_array().expect("oracle returns a list");
    assert_eq!(helm.len(), cases.len());

    let mut mismatches = Vec::new();
    for ((title, text), helm) in cases.iter().zip(helm) {
        let ours = parse_values("values.yaml", text);
        let agree = match (&ours, helm["ok"].as_bool()) {
            (Ok(v), Some(true)) => same(&Value::Object(v.clone()), &helm["value"]),
            (Err(_), Some(false)) => true,
            _ => false,
        };
        if !agree && !ALLOWED_MISMATCHES.contains(&title.as_str()) {
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
                "  {title}: {text:?}\n    ours: {ours}\n    helm: {helm}"
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {} values files differ from Helm:\n{}",
        mismatches.len(),
        cases.len(),
        mismatches.join("\n")
    );
}
