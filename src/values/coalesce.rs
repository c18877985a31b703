//! Coalescing: the final values tree of a release, from the chart's defaults, its subcharts'
//! defaults and the user's values (Helm's `CoalesceValues`, `ProcessDependencies` and the
//! values part of `ToRenderValues`).
//!
//! The rules, as Helm 4 applies them:
//! - user maps merge into chart defaults recursively; scalars and lists replace; a user scalar
//!   over a default map (or the reverse) keeps the user value and logs a warning;
//! - a user `null` deletes the default key; a `null` in chart defaults is dropped; a user `null`
//!   for a key the chart does not define survives as `null`;
//! - each subchart's values live under its name (or alias) in the parent's tree: the parent's
//!   values there override the subchart's defaults, nulls included (`sub.key: null` in the
//!   parent deletes the subchart's default);
//! - `global` is copied down into every subchart's tree, the parent's globals winning.
//!
//! The algorithm is a faithful port of Helm's, down to the sharing of nested maps between a
//! parent's and a subchart's globals (see [`tree`]).

mod tree;

use std::borrow::Cow;
use std::collections::BTreeSet;

use tracing::warn;

use crate::chart::Chart;

use super::{Values, ValuesError};
pub(crate) use tree::{Node, Table, deeper};

/// The key whose contents every subchart receives.
pub(crate) const GLOBAL_KEY: &str = "global";

/// What a chart renders with: the chart reduced to its enabled dependencies (aliases applied,
/// import-values copied into the charts' values) and the final values tree.
#[derive(Debug, Clone)]
pub struct Resolved {
    /// The processed chart: only enabled subcharts, each aliased subchart a copy named by its
    /// alias, `metadata.dependencies` reduced to the enabled entries (named by alias), and each
    /// chart's `values` holding its defaults merged with its subcharts' and the imported values.
    pub chart: Chart,
    /// The final values: the chart's own keys, each subchart's values under its name or alias
    /// (carrying `global`), nulls removed where Helm removes them.
    pub values: Values,
}

/// Helm's `ToRenderValues` + `ProcessDependencies`: from the chart and the user-supplied values
/// (already merged from `-f`/`--set`), computes (a) the chart with only enabled dependencies,
/// aliases applied (a subchart copy whose `metadata.name` is the alias), recursively; (b) the
/// final values tree where each subchart's values live under its name/alias and carry `global`
/// (the parent's globals win), nulls have deleted defaults, and import-values have been copied up.
///
/// Errors: a dependency of `Chart.yaml` missing from `charts/` (Helm's "found in Chart.yaml, but
/// missing in charts/ directory"), a subchart's values that are not a map, a cyclic tree.
pub fn resolve(chart: &Chart, user: Values) -> Result<Resolved, ValuesError> {
    let (chart, values) = resolve_borrowed(chart, &user)?;
    Ok(Resolved {
        chart: chart.into_owned(),
        values,
    })
}

/// [`resolve`] for a render: the processed chart is borrowed when processing has nothing to
/// change (no dependency declared in `Chart.yaml` nor shipped in `charts/`), so a chart with
/// large default values is not copied.
pub fn resolve_borrowed<'a>(
    chart: &'a Chart,
    user: &Values,
) -> Result<(Cow<'a, Chart>, Values), ValuesError> {
    super::dependencies::check_present(chart)?;
    let processed = if chart.dependencies.is_empty() && chart.metadata.dependencies.is_empty() {
        Cow::Borrowed(chart)
    } else {
        let mut processed = chart.clone();
        super::dependencies::process(&mut processed, user)?;
        Cow::Owned(processed)
    };
    let values = coalesce_values(&processed, user)?;
    Ok((processed, values))
}

/// Helm's `CoalesceValues` alone: the chart's defaults and its subcharts' (as loaded, without
/// evaluating conditions, tags, aliases or import-values) coalesced with `user`. [`resolve`] is
/// what a release uses; this is the building block, exposed for callers that already processed
/// dependencies and for comparison with Helm's own `CoalesceValues`.
pub fn coalesce_values(chart: &Chart, user: &Values) -> Result<Values, ValuesError> {
    let user = Table::from_map(user, 0)?;
    coalesce_chart(chart, &user, false)?.into_map(0)
}

/// Coalesces `chart` (and its subcharts) with a deep copy of `values`: Helm's `CoalesceValues`
/// when `merge` is false, `MergeValues` (which keeps nulls) when true.
pub(crate) fn coalesce_chart(
    chart: &Chart,
    values: &Table,
    merge: bool,
) -> Result<Table, ValuesError> {
    let dest = values.deep_copy(0)?;
    coalesce(chart, &dest, "", merge, 0)?;
    Ok(dest)
}

