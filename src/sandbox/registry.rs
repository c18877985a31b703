//! The resource types the sandbox serves: the built-in groups a chart uses, plus the types of
//! every established CustomResourceDefinition (added when the CRD is created, removed when it is
//! deleted). Discovery, OpenAPI and routing all read this one table.

use serde_json::Value;

use super::Gvk;
use super::errors::FieldError;

/// One served resource type (one group/version/plural).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceType {
    /// API group (`""` for core).
    pub group: String,
    /// Version (`v1`).
    pub version: String,
    /// Kind (`Deployment`).
    pub kind: String,
    /// Plural resource name used in paths (`deployments`).
    pub plural: String,
    /// Singular name (`deployment`).
    pub singular: String,
    /// Whether objects live in namespaces.
    pub namespaced: bool,
    /// Aliases for `kubectl get` (`deploy`).
    pub short_names: Vec<String>,
    /// Whether a `/status` subresource is served.
    pub has_status: bool,
    /// The CRD that defines it (`None` for built-in types).
    pub crd: Option<String>,
}

impl ResourceType {
    /// The type's group/version/kind.
    pub fn gvk(&self) -> Gvk {
        Gvk::new(&self.group, &self.version, &self.kind)
    }

    /// `apps/v1` or `v1`.
    pub fn api_version(&self) -> String {
        self.gvk().api_version()
    }

    /// The kind of its lists (`DeploymentList`).
    pub fn list_kind(&self) -> String {
        format!("{}List", self.kind)
    }

    /// Categories for `kubectl get all` (the built-in workload types and services).
    pub fn categories(&self) -> Vec<&'static str> {
        let all = matches!(
            (self.group.as_str(), self.plural.as_str()),
            ("", "pods" | "services" | "replicationcontrollers")
                | (
                    "apps",
                    "deployments" | "statefulsets" | "daemonsets" | "replicasets"
                )
                | ("batch", "jobs" | "cronjobs")
                | ("autoscaling", "horizontalpodautoscalers")
        );
        if all { vec!["all"] } else { vec![] }
    }

    /// The verbs every sandbox type supports (as discovery lists them).
    pub fn verbs(&self) -> Vec<&'static str> {
        vec![
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ]
    }

    /// The path of its collection (`/apis/apps/v1/namespaces/NS/deployments`); `namespace` is
    /// ignored for cluster-scoped types.
    pub fn collection_path(&self, namespace: Option<&str>) -> String {
        let root = if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        };
        match namespace {
            Some(ns) if self.namespaced => format!("{root}/namespaces/{ns}/{}", self.plural),
            _ => format!("{root}/{}", self.plural),
        }
    }
}

/// (group, version, kind, plural, namespaced, short names, has status)
type Builtin = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    bool,
    &'static [&'static str],
    bool,
);

