//! `values.schema.json` validation of a chart and its enabled subcharts, checked against Helm 4.
//!
//! Fixture `tests/fixtures/coalesce/schema`: `parent` (draft-07 schema) with subchart `sub`
//! (2020-12 schema) listed twice (as `sub` and as alias `other`) and `strict` (draft-07,
//! `additionalProperties: false`) behind `condition: strict.enabled`, off by default.
//!
//! Messages differ between validators, so the comparison with Helm is on where the violations
//! are: for each chart, the set of JSON paths reported.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde_json::{Value, json};

use rudder::values::Values;
use rudder::values::coalesce::resolve;
use rudder::values::schema::validate;

fn fixture(name: &str) -> PathBuf {
    common::repo_root()
        .join("tests/fixtures/coalesce")
        .join(name)
}

/// Per chart, the JSON paths of its violations, read from a report in Helm's layout
/// (`<chart>:` then `- at '<path>': <message>` lines; deeper, indented causes are skipped).
fn paths_by_chart(report: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut chart = None;
    for line in report.lines() {
        if let Some(rest) = line.strip_prefix("- at '") {
            let path = rest.split_once("':").map_or(rest, |(p, _)| p);
            let chart: &String = chart.as_ref().expect("a violation under a chart");
            out.entry(chart.clone())
                .or_default()
                .insert(path.to_string());
        } else if !line.starts_with(' ') && !line.starts_with('-') && line.ends_with(':') {
            chart = Some(line.trim_end_matches(':').to_string());
        }
    }
    out
}

/// Our verdict on the fixture with `user` values: `Ok` or the error message.
fn ours(name: &str, user: &Value) -> Result<(), String> {
    let chart = rudder::chart::load(&fixture(name)).map_err(|e| e.to_string())?;
    let user: Values = user.as_object().cloned().unwrap();
    let resolved = resolve(&chart, user).map_err(|e| e.to_string())?;
    validate(&resolved.chart, &resolved.values).map_err(|e| e.message)
}

/// Helm's verdict (render = dependencies processed, then schemas validated).
fn helms(name: &str, user: &Value) -> Result<(), String> {
    let out = common::oracle(
        "merge.py",
        &json!({"dir": fixture(name).to_str().unwrap(), "values": user}),
    );
    match &out["render_error"] {
        Value::Null => Ok(()),
        Value::String(e) => Err(e.clone()),
        other => panic!("unexpected oracle answer {other}"),
    }
}

/// Both fail, on the same paths of the same charts; returns our message.
fn same_violations(user: Value) -> String {
    let ours = ours("schema", &user).expect_err("our validation fails");
    let helms = helms("schema", &user).expect_err("Helm's validation fails");
    assert_eq!(
        paths_by_chart(&ours),
        paths_by_chart(&helms),
        "violations differ\nours:\n{ours}\nHelm's:\n{helms}"
    );
    ours
}

#[test]
fn valid_values_pass() {
    for user in [
        json!({}),
        json!({"replicaCount": 3, "sub": {"port": 1000, "mode": "b"}, "other": {"mode": "a"}}),
        json!({"strict": {"enabled": false, "level": 99}}),
    ] {
        assert_eq!(ours("schema", &user), Ok(()), "{user}");
        assert_eq!(helms("schema", &user), Ok(()), "{user}");
    }
}

#[test]
fn every_violation_of_chart_and_subcharts_is_listed_with_its_path() {
    let message = same_violations(json!({
        "replicaCount": "x",
        "name": "ab",
        "email": "nope",
        "image": {"tag": 1},
        "sub": {"port": 5000, "mode": "c"},
        "other": {"port": "x"}
    }));
    assert!(
        message.starts_with(
            "values don't meet the specifications of the schema(s) in the following chart(s):"
        ),
        "{message}"
    );
    let expected: BTreeMap<String, BTreeSet<String>> = [
        (
            "parent",
            &["/replicaCount", "/name", "/email", "/image/tag"][..],
        ),
        ("sub", &["/port", "/mode"][..]),
        ("other", &["/port"][..]),
    ]
    .into_iter()
    .map(|(c, ps)| (c.to_string(), ps.iter().map(|p| p.to_string()).collect()))
    .collect();
    assert_eq!(paths_by_chart(&message), expected, "{message}");
}

#[test]
fn draft_07_asserts_formats_and_2020_12_does_not() {
    let message = same_violations(json!({"email": "nope", "sub": {"ip": "1.2.3"}}));
    assert_eq!(
        paths_by_chart(&message).into_iter().collect::<Vec<_>>(),
        vec![("parent".to_string(), BTreeSet::from(["/email".to_string()]))],
        "{message}"
    );
}

#[test]
fn required_values_can_come_from_defaults_and_a_null_removes_them() {
    assert_eq!(ours("schema", &json!({"email": null})), Ok(()));
    let message = same_violations(json!({"name": null}));
    assert_eq!(
        paths_by_chart(&message)["parent"],
        BTreeSet::from([String::new()]),
        "{message}"
    );
}

#[test]
fn an_enabled_subchart_is_validated_with_global_in_its_scope() {
    // `strict` forbids unknown keys: `enabled` and the `global` every subchart receives are both
    // violations, exactly as with Helm.
    let message = same_violations(json!({"strict": {"enabled": true, "level": 9}}));
    assert_eq!(
        paths_by_chart(&message)["strict"],
        BTreeSet::from([String::new(), "/level".to_string()]),
        "{message}"
    );
}

#[test]
fn a_schema_file_that_is_not_json_is_a_clear_error() {
    let err = rudder::chart::load(&fixture("broken-schema"))
        .expect_err("the loader rejects it")
        .to_string();
    assert!(
        err.contains("values.schema.json:5:"),
        "names the file and line: {err}"
    );
    assert!(helms("broken-schema", &json!({})).is_err());
}

#[test]
fn a_schema_that_breaks_the_meta_schema_is_a_clear_error() {
    let err = ours("bad-keyword-schema", &json!({})).expect_err("rejected");
    assert!(
        err.contains("badkeyword:\n- values.schema.json is not a valid schema"),
        "{err}"
    );
    assert!(helms("bad-keyword-schema", &json!({})).is_err());
}

#[test]
fn report_parser_reads_helms_layout() {
    let report = "values don't meet the specifications of the schema(s) in the following chart(s):\n\
                  a:\n- at '/x': bad\n- at '': missing\n  - at '/deep': cause\nb:\n- at '/y/0': bad\n";
    let parsed = paths_by_chart(report);
    assert_eq!(
        parsed["a"],
        BTreeSet::from(["/x".to_string(), String::new()])
    );
    assert_eq!(parsed["b"], BTreeSet::from(["/y/0".to_string()]));
    assert_eq!(parsed.len(), 2);
}
