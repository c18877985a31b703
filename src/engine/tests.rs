//! Engine behaviour on in-memory charts: the function library, named templates, errors.

use serde_json::json;

use super::{RenderOptions, render};
use crate::chart::{Chart, ChartFile, Metadata};
use crate::values::Values;

fn chart(name: &str, templates: &[(&str, &str)], files: &[(&str, &str)]) -> Chart {
    let file = |(n, d): &(&str, &str)| ChartFile {
        name: n.to_string(),
        data: d.as_bytes().to_vec(),
    };
    Chart {
        metadata: Metadata {
            api_version: "v2".into(),
            name: name.into(),
            version: "1.2.3".into(),
            app_version: Some("9.9".into()),
            ..Default::default()
        },
        templates: templates.iter().map(file).collect(),
        files: files.iter().map(file).collect(),
        source: name.into(),
        ..Default::default()
    }
}

fn values(v: serde_json::Value) -> Values {
    v.as_object().unwrap().clone()
}

fn render_one(tpl: &str, v: serde_json::Value) -> Result<String, String> {
    let c = chart(
        "c",
        &[("templates/_h.tpl", HELPERS), ("templates/t.yaml", tpl)],
        &[
            ("conf/a.conf", "x=1\ny=2"),
            ("conf/b.conf", "z"),
            ("other.txt", "o"),
        ],
    );
    render(&c, &values(v), &RenderOptions::default())
        .map(|r| r.outputs["c/templates/t.yaml"].to_string())
        .map_err(|e| e.to_string())
}

const HELPERS: &str = r#"{% component c_labels(@Release, @Chart) %}app.kubernetes.io/name: {{ Chart.Name }}
app.kubernetes.io/instance: {{ Release.Name }}{% endcomponent c_labels %}
{% component c_fullname(@Release, @Chart, suffix="") %}{{ Release.Name }}-{{ Chart.Name }}{{ suffix }}{% endcomponent c_fullname %}
{% component c_nested(@Values) %}{{ include(name="c_fullname") }}/{{ Values.x }}{% endcomponent c_nested %}
{% component c_loop() %}{{ include(name="c_loop") }}{% endcomponent c_loop %}
"#;

#[test]
fn helm_names_and_filters() {
    let out = render_one(
        "a: {{ Values.s | quote }}\nb: {{ Values.n | default(value=7) }}\nc: {{ Values.missing | default(value=\"d\") }}\nd: {{ Values.m | toYaml | nindent(n=2) }}\ne: {{ Release.Service }} {{ Chart.Version }} {{ Chart.AppVersion }}\nf: {{ \"abcdef\" | trunc(n=3) }} {{ \"x.yaml\" | trimSuffix(suffix=\".yaml\") }} {{ \"hi\" | b64enc }} {{ \"aGk=\" | b64dec }}\ng: {{ Values.m | toJson }}\nh: {{ Capabilities.KubeVersion.Major }} {{ \"apps/v1\" in Capabilities.APIVersions }}\n",
        json!({"s": "a\"b", "n": 0, "m": {"z": 1, "a": [1, "two"]}}),
    )
    .unwrap();
    assert_eq!(
        out,
        "a: \"a\\\"b\"\nb: 7\nc: d\nd: \n  a:\n  - 1\n  - two\n  z: 1\ne: rudder 1.2.3 9.9\nf: abc x aGk= hi\ng: {\"a\":[1,\"two\"],\"z\":1}\nh: 1 true\n"
    );
}

#[test]
fn include_named_templates_with_caller_context() {
    let out = render_one(
        "labels:\n  {{- include(name=\"c_labels\") | nindent(n=2) }}\nname: {{ include(name=\"c_fullname\", suffix=\"-x\") }}\nn: {{ include(name=\"c_nested\") }}\n",
        json!({"x": 5}),
    )
    .unwrap();
    assert_eq!(
        out,
        "labels:\n  app.kubernetes.io/name: c\n  app.kubernetes.io/instance: release-name\nname: release-name-c-x\nn: release-name-c/5\n"
    );
}

