//! `--live`: the two sides of a diff taken from the cluster instead of the stored manifest. The
//! old side is each object as it is now (GET); the new side is what a server-side apply of the
//! stamped object would store (`dryRun=All`), so fields the server defaults (a Service's
//! `clusterIP`, a Deployment's `strategy`) appear on both sides and cancel out. Both are
//! stripped of what the server manages and no one applies (see [`strip`]).

use serde_json::Value;

use crate::action::ActionError;
use crate::action::deploy::{self, DeployOptions};
use crate::kube::Cluster;

/// Metadata fields the server writes and a diff should not show.
const SERVER_METADATA: &[&str] = &[
    "managedFields",
    "resourceVersion",
    "uid",
    "creationTimestamp",
    "generation",
    "selfLink",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
];

/// Annotations controllers (not the chart) keep on live objects.
const SERVER_ANNOTATIONS: &[&str] = &["deployment.kubernetes.io/revision"];

/// `object` without server-managed noise: the metadata in [`SERVER_METADATA`], controller
/// annotations, an emptied `annotations` map, and `status`.
pub fn strip(mut object: Value) -> Value {
    if let Some(map) = object.as_object_mut() {
        map.remove("status");
    }
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        for field in SERVER_METADATA {
            meta.remove(*field);
        }
        if let Some(annotations) = meta.get_mut("annotations").and_then(Value::as_object_mut) {
            for a in SERVER_ANNOTATIONS {
                annotations.remove(*a);
            }
            if annotations.is_empty() {
                meta.remove("annotations");
            }
        }
    }
    object
}

/// The live side of `objects` (in order; `None`: not on the cluster), stripped.
pub fn current(
    cluster: &Cluster,
    objects: &[Value],
    limit: usize,
) -> Result<Vec<Option<Value>>, ActionError> {
    cluster
        .get_concurrent(objects, limit)
        .into_iter()
        .map(|r| Ok(r?.map(strip)))
        .collect()
}

/// What applying `stamped` (in install order) would store, as the server answers a dry run,
/// stripped. Ownership is checked first, as the real operation would (`previous`: the objects
/// the release already has).
pub fn proposed(
    cluster: &Cluster,
    stamped: &[Value],
    previous: &[Value],
    release: &str,
    namespace: &str,
    opts: &DeployOptions,
) -> Result<Vec<Value>, ActionError> {
    deploy::ownership::check(
        cluster,
        stamped,
        &deploy::keys(previous, namespace),
        release,
        namespace,
        opts.take_ownership,
        opts.concurrency,
    )?;
    let applied = deploy::apply::apply_in_order(
        cluster,
        stamped,
        &opts.apply_options(),
        true,
        opts.concurrency,
    )?;
    Ok(applied.into_iter().map(strip).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn server_fields_go() {
        let live = json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "a", "uid": "u", "resourceVersion": "7", "managedFields": [],
                         "creationTimestamp": "t", "generation": 2,
                         "annotations": {"deployment.kubernetes.io/revision": "3"},
                         "labels": {"x": "y"}},
            "data": {"k": "v"}, "status": {"ok": true}});
        assert_eq!(
            strip(live),
            json!({"apiVersion": "v1", "kind": "ConfigMap",
                   "metadata": {"name": "a", "labels": {"x": "y"}}, "data": {"k": "v"}})
        );
    }
}