const BUILTINS: &[Builtin] = &[
    ("", "v1", "Namespace", "namespaces", false, &["ns"], true),
    ("", "v1", "ConfigMap", "configmaps", true, &["cm"], false),
    ("", "v1", "Secret", "secrets", true, &[], false),
    ("", "v1", "Service", "services", true, &["svc"], true),
    (
        "",
        "v1",
        "ServiceAccount",
        "serviceaccounts",
        true,
        &["sa"],
        false,
    ),
    ("", "v1", "Pod", "pods", true, &["po"], true),
    (
        "",
        "v1",
        "PersistentVolumeClaim",
        "persistentvolumeclaims",
        true,
        &["pvc"],
        true,
    ),
    (
        "",
        "v1",
        "PersistentVolume",
        "persistentvolumes",
        false,
        &["pv"],
        true,
    ),
    ("", "v1", "Endpoints", "endpoints", true, &["ep"], false),
    ("", "v1", "Event", "events", true, &["ev"], false),
    (
        "",
        "v1",
        "ReplicationController",
        "replicationcontrollers",
        true,
        &["rc"],
        true,
    ),
    ("", "v1", "Node", "nodes", false, &["no"], true),
    (
        "",
        "v1",
        "ResourceQuota",
        "resourcequotas",
        true,
        &["quota"],
        true,
    ),
    (
        "",
        "v1",
        "LimitRange",
        "limitranges",
        true,
        &["limits"],
        false,
    ),
    ("", "v1", "PodTemplate", "podtemplates", true, &[], false),
    (
        "apps",
        "v1",
        "Deployment",
        "deployments",
        true,
        &["deploy"],
        true,
    ),
    (
        "apps",
        "v1",
        "StatefulSet",
        "statefulsets",
        true,
        &["sts"],
        true,
    ),
    ("apps", "v1", "DaemonSet", "daemonsets", true, &["ds"], true),
    (
        "apps",
        "v1",
        "ReplicaSet",
        "replicasets",
        true,
        &["rs"],
        true,
    ),
    (
        "apps",
        "v1",
        "ControllerRevision",
        "controllerrevisions",
        true,
        &[],
        false,
    ),
    ("batch", "v1", "Job", "jobs", true, &[], true),
    ("batch", "v1", "CronJob", "cronjobs", true, &["cj"], true),
    (
        "networking.k8s.io",
        "v1",
        "Ingress",
        "ingresses",
        true,
        &["ing"],
        true,
    ),
    (
        "networking.k8s.io",
        "v1",
        "NetworkPolicy",
        "networkpolicies",
        true,
        &["netpol"],
        false,
    ),
    (
        "networking.k8s.io",
        "v1",
        "IngressClass",
        "ingressclasses",
        false,
        &[],
        false,
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "Role",
        "roles",
        true,
        &[],
        false,
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "RoleBinding",
        "rolebindings",
        true,
        &[],
        false,
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRole",
        "clusterroles",
        false,
        &[],
        false,
    ),
    (
        "rbac.authorization.k8s.io",
        "v1",
        "ClusterRoleBinding",
        "clusterrolebindings",
        false,
        &[],
        false,
    ),
    (
        "policy",
        "v1",
        "PodDisruptionBudget",
        "poddisruptionbudgets",
        true,
        &["pdb"],
        true,
    ),
    (
        "autoscaling",
        "v2",
        "HorizontalPodAutoscaler",
        "horizontalpodautoscalers",
        true,
        &["hpa"],
        true,
    ),
    (
        "apiextensions.k8s.io",
        "v1",
        "CustomResourceDefinition",
        "customresourcedefinitions",
        false,
        &["crd", "crds"],
        true,
    ),
    (
        "storage.k8s.io",
        "v1",
        "StorageClass",
        "storageclasses",
        false,
        &["sc"],
        false,
    ),
    (
        "coordination.k8s.io",
        "v1",
        "Lease",
        "leases",
        true,
        &[],
        false,
    ),
];

/// All served types, built-in first, then CRD-defined in creation order.
#[derive(Debug, Clone)]
pub struct Registry {
    types: Vec<ResourceType>,
}

impl Default for Registry {
    fn default() -> Self {
        Self::builtin()
    }
}

impl Registry {
    /// The built-in types only.
    pub fn builtin() -> Self {
        let types = BUILTINS
            .iter()
            .map(
                |&(group, version, kind, plural, namespaced, short, has_status)| ResourceType {
                    group: group.into(),
                    version: version.into(),
                    kind: kind.into(),
                    plural: plural.into(),
                    singular: kind.to_ascii_lowercase(),
                    namespaced,
                    short_names: short.iter().map(|s| s.to_string()).collect(),
                    has_status,
                    crd: None,
                },
            )
            .collect();
        Registry { types }
    }

    /// Every served type.
    pub fn types(&self) -> &[ResourceType] {
        &self.types
    }

    /// The type served at `/apis/GROUP/VERSION/PLURAL`.
    pub fn find(&self, group: &str, version: &str, plural: &str) -> Option<&ResourceType> {
        self.types
            .iter()
            .find(|t| t.group == group && t.version == version && t.plural == plural)
    }

    /// The type of a group/version/kind.
    pub fn find_kind(&self, gvk: &Gvk) -> Option<&ResourceType> {
        self.types
            .iter()
            .find(|t| t.group == gvk.group && t.version == gvk.version && t.kind == gvk.kind)
    }

    /// Groups in discovery order, each with its versions (first is preferred).
    pub fn groups(&self) -> Vec<(String, Vec<String>)> {
        let mut out: Vec<(String, Vec<String>)> = Vec::new();
        for t in &self.types {
            match out.iter_mut().find(|(g, _)| *g == t.group) {
                Some((_, versions)) => {
                    if !versions.contains(&t.version) {
                        versions.push(t.version.clone());
                    }
                }
                None => out.push((t.group.clone(), vec![t.version.clone()])),
            }
        }
        out
    }

    /// The types of one group/version.
    pub fn group_version(&self, group: &str, version: &str) -> Vec<&ResourceType> {
        self.types
            .iter()
            .filter(|t| t.group == group && t.version == version)
            .collect()
    }

