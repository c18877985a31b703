//! Differential tests of values coalescing against the real Helm 4 engine.
//!
//! Each case is a small chart written to a temporary directory plus user values. Helm's side
//! (`tests/oracle/merge.py`) gives two views:
//! - `merge`: Helm's `CoalesceValues` alone (what `helm_python`'s `merge_values` does — it does NOT
//!   process dependencies), compared with our `coalesce_values`;
//! - `render`: every chart's `.Values` as Helm's engine renders them (after `ProcessDependencies`:
//!   conditions, tags, aliases, import-values), compared with our `resolve`: the set of enabled
//!   chart paths and each one's values scope.
//!
//! Numbers are compared numerically (Helm turns JSON numbers into float64).

mod common;

use std::path::Path;

use serde_json::{Map, Value, json};

use rudder::chart::Chart;
use rudder::values::Values;
use rudder::values::coalesce::{coalesce_values, resolve};

/// Writes a txtar-like chart description (`-- path --` lines start files) under `root`.
fn write_chart(root: &Path, files: &str) {
    let mut current: Option<(String, String)> = None;
    let flush = |entry: Option<(String, String)>| {
        if let Some((path, body)) = entry {
            let full = root.join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, body).unwrap();
        }
    };
    for line in files.lines() {
        if let Some(path) = line
            .trim()
            .strip_prefix("-- ")
            .and_then(|l| l.strip_suffix(" --"))
        {
            flush(current.take());
            current = Some((path.to_string(), String::new()));
        } else if let Some((_, body)) = current.as_mut() {
            body.push_str(line);
            body.push('\n');
        }
    }
    flush(current);
}

/// Numbers as f64, so that `1` and `1.0` compare equal.
fn normalize(v: &Value) -> Value {
    match v {
        Value::Number(n) => json!(n.as_f64().unwrap()),
        Value::Array(items) => Value::Array(items.iter().map(normalize).collect()),
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), normalize(v))).collect())
        }
        other => other.clone(),
    }
}

/// Each rendered chart's `.Values`, keyed like Helm's template paths (`parent/charts/sub`).
fn scopes(chart: &Chart, values: &Values, path: &str, out: &mut Map<String, Value>) {
    if !chart.is_library() {
        out.insert(path.to_string(), Value::Object(values.clone()));
    }
    for sub in &chart.dependencies {
        let scope = match values.get(sub.name()) {
            Some(Value::Object(m)) => m.clone(),
            _ => Map::new(),
        };
        scopes(sub, &scope, &format!("{path}/charts/{}", sub.name()), out);
    }
}

fn check(files: &str, user: Value) {
    let dir = tempfile::tempdir().unwrap();
    let chart_dir = dir.path().join("chart");
    write_chart(&chart_dir, files);
    let chart = rudder::chart::load(&chart_dir).expect("chart loads");
    let user = user.as_object().cloned().expect("user values are a map");

    let helm = common::oracle(
        "merge.py",
        &json!({"dir": chart_dir.to_str().unwrap(), "values": user}),
    );

    // CoalesceValues alone.
    match (coalesce_values(&chart, &user), &helm["merge_error"]) {
        (Ok(ours), Value::Null) => assert_eq!(
            normalize(&Value::Object(ours)),
            normalize(&helm["merge"]),
            "CoalesceValues differs from Helm's"
        ),
        (Err(e), Value::String(theirs)) => {
            eprintln!("both fail to coalesce: ours {e}, Helm's {theirs}")
        }
        (ours, theirs) => panic!("coalesce: ours {ours:?}, Helm's error {theirs}"),
    }

    // The full pipeline, through Helm's engine.
    match (resolve(&chart, user.clone()), &helm["render_error"]) {
        (Ok(resolved), Value::Null) => {
            let mut ours = Map::new();
            scopes(
                &resolved.chart,
                &resolved.values,
                resolved.chart.name(),
                &mut ours,
            );
            assert_eq!(
                normalize(&Value::Object(ours)),
                normalize(&helm["render"]),
                "rendered values differ from Helm's"
            );
        }
        (Err(e), Value::String(theirs)) => {
            eprintln!("both fail to render: ours {e}, Helm's {theirs}")
        }
        (ours, theirs) => panic!("resolve: ours {ours:?}, Helm's error {theirs}"),
    }
}

