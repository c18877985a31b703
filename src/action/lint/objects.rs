//! Checks on one rendered Kubernetes object: what the API server would refuse (missing
//! `apiVersion`/`kind`, bad names, labels and annotations, selector-less workloads) and what is
//! deprecated. Findings carry their severity; the caller adds the template path.

use yaml_serde::Value;

use super::{Severity, apis, names};

/// Annotations of one object may not exceed this many bytes in total (keys plus values).
const ANNOTATIONS_MAX_BYTES: usize = 256 * 1024;

/// Workload kinds whose `spec.selector` must select something.
const SELECTOR_KINDS: &[&str] = &["Deployment", "ReplicaSet", "DaemonSet", "StatefulSet"];

/// Where pod templates keep their own metadata, by kind family.
const NESTED_METADATA: &[&[&str]] = &[
    &["spec", "template", "metadata"],
    &["spec", "jobTemplate", "spec", "template", "metadata"],
];

/// One finding about an object.
pub type Finding = (Severity, String);

fn at<'a>(v: &'a Value, path: &[&str]) -> Option<&'a Value> {
    path.iter().try_fold(v, |cur, key| cur.get(*key))
}

/// A scalar as text (for messages about non-string labels and names).
fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".into(),
        other => yaml_serde::to_string(other)
            .map(|s| s.trim().replace('\n', " "))
            .unwrap_or_else(|_| "?".into()),
    }
}

/// Checks one parsed document (`index`: its 0-based place in the template's output) against the
/// Kubernetes rules, with deprecations judged for `target` (see [`apis::check`]).
pub fn check(doc: &Value, index: usize, target: Option<&semver::Version>) -> Vec<Finding> {
    let mut out = Vec::new();
    if !doc.is_mapping() {
        out.push((
            Severity::Error,
            format!("document {index}: not a Kubernetes object (expected a YAML mapping)"),
        ));
        return out;
    }
    let text = |key: &str| doc.get(key).and_then(Value::as_str).unwrap_or("");
    let api_version = text("apiVersion");
    let kind = text("kind");
    let name_value = at(doc, &["metadata", "name"]);
    let name = name_value.and_then(Value::as_str).unwrap_or("");
    let who = match (kind, name) {
        ("", "") => format!("document {index}"),
        ("", n) => format!("object {n:?}"),
        (k, "") => format!("{k} (document {index})"),
        (k, n) => format!("{k} {n:?}"),
    };

    if api_version.is_empty() {
        out.push((Severity::Error, format!("{who}: apiVersion not set")));
    }
    if kind.is_empty() {
        out.push((Severity::Error, format!("{who}: kind not set")));
    }
    match name_value {
        Some(v) if !v.is_string() && !v.is_null() => out.push((
            Severity::Error,
            format!(
                "{who}: metadata.name: Invalid value: {}: must be a string",
                scalar_text(v)
            ),
        )),
        _ if kind == "List" => {}
        _ => check_name(kind, name, &mut out),
    }

    match doc.get("metadata") {
        None | Some(Value::Null) => {}
        Some(m) if !m.is_mapping() => {
            out.push((Severity::Error, format!("{who}: metadata: must be a map")))
        }
        Some(m) => check_metadata(m, "metadata", &who, &mut out),
    }
    for path in NESTED_METADATA {
        if let Some(m) = at(doc, path).filter(|m| m.is_mapping()) {
            check_metadata(m, &path.join("."), &who, &mut out);
        }
    }

    if !api_version.is_empty()
        && !kind.is_empty()
        && let Some(finding) = apis::check(api_version, kind, target)
    {
        out.push(finding);
    }
    if SELECTOR_KINDS.contains(&kind) {
        let selects = ["matchLabels", "matchExpressions"]
            .iter()
            .any(|k| at(doc, &["spec", "selector", k]).is_some_and(|v| !v.is_null()));
        if !selects {
            out.push((
                Severity::Error,
                format!(
                    "a {kind} must contain matchLabels or matchExpressions, and {name:?} does not"
                ),
            ));
        }
    }
    if kind == "List" {
        let items = doc.get("items").and_then(Value::as_sequence);
        let ignored = items.into_iter().flatten().any(|item| {
            at(
                item,
                &["metadata", "annotations", "helm.sh/resource-policy"],
            )
            .is_some()
        });
        if ignored {
            out.push((
                Severity::Error,
                "annotation 'helm.sh/resource-policy' within List objects are ignored".into(),
            ));
        }
    }
    out
}

