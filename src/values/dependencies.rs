//! Dependencies of a chart at render time (Helm's `ProcessDependencies`): which subcharts are
//! enabled (`condition`, `tags`), aliases, and `import-values`.
//!
//! Helm 4's rules, reproduced here:
//! - A `Chart.yaml` dependency is matched to a loaded subchart by name *and* version range; the
//!   match is copied, renamed to the alias if there is one, so two aliases of one chart give two
//!   subcharts. A subchart in `charts/` that no entry matches is kept as it is.
//! - Every entry starts enabled (the `enabled` field of `Chart.yaml` is ignored, as in Helm).
//!   `tags:` (a top-level map of booleans) disables an entry when none of its tags is true and at
//!   least one is false. Then `condition` — comma-separated paths evaluated in the chart's
//!   coalesced values (a subchart is addressed by its alias) — sets it from the first path that
//!   holds a boolean, so a condition beats tags. Disabled subcharts are removed; the values under
//!   their key stay in the values, as in Helm.
//! - Deeper levels are evaluated with paths prefixed by the subchart's name, against the parent's
//!   coalesced values (so `tags` set by the top chart apply at every level).
//! - `import-values` (after children imported from theirs): `- data` copies the child's
//!   `exports.data` map into the parent's root, `- {child: a.b, parent: x.y}` copies the child's
//!   `a.b` map to the parent's `x.y`. Imports are read from the charts' defaults (user values are
//!   not imported, as in Helm), the first import into a path wins, and the parent's own defaults
//!   win over imported values; user values win over both later.

use std::collections::BTreeSet;

use serde_json::{Value, json};
use tracing::warn;

use crate::chart::{Chart, Dependency, parse_constraint};

use super::coalesce::{Node, Table, coalesce_chart, coalesce_tables, deeper};
use super::{Values, ValuesError};

/// Helm's `CheckDependencies` for the chart being installed: every `Chart.yaml` dependency must
/// have a subchart of that name in `charts/`. Names every missing one.
pub(crate) fn check_present(chart: &Chart) -> Result<(), ValuesError> {
    let missing: Vec<&str> = chart
        .metadata
        .dependencies
        .iter()
        .filter(|req| !chart.dependencies.iter().any(|d| d.name() == req.name))
        .map(|req| req.name.as_str())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(ValuesError::new(
        format!("chart {}", chart.name()),
        format!(
            "found in Chart.yaml, but missing in charts/ directory: {}",
            missing.join(", ")
        ),
    ))
}

/// Helm's `ProcessDependencies`: removes disabled subcharts (recursively), applies aliases and
/// copies import-values into the charts' values. `user` is the user-supplied values tree.
pub(crate) fn process(chart: &mut Chart, user: &Values) -> Result<(), ValuesError> {
    let user = Table::from_map(user, 0)?;
    process_enabled(chart, &user, "", 0)?;
    process_imports(chart, 0)
}

/// Whether a chart version satisfies a `Chart.yaml` version range, as Masterminds' semver (which
/// Helm uses) reads it: a bare version (`1.2.3`, `1.2`) means "equal" with missing parts as
/// wildcards, not the Cargo caret; an empty or invalid range matches nothing.
pub(crate) fn compatible(range: &str, version: &str) -> bool {
    let Ok(version) = semver::Version::parse(version.trim_start_matches('v')) else {
        return false;
    };
    if range.trim().is_empty() {
        return false;
    }
    match parse_constraint(&bare_means_equal(range)) {
        Ok(alternatives) => alternatives.iter().any(|req| req.matches(&version)),
        Err(_) => false,
    }
}

