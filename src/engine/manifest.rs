//! Rendered output to manifests: split on `---`, parse each document, separate hooks, and sort
//! in Helm's install order by kind.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::EngineError;

/// Helm's install order (`releaseutil.InstallOrder`); kinds not listed come last, alphabetically.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// The hook annotation (`helm.sh/hook`).
pub const HOOK_ANNOTATION: &str = "helm.sh/hook";
/// The hook weight annotation.
pub const HOOK_WEIGHT_ANNOTATION: &str = "helm.sh/hook-weight";
/// The hook delete policy annotation.
pub const HOOK_DELETE_POLICY_ANNOTATION: &str = "helm.sh/hook-delete-policy";
/// When a hook's pod logs are copied to the client's output (`hook-succeeded`, `hook-failed`).
pub const HOOK_OUTPUT_LOG_POLICY_ANNOTATION: &str = "helm.sh/hook-output-log-policy";

/// One rendered Kubernetes object, with the head fields the installer needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// The template that produced it: `chart/templates/x.yaml`.
    pub source: String,
    /// The document text (trimmed, without the `---` separator).
    pub content: String,
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// `metadata.namespace`, if set in the template.
    pub namespace: Option<String>,
    /// `metadata.labels`.
    pub labels: BTreeMap<String, String>,
    /// `metadata.annotations`.
    pub annotations: BTreeMap<String, String>,
}

/// A manifest annotated as a Helm hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hook {
    /// The object.
    pub manifest: Manifest,
    /// Events it runs on (`pre-install`, `test`, ...), as written.
    pub events: Vec<String>,
    /// `helm.sh/hook-weight` (0 when absent or not an integer, as Helm).
    pub weight: i64,
    /// `helm.sh/hook-delete-policy` entries.
    pub delete_policies: Vec<String>,
    /// `helm.sh/hook-output-log-policy` entries (lower-cased, as Helm reads them).
    pub output_log_policies: Vec<String>,
}

impl Hook {
    /// Whether this is a test hook (`helm.sh/hook: test`).
    pub fn is_test(&self) -> bool {
        self.events
            .iter()
            .any(|e| e == "test" || e == "test-success")
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Head {
    #[serde(rename = "apiVersion")]
    api_version: Option<String>,
    kind: Option<String>,
    metadata: Option<Meta>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Meta {
    name: Option<String>,
    namespace: Option<String>,
    labels: Option<BTreeMap<String, Scalar>>,
    annotations: Option<BTreeMap<String, Scalar>>,
}

/// Labels and annotations must be strings; numbers and bools are reported by `lint`, but do not
/// stop rendering, so they are read as their text.
#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    S(String),
    B(bool),
    I(i64),
    F(f64),
    N(()),
}

impl Scalar {
    fn text(self) -> String {
        match self {
            Scalar::S(s) => s,
            Scalar::B(b) => b.to_string(),
            Scalar::I(i) => i.to_string(),
            Scalar::F(f) => f.to_string(),
            Scalar::N(()) => String::new(),
        }
    }
}

/// Splits one template's output into trimmed, non-empty documents, as Helm's `SplitManifests`:
/// a line starting with `---` separates documents.
pub fn split_documents(text: &str) -> Vec<&str> {
    // Line starts holding `---`: the text's start and every `\n---` (a substring search, much
    // faster than walking the lines of a large render).
    let starts = text
        .starts_with("---")
        .then_some(0)
        .into_iter()
        .chain(memchr::memmem::find_iter(text.as_bytes(), b"\n---").map(|i| i + 1));
    let mut docs = Vec::new();
    let mut start = 0;
    for line_start in starts {
        docs.push(&text[start..line_start]);
        start = line_start + 3;
    }
    docs.push(&text[start..]);
    docs.into_iter()
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .collect()
}

/// Parses the documents of one template into manifests and hooks (in document order).
pub fn parse_template_output(
    source: &str,
    text: &str,
) -> Result<(Vec<Manifest>, Vec<Hook>), EngineError> {
    let docs: Vec<(&str, usize, &str)> = split_documents(text)
        .into_iter()
        .enumerate()
        .map(|(i, d)| (source, i, d))
        .collect();
    parse_documents(&docs)
}

/// The head of one document: the fields the installer needs, defaults applied.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DocHead {
    /// `apiVersion` (empty when absent).
    pub api_version: String,
    /// `kind` (empty when absent).
    pub kind: String,
    /// `metadata.name` (empty when absent).
    pub name: String,
    /// `metadata.namespace`, if set.
    pub namespace: Option<String>,
    /// `metadata.labels`, values as text.
    pub labels: BTreeMap<String, String>,
    /// `metadata.annotations`, values as text.
    pub annotations: BTreeMap<String, String>,
}

/// Reads the head of one document with the full YAML parser: `Ok(None)` for a document without
/// content (only comments), `Err(message)` for invalid YAML or a document that is not a mapping.
/// This is the reference the fast path ([`super::headscan::scan`]) must agree with.
pub fn read_head(doc: &str) -> Result<Option<DocHead>, String> {
    let head: Option<Head> = match yaml_serde::from_str::<Option<Head>>(doc) {
        Ok(h) => h,
        Err(e) => {
            let text = super::error::one_line(&e.to_string());
            return Err(if text.starts_with("invalid type") {
                format!("not a Kubernetes object (expected a YAML mapping): {text}")
            } else {
                format!("invalid YAML: {text}")
            });
        }
    };
    let Some(head) = head else {
        return Ok(None);
    };
    let meta = head.metadata.unwrap_or_default();
    let to_map = |m: Option<BTreeMap<String, Scalar>>| -> BTreeMap<String, String> {
        m.unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, v.text()))
            .collect()
    };
    Ok(Some(DocHead {
        api_version: head.api_version.unwrap_or_default(),
        kind: head.kind.unwrap_or_default(),
        name: meta.name.unwrap_or_default(),
        namespace: meta.namespace,
        labels: to_map(meta.labels),
        annotations: to_map(meta.annotations),
    }))
}