macro_rules! case {
    ($name:ident, $files:expr, $user:tt) => {
        #[test]
        fn $name() {
            check($files, json!($user));
        }
    };
}

const PARENT: &str = "apiVersion: v2\nname: parent\nversion: 1.0.0\n";

case!(
    nested_maps_merge,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
-- values.yaml --
image: {repository: nginx, tag: '1.25', pull: {policy: IfNotPresent, secrets: []}}
replicas: 1
labels: {a: x}
",
    {"image": {"tag": "1.26", "pull": {"policy": "Always"}}, "labels": {"b": "y"}, "extra": {"k": 1}}
);

case!(
    lists_and_scalars_replace,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
-- values.yaml --
ports: [80, 443]
hosts: [{name: a, paths: [/]}]
name: x
",
    {"ports": [8080], "hosts": [], "name": 12}
);

case!(
    null_deletes_top_level_and_nested_defaults,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
-- values.yaml --
a: 1
b: {c: 2, d: {e: 3, f: 4}}
",
    {"a": null, "b": {"d": {"e": null}}}
);

case!(
    nulls_in_defaults_and_unknown_user_nulls,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
-- values.yaml --
gone: null
m: {n: null, keep: 1}
",
    {"newnull": null, "m": {"other": null}}
);

case!(
    type_mismatch_keeps_the_user_value,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
-- values.yaml --
m: {a: 1}
s: text
",
    {"m": "flat", "s": {"now": "a map"}}
);

case!(
    subchart_overridden_by_parent_defaults_and_user,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
-- values.yaml --
sub: {x: parent, nested: {p: 1}}
-- charts/sub/Chart.yaml --
apiVersion: v2
name: sub
version: 0.1.0
-- charts/sub/values.yaml --
x: sub
why: sub
nested: {s: 1, p: 0}
",
    {"sub": {"why": "user"}}
);

case!(
    null_in_subchart_values,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
-- values.yaml --
sub: {fromparent: null}
-- charts/sub/Chart.yaml --
apiVersion: v2
name: sub
version: 0.1.0
-- charts/sub/values.yaml --
a: 1
b: {c: 2}
fromparent: 3
",
    {"sub": {"a": null, "b": {"c": null}}}
);

case!(
    subchart_values_not_a_map_is_an_error,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
-- charts/sub/Chart.yaml --
apiVersion: v2
name: sub
version: 0.1.0
",
    {"sub": "x"}
);

case!(
    globals_parent_wins_and_subchart_only_globals_kept,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
-- values.yaml --
global: {registry: parent.io, obj: {a: parent}}
-- charts/sub/Chart.yaml --
apiVersion: v2
name: sub
version: 0.1.0
-- charts/sub/values.yaml --
global: {registry: sub.io, onlysub: true, obj: {a: sub, b: sub}}
",
    {"global": {"user": 1}}
);

case!(
    globals_reach_grandchildren,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
-- values.yaml --
global: {level: parent}
-- charts/mid/Chart.yaml --
apiVersion: v2
name: mid
version: 0.1.0
-- charts/mid/values.yaml --
global: {level: mid, mid: true}
-- charts/mid/charts/leaf/Chart.yaml --
apiVersion: v2
name: leaf
version: 0.1.0
-- charts/mid/charts/leaf/values.yaml --
global: {leaf: true, level: leaf}
x: 1
",
    {"mid": {"leaf": {"x": 2}}}
);

case!(
    nested_globals_are_shared_as_in_helm,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
-- values.yaml --
global: {t: {deep: {p: 1}}}
-- charts/a/Chart.yaml --
apiVersion: v2
name: a
version: 0.1.0
-- charts/a/values.yaml --
global: {t: {deep: {a: 1}, shallow: a}}
-- charts/b/Chart.yaml --
apiVersion: v2
name: b
version: 0.1.0
",
    {}
);