/// Prefixes `=` to operator-less comparators (and drops a `v` before a version), leaving hyphen
/// ranges (`1.2 - 1.4`) alone.
fn bare_means_equal(range: &str) -> String {
    range
        .split("||")
        .map(|alt| {
            if alt.contains(" - ") {
                return alt.trim().to_string();
            }
            let mut out = String::new();
            let mut after_operator = false;
            for token in alt.replace(',', " , ").split_whitespace() {
                if token == "," {
                    out.push(',');
                    after_operator = false;
                    continue;
                }
                let op_len = token
                    .find(|ch: char| !"<>=!~^".contains(ch))
                    .unwrap_or(token.len());
                let (op, rest) = token.split_at(op_len);
                let rest = match rest.strip_prefix(['v', 'V']) {
                    Some(r) if r.starts_with(|ch: char| ch.is_ascii_digit()) => r,
                    _ => rest,
                };
                if !out.is_empty() && !out.ends_with(',') && !after_operator {
                    out.push(' ');
                }
                if op.is_empty()
                    && !after_operator
                    && rest.starts_with(|ch: char| ch.is_ascii_digit())
                {
                    out.push('=');
                }
                out.push_str(op);
                out.push_str(rest);
                after_operator = rest.is_empty();
            }
            out
        })
        .collect::<Vec<_>>()
        .join(" || ")
}

/// Helm's `processDependencyEnabled` for one chart and, recursively, its enabled subcharts.
/// `values` are the values as seen from the top chart; `path` is this chart's prefix in them.
fn process_enabled(
    chart: &mut Chart,
    values: &Table,
    path: &str,
    depth: usize,
) -> Result<(), ValuesError> {
    if chart.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let depth = deeper(depth, &format!("chart {}", chart.name()))?;
    let loaded = std::mem::take(&mut chart.dependencies);
    let mut subcharts: Vec<Chart> = loaded
        .iter()
        .filter(|existing| {
            !chart.metadata.dependencies.iter().any(|req| {
                existing.name() == req.name && compatible(&req.version, &existing.metadata.version)
            })
        })
        .cloned()
        .collect();
    for req in &mut chart.metadata.dependencies {
        if let Some(copy) = aliased_copy(&loaded, req) {
            subcharts.push(copy);
        }
        if let Some(alias) = req.alias.as_deref().filter(|a| !a.is_empty()) {
            req.name = alias.to_string();
        }
        req.enabled = Some(true);
    }
    chart.dependencies = subcharts;

    let coalesced = coalesce_chart(chart, values, false)?;
    apply_tags(&mut chart.metadata.dependencies, &coalesced);
    apply_conditions(&mut chart.metadata.dependencies, &coalesced, path);

    let disabled: BTreeSet<String> = chart
        .metadata
        .dependencies
        .iter()
        .filter(|r| r.enabled == Some(false))
        .map(|r| r.name.clone())
        .collect();
    chart.dependencies.retain(|c| !disabled.contains(c.name()));
    chart
        .metadata
        .dependencies
        .retain(|r| !disabled.contains(&r.name));
    for sub in &mut chart.dependencies {
        let sub_path = format!("{path}{}.", sub.name());
        process_enabled(sub, &coalesced, &sub_path, depth)?;
    }
    Ok(())
}

/// Helm's `getAliasDependency`: a copy of the first loaded subchart matching the entry's name
/// and version range, named by the alias if the entry has one.
fn aliased_copy(loaded: &[Chart], req: &Dependency) -> Option<Chart> {
    let found = loaded
        .iter()
        .find(|c| c.name() == req.name && compatible(&req.version, &c.metadata.version))?;
    let mut copy = found.clone();
    if let Some(alias) = req.alias.as_deref().filter(|a| !a.is_empty()) {
        copy.metadata.name = alias.to_string();
    }
    Some(copy)
}

/// Helm's `processDependencyTags`: with a top-level `tags` map, an entry is disabled when none of
/// its tags is true and one is false, enabled otherwise.
fn apply_tags(reqs: &mut [Dependency], values: &Table) {
    let Some(tags) = values.table_at("tags") else {
        return;
    };
    for req in reqs {
        let (mut any_true, mut any_false) = (false, false);
        for tag in &req.tags {
            let node = tags.get(tag);
            match (node.as_ref().and_then(Node::leaf), &node) {
                (Some(Value::Bool(true)), _) => any_true = true,
                (Some(Value::Bool(false)), _) => any_false = true,
                (_, Some(other)) => warn!(
                    "tag {tag:?} of dependency {} is not a bool: {}",
                    req.name,
                    other.describe()
                ),
                (_, None) => {}
            }
        }
        req.enabled = Some(any_true || !any_false);
    }
}

