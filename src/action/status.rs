//! `status NAME`: one revision of a release (the latest unless `--revision`), and what became
//! of each object of its manifest in the cluster (exists? ready?), cheaply told from the
//! objects' own status fields.

use serde_json::Value;

use super::ActionError;
use super::connection::{ConnectOptions, Connection, connect};
use super::history::named_not_found;
use crate::engine::manifest::{parse_documents, sort_by_kind, split_documents};
use crate::kube::KubeError;
use crate::release::Release;

/// Which release and revision.
#[derive(Debug, Clone, Default)]
pub struct StatusRequest {
    /// Where to connect.
    pub connect: ConnectOptions,
    /// The release name.
    pub name: String,
    /// The revision (0: the latest).
    pub revision: u64,
    /// Whether to look up each object of the manifest in the cluster.
    pub resources: bool,
}

/// One object of the release's manifest and what the cluster says of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceState {
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// The namespace it lives in (empty for cluster-scoped objects).
    pub namespace: String,
    /// `missing`, `exists`, `ready`, `not ready (1/2)`, `complete`, `failed`, a Pod phase, or
    /// `unknown: <why>` when the lookup failed.
    pub state: String,
}

/// A release revision with the state of its resources.
#[derive(Debug, Clone)]
pub struct StatusResult {
    /// The revision.
    pub release: Release,
    /// Its manifest's objects in install order (empty unless requested).
    pub resources: Vec<ResourceState>,
}

/// The revision `req` names and, if asked, the state of its resources.
pub fn status(req: &StatusRequest) -> Result<StatusResult, ActionError> {
    let conn = connect(&req.connect)?;
    conn.cluster.server_version()?;
    let release = release_content(&conn, &req.name, req.revision)?;
    let resources = if req.resources {
        resource_states(&conn, &release)?
    } else {
        Vec::new()
    };
    Ok(StatusResult { release, resources })
}

/// Helm's `releaseContent`: revision `revision` of `name`, or its latest when 0; a missing
/// release is `NAME: release: not found`.
pub(crate) fn release_content(
    conn: &Connection,
    name: &str,
    revision: u64,
) -> Result<Release, ActionError> {
    let storage = conn.default_storage();
    let found = if revision == 0 {
        storage.last(name)
    } else {
        storage.get(name, revision)
    };
    found.map_err(|e| named_not_found(e, name))
}

/// The objects of a manifest as JSON, in install order; a document that is not valid YAML is
/// an error naming the release, the template it came from (its `# Source:` line) and its index.
pub(crate) fn manifest_objects(release: &Release) -> Result<Vec<Value>, ActionError> {
    let indexed: Vec<(&str, usize, &str)> = split_documents(&release.manifest)
        .into_iter()
        .enumerate()
        .map(|(i, doc)| {
            let source = doc
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("# Source: "))
                .unwrap_or("manifest");
            (source, i, doc)
        })
        .collect();
    let corrupt = |e: String| {
        ActionError::Invalid(format!(
            "release {:?} revision {}: {e}",
            release.name, release.version
        ))
    };
    let (mut manifests, _hooks) = parse_documents(&indexed).map_err(|e| corrupt(e.to_string()))?;
    sort_by_kind(&mut manifests);
    manifests
        .iter()
        .map(|m| {
            yaml_serde::from_str::<Value>(&m.content)
                .map_err(|e| corrupt(format!("{}: {e}", m.source)))
        })
        .collect()
}