case!(
    user_global_null_deletes_subchart_global,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
-- charts/sub/Chart.yaml --
apiVersion: v2
name: sub
version: 0.1.0
-- charts/sub/values.yaml --
global: {a: 1, b: 2}
",
    {"global": {"a": null}}
);

case!(
    alias_renames_the_subchart,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
dependencies:
- name: sub
  version: 0.1.0
  alias: renamed
-- values.yaml --
renamed: {x: parent}
-- charts/sub/Chart.yaml --
apiVersion: v2
name: sub
version: 0.1.0
-- charts/sub/values.yaml --
x: sub
why: sub
",
    {"renamed": {"why": "user"}}
);

case!(
    two_aliases_of_one_chart,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
dependencies:
- name: db
  version: ^2.0.0
  alias: primary
- name: db
  version: ~2.1
  alias: replica
-- values.yaml --
replica: {role: replica}
-- charts/db/Chart.yaml --
apiVersion: v2
name: db
version: 2.1.3
-- charts/db/values.yaml --
role: primary
port: 5432
",
    {"primary": {"port": 1}}
);

case!(
    condition_false_disables_and_values_stay,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
dependencies:
- name: sub
  version: 0.1.0
  condition: sub.enabled
-- values.yaml --
sub: {enabled: true, fromparent: 1}
-- charts/sub/Chart.yaml --
apiVersion: v2
name: sub
version: 0.1.0
-- charts/sub/values.yaml --
fromsub: 1
",
    {"sub": {"enabled": false}}
);

case!(
    condition_true_enables,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
dependencies:
- name: sub
  version: 0.1.0
  condition: sub.enabled
-- values.yaml --
sub: {enabled: false}
-- charts/sub/Chart.yaml --
apiVersion: v2
name: sub
version: 0.1.0
-- charts/sub/values.yaml --
fromsub: 1
",
    {"sub": {"enabled": true}}
);

case!(
    condition_absent_or_not_bool_keeps_enabled,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
dependencies:
- name: a
  version: 0.1.0
  condition: a.enabled
- name: b
  version: 0.1.0
  condition: b.enabled
-- charts/a/Chart.yaml --
apiVersion: v2
name: a
version: 0.1.0
-- charts/b/Chart.yaml --
apiVersion: v2
name: b
version: 0.1.0
",
    {"b": {"enabled": "false"}}
);

case!(
    first_condition_path_with_a_bool_wins,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
dependencies:
- name: sub
  version: 0.1.0
  condition: missing.path,flags.str,flags.off,flags.on
-- charts/sub/Chart.yaml --
apiVersion: v2
name: sub
version: 0.1.0
",
    {"flags": {"str": "yes", "off": false, "on": true}}
);

case!(
    tags_disable_when_none_is_true,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
dependencies:
- name: a
  version: 0.1.0
  tags: [front]
- name: b
  version: 0.1.0
  tags: [front, back]
- name: c
  version: 0.1.0
  tags: [other]
-- values.yaml --
tags: {front: false}
-- charts/a/Chart.yaml --
apiVersion: v2
name: a
version: 0.1.0
-- charts/b/Chart.yaml --
apiVersion: v2
name: b
version: 0.1.0
-- charts/c/Chart.yaml --
apiVersion: v2
name: c
version: 0.1.0
",
    {"tags": {"back": true}}
);

case!(
    condition_beats_tags,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
dependencies:
- name: a
  version: 0.1.0
  condition: a.enabled
  tags: [front]
- name: b
  version: 0.1.0
  condition: b.enabled
  tags: [back]
-- charts/a/Chart.yaml --
apiVersion: v2
name: a
version: 0.1.0
-- charts/b/Chart.yaml --
apiVersion: v2
name: b
version: 0.1.0
",
    {"tags": {"front": false, "back": true}, "a": {"enabled": true}, "b": {"enabled": false}}
);