    /// Reads the types a CRD object defines (one per served version), or what is wrong with it.
    pub fn crd_types(crd: &Value) -> Result<Vec<ResourceType>, Vec<FieldError>> {
        let mut problems = Vec::new();
        let name = crd
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or("");
        let text = |p: &str| {
            crd.pointer(p)
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string()
        };
        let group = text("/spec/group");
        let plural = text("/spec/names/plural");
        let kind = text("/spec/names/kind");
        let singular = {
            let s = text("/spec/names/singular");
            if s.is_empty() {
                kind.to_ascii_lowercase()
            } else {
                s
            }
        };
        let scope = text("/spec/scope");
        if group.is_empty() {
            problems.push(FieldError::required("spec.group", ""));
        }
        if plural.is_empty() {
            problems.push(FieldError::required("spec.names.plural", ""));
        }
        if kind.is_empty() {
            problems.push(FieldError::required("spec.names.kind", ""));
        }
        if scope != "Namespaced" && scope != "Cluster" {
            problems.push(FieldError::invalid(
                "spec.scope",
                Value::String(scope.clone()),
                "supported values: \"Cluster\", \"Namespaced\"",
            ));
        }
        if !group.is_empty() && !plural.is_empty() && name != format!("{plural}.{group}") {
            problems.push(FieldError::invalid(
                "metadata.name",
                Value::String(name.to_string()),
                "must be spec.names.plural+\".\"+spec.group",
            ));
        }
        let short_names: Vec<String> = crd
            .pointer("/spec/names/shortNames")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let versions = crd
            .pointer("/spec/versions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if versions.is_empty() {
            problems.push(FieldError::invalid(
                "spec.versions",
                Value::Null,
                "must have exactly one version marked as storage version",
            ));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(versions
            .iter()
            .filter(|v| v.get("served").and_then(Value::as_bool).unwrap_or(true))
            .filter_map(|v| v.get("name").and_then(Value::as_str))
            .map(|version| ResourceType {
                group: group.clone(),
                version: version.to_string(),
                kind: kind.clone(),
                plural: plural.clone(),
                singular: singular.clone(),
                namespaced: scope == "Namespaced",
                short_names: short_names.clone(),
                has_status: versions.iter().any(|v| {
                    v.get("name").and_then(Value::as_str) == Some(version)
                        && v.pointer("/subresources/status").is_some()
                }),
                crd: Some(name.to_string()),
            })
            .collect())
    }

    /// Serves the types of the CRD named `crd_name` (replacing what it served before).
    pub fn set_crd(&mut self, crd_name: &str, types: Vec<ResourceType>) {
        self.remove_crd(crd_name);
        self.types.extend(types);
    }

    /// Stops serving the types of the CRD named `crd_name`.
    pub fn remove_crd(&mut self, crd_name: &str) {
        self.types.retain(|t| t.crd.as_deref() != Some(crd_name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn builtins_cover_the_chart_groups() {
        let r = Registry::builtin();
        let d = r.find("apps", "v1", "deployments").unwrap();
        assert!(d.namespaced);
        assert_eq!(d.kind, "Deployment");
        assert!(!r.find("", "v1", "namespaces").unwrap().namespaced);
        assert_eq!(
            d.collection_path(Some("ns")),
            "/apis/apps/v1/namespaces/ns/deployments"
        );
        let groups: Vec<String> = r.groups().into_iter().map(|(g, _)| g).collect();
        for g in [
            "",
            "apps",
            "batch",
            "networking.k8s.io",
            "rbac.authorization.k8s.io",
            "policy",
            "autoscaling",
            "apiextensions.k8s.io",
            "storage.k8s.io",
            "coordination.k8s.io",
        ] {
            assert!(groups.contains(&g.to_string()), "{g}");
        }
    }

    #[test]
    fn crds_add_and_remove_types() {
        let crd = json!({
            "metadata": {"name": "widgets.example.com"},
            "spec": {"group": "example.com", "scope": "Namespaced",
                     "names": {"plural": "widgets", "kind": "Widget", "shortNames": ["wd"]},
                     "versions": [{"name": "v1", "served": true, "storage": true},
                                  {"name": "v1beta1", "served": false, "storage": false}]}
        });
        let types = Registry::crd_types(&crd).unwrap();
        assert_eq!(types.len(), 1);
        let mut r = Registry::builtin();
        r.set_crd("widgets.example.com", types);
        assert_eq!(
            r.find("example.com", "v1", "widgets").unwrap().singular,
            "widget"
        );
        r.remove_crd("widgets.example.com");
        assert!(r.find("example.com", "v1", "widgets").is_none());
    }

    #[test]
    fn crd_name_must_match() {
        let crd = json!({"metadata": {"name": "x"}, "spec": {"group": "g.io", "scope": "Cluster",
            "names": {"plural": "ps", "kind": "P"}, "versions": [{"name": "v1"}]}});
        let problems = Registry::crd_types(&crd).unwrap_err();
        assert_eq!(problems[0].field, "metadata.name");
    }
}