/// `metadata.name`, as Helm's lint: a warning (old clusters may accept what new ones refuse).
fn check_name(kind: &str, name: &str, out: &mut Vec<Finding>) {
    let Some(rule) = names::name_rule(kind) else {
        return;
    };
    let errs: Vec<String> = rule(name)
        .into_iter()
        .map(|e| format!("metadata.name: Invalid value: {name:?}: {e}"))
        .collect();
    let joined = match errs.len() {
        0 => return,
        1 => errs[0].clone(),
        _ => format!("[{}]", errs.join(", ")),
    };
    out.push((
        Severity::Warning,
        format!(
            "object name does not conform to Kubernetes naming requirements: {name:?}: {joined}"
        ),
    ));
}

/// Labels and annotations of one metadata block (`field` names it: `metadata`,
/// `spec.template.metadata` ...): errors, since the API server refuses them on every version.
fn check_metadata(meta: &Value, field: &str, who: &str, out: &mut Vec<Finding>) {
    let mut err = |text: String| out.push((Severity::Error, format!("{who}: {text}")));
    if let Some(labels) = meta.get("labels").filter(|v| !v.is_null()) {
        check_map(labels, &format!("{field}.labels"), Kind::Labels, &mut err);
    }
    if let Some(annotations) = meta.get("annotations").filter(|v| !v.is_null()) {
        check_map(
            annotations,
            &format!("{field}.annotations"),
            Kind::Annotations,
            &mut err,
        );
    }
}

/// Which of the two string maps is checked.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Labels,
    Annotations,
}