#[test]
fn tpl_and_files() {
    let out = render_one(
        "t: {{ Values.t | tpl }}\ng: {{ filesGet(path=\"other.txt\") }}\nl: {{ filesLines(path=\"conf/a.conf\") | length }}\nc:\n  {{- filesAsConfig(pattern=\"conf/*\") | nindent(n=2) }}\ns:\n  {{- filesGlob(pattern=\"conf/*.conf\") | asSecrets | nindent(n=2) }}",
        json!({"t": "{{ Release.Name }}-{{ Values.x }}", "x": 1}),
    )
    .unwrap();
    assert_eq!(
        out,
        "t: release-name-1\ng: o\nl: 2\nc:\n  a.conf: |-\n    x=1\n    y=2\n  b.conf: z\ns:\n  a.conf: eD0xCnk9Mg==\n  b.conf: eg=="
    );
}

#[test]
fn undefined_value_names_file_line_and_path() {
    let err = render_one("a: 1\nb: {{ Values.image.tag }}\n", json!({"image": {}})).unwrap_err();
    assert!(err.starts_with("c/templates/t.yaml:2:"), "{err}");
    assert!(err.contains("tag"), "{err}");
    assert!(!err.contains('\n'), "{err}");
}

#[test]
fn required_and_fail_report_their_message() {
    let err = render_one("{{ Values.x | required(msg=\"x is needed\") }}", json!({})).unwrap_err();
    assert!(
        err.contains("c/templates/t.yaml:1:") && err.contains("x is needed"),
        "{err}"
    );
    let err = render_one("{{ fail(msg=\"nope\") }}", json!({})).unwrap_err();
    assert!(err.contains("nope"), "{err}");
}

#[test]
fn include_recursion_is_an_error_not_a_crash() {
    let err = render_one("{{ include(name=\"c_loop\") }}", json!({})).unwrap_err();
    assert!(err.contains("nested deeper than"), "{err}");
}

#[test]
fn syntax_error_names_position() {
    let err = render_one("a: {{ Values.x + }}", json!({"x": 1})).unwrap_err();
    assert!(err.starts_with("c/templates/t.yaml:1:"), "{err}");
}

#[test]
fn maps_iterate_sorted_and_output_is_stable() {
    let tpl = "v: \"{% for k, v in Values.m %}{{ k }}={{ v }};{% endfor %}\"";
    let v = json!({"m": {"b": 1, "a": 2, "c": 3}});
    let first = render_one(tpl, v.clone()).unwrap();
    assert_eq!(first, "v: \"a=2;b=1;c=3;\"");
    assert_eq!(render_one(tpl, v).unwrap(), first);
}

#[test]
fn subcharts_render_with_their_own_scope_and_notes_only_for_root() {
    let mut parent = chart(
        "p",
        &[
            (
                "templates/cm.yaml",
                "kind: ConfigMap\nmetadata:\n  name: {{ Values.name }}\n",
            ),
            ("templates/NOTES.txt", "hello {{ Release.Name }}"),
        ],
        &[],
    );
    let sub = chart(
        "s",
        &[
            (
                "templates/svc.yaml",
                "kind: Service\nmetadata:\n  name: {{ Values.name }}-{{ Values.global.g }}\n",
            ),
            ("templates/NOTES.txt", "sub notes"),
        ],
        &[],
    );
    parent.dependencies.push(sub);
    let v = values(
        json!({"name": "top", "global": {"g": 1}, "s": {"name": "child", "global": {"g": 1}}}),
    );
    let r = render(&parent, &v, &RenderOptions::default()).unwrap();
    assert_eq!(r.notes.as_deref(), Some("hello release-name"));
    let kinds: Vec<_> = r
        .manifests
        .iter()
        .map(|m| (m.kind.as_str(), m.name.as_str(), m.source.as_str()))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("ConfigMap", "top", "p/templates/cm.yaml"),
            ("Service", "child-1", "p/charts/s/templates/svc.yaml")
        ]
    );
}

#[test]
fn library_chart_cannot_render() {
    let mut c = chart("lib", &[], &[]);
    c.metadata.chart_type = Some("library".into());
    let err = render(&c, &Values::new(), &RenderOptions::default()).unwrap_err();
    assert!(err.to_string().contains("library chart"));
}

#[test]
fn kube_version_constraint_is_checked() {
    let mut c = chart("k", &[], &[]);
    c.metadata.kube_version = Some(">=1.40.0".into());
    let err = render(&c, &Values::new(), &RenderOptions::default()).unwrap_err();
    assert!(
        err.to_string().contains("requires kubeVersion: >=1.40.0"),
        "{err}"
    );
}