fn resource_states(
    conn: &Connection,
    release: &Release,
) -> Result<Vec<ResourceState>, ActionError> {
    let mut out = Vec::new();
    for object in manifest_objects(release)? {
        let text = |ptr: &str| {
            object
                .pointer(ptr)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let (api_version, kind, name) =
            (text("/apiVersion"), text("/kind"), text("/metadata/name"));
        let declared = object
            .pointer("/metadata/namespace")
            .and_then(Value::as_str);
        let ns = declared.unwrap_or(&release.namespace).to_string();
        let (namespace, state) = match conn.cluster.resolve(&api_version, &kind) {
            Ok(resource) => {
                let namespace = if resource.namespaced {
                    ns
                } else {
                    String::new()
                };
                let state = match conn
                    .cluster
                    .get(&api_version, &kind, Some(&namespace), &name)
                {
                    Ok(Some(live)) => readiness(&kind, &live),
                    Ok(None) => "missing".to_string(),
                    Err(e) => format!("unknown: {e}"),
                };
                (namespace, state)
            }
            Err(KubeError::NoMatch { .. }) => (ns, "missing (kind not served)".to_string()),
            Err(e @ KubeError::Unreachable { .. }) => return Err(e.into()),
            Err(e) => (ns, format!("unknown: {e}")),
        };
        out.push(ResourceState {
            api_version,
            kind,
            name,
            namespace,
            state,
        });
    }
    Ok(out)
}

/// What an object's status says, for the kinds where that is cheap to tell.
pub fn readiness(kind: &str, live: &Value) -> String {
    let num = |ptr: &str| live.pointer(ptr).and_then(Value::as_i64);
    match kind {
        "Deployment" | "StatefulSet" | "ReplicaSet" => {
            let want = num("/spec/replicas").unwrap_or(1);
            let ready = num("/status/readyReplicas").unwrap_or(0);
            if ready >= want {
                format!("ready ({ready}/{want})")
            } else {
                format!("not ready ({ready}/{want})")
            }
        }
        "DaemonSet" => {
            let want = num("/status/desiredNumberScheduled").unwrap_or(0);
            let ready = num("/status/numberReady").unwrap_or(0);
            let word = if ready >= want { "ready" } else { "not ready" };
            format!("{word} ({ready}/{want})")
        }
        "Job" => {
            if num("/status/succeeded").unwrap_or(0) > 0 {
                "complete".into()
            } else if num("/status/failed").unwrap_or(0) > 0 {
                "failed".into()
            } else {
                "running".into()
            }
        }
        "Pod" => live
            .pointer("/status/phase")
            .and_then(Value::as_str)
            .unwrap_or("Pending")
            .to_string(),
        _ => "exists".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn readiness_reads_status_fields() {
        let d = json!({"spec": {"replicas": 2}, "status": {"readyReplicas": 1}});
        assert_eq!(readiness("Deployment", &d), "not ready (1/2)");
        let d = json!({"spec": {"replicas": 2}, "status": {"readyReplicas": 2}});
        assert_eq!(readiness("Deployment", &d), "ready (2/2)");
        assert_eq!(
            readiness("Job", &json!({"status": {"failed": 1}})),
            "failed"
        );
        assert_eq!(
            readiness("Job", &json!({"status": {"succeeded": 1}})),
            "complete"
        );
        assert_eq!(readiness("ConfigMap", &json!({})), "exists");
    }

    #[test]
    fn manifest_objects_come_in_install_order() {
        let release = Release {
            name: "r".into(),
            manifest: "---\n# Source: c/templates/a.yaml\napiVersion: apps/v1\nkind: Deployment\n\
                       metadata:\n  name: d\n---\n# Source: c/templates/b.yaml\napiVersion: v1\n\
                       kind: ConfigMap\nmetadata:\n  name: c\n"
                .into(),
            ..Release::default()
        };
        let objs = manifest_objects(&release).unwrap();
        let kinds: Vec<_> = objs.iter().map(|o| o["kind"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["ConfigMap", "Deployment"]);
        let broken = Release {
            manifest: format!(
                "{}---\n# Source: c/templates/bad.yaml\nkind: [\n",
                release.manifest
            ),
            ..release
        };
        let e = manifest_objects(&broken).unwrap_err().to_string();
        assert!(
            e.starts_with("release \"r\" revision 0: ") && e.contains("c/templates/bad.yaml"),
            "{e}"
        );
    }
}