/// Keys are qualified names (annotation keys compared in lower case); label values are label
/// values, annotation values any string, up to [`ANNOTATIONS_MAX_BYTES`] in all.
fn check_map(map: &Value, field: &str, kind: Kind, err: &mut impl FnMut(String)) {
    let Some(map) = map.as_mapping() else {
        err(format!("{field}: must be a map of strings"));
        return;
    };
    let noun = match kind {
        Kind::Labels => "label",
        Kind::Annotations => "annotation",
    };
    let mut total = 0;
    for (k, v) in map {
        let Some(key) = k.as_str() else {
            err(format!(
                "{field}: Invalid value: {}: keys must be strings",
                scalar_text(k)
            ));
            continue;
        };
        total += key.len();
        let checked_key = match kind {
            Kind::Labels => key.to_string(),
            Kind::Annotations => key.to_ascii_lowercase(),
        };
        for e in names::qualified_name(&checked_key) {
            err(format!("{field}: Invalid value: {key:?}: {e}"));
        }
        match v {
            Value::String(s) => {
                total += s.len();
                if kind == Kind::Labels {
                    for e in names::label_value(s) {
                        err(format!("{field}: Invalid value: {s:?}: {e}"));
                    }
                }
            }
            Value::Null => {}
            other => err(format!(
                "{field}.{key}: Invalid value: {}: {noun} values must be strings (quote it)",
                scalar_text(other)
            )),
        }
    }
    if kind == Kind::Annotations && total > ANNOTATIONS_MAX_BYTES {
        err(format!(
            "{field}: Too long: must have at most {ANNOTATIONS_MAX_BYTES} bytes"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(yaml: &str) -> Vec<Finding> {
        let doc: Value = yaml_serde::from_str(yaml).unwrap();
        check(&doc, 0, None)
    }

    fn texts(findings: &[Finding]) -> Vec<String> {
        findings.iter().map(|(s, t)| format!("[{s}] {t}")).collect()
    }

    #[test]
    fn a_clean_object_has_no_findings() {
        let f = run(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  labels:\n    app.kubernetes.io/name: web\n    helm.sh/chart: web-0.1.0\n  annotations:\n    note: \"any text at all!\"\nspec:\n  selector:\n    matchLabels:\n      app: web\n  template:\n    metadata:\n      labels:\n        app: web\n",
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn missing_api_version_and_kind_are_errors() {
        let f = texts(&run("metadata:\n  name: x\n"));
        assert_eq!(
            f,
            vec![
                "[ERROR] object \"x\": apiVersion not set",
                "[ERROR] object \"x\": kind not set"
            ]
        );
        let f = texts(&run("apiVersion: v1\nkind: ConfigMap\n"));
        assert!(
            f[0].starts_with("[WARNING] object name does not conform"),
            "{f:?}"
        );
    }

    #[test]
    fn bad_names_warn_with_the_kind_rule() {
        let f = texts(&run(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: My_Name\n",
        ));
        assert_eq!(f.len(), 1);
        assert!(
            f[0].starts_with("[WARNING] object name does not conform to Kubernetes naming requirements: \"My_Name\": metadata.name: Invalid value: \"My_Name\": a lowercase RFC 1123 subdomain"),
            "{f:?}"
        );
        // A Service name is a DNS-1035 label: no dots, starts with a letter.
        let f = texts(&run(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: a.b\n",
        ));
        assert!(f[0].contains("DNS-1035"), "{f:?}");
        let f = run(
            "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: system:x\n",
        );
        assert!(f.is_empty(), "{f:?}");
    }

    #[test]
    fn bad_labels_and_annotations_are_errors() {
        let f = texts(&run(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  labels:\n    ok: fine\n    bad: \"-x-\"\n    \"bad key\": v\n    num: 1\n  annotations:\n    \"a/b/c\": x\n    n: 2\n",
        ));
        assert_eq!(f.len(), 5, "{f:?}");
        assert!(f[0].starts_with("[ERROR] ConfigMap \"x\": metadata.labels: Invalid value: \"-x-\": a valid label must be"), "{f:?}");
        assert!(
            f[1].contains("metadata.labels: Invalid value: \"bad key\": name part must consist"),
            "{f:?}"
        );
        assert!(
            f[2].contains("metadata.labels.num: Invalid value: 1: label values must be strings"),
            "{f:?}"
        );
        assert!(
            f[3].contains("metadata.annotations: Invalid value: \"a/b/c\": a qualified name"),
            "{f:?}"
        );
        assert!(
            f[4].contains("metadata.annotations.n: Invalid value: 2"),
            "{f:?}"
        );
    }

    #[test]
    fn pod_template_labels_are_checked() {
        let f = texts(&run(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  selector:\n    matchLabels: {a: b}\n  template:\n    metadata:\n      labels:\n        a: \"b c\"\n",
        ));
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].contains("spec.template.metadata.labels: Invalid value: \"b c\""),
            "{f:?}"
        );
    }

    #[test]
    fn oversized_annotations_are_errors() {
        let big = "v".repeat(ANNOTATIONS_MAX_BYTES);
        let f = texts(&run(&format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n  annotations:\n    k: {big}\n"
        )));
        assert_eq!(f.len(), 1, "{f:?}");
        assert!(
            f[0].ends_with("Too long: must have at most 262144 bytes"),
            "{f:?}"
        );
    }

    #[test]
    fn workloads_need_a_selector() {
        let f = texts(&run(
            "apiVersion: apps/v1\nkind: StatefulSet\nmetadata:\n  name: db\nspec: {}\n",
        ));
        assert_eq!(
            f,
            vec![
                "[ERROR] a StatefulSet must contain matchLabels or matchExpressions, and \"db\" does not"
            ]
        );
    }

    #[test]
    fn deprecated_apis_are_reported() {
        let f = texts(&run(
            "apiVersion: policy/v1beta1\nkind: PodDisruptionBudget\nmetadata:\n  name: p\n",
        ));
        assert_eq!(
            f,
            vec![
                "[WARNING] policy/v1beta1 PodDisruptionBudget is deprecated in v1.21+, unavailable in v1.25+; use policy/v1 PodDisruptionBudget"
            ]
        );
    }

    #[test]
    fn lists_with_resource_policy_are_errors() {
        let f = texts(&run(
            "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: a\n    annotations:\n      helm.sh/resource-policy: keep\n",
        ));
        assert_eq!(
            f,
            vec!["[ERROR] annotation 'helm.sh/resource-policy' within List objects are ignored"]
        );
    }

    #[test]
    fn non_mappings_are_errors() {
        let f = texts(&run("- a\n- b\n"));
        assert_eq!(
            f,
            vec!["[ERROR] document 0: not a Kubernetes object (expected a YAML mapping)"]
        );
    }
}