/// Helm's `processDependencyConditions`: the first condition path holding a bool decides.
fn apply_conditions(reqs: &mut [Dependency], values: &Table, path: &str) {
    for req in reqs {
        let Some(condition) = req.condition.clone() else {
            continue;
        };
        for cond in condition.trim().split(',').filter(|c| !c.is_empty()) {
            let node = values.path_value(&format!("{path}{cond}"));
            match (node.as_ref().and_then(Node::leaf), &node) {
                (Some(Value::Bool(on)), _) => {
                    req.enabled = Some(*on);
                    break;
                }
                (_, Some(other)) => warn!(
                    "condition path {cond:?} of dependency {} is not a bool: {}",
                    req.name,
                    other.describe()
                ),
                (_, None) => {}
            }
        }
    }
}

/// Helm's `processDependencyImportValues` (in merge mode, as `ProcessDependencies` runs it):
/// children first, then this chart's `import-values` into its values.
fn process_imports(chart: &mut Chart, depth: usize) -> Result<(), ValuesError> {
    let depth = deeper(depth, &format!("chart {}", chart.name()))?;
    for sub in &mut chart.dependencies {
        process_imports(sub, depth)?;
    }
    if chart.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let merged = coalesce_chart(chart, &Table::new(), true)?;
    let imported = Table::new();
    for req in &mut chart.metadata.dependencies {
        let mut normalized = Vec::new();
        for import in &req.import_values {
            let (child, parent) = match import {
                Value::Object(map) => (go_sprint(map.get("child")), go_sprint(map.get("parent"))),
                Value::String(name) => (format!("exports.{name}"), ".".to_string()),
                other => {
                    warn!(
                        "import-values entry {other} of dependency {} is neither a string nor a map, ignored",
                        req.name
                    );
                    continue;
                }
            };
            normalized.push(json!({"child": child, "parent": parent}));
            let Some(table) = merged.table_at(&format!("{}.{child}", req.name)) else {
                warn!(
                    "import-values: dependency {} has no table at {child:?}",
                    req.name
                );
                continue;
            };
            // Helm's `Values.AsMap` gives a fresh map for an empty table.
            let table = if table.len() == 0 {
                Table::new()
            } else {
                table
            };
            coalesce_tables(&imported, &path_to_table(&parent, table), "", true, 0)?;
        }
        req.import_values = normalized;
    }
    let values = merged.deep_copy(0)?;
    coalesce_tables(&values, &imported, "", true, 0)?;
    chart.values = values.to_map(0)?;
    Ok(())
}

/// Nests `data` under a dotted path (`.` is the root).
fn path_to_table(path: &str, data: Table) -> Table {
    if path == "." {
        return data;
    }
    let mut current = data;
    for key in path.rsplit('.') {
        let wrapper = Table::new();
        wrapper.insert(key, Node::Table(current));
        current = wrapper;
    }
    current
}

/// Go's `fmt.Sprintf("%v", x)` for a value read from YAML, as Helm formats import-values keys.
fn go_sprint(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "<nil>".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(n)) => go_float(n.as_f64().unwrap_or_default()),
        Some(Value::Array(items)) => format!(
            "[{}]",
            items
                .iter()
                .map(|v| go_sprint(Some(v)))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Some(Value::Object(map)) => format!(
            "map[{}]",
            map.iter()
                .map(|(k, v)| format!("{k}:{}", go_sprint(Some(v))))
                .collect::<Vec<_>>()
                .join(" ")
        ),
    }
}