/// Reads the head of one document: the fast path for the YAML templates usually produce, the
/// full parser for everything else (and for every error).
pub fn document_head(doc: &str) -> Result<Option<DocHead>, String> {
    match super::headscan::scan(doc) {
        Some(head) => Ok(Some(head)),
        None => read_head(doc),
    }
}

/// Parses (template, index of the document in the template, document) triples, in order.
pub fn parse_documents(
    docs: &[(&str, usize, &str)],
) -> Result<(Vec<Manifest>, Vec<Hook>), EngineError> {
    let mut manifests = Vec::new();
    let mut hooks = Vec::new();
    for &(source, index, doc) in docs {
        let head = document_head(doc).map_err(|message| EngineError::Manifest {
            template: source.to_string(),
            index,
            message,
        })?;
        let Some(head) = head else {
            continue; // only comments: nothing to install
        };
        let manifest = Manifest {
            source: source.to_string(),
            content: doc.to_string(),
            api_version: head.api_version,
            kind: head.kind,
            name: head.name,
            namespace: head.namespace,
            labels: head.labels,
            annotations: head.annotations,
        };
        match manifest.annotations.get(HOOK_ANNOTATION) {
            Some(events) => {
                // Helm trims and lower-cases every entry of the three hook annotations.
                let list = |s: &str| -> Vec<String> {
                    s.split(',')
                        .map(|e| e.trim().to_lowercase())
                        .filter(|e| !e.is_empty())
                        .collect()
                };
                let events = list(events);
                let weight = manifest
                    .annotations
                    .get(HOOK_WEIGHT_ANNOTATION)
                    .and_then(|w| w.trim().parse().ok())
                    .unwrap_or(0);
                let delete_policies = manifest
                    .annotations
                    .get(HOOK_DELETE_POLICY_ANNOTATION)
                    .map(|p| list(p))
                    .unwrap_or_default();
                let output_log_policies = manifest
                    .annotations
                    .get(HOOK_OUTPUT_LOG_POLICY_ANNOTATION)
                    .map(|p| list(p))
                    .unwrap_or_default();
                hooks.push(Hook {
                    manifest,
                    events,
                    weight,
                    delete_policies,
                    output_log_policies,
                });
            }
            None => manifests.push(manifest),
        }
    }
    Ok((manifests, hooks))
}

