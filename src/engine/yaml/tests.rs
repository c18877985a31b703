//! The emitter against Helm's output (cases checked with the Helm engine), against the
//! character-by-character scalar analysis it replaced (a reference model), and the Tera path
//! against the JSON path.

use proptest::prelude::*;
use serde_json::{Value, json};

use super::scalar::{Style, scalar_style};
use super::{to_yaml_string, to_yaml_tera};

#[test]
fn quoting_matches_helm() {
    let cases = [
        ("true", "\"true\""),
        ("on", "\"on\""),
        ("y", "\"y\""),
        ("0x1F", "\"0x1F\""),
        ("012", "\"012\""),
        ("1e3", "\"1e3\""),
        ("1_000", "\"1_000\""),
        ("1:20", "\"1:20\""),
        ("+1", "\"+1\""),
        ("1.", "\"1.\""),
        (".5", "\".5\""),
        ("~", "\"~\""),
        ("", "\"\""),
        ("\t", "\"\\t\""),
        ("a\u{1}", "\"a\\x01\""),
        ("a \nb", "\"a \\nb\""),
        (" lead", "' lead'"),
        ("trail ", "'trail '"),
        ("- x", "'- x'"),
        ("-x", "-x"),
        ("x:", "'x:'"),
        (":x", ":x"),
        ("a:b", "a:b"),
        ("a,b", "a,b"),
        ("[x]", "'[x]'"),
        ("@x", "'@x'"),
        ("-", "'-'"),
        ("?x", "?x"),
        ("a #b", "'a #b'"),
        ("a#b", "a#b"),
        ("---", "'---'"),
        ("'", "''''"),
        ("a'b", "a'b"),
        ("<<", "<<"),
        ("1e", "1e"),
        ("infinity", "infinity"),
        ("é", "é"),
    ];
    for (input, want) in cases {
        let got = to_yaml_string(&json!({ "k": input }));
        assert_eq!(got, format!("k: {want}\n"), "input {input:?}");
    }
}

#[test]
fn literal_blocks_match_helm() {
    assert_eq!(to_yaml_string(&json!({"k": "a\nb\n"})), "k: |\n  a\n  b\n");
    assert_eq!(to_yaml_string(&json!({"k": "a\nb"})), "k: |-\n  a\n  b\n");
    assert_eq!(to_yaml_string(&json!({"k": "x\n\n"})), "k: |+\n  x\n\n");
    assert_eq!(to_yaml_string(&json!({"k": "\nx"})), "k: |2-\n\n  x\n");
    assert_eq!(
        to_yaml_string(&json!({"k": " x\ny"})),
        "k: |2-\n   x\n  y\n"
    );
}

#[test]
fn structure_matches_helm() {
    let v = json!({"emptymap": {}, "lst": [[1, 2], [{"a": 1, "b": []}], {}, [], null, true, 1.5, 100000000000i64, -3], "n": {"m": {"x": "y"}}});
    assert_eq!(
        to_yaml_string(&v),
        "emptymap: {}\nlst:\n- - 1\n  - 2\n- - a: 1\n    b: []\n- {}\n- []\n- null\n- true\n- 1.5\n- 100000000000\n- -3\n\"n\":\n  m:\n    x: \"y\"\n"
    );
}

#[test]
fn long_text_folds_at_80_columns() {
    let long = "long ".repeat(25);
    assert_eq!(
        to_yaml_string(&json!({"k000": long})),
        "k000: 'long long long long long long long long long long long long long long long\n  long long long long long long long long long long '\n"
    );
    let x = "x".repeat(100);
    assert_eq!(to_yaml_string(&json!({"k": x})), format!("k: {x}\n"));
}

mod reference;

/// Strings made of the characters the style rules look at, and a few that are not ASCII.
fn tricky_string() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        Just(" ".to_string()),
        Just("\n".to_string()),
        Just("\t".to_string()),
        Just(":".to_string()),
        Just("#".to_string()),
        Just("-".to_string()),
        Just("?".to_string()),
        Just("'".to_string()),
        Just("\"".to_string()),
        Just("_".to_string()),
        Just(".".to_string()),
        Just("e".to_string()),
        Just("0x".to_string()),
        Just("---".to_string()),
        Just("é".to_string()),
        Just("\u{85}".to_string()),
        Just("\u{feff}".to_string()),
        Just("\u{1}".to_string()),
        Just("on".to_string()),
        Just("word".to_string()),
        "[0-9]{1,3}",
        "[a-z]{1,12}",
        // Prose, to fold at every column around 80.
        "[a-z]{1,9}( [a-z']{1,9}){4,24}",
        "[!-~]",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
}

/// JSON trees of tricky strings, numbers of every kind, nested maps and sequences.
fn json_tree() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<u64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        tricky_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(tricky_string(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn style_name(s: Style) -> String {
    format!("{s:?}")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn byte_analysis_matches_the_reference(s in tricky_string(), key in any::<bool>()) {
        prop_assert_eq!(
            style_name(scalar_style(&s, key)),
            format!("{:?}", reference::scalar_style(&s, key)),
            "{:?}", s
        );
    }

    #[test]
    fn emitter_matches_the_reference(v in json_tree()) {
        let want = reference::to_yaml_string(&v);
        prop_assert_eq!(&to_yaml_string(&v), &want);
        let tera = tera::Value::from_serializable(&v);
        let got = to_yaml_tera(&tera);
        prop_assert_eq!(got.as_deref(), Some(want.as_str()));
    }
}

#[test]
fn tera_maps_in_template_order_print_sorted() {
    let mut m = tera::Map::new();
    m.insert("b".into(), tera::Value::from(1));
    m.insert("a".into(), tera::Value::from("x"));
    let v = tera::Value::from(m);
    assert_eq!(to_yaml_tera(&v).unwrap(), "a: x\nb: 1\n");
}

#[test]
fn tera_values_json_cannot_hold_are_left_to_the_json_path() {
    let mut m = tera::Map::new();
    m.insert(tera::value::Key::I64(1), tera::Value::from(1));
    assert!(to_yaml_tera(&tera::Value::from(m)).is_none());
    assert!(to_yaml_tera(&tera::Value::bytes(vec![1u8, 2])).is_none());
    assert!(to_yaml_tera(&tera::Value::from(u128::MAX)).is_none());
    // Non-finite floats become null, as in JSON.
    let nan = tera::Value::from(vec![tera::Value::from(f64::NAN)]);
    assert_eq!(to_yaml_tera(&nan).unwrap(), "- null\n");
}

#[test]
fn doubled_quotes_count_towards_the_fold_column() {
    // Short in bytes, but past column 80 once every `'` is doubled.
    let s = format!("#{}{}", "'".repeat(30), " x".repeat(12));
    let v = json!({ "k": s });
    let got = to_yaml_string(&v);
    assert_eq!(got, reference::to_yaml_string(&v));
    assert!(got.lines().count() > 1, "{got}");
}
