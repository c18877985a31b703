//! Differential rendering: the same chart written in Helm's Go templates and in our Tera dialect,
//! rendered by the real Helm v4 engine and by rudder, must give the same objects.

mod common;

use std::path::Path;

use serde_json::{Value, json};

/// Writes a chart directory from (relative path, content) pairs.
fn write_chart(dir: &Path, files: &[(&str, &str)]) {
    for (name, content) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
}

/// Parses a YAML stream into its non-empty documents.
fn documents(text: &str) -> Vec<Value> {
    rudder::engine::manifest::split_documents(text)
        .into_iter()
        .filter_map(|d| {
            yaml_serde::from_str::<Option<Value>>(d).unwrap_or_else(|e| panic!("{e}: {d}"))
        })
        .collect()
}

/// Helm parses YAML numbers as float64 in places; compare numbers by value.
fn normalize(v: &Value) -> Value {
    match v {
        Value::Number(n) => json!(n.as_f64().unwrap()),
        Value::Array(a) => Value::Array(a.iter().map(normalize).collect()),
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, v)| (k.clone(), normalize(v))).collect())
        }
        other => other.clone(),
    }
}

fn ours(dir: &Path, values: &Value) -> serde_json::Map<String, Value> {
    let chart = rudder::chart::load(dir).unwrap_or_else(|e| panic!("load {}: {e}", dir.display()));
    let req = rudder::action::render::RenderRequest {
        chart: dir.to_path_buf(),
        release: rudder::engine::ReleaseInfo {
            name: "diff".into(),
            namespace: "ns".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    let mut values_file = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut values_file, values.to_string().as_bytes()).unwrap();
    let mut req = req;
    req.values
        .files
        .push(values_file.path().display().to_string());
    let result = rudder::action::render::render_chart(chart, &req, &mut std::io::empty())
        .unwrap_or_else(|e| panic!("rudder render {}: {e}", dir.display()));
    result
        .rendered
        .outputs
        .into_iter()
        .map(|(k, v)| (k, Value::String(v.to_string())))
        .collect()
}

fn helm(dirs: &[(&Path, &Value)]) -> Vec<serde_json::Map<String, Value>> {
    let charts: Vec<Value> = dirs
        .iter()
        .map(|(d, v)| json!({"path": d.display().to_string(), "values": v, "name": "diff", "namespace": "ns"}))
        .collect();
    let out = common::oracle("render.py", &json!({ "charts": charts }));
    out.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert!(r["ok"].as_bool().unwrap(), "helm failed: {}", r["error"]);
            r["outputs"].as_object().unwrap().clone()
        })
        .collect()
}

/// Asserts that every template renders to the same documents in both engines.
fn assert_same(
    name: &str,
    ours: &serde_json::Map<String, Value>,
    helm: &serde_json::Map<String, Value>,
    bytes: bool,
) {
    let helm_nonempty: Vec<_> = helm
        .iter()
        .filter(|(k, v)| {
            !k.contains("/_") && !k.ends_with("NOTES.txt") && !v.as_str().unwrap().trim().is_empty()
        })
        .collect();
    for (template, helm_text) in helm_nonempty {
        let ours_text = ours
            .get(template)
            .unwrap_or_else(|| panic!("{name}: rudder did not render {template}"));
        let (o, h) = (ours_text.as_str().unwrap(), helm_text.as_str().unwrap());
        let (od, hd): (Vec<_>, Vec<_>) = (
            documents(o).iter().map(normalize).collect(),
            documents(h).iter().map(normalize).collect(),
        );
        assert_eq!(
            od, hd,
            "{name}: {template} differs\n--- rudder\n{o}\n--- helm\n{h}"
        );
        if bytes {
            assert_eq!(o.trim(), h.trim(), "{name}: {template} differs byte-wise");
        }
    }
}

#[test]
fn scale_chart_renders_identically_to_helm() {
    let tmp = tempfile::tempdir().unwrap();
    let (tera, go) = (tmp.path().join("tera"), tmp.path().join("go"));
    for (dir, dialect) in [(&tera, "tera"), (&go, "go")] {
        let status = std::process::Command::new("python3")
            .arg(common::repo_root().join("bench/gen_chart.py"))
            .args(["7"])
            .arg(dir)
            .args(["--dialect", dialect])
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success());
    }
    let empty = json!({});
    let h = helm(&[(&go, &empty)]);
    assert_same("scale", &ours(&tera, &empty), &h[0], true);
}