/// The position of a kind in [`INSTALL_ORDER`] (unknown kinds after all known ones).
fn kind_rank(kind: &str) -> (usize, &str) {
    match INSTALL_ORDER.iter().position(|k| *k == kind) {
        Some(i) => (i, ""),
        None => (INSTALL_ORDER.len(), kind),
    }
}

/// Sorts manifests in install order by kind, keeping template order within a kind (stable).
pub fn sort_by_kind(manifests: &mut [Manifest]) {
    // Rank each kind once: comparing through the install-order table on every comparison
    // dominates the sort of a large render.
    // Renders repeat a few kinds: the last kinds ranked are remembered.
    let mut recent: Vec<(&str, usize)> = Vec::new();
    let mut order: Vec<(usize, usize)> = manifests
        .iter()
        .enumerate()
        .map(|(i, m)| {
            let rank = match recent.iter().find(|(k, _)| *k == m.kind) {
                Some(&(_, rank)) => rank,
                None => {
                    let rank = kind_rank(&m.kind).0;
                    if recent.len() < 8 {
                        recent.push((&m.kind, rank));
                    }
                    rank
                }
            };
            (rank, i)
        })
        .collect();
    let unknown = INSTALL_ORDER.len();
    if order.iter().all(|&(rank, _)| rank < unknown) {
        // Known kinds only: a counting sort by rank (stable, so template order is kept).
        let mut starts = [0usize; INSTALL_ORDER.len() + 1];
        for &(rank, _) in &order {
            starts[rank + 1] += 1;
        }
        for r in 1..starts.len() {
            starts[r] += starts[r - 1];
        }
        let mut sorted = vec![(0, 0); order.len()];
        for &(rank, i) in &order {
            sorted[starts[rank]] = (rank, i);
            starts[rank] += 1;
        }
        order = sorted;
    } else {
        order.sort_unstable_by(|&(ra, a), &(rb, b)| {
            ra.cmp(&rb)
                .then_with(|| {
                    if ra == unknown {
                        manifests[a].kind.cmp(&manifests[b].kind)
                    } else {
                        std::cmp::Ordering::Equal
                    }
                })
                .then(a.cmp(&b))
        });
    }
    let mut taken: Vec<Option<Manifest>> = manifests
        .iter_mut()
        .map(|m| Some(std::mem::replace(m, Manifest::empty())))
        .collect();
    for (slot, (_, i)) in manifests.iter_mut().zip(order) {
        *slot = taken[i].take().expect("each index once");
    }
}

impl Manifest {
    /// A placeholder without allocations, for moving manifests around.
    fn empty() -> Manifest {
        Manifest {
            source: String::new(),
            content: String::new(),
            api_version: String::new(),
            kind: String::new(),
            name: String::new(),
            namespace: None,
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
        }
    }
}