case!(
    grandchild_conditions_and_top_level_tags,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
dependencies:
- name: mid
  version: 0.1.0
-- charts/mid/Chart.yaml --
apiVersion: v2
name: mid
version: 0.1.0
dependencies:
- name: x
  version: 0.1.0
  condition: x.enabled
- name: yy
  version: 0.1.0
  tags: [ytag]
-- charts/mid/values.yaml --
x: {enabled: true}
-- charts/mid/charts/x/Chart.yaml --
apiVersion: v2
name: x
version: 0.1.0
-- charts/mid/charts/yy/Chart.yaml --
apiVersion: v2
name: yy
version: 0.1.0
",
    {"mid": {"x": {"enabled": false}}, "tags": {"ytag": false}}
);

case!(
    import_values_string_form,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
dependencies:
- name: sub
  version: 0.1.0
  import-values: [data]
-- values.yaml --
fromparent: parent
shared: parent
-- charts/sub/Chart.yaml --
apiVersion: v2
name: sub
version: 0.1.0
-- charts/sub/values.yaml --
exports:
  data: {shared: child, imported: child, nested: {k: v}}
",
    {"sub": {"exports": {"data": {"imported": "user-set child value"}}}}
);

case!(
    import_values_map_form,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
dependencies:
- name: sub
  version: 0.1.0
  import-values:
  - child: config.db
    parent: settings.database
  - child: missing.table
    parent: nowhere
-- values.yaml --
settings: {database: {host: parent-host}}
-- charts/sub/Chart.yaml --
apiVersion: v2
name: sub
version: 0.1.0
-- charts/sub/values.yaml --
config: {db: {host: child-host, port: 5432}}
",
    {"settings": {"database": {"user": "u"}}}
);

case!(
    two_imports_into_one_path_first_wins,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
dependencies:
- name: a
  version: 0.1.0
  import-values: [{child: cfg, parent: merged}]
- name: b
  version: 0.1.0
  import-values: [{child: cfg, parent: merged}]
-- charts/a/Chart.yaml --
apiVersion: v2
name: a
version: 0.1.0
-- charts/a/values.yaml --
cfg: {k: a, only_a: 1, deep: {x: a}}
-- charts/b/Chart.yaml --
apiVersion: v2
name: b
version: 0.1.0
-- charts/b/values.yaml --
cfg: {k: b, only_b: 1, deep: {why: b}}
",
    {}
);

case!(
    imports_from_a_disabled_subchart_are_skipped,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
dependencies:
- name: sub
  version: 0.1.0
  condition: sub.enabled
  import-values: [data]
-- charts/sub/Chart.yaml --
apiVersion: v2
name: sub
version: 0.1.0
-- charts/sub/values.yaml --
exports: {data: {imported: true}}
",
    {"sub": {"enabled": false}}
);

case!(
    unlisted_and_version_mismatched_subcharts_are_kept,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
dependencies:
- name: db
  version: ^1.0.0
  alias: database
  condition: database.enabled
-- charts/db/Chart.yaml --
apiVersion: v2
name: db
version: 2.0.0
-- charts/db/values.yaml --
v: db
-- charts/extra/Chart.yaml --
apiVersion: v2
name: extra
version: 0.1.0
",
    {"database": {"enabled": true}}
);

case!(
    dependency_without_version_is_not_aliased,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
dependencies:
- name: sub
  alias: other
-- charts/sub/Chart.yaml --
apiVersion: v2
name: sub
version: 0.1.0
-- charts/sub/values.yaml --
x: 1
",
    {}
);

case!(
    subchart_null_from_parent_defaults_does_not_delete,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
dependencies:
- name: sub
  version: 0.1.0
-- values.yaml --
sub: {a: null, b: 5}
-- charts/sub/Chart.yaml --
apiVersion: v2
name: sub
version: 0.1.0
-- charts/sub/values.yaml --
a: 1
b: 1
c: {d: null}
",
    {}
);

case!(
    condition_read_from_the_subcharts_own_defaults,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
dependencies:
- name: offchart
  version: 0.1.0
  condition: offsub.enabled
  alias: offsub
- name: onsub
  version: 0.1.0
  condition: onsub.enabled
-- charts/offchart/Chart.yaml --
apiVersion: v2
name: offchart
version: 0.1.0
-- charts/offchart/values.yaml --
enabled: false
-- charts/onsub/Chart.yaml --
apiVersion: v2
name: onsub
version: 0.1.0
-- charts/onsub/values.yaml --
enabled: false
",
    {"onsub": {"enabled": true}}
);

