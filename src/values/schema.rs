//! `values.schema.json` validation (Helm's `ValidateAgainstSchema`).
//!
//! Each chart with a schema is checked against its own scope of the final values: the top chart
//! against the whole tree, each enabled subchart against the tree under its name (which carries
//! `global`). Drafts 4, 6, 7, 2019-09 and 2020-12 are read from `$schema` (2020-12 when absent).
//! As with Helm's validator, `format` is asserted up to draft-07 and not from 2019-09 on, and
//! `contentEncoding`/`contentMediaType` are not asserted. References are resolved only inside
//! the schema document: nothing is fetched from the network or the file system.

use std::fmt::Write as _;

use serde_json::Value;

use crate::chart::Chart;

use super::{Values, ValuesError};
use crate::text::one_line;

/// Validates values against values.schema.json of the chart and of every enabled subchart (each
/// against its own scope of the values). The error lists EVERY violation, each with its JSON path
/// and the chart.
pub fn validate(chart: &Chart, values: &Values) -> Result<(), ValuesError> {
    let mut report = String::new();
    collect(chart, values, &mut report);
    if report.is_empty() {
        return Ok(());
    }
    Err(ValuesError::new(
        format!("chart {}", chart.name()),
        format!(
            "values don't meet the specifications of the schema(s) in the following chart(s):\n{}",
            report.trim_end()
        ),
    ))
}

/// Appends this chart's violations (a `name:` line, then one `- at '<path>': <message>` line
/// each), then its subcharts'.
fn collect(chart: &Chart, values: &Values, report: &mut String) {
    if let Some(schema) = &chart.schema {
        let problems = violations(schema, values);
        if !problems.is_empty() {
            let _ = writeln!(report, "{}:", chart.name());
            for line in problems {
                let _ = writeln!(report, "{line}");
            }
        }
    }
    for sub in &chart.dependencies {
        match values.get(sub.name()) {
            None | Some(Value::Null) => {}
            Some(Value::Object(scope)) => collect(sub, scope, report),
            Some(other) => {
                let _ = writeln!(
                    report,
                    "{}:\n- invalid type for values: expected an object (map), got {}",
                    sub.name(),
                    json_type(other)
                );
            }
        }
    }
}

/// The violations of one schema, formatted; a schema that does not compile is one violation.
fn violations(schema: &Value, values: &Values) -> Vec<String> {
    let validator = match jsonschema::options()
        .offline()
        .without_content_media_type_support("application/json")
        .without_content_encoding_support("base64")
        .build(schema)
    {
        Ok(v) => v,
        Err(e) => {
            return vec![format!(
                "- values.schema.json is not a valid schema: {}",
                one_line(&e.to_string())
            )];
        }
    };
    let instance = Value::Object(values.clone());
    validator
        .iter_errors(&instance)
        .map(|e| {
            format!(
                "- at '{}': {}",
                e.instance_path().as_str(),
                one_line(&e.to_string())
            )
        })
        .collect()
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::Metadata;
    use serde_json::json;

    fn chart(name: &str, schema: Option<Value>, deps: Vec<Chart>) -> Chart {
        Chart {
            metadata: Metadata {
                name: name.into(),
                ..Metadata::default()
            },
            schema,
            dependencies: deps,
            ..Chart::default()
        }
    }

    fn values(v: Value) -> Values {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn no_schema_passes() {
        assert!(validate(&chart("p", None, vec![]), &values(json!({"a": 1}))).is_ok());
    }

    #[test]
    fn lists_every_violation_with_path_and_chart() {
        let schema = json!({
            "type": "object",
            "required": ["name"],
            "properties": {"replicas": {"type": "integer"}, "image": {"properties": {"tag": {"type": "string"}}}}
        });
        let sub_schema = json!({"properties": {"port": {"maximum": 100}}});
        let c = chart(
            "p",
            Some(schema),
            vec![chart("sub", Some(sub_schema), vec![])],
        );
        let err = validate(
            &c,
            &values(json!({"replicas": "x", "image": {"tag": 1}, "sub": {"port": 1000}})),
        )
        .unwrap_err();
        assert_eq!(err.location, "chart p");
        let msg = err.message;
        assert!(
            msg.starts_with("values don't meet the specifications"),
            "{msg}"
        );
        assert!(msg.contains("\np:\n"), "{msg}");
        assert!(
            msg.contains("- at '': \"name\" is a required property"),
            "{msg}"
        );
        assert!(
            msg.contains("- at '/replicas': \"x\" is not of type \"integer\""),
            "{msg}"
        );
        assert!(
            msg.contains("- at '/image/tag': 1 is not of type \"string\""),
            "{msg}"
        );
        assert!(
            msg.contains("\nsub:\n- at '/port': 1000 is greater than the maximum of 100"),
            "{msg}"
        );
    }

    #[test]
    fn subcharts_without_values_are_skipped_and_non_maps_reported() {
        let strict = json!({"required": ["x"]});
        let c = chart("p", None, vec![chart("sub", Some(strict), vec![])]);
        assert!(validate(&c, &values(json!({}))).is_ok());
        let err = validate(&c, &values(json!({"sub": 3}))).unwrap_err();
        assert!(
            err.message
                .contains("sub:\n- invalid type for values: expected an object (map), got number"),
            "{err}"
        );
    }

    #[test]
    fn formats_follow_the_draft() {
        let draft7 = json!({"$schema": "http://json-schema.org/draft-07/schema#", "properties": {"ip": {"format": "ipv4"}}});
        let modern = json!({"properties": {"ip": {"format": "ipv4"}}});
        let bad = values(json!({"ip": "1.2.3"}));
        assert!(validate(&chart("p", Some(draft7), vec![]), &bad).is_err());
        assert!(validate(&chart("p", Some(modern), vec![]), &bad).is_ok());
    }

    #[test]
    fn content_keywords_are_not_asserted() {
        let schema = json!({"$schema": "http://json-schema.org/draft-07/schema#", "properties": {
            "c": {"contentEncoding": "base64"}, "j": {"contentMediaType": "application/json"}}});
        let v = values(json!({"c": "!!", "j": "{"}));
        assert!(validate(&chart("p", Some(schema), vec![]), &v).is_ok());
    }

    #[test]
    fn an_invalid_schema_is_a_clear_error() {
        let c = chart("p", Some(json!({"type": 12})), vec![]);
        let err = validate(&c, &values(json!({}))).unwrap_err();
        assert!(
            err.message
                .contains("p:\n- values.schema.json is not a valid schema"),
            "{err}"
        );
    }

    #[test]
    fn remote_references_are_not_fetched() {
        let c = chart(
            "p",
            Some(json!({"$ref": "https://example.com/s.json"})),
            vec![],
        );
        let err = validate(&c, &values(json!({}))).unwrap_err();
        assert!(err.message.contains("not a valid schema"), "{err}");
    }
}