/// Go's `%v` of a float64 (YAML numbers are float64 in Helm): the shortest digits, in exponent
/// form when the decimal exponent is below -4 or above 5, as Go's `%g` does.
fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.into();
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..6).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        format!("{f}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::Metadata;
    use serde_json::json;

    fn chart(name: &str, version: &str, values: Value, deps: Vec<Chart>) -> Chart {
        Chart {
            metadata: Metadata {
                api_version: "v2".into(),
                name: name.into(),
                version: version.into(),
                ..Metadata::default()
            },
            values: values.as_object().cloned().unwrap(),
            dependencies: deps,
            ..Chart::default()
        }
    }

    fn dep(yaml: &str) -> Dependency {
        yaml_serde::from_str(yaml).unwrap()
    }

    fn with_reqs(mut c: Chart, reqs: &[&str]) -> Chart {
        c.metadata.dependencies = reqs.iter().map(|y| dep(y)).collect();
        c
    }

    fn names(c: &Chart) -> Vec<&str> {
        let mut n: Vec<&str> = c.dependencies.iter().map(|d| d.name()).collect();
        n.sort();
        n
    }

    fn processed(c: &Chart, user: Value) -> Chart {
        let mut c = c.clone();
        process(&mut c, user.as_object().unwrap()).unwrap();
        c
    }

    fn two_subs() -> Chart {
        with_reqs(
            chart(
                "p",
                "1.0.0",
                json!({}),
                vec![
                    chart("a", "1.0.0", json!({"v": "a"}), vec![]),
                    chart("b", "1.0.0", json!({"v": "b"}), vec![]),
                ],
            ),
            &[
                "{name: a, version: 1.0.0, condition: a.enabled, tags: [front]}",
                "{name: b, version: 1.0.0, tags: [front, back]}",
            ],
        )
    }

    #[test]
    fn missing_dependencies_are_named() {
        let c = with_reqs(
            chart("p", "1.0.0", json!({}), vec![]),
            &["{name: redis, version: 1.0.0}", "{name: db}"],
        );
        let err = check_present(&c).unwrap_err();
        assert_eq!(err.location, "chart p");
        assert_eq!(
            err.message,
            "found in Chart.yaml, but missing in charts/ directory: redis, db"
        );
        assert!(check_present(&two_subs()).is_ok());
    }

    #[test]
    fn conditions_enable_and_disable() {
        let c = two_subs();
        assert_eq!(names(&processed(&c, json!({}))), ["a", "b"]);
        assert_eq!(
            names(&processed(&c, json!({"a": {"enabled": false}}))),
            ["b"]
        );
        let p = processed(&c, json!({"a": {"enabled": false}}));
        assert_eq!(p.metadata.dependencies.len(), 1);
        assert_eq!(p.metadata.dependencies[0].enabled, Some(true));
    }

    #[test]
    fn first_condition_path_holding_a_bool_wins() {
        let mut c = two_subs();
        c.metadata.dependencies[0].condition = Some("x.missing,x.str,x.off,x.on".into());
        let user = json!({"x": {"str": "yes", "off": false, "on": true}});
        assert_eq!(names(&processed(&c, user)), ["b"]);
    }

    #[test]
    fn condition_parts_are_not_trimmed_as_in_helm() {
        let mut c = two_subs();
        c.metadata.dependencies[0].condition = Some("x.nothing, x.off".into());
        assert_eq!(
            names(&processed(&c, json!({"x": {"off": false}}))),
            ["a", "b"]
        );
    }

    #[test]
    fn tags_disable_only_when_none_is_true() {
        let c = two_subs();
        assert_eq!(
            names(&processed(&c, json!({"tags": {"front": false}}))),
            Vec::<&str>::new()
        );
        assert_eq!(
            names(&processed(
                &c,
                json!({"tags": {"front": false, "back": true}})
            )),
            ["b"]
        );
        assert_eq!(
            names(&processed(&c, json!({"tags": {"back": false}}))),
            ["a"]
        );
        assert_eq!(
            names(&processed(&c, json!({"tags": "not a map"}))),
            ["a", "b"]
        );
    }

    #[test]
    fn condition_beats_tags() {
        let c = two_subs();
        let user = json!({"tags": {"front": false}, "a": {"enabled": true}});
        assert_eq!(names(&processed(&c, user)), ["a"]);
    }

    #[test]
    fn chart_yaml_enabled_field_is_ignored_as_in_helm() {
        let mut c = two_subs();
        c.metadata.dependencies[1].enabled = Some(false);
        assert_eq!(names(&processed(&c, json!({}))), ["a", "b"]);
    }

    #[test]
    fn condition_in_chart_defaults_counts() {
        let mut c = two_subs();
        c.values = json!({"a": {"enabled": false}})
            .as_object()
            .cloned()
            .unwrap();
        assert_eq!(names(&processed(&c, json!({}))), ["b"]);
        assert_eq!(
            names(&processed(&c, json!({"a": {"enabled": true}}))),
            ["a", "b"]
        );
    }

    #[test]
    fn aliases_copy_and_rename_and_condition_uses_the_alias() {
        let c = with_reqs(
            chart(
                "p",
                "1.0.0",
                json!({}),
                vec![chart("db", "2.1.0", json!({}), vec![])],
            ),
            &[
                "{name: db, version: ^2.0.0, alias: primary}",
                "{name: db, version: ~2.1, alias: replica, condition: replica.enabled}",
            ],
        );
        let p = processed(&c, json!({}));
        assert_eq!(names(&p), ["primary", "replica"]);
        assert_eq!(p.metadata.dependencies[1].name, "replica");
        let p = processed(&c, json!({"replica": {"enabled": false}}));
        assert_eq!(names(&p), ["primary"]);
    }

    #[test]
    fn unmatched_subcharts_are_kept_and_version_mismatch_means_unmatched() {
        let c = with_reqs(
            chart(
                "p",
                "1.0.0",
                json!({}),
                vec![
                    chart("db", "3.0.0", json!({}), vec![]),
                    chart("extra", "1.0.0", json!({}), vec![]),
                ],
            ),
            &["{name: db, version: ^2.0.0, alias: primary}"],
        );
        assert_eq!(names(&processed(&c, json!({}))), ["db", "extra"]);
    }

    #[test]
    fn grandchildren_conditions_use_prefixed_paths_and_top_level_tags() {
        let grand = chart("g", "1.0.0", json!({}), vec![]);
        let sub = with_reqs(
            chart("s", "1.0.0", json!({}), vec![grand]),
            &["{name: g, version: 1.0.0, condition: g.on, tags: [t]}"],
        );
        let top = with_reqs(
            chart("p", "1.0.0", json!({}), vec![sub]),
            &["{name: s, version: 1.0.0}"],
        );
        let p = processed(&top, json!({"s": {"g": {"on": false}}}));
        assert!(p.dependencies[0].dependencies.is_empty());
        let p = processed(&top, json!({"tags": {"t": false}}));
        assert!(p.dependencies[0].dependencies.is_empty());
        let p = processed(&top, json!({}));
        assert_eq!(names(&p.dependencies[0]), ["g"]);
    }

    #[test]
    fn import_values_both_forms_with_parent_defaults_winning() {
        let sub = chart(
            "s",
            "1.0.0",
            json!({"exports": {"data": {"x": 1, "y": 1}}, "cfg": {"a": {"k": "child"}, "b": 2}}),
            vec![],
        );
        let top = with_reqs(
            chart(
                "p",
                "1.0.0",
                json!({"x": "parent", "into": {"k": "parent"}}),
                vec![sub],
            ),
            &["{name: s, version: 1.0.0, import-values: [data, {child: cfg.a, parent: into}]}"],
        );
        let p = processed(&top, json!({}));
        assert_eq!(p.values["x"], json!("parent"));
        assert_eq!(p.values["y"], json!(1));
        assert_eq!(p.values["into"], json!({"k": "parent"}));
        assert_eq!(
            p.metadata.dependencies[0].import_values,
            vec![
                json!({"child": "exports.data", "parent": "."}),
                json!({"child": "cfg.a", "parent": "into"})
            ]
        );
    }

    #[test]
    fn first_import_into_a_path_wins() {
        let a = chart(
            "a",
            "1.0.0",
            json!({"exports": {"d": {"k": "a", "only_a": 1}}}),
            vec![],
        );
        let b = chart(
            "b",
            "1.0.0",
            json!({"exports": {"d": {"k": "b", "only_b": 1}}}),
            vec![],
        );
        let top = with_reqs(
            chart("p", "1.0.0", json!({}), vec![a, b]),
            &[
                "{name: a, version: 1.0.0, import-values: [d]}",
                "{name: b, version: 1.0.0, import-values: [d]}",
            ],
        );
        let p = processed(&top, json!({}));
        assert_eq!(p.values["k"], json!("a"));
        assert_eq!(p.values["only_a"], json!(1));
        assert_eq!(p.values["only_b"], json!(1));
    }

    #[test]
    fn imports_chain_up_from_grandchildren() {
        let g = chart(
            "g",
            "1.0.0",
            json!({"exports": {"e": {"deep": true}}}),
            vec![],
        );
        let s = with_reqs(
            chart("s", "1.0.0", json!({"exports": {}}), vec![g]),
            &["{name: g, version: 1.0.0, import-values: [{child: exports.e, parent: exports.e}]}"],
        );
        let top = with_reqs(
            chart("p", "1.0.0", json!({}), vec![s]),
            &["{name: s, version: 1.0.0, import-values: [e]}"],
        );
        let p = processed(&top, json!({}));
        assert_eq!(p.values["deep"], json!(true));
    }

    #[test]
    fn imports_of_missing_tables_are_skipped() {
        let s = chart("s", "1.0.0", json!({"exports": {"flat": 1}}), vec![]);
        let top = with_reqs(
            chart("p", "1.0.0", json!({"k": 1}), vec![s]),
            &["{name: s, version: 1.0.0, import-values: [nope, flat, {child: x.y, parent: z}]}"],
        );
        let p = processed(&top, json!({}));
        assert_eq!(p.values["k"], json!(1));
        assert!(!p.values.contains_key("z"));
    }

    #[test]
    fn masterminds_ranges() {
        assert!(compatible("1.2.3", "1.2.3"));
        assert!(!compatible("1.2.3", "1.5.0"), "a bare version is exact");
        assert!(compatible("1.2", "1.2.9"));
        assert!(!compatible("1.2", "1.3.0"));
        assert!(compatible("^1.2", "1.9.0"));
        assert!(compatible("~1.2.0", "1.2.5"));
        assert!(compatible(">= 1.0, < 2", "1.4.0"));
        assert!(compatible(">=1.0 <2", "1.4.0"));
        assert!(!compatible(">=1.0 <2", "2.0.0"));
        assert!(compatible("v1.0.0", "1.0.0"));
        assert!(compatible("1.0 - 1.4", "1.3.0"));
        assert!(compatible("2.x || 1.0.0", "1.0.0"));
        assert!(
            !compatible("", "1.0.0"),
            "Masterminds rejects an empty range"
        );
        assert!(!compatible("not a range", "1.0.0"));
        // Observed with Helm 4.2.3 (alias applied or not).
        for (range, version, expected) in [
            ("0.1", "0.1.5", true),
            ("0.1", "0.2.0", false),
            ("0.1.0", "0.1.5", false),
            ("0", "0.2.0", true),
            ("0", "1.2.0", false),
            ("1", "1.2.0", true),
            ("1.2.x", "1.2.0", true),
            ("1.2.x", "0.1.5", false),
            ("^0.1.0", "0.1.5", true),
            ("^0.1.0", "0.2.0", false),
            ("=0.1", "0.1.5", true),
            (">=0.1.0 <1", "0.2.0", true),
            (">=0.1.0 <1", "1.2.0", false),
            ("1.2.0-0", "1.2.0", false),
        ] {
            assert_eq!(compatible(range, version), expected, "{range} vs {version}");
        }
        assert!(!compatible("1.0.0", "not a version"));
    }

    #[test]
    fn go_formatting_of_import_keys() {
        assert_eq!(go_sprint(None), "<nil>");
        assert_eq!(go_sprint(Some(&json!(3))), "3");
        assert_eq!(go_sprint(Some(&json!(1.5))), "1.5");
        assert_eq!(go_sprint(Some(&json!(1000000))), "1e+06");
        assert_eq!(go_sprint(Some(&json!(0.00001))), "1e-05");
        assert_eq!(go_sprint(Some(&json!(true))), "true");
        assert_eq!(go_sprint(Some(&json!([1, "a"]))), "[1 a]");
    }

    #[test]
    fn path_to_table_nests() {
        let t = path_to_table("a.b", Table::new());
        assert_eq!(Value::Object(t.to_map(0).unwrap()), json!({"a": {"b": {}}}));
        let root = Table::new();
        assert!(path_to_table(".", root.clone()).same(&root));
    }
}