case!(
    aliases_with_conditions_and_globals,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
dependencies:
- name: worker
  version: '>=1.0.0'
  alias: fast
  condition: fast.enabled
- name: worker
  version: '>=1.0.0'
  alias: slow
  condition: slow.enabled
-- values.yaml --
global: {env: prod}
slow: {enabled: false}
-- charts/worker/Chart.yaml --
apiVersion: v2
name: worker
version: 1.4.0
-- charts/worker/values.yaml --
enabled: true
global: {env: dev, team: workers}
speed: normal
",
    {"fast": {"speed": "high"}}
);

case!(
    tags_in_a_subcharts_defaults_apply_to_its_children,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
dependencies:
- name: mid
  version: 0.1.0
-- charts/mid/Chart.yaml --
apiVersion: v2
name: mid
version: 0.1.0
dependencies:
- name: leafa
  version: 0.1.0
  tags: [ta]
- name: leafb
  version: 0.1.0
  tags: [tb]
-- charts/mid/values.yaml --
tags: {ta: false, tb: false}
-- charts/mid/charts/leafa/Chart.yaml --
apiVersion: v2
name: leafa
version: 0.1.0
-- charts/mid/charts/leafb/Chart.yaml --
apiVersion: v2
name: leafb
version: 0.1.0
",
    {"tags": {"tb": true}}
);

case!(
    imports_chain_up_from_grandchildren,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
dependencies:
- name: mid
  version: 0.1.0
  import-values: [fromleaf]
-- charts/mid/Chart.yaml --
apiVersion: v2
name: mid
version: 0.1.0
dependencies:
- name: leaf
  version: 0.1.0
  import-values:
  - child: exports.data
    parent: exports.fromleaf
-- charts/mid/charts/leaf/Chart.yaml --
apiVersion: v2
name: leaf
version: 0.1.0
-- charts/mid/charts/leaf/values.yaml --
exports: {data: {deep: true, level: leaf}}
",
    {}
);

case!(
    user_null_for_a_subchart_without_parent_default_is_an_error,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
-- charts/sub/Chart.yaml --
apiVersion: v2
name: sub
version: 0.1.0
-- charts/sub/values.yaml --
a: 1
",
    {"sub": null}
);

case!(
    user_null_for_a_subchart_with_parent_default_resets_it,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
-- values.yaml --
sub: {a: 2}
-- charts/sub/Chart.yaml --
apiVersion: v2
name: sub
version: 0.1.0
-- charts/sub/values.yaml --
a: 1
b: 1
",
    {"sub": null}
);

case!(
    global_nulls_and_non_map_globals,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
-- values.yaml --
global: {a: 1, keep: {x: 1}}
-- charts/sub/Chart.yaml --
apiVersion: v2
name: sub
version: 0.1.0
-- charts/sub/values.yaml --
global: {keep: scalar, b: 2}
",
    {"global": {"a": null, "c": null}}
);

case!(
    subcharts_of_a_chart_without_listed_dependencies_are_not_processed,
    "-- Chart.yaml --
apiVersion: v2
name: parent
version: 1.0.0
-- charts/mid/Chart.yaml --
apiVersion: v2
name: mid
version: 0.1.0
dependencies:
- name: leaf
  version: 0.1.0
  alias: renamedleaf
  condition: renamedleaf.enabled
-- charts/mid/values.yaml --
renamedleaf: {enabled: false}
-- charts/mid/charts/leaf/Chart.yaml --
apiVersion: v2
name: leaf
version: 0.1.0
",
    {}
);

/// The helper that every case uses, checked once so that a broken fixture writer cannot make
/// the cases pass vacuously.
#[test]
fn fixture_writer_writes_every_file() {
    let dir = tempfile::tempdir().unwrap();
    write_chart(
        dir.path(),
        &format!("-- Chart.yaml --\n{PARENT}-- charts/s/values.yaml --\na: 1\n"),
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("Chart.yaml")).unwrap(),
        PARENT
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("charts/s/values.yaml")).unwrap(),
        "a: 1\n"
    );
}