fn concat_prefix(a: &str, b: &str) -> String {
    if a.is_empty() {
        b.to_string()
    } else {
        format!("{a}.{b}")
    }
}

/// Coalesces the chart's own defaults into `dest`, then each subchart into `dest[<name>]`.
fn coalesce(
    chart: &Chart,
    dest: &Table,
    prefix: &str,
    merge: bool,
    depth: usize,
) -> Result<(), ValuesError> {
    let depth = deeper(depth, &concat_prefix(prefix, chart.name()))?;
    coalesce_chart_defaults(chart, dest, prefix, merge)?;
    coalesce_dependencies(chart, dest, prefix, merge, depth)
}

/// Gives each subchart its tree under its name (a new empty one if absent), pushes the globals
/// down into it and coalesces the subchart there.
fn coalesce_dependencies(
    chart: &Chart,
    dest: &Table,
    prefix: &str,
    merge: bool,
    depth: usize,
) -> Result<(), ValuesError> {
    for sub in &chart.dependencies {
        let sub_values = match dest.get(sub.name()) {
            None => {
                let fresh = Table::new();
                dest.insert(sub.name(), Node::Table(fresh.clone()));
                fresh
            }
            Some(Node::Table(t)) => t,
            Some(other) => {
                return Err(ValuesError::new(
                    format!("chart {}", concat_prefix(prefix, chart.name())),
                    format!(
                        "type mismatch on {}: the values of a subchart must be a map, got {}",
                        sub.name(),
                        other.describe()
                    ),
                ));
            }
        };
        let sub_prefix = concat_prefix(prefix, chart.name());
        coalesce_globals(&sub_values, dest, &sub_prefix, depth)?;
        coalesce(sub, &sub_values, &sub_prefix, merge, depth)?;
    }
    Ok(())
}

/// Copies `src.global` into `dest.global`, `src` (the parent) winning. Nested tables are merged
/// top-down; as in Helm, a table is shallow-copied, so deeper tables stay shared with the parent.
fn coalesce_globals(
    dest: &Table,
    src: &Table,
    prefix: &str,
    depth: usize,
) -> Result<(), ValuesError> {
    let dest_globals = match dest.get(GLOBAL_KEY) {
        None => Table::new(),
        Some(Node::Table(t)) => t,
        Some(_) => {
            warn!("skipping globals because destination {GLOBAL_KEY} is not a table");
            return Ok(());
        }
    };
    let src_globals = match src.get(GLOBAL_KEY) {
        None => Table::new(),
        Some(Node::Table(t)) => t,
        Some(_) => {
            warn!("skipping globals because source {GLOBAL_KEY} is not a table");
            return Ok(());
        }
    };
    for (key, val) in src_globals.entries() {
        match (&val, dest_globals.get(&key)) {
            (Node::Table(table), None) => {
                dest_globals.insert(key, Node::Table(table.shallow_copy()));
            }
            (Node::Table(table), Some(Node::Table(existing))) => {
                let copy = table.shallow_copy();
                coalesce_tables(&copy, &existing, &concat_prefix(prefix, &key), true, depth)?;
                dest_globals.insert(key, Node::Table(copy));
            }
            (Node::Table(_), Some(_)) => {
                warn!("conflict: cannot merge map onto non-map for {key:?}, skipping");
            }
            (_, Some(Node::Table(_))) => {
                warn!("global key {key} is a table, skipping");
            }
            _ => dest_globals.insert(key, val),
        }
    }
    dest.insert(GLOBAL_KEY, Node::Table(dest_globals));
    Ok(())
}

/// Builds up the values of one chart: its defaults under what is already in `dest`.
fn coalesce_chart_defaults(
    chart: &Chart,
    dest: &Table,
    prefix: &str,
    merge: bool,
) -> Result<(), ValuesError> {
    let sub_prefix = concat_prefix(prefix, chart.name());
    let defaults = Table::from_map(&chart.values, 0)?;
    for (key, default) in defaults.entries() {
        match dest.get(&key) {
            Some(Node::Null) if !merge => dest.remove(&key),
            Some(Node::Table(user)) => match default {
                Node::Table(default) => {
                    // A subchart's tree keeps its nulls here: they delete the subchart's
                    // defaults when the subchart itself is coalesced.
                    let merge = merge || chart.dependencies.iter().any(|d| d.name() == key);
                    if !merge {
                        default.clean_nulls(0)?;
                    }
                    coalesce_tables(&user, &default, &concat_prefix(&sub_prefix, &key), merge, 0)?;
                }
                Node::Null => {}
                Node::Leaf(_) => warn!("skipped value for {sub_prefix}.{key}: not a table"),
            },
            Some(_) => {}
            None => {
                if !merge {
                    match &default {
                        Node::Null => continue,
                        Node::Table(t) => t.clean_nulls(0)?,
                        Node::Leaf(_) => {}
                    }
                }
                dest.insert(key, default);
            }
        }
    }
    Ok(())
}