/// Sorts hooks by weight, then kind order, then name (the order they run in).
pub fn sort_hooks(hooks: &mut [Hook]) {
    hooks.sort_by(|a, b| {
        a.weight
            .cmp(&b.weight)
            .then_with(|| kind_rank(&a.manifest.kind).cmp(&kind_rank(&b.manifest.kind)))
            .then_with(|| a.manifest.name.cmp(&b.manifest.name))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_helm() {
        let docs = split_documents("---\na: 1\n---\n\n---   \nb: 2\n--- # c\nc: 3\n");
        assert_eq!(docs, vec!["a: 1", "b: 2", "# c\nc: 3"]);
        assert!(split_documents("  \n---\n").is_empty());
        assert_eq!(
            split_documents("a: 1\n----\nb: x---y"),
            vec!["a: 1", "-\nb: x---y"]
        );
        assert_eq!(split_documents("------\n"), vec!["---"]);
    }

    proptest::proptest! {
        #[test]
        fn splitting_matches_a_line_walk(text in "([-a: \n]{0,6}\n?){0,8}") {
            // The reference: walk the lines, a line starting with `---` separates documents.
            let mut docs = Vec::new();
            let (mut start, mut offset) = (0, 0);
            for line in text.split_inclusive('\n') {
                if line.starts_with("---") {
                    docs.push(&text[start..offset]);
                    start = offset + 3;
                }
                offset += line.len();
            }
            docs.push(&text[start..]);
            let want: Vec<&str> = docs.into_iter().map(str::trim).filter(|d| !d.is_empty()).collect();
            proptest::prop_assert_eq!(split_documents(&text), want);
        }
    }

    #[test]
    fn hooks_are_separated_and_comment_documents_dropped() {
        let text = "# just a comment\n---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n  annotations:\n    helm.sh/hook: pre-install, Test\n    helm.sh/hook-weight: \"-5\"\n    helm.sh/hook-delete-policy: Hook-Succeeded\n    helm.sh/hook-output-log-policy: \" HOOK-FAILED ,\"\n---\napiVersion: v1\nkind: Service\nmetadata:\n  name: s\n";
        let (m, h) = parse_template_output("c/templates/x.yaml", text).unwrap();
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].kind, "Service");
        // Trimmed and lower-cased, as Helm reads them.
        assert_eq!(h[0].events, vec!["pre-install", "test"]);
        assert_eq!(h[0].delete_policies, vec!["hook-succeeded"]);
        assert_eq!(h[0].output_log_policies, vec!["hook-failed"]);
        assert_eq!(h[0].weight, -5);
        assert!(h[0].is_test());
    }

    #[test]
    fn invalid_yaml_names_template_and_document() {
        let err = parse_template_output("c/templates/x.yaml", "a: 1\n---\nb: [\n").unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with("c/templates/x.yaml: document 1: invalid YAML"),
            "{text}"
        );
    }

    #[test]
    fn known_kinds_sort_stably_by_rank() {
        let mk = |kind: &str, name: &str| Manifest {
            kind: kind.into(),
            name: name.into(),
            ..Manifest::empty()
        };
        let mut v: Vec<Manifest> = (0..30)
            .map(|i| {
                mk(
                    ["Deployment", "Service", "ConfigMap"][i % 3],
                    &i.to_string(),
                )
            })
            .collect();
        sort_by_kind(&mut v);
        let names = |kind: &str| -> Vec<String> {
            v.iter()
                .filter(|m| m.kind == kind)
                .map(|m| m.name.clone())
                .collect()
        };
        let kinds: Vec<&str> = v.iter().map(|m| m.kind.as_str()).collect();
        assert_eq!(kinds[..10], ["ConfigMap"; 10]);
        assert_eq!(kinds[10..20], ["Service"; 10]);
        assert_eq!(kinds[20..], ["Deployment"; 10]);
        let want: Vec<String> = (0..30)
            .filter(|i| i % 3 == 1)
            .map(|i| i.to_string())
            .collect();
        assert_eq!(names("Service"), want);
    }

    #[test]
    fn kind_order_is_helms() {
        let mk = |kind: &str, name: &str| Manifest {
            source: String::new(),
            content: String::new(),
            api_version: "v1".into(),
            kind: kind.into(),
            name: name.into(),
            namespace: None,
            labels: Default::default(),
            annotations: Default::default(),
        };
        let mut v = vec![
            mk("Deployment", "a"),
            mk("Zeta", "z"),
            mk("Alpha", "y"),
            mk("Service", "b"),
            mk("Namespace", "c"),
            mk("Deployment", "0"),
        ];
        sort_by_kind(&mut v);
        let order: Vec<_> = v
            .iter()
            .map(|m| (m.kind.as_str(), m.name.as_str()))
            .collect();
        assert_eq!(
            order,
            vec![
                ("Namespace", "c"),
                ("Service", "b"),
                ("Deployment", "a"),
                ("Deployment", "0"),
                ("Alpha", "y"),
                ("Zeta", "z")
            ]
        );
    }
}