/// A chart's files as (relative path, content).
type Files = Vec<(&'static str, &'static str)>;

/// Feature pairs: (name, Go chart files, Tera chart files, values).
fn pairs() -> Vec<(&'static str, Files, Files, Value)> {
    let chart_yaml = (
        "Chart.yaml",
        "apiVersion: v2\nname: pair\nversion: 1.2.3\nappVersion: \"4.5\"\n",
    );
    vec![
        (
            "labels-include-toYaml",
            vec![
                chart_yaml,
                (
                    "templates/_helpers.tpl",
                    "{{- define \"pair.labels\" -}}\napp.kubernetes.io/name: {{ .Chart.Name }}\napp.kubernetes.io/instance: {{ .Release.Name }}\nhelm.sh/chart: {{ .Chart.Name }}-{{ .Chart.Version }}\n{{- end }}\n{{- define \"pair.fullname\" -}}\n{{- printf \"%s-%s\" .Release.Name .Chart.Name | trunc 63 | trimSuffix \"-\" -}}\n{{- end }}\n",
                ),
                (
                    "templates/cm.yaml",
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include \"pair.fullname\" . }}\n  labels:\n    {{- include \"pair.labels\" . | nindent 4 }}\ndata:\n  tricky.yaml: |\n    {{- .Values.tricky | toYaml | nindent 4 }}\n  json: {{ .Values.tricky | toJson | quote }}\n{{- range $k, $v := .Values.env }}\n  {{ $k }}: {{ $v | quote }}\n{{- end }}\n",
                ),
            ],
            vec![
                chart_yaml,
                (
                    "templates/_helpers.tpl",
                    "{% component pair_labels(@Release, @Chart) %}\napp.kubernetes.io/name: {{ Chart.Name }}\napp.kubernetes.io/instance: {{ Release.Name }}\nhelm.sh/chart: {{ Chart.Name }}-{{ Chart.Version }}\n{%- endcomponent pair_labels %}\n{% component pair_fullname(@Release, @Chart) %}{{ Release.Name ~ \"-\" ~ Chart.Name | trunc(n=63) | trimSuffix(suffix=\"-\") }}{% endcomponent pair_fullname %}\n",
                ),
                (
                    "templates/cm.yaml",
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include(name=\"pair_fullname\") }}\n  labels:\n    {{- include(name=\"pair_labels\") | nindent(n=4) }}\ndata:\n  tricky.yaml: |\n    {{- Values.tricky | toYaml | nindent(n=4) }}\n  json: {{ Values.tricky | toJson | quote }}\n{%- for k, v in Values.env %}\n  {{ k }}: {{ v | quote }}\n{%- endfor %}\n",
                ),
            ],
            json!({"tricky": {"yes": "yes", "on": "on", "ver": "1.0", "multi": "a\nb\n", "hash": "#x", "empty": "", "colon": "a: b", "tilde": "~", "list": ["x", "", "null"], "n": 3, "f": 1.5, "nested": {"z": true, "a": null}}, "env": {"B": "2", "A": "a\"q", "C": "ü"}}),
        ),
        (
            "defaults-and-strings",
            vec![
                chart_yaml,
                (
                    "templates/cm.yaml",
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: strings\ndata:\n  zero: {{ .Values.zero | default 5 | quote }}\n  empty: {{ .Values.empty | default \"e\" | quote }}\n  falsy: {{ .Values.no | default true | quote }}\n  missing: {{ .Values.missing | default \"m\" | quote }}\n  list: {{ .Values.emptyList | default (list 1) | toJson | quote }}\n  kept: {{ .Values.kept | default \"x\" | quote }}\n  b64: {{ .Values.kept | b64enc | quote }}\n  sha: {{ .Values.kept | sha256sum | quote }}\n  upper: {{ .Values.kept | upper | quote }}\n  title: {{ \"hello wide world\" | title | quote }}\n  trunc: {{ \"abcdefgh\" | trunc 3 | quote }}\n  tail: {{ \"abcdefgh\" | trunc -3 | quote }}\n  prefix: {{ \"v1.2\" | trimPrefix \"v\" | quote }}\n  squote: {{ .Values.kept | squote | quote }}\n  indent: {{ \"a\\nb\" | indent 2 | quote }}\n  semver: {{ semverCompare \">=1.20-0\" .Capabilities.KubeVersion.Version | quote }}\n  kube: {{ .Capabilities.KubeVersion.Version | quote }}\n  typ: {{ typeOf .Values.kept | quote }}\n  kind: {{ kindOf .Values.emptyList | quote }}\n  ns: {{ .Release.Namespace }}\n  rev: {{ .Release.Revision | quote }}\n  install: {{ .Release.IsInstall | quote }}\n",
                ),
            ],
            vec![
                chart_yaml,
                (
                    "templates/cm.yaml",
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: strings\ndata:\n  zero: {{ Values.zero | default(value=5) | quote }}\n  empty: {{ Values.empty | default(value=\"e\") | quote }}\n  falsy: {{ Values.no | default(value=true) | quote }}\n  missing: {{ Values.missing | default(value=\"m\") | quote }}\n  list: {{ Values.emptyList | default(value=[1]) | toJson | quote }}\n  kept: {{ Values.kept | default(value=\"x\") | quote }}\n  b64: {{ Values.kept | b64enc | quote }}\n  sha: {{ Values.kept | sha256sum | quote }}\n  upper: {{ Values.kept | upper | quote }}\n  title: {{ \"hello wide world\" | title | quote }}\n  trunc: {{ \"abcdefgh\" | trunc(n=3) | quote }}\n  tail: {{ \"abcdefgh\" | trunc(n=-3) | quote }}\n  prefix: {{ \"v1.2\" | trimPrefix(prefix=\"v\") | quote }}\n  squote: {{ Values.kept | squote | quote }}\n  indent: {{ \"a\\nb\" | indent(n=2) | quote }}\n  semver: {{ Capabilities.KubeVersion.Version | semverCompare(constraint=\">=1.20-0\") | quote }}\n  kube: {{ Capabilities.KubeVersion.Version | quote }}\n  typ: {{ Values.kept | typeOf | quote }}\n  kind: {{ Values.emptyList | kindOf | quote }}\n  ns: {{ Release.Namespace }}\n  rev: {{ Release.Revision | quote }}\n  install: {{ Release.IsInstall | quote }}\n",
                ),
            ],
            json!({"zero": 0, "empty": "", "no": false, "emptyList": [], "kept": "Keep me"}),
        ),
        (
            "files-and-tpl",
            vec![
                chart_yaml,
                ("conf/app.conf", "port=80\nhost=example\n"),
                ("conf/extra.ini", "[x]\ny=1"),
                (
                    "templates/cm.yaml",
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ tpl .Values.nameTpl . }}\ndata:\n  {{- (.Files.Glob \"conf/*\").AsConfig | nindent 2 }}\n  raw: {{ .Files.Get \"conf/app.conf\" | quote }}\n  lines: {{ len (.Files.Lines \"conf/app.conf\") | quote }}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  {{- (.Files.Glob \"conf/*.ini\").AsSecrets | nindent 2 }}\n",
                ),
            ],
            vec![
                chart_yaml,
                ("conf/app.conf", "port=80\nhost=example\n"),
                ("conf/extra.ini", "[x]\ny=1"),
                (
                    "templates/cm.yaml",
                    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ Values.nameTpl | tpl }}\ndata:\n  {{- filesAsConfig(pattern=\"conf/*\") | nindent(n=2) }}\n  raw: {{ filesGet(path=\"conf/app.conf\") | quote }}\n  lines: {{ filesLines(path=\"conf/app.conf\") | length | quote }}\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  {{- filesAsSecrets(pattern=\"conf/*.ini\") | nindent(n=2) }}\n",
                ),
            ],
            json!({"nameTpl": "{{ .Release.Name }}-cfg"}),
        ),
    ]
}

#[test]
fn feature_pairs_render_like_helm() {
    let tmp = tempfile::tempdir().unwrap();
    let mut cases = Vec::new();
    for (name, go_files, tera_files, values) in pairs() {
        let (go, tera) = (
            tmp.path().join(name).join("go"),
            tmp.path().join(name).join("tera"),
        );
        write_chart(&go, &go_files);
        write_chart(&tera, &tera_files);
        cases.push((name, go, tera, values));
    }
    let helm_inputs: Vec<(&Path, &Value)> = cases
        .iter()
        .map(|(_, go, _, v)| (go.as_path(), v))
        .collect();
    let helm_out = helm(&helm_inputs);
    for ((name, _, tera, values), helm_out) in cases.iter().zip(helm_out) {
        // tpl's template text is Go in Helm's values and Tera in ours: translate that one value.
        let mut v = values.clone();
        if let Some(t) = v.get_mut("nameTpl") {
            *t = json!("{{ Release.Name }}-cfg");
        }
        assert_same(name, &ours(tera, &v), &helm_out, false);
    }
}

#[test]
fn to_yaml_matches_helm_byte_for_byte() {
    let strings = [
        "long ".repeat(25),
        " lead".into(),
        "trail ".into(),
        "a \nb".into(),
        "- x".into(),
        "-x".into(),
        "x:".into(),
        ":x".into(),
        "a:b".into(),
        "a,b".into(),
        "[x]".into(),
        "@x".into(),
        "`x".into(),
        "% x".into(),
        "true".into(),
        "True".into(),
        "0x1F".into(),
        "012".into(),
        "1e3".into(),
        "1_000".into(),
        "null".into(),
        "NULL".into(),
        ".inf".into(),
        "-".into(),
        "?".into(),
        "?x".into(),
        "y".into(),
        "No".into(),
        "off".into(),
        "1:20".into(),
        "é".into(),
        "\t".into(),
        "a\tb".into(),
        "a\u{1}".into(),
        "a #b".into(),
        "a#b".into(),
        "a: ".into(),
        "---".into(),
        "x\n\n".into(),
        "\nx".into(),
        " x\ny".into(),
        "!x".into(),
        "&x".into(),
        "*x".into(),
        "|".into(),
        ">".into(),
        "'".into(),
        "\"".into(),
        "a\"b".into(),
        "a'b".into(),
        "=".into(),
        "<<".into(),
        "0o17".into(),
        "+1".into(),
        "1.".into(),
        ".5".into(),
        "-.5".into(),
        "1e".into(),
        "infinity".into(),
        "~".into(),
        "a ~".into(),
        "x".repeat(100),
        "multi\nline\ntext\n".into(),
        "word ".repeat(30).trim().to_string(),
        "".into(),
        "on".into(),
        "yes".into(),
        "1.0".into(),
        "0".into(),
        "-1".into(),
        "3.14".into(),
        "1e+21".into(),
        "a: b".into(),
        "#x".into(),
    ];
    let mut map = serde_json::Map::new();
    for (i, s) in strings.iter().enumerate() {
        map.insert(format!("k{i:03}"), json!(s));
    }
    map.insert("on".into(), json!("key that YAML 1.1 reads as a bool"));
    map.insert("nested".into(), json!({"list": [[1, 2], [{"a": 1, "b": []}], {}, [], null, true, 1.5, 100000000000i64, -3], "deeper": {"text": "word ".repeat(30)}}));
    let values = Value::Object(map);
    let tmp = tempfile::tempdir().unwrap();
    write_chart(
        tmp.path(),
        &[
            ("Chart.yaml", "apiVersion: v2\nname: yq\nversion: 0.1.0\n"),
            ("templates/a.yaml", "{{ .Values | toYaml }}\n"),
        ],
    );
    let helm_text = helm(&[(tmp.path(), &values)])[0]["yq/templates/a.yaml"]
        .as_str()
        .unwrap()
        .to_string();
    let ours = rudder::engine::yaml::to_yaml_string(&values);
    let (h, o): (Vec<&str>, Vec<&str>) = (
        helm_text.trim_end().lines().collect(),
        ours.trim_end().lines().collect(),
    );
    let diffs: Vec<String> = h
        .iter()
        .zip(&o)
        .filter(|(a, b)| a != b)
        .map(|(a, b)| format!("helm {a:?} / rudder {b:?}"))
        .collect();
    assert!(
        diffs.is_empty() && h.len() == o.len(),
        "toYaml differs from Helm ({} vs {} lines):\n{}",
        h.len(),
        o.len(),
        diffs.join("\n")
    );
}