/// Helm's `coalesceTablesFullKey`: merges `src` into `dst`, `dst` winning. When coalescing
/// (`merge` false) a null in `dst` over a non-null in `src` deletes the key; when merging, nulls
/// are kept.
pub(crate) fn coalesce_tables(
    dst: &Table,
    src: &Table,
    prefix: &str,
    merge: bool,
    depth: usize,
) -> Result<(), ValuesError> {
    if dst.same(src) {
        // Merging a map into itself changes nothing (and Helm's loops agree).
        return Ok(());
    }
    let depth = deeper(depth, prefix)?;
    let src_non_null: BTreeSet<String> = src
        .entries()
        .into_iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, _)| k)
        .collect();
    for (key, val) in dst.entries() {
        if val.is_null() {
            src.insert(key, Node::Null);
        }
    }
    for (key, val) in src.entries() {
        let full_key = concat_prefix(prefix, &key);
        let existing = dst.get(&key);
        match (existing, &val) {
            (Some(Node::Null), _) if !merge && src_non_null.contains(&key) => dst.remove(&key),
            (None, _) => dst.insert(key, val),
            (Some(Node::Table(d)), Node::Table(s)) => {
                coalesce_tables(&d, s, &full_key, merge, depth)?;
            }
            (Some(_), Node::Table(_)) => {
                warn!("cannot overwrite table with non table for {full_key}");
            }
            (Some(Node::Table(_)), v) if !v.is_null() => {
                warn!(
                    "destination for {full_key} is a table, ignoring non-table value {}",
                    v.describe()
                );
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::Metadata;
    use serde_json::{Value, json};

    pub(crate) fn chart(name: &str, values: Value, deps: Vec<Chart>) -> Chart {
        Chart {
            metadata: Metadata {
                api_version: "v2".into(),
                name: name.into(),
                version: "1.0.0".into(),
                ..Metadata::default()
            },
            values: values.as_object().cloned().unwrap_or_default(),
            dependencies: deps,
            ..Chart::default()
        }
    }

    fn coalesce_json(c: &Chart, user: Value) -> Value {
        Value::Object(coalesce_values(c, user.as_object().unwrap()).unwrap())
    }

    #[test]
    fn maps_merge_lists_and_scalars_replace() {
        let c = chart(
            "p",
            json!({"a": {"b": 1, "c": [1, 2]}, "d": "x", "e": 1}),
            vec![],
        );
        let got = coalesce_json(&c, json!({"a": {"c": [3], "n": true}, "d": "y"}));
        assert_eq!(
            got,
            json!({"a": {"b": 1, "c": [3], "n": true}, "d": "y", "e": 1})
        );
    }

    #[test]
    fn user_null_deletes_defaults_at_any_depth() {
        let c = chart("p", json!({"a": 1, "m": {"b": 2, "c": {"d": 3}}}), vec![]);
        let got = coalesce_json(&c, json!({"a": null, "m": {"c": {"d": null}}}));
        assert_eq!(got, json!({"m": {"b": 2, "c": {}}}));
    }

    #[test]
    fn nulls_in_defaults_are_dropped_but_unknown_user_nulls_survive() {
        let c = chart("p", json!({"a": null, "m": {"b": null, "c": 1}}), vec![]);
        let got = coalesce_json(&c, json!({"x": null, "m": {"y": null}}));
        assert_eq!(got, json!({"m": {"c": 1, "y": null}, "x": null}));
    }

    #[test]
    fn type_mismatch_keeps_the_user_value() {
        let c = chart("p", json!({"m": {"a": 1}, "s": "x"}), vec![]);
        let got = coalesce_json(&c, json!({"m": "flat", "s": {"now": "map"}}));
        assert_eq!(got, json!({"m": "flat", "s": {"now": "map"}}));
    }

    #[test]
    fn subchart_defaults_under_its_name_with_parent_overrides_and_nulls() {
        let sub = chart("sub", json!({"a": 1, "b": 2, "keep": 3}), vec![]);
        let c = chart("p", json!({"sub": {"a": 10}}), vec![sub]);
        let got = coalesce_json(&c, json!({"sub": {"b": null}}));
        assert_eq!(got, json!({"sub": {"a": 10, "keep": 3, "global": {}}}));
    }

    #[test]
    fn a_null_in_the_parents_defaults_does_not_delete_a_subchart_default() {
        // Helm drops nulls of chart defaults before the subchart is coalesced.
        let sub = chart("sub", json!({"a": 1}), vec![]);
        let c = chart("p", json!({"sub": {"a": null}}), vec![sub]);
        assert_eq!(
            coalesce_json(&c, json!({})),
            json!({"sub": {"a": 1, "global": {}}})
        );
    }

    #[test]
    fn globals_flow_down_parent_winning_and_reach_grandchildren() {
        let grand = chart(
            "g",
            json!({"global": {"g": "grand", "shared": "grand"}}),
            vec![],
        );
        let sub = chart(
            "sub",
            json!({"global": {"s": "sub", "shared": "sub", "nested": {"x": 1, "y": 1}}}),
            vec![grand],
        );
        let c = chart(
            "p",
            json!({"global": {"shared": "parent", "nested": {"x": 2}}}),
            vec![sub],
        );
        let got = coalesce_json(&c, json!({"global": {"user": true}}));
        let parent_globals = json!({"shared": "parent", "nested": {"x": 2}, "user": true});
        assert_eq!(got["global"], parent_globals);
        assert_eq!(
            got["sub"]["global"],
            json!({"shared": "parent", "nested": {"x": 2, "y": 1}, "user": true, "s": "sub"})
        );
        assert_eq!(
            got["sub"]["g"]["global"],
            json!({"shared": "parent", "nested": {"x": 2, "y": 1}, "user": true, "s": "sub", "g": "grand"})
        );
    }

    #[test]
    fn nested_global_tables_are_shared_with_the_parent_as_in_helm() {
        // `coalesceGlobals` shallow-copies the parent's global tables: the subchart's defaults at
        // depth two land in the parent's own table, so the parent (and later siblings) see them.
        let first = chart(
            "a",
            json!({"global": {"t": {"deep": {"from_a": 1}}}}),
            vec![],
        );
        let second = chart("b", json!({}), vec![]);
        let c = chart(
            "p",
            json!({"global": {"t": {"deep": {"from_p": 1}}}}),
            vec![first, second],
        );
        let got = coalesce_json(&c, json!({}));
        let expected = json!({"t": {"deep": {"from_a": 1, "from_p": 1}}});
        assert_eq!(got["global"], expected);
        assert_eq!(got["b"]["global"], expected);
    }

    #[test]
    fn a_user_global_null_deletes_a_subchart_global_default() {
        let sub = chart("sub", json!({"global": {"a": 1, "b": 2}}), vec![]);
        let c = chart("p", json!({}), vec![sub]);
        let got = coalesce_json(&c, json!({"global": {"a": null}}));
        assert_eq!(got["sub"]["global"], json!({"b": 2}));
        assert_eq!(got["global"], json!({"a": null}));
    }

    #[test]
    fn subchart_values_that_are_not_a_map_are_an_error() {
        let sub = chart("sub", json!({"a": 1}), vec![]);
        let c = chart("p", json!({}), vec![sub]);
        let err = coalesce_values(&c, json!({"sub": "x"}).as_object().unwrap()).unwrap_err();
        assert_eq!(err.location, "chart p");
        assert!(err.message.contains("type mismatch on sub"), "{err}");
    }

    #[test]
    fn merging_keeps_nulls() {
        let sub = chart("sub", json!({"a": 1, "n": null}), vec![]);
        let c = chart("p", json!({"x": null, "m": {"y": null}}), vec![sub]);
        let got = coalesce_chart(&c, &Table::new(), true)
            .unwrap()
            .to_map(0)
            .unwrap();
        assert_eq!(
            Value::Object(got),
            json!({"x": null, "m": {"y": null}, "sub": {"a": 1, "n": null, "global": {}}})
        );
    }

    #[test]
    fn coalescing_does_not_touch_the_inputs() {
        let sub = chart("sub", json!({"global": {"t": {"deep": {"s": 1}}}}), vec![]);
        let c = chart("p", json!({"global": {"t": {"deep": {"p": 1}}}}), vec![sub]);
        let user = json!({"global": {"t": {"deep": {"u": 1}}}});
        let before = c.values.clone();
        let _ = coalesce_json(&c, user.clone());
        assert_eq!(c.values, before);
        assert_eq!(
            coalesce_json(&c, user)["global"],
            json!({"t": {"deep": {"p": 1, "s": 1, "u": 1}}})
        );
    }
}
