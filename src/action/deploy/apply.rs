//! Applying a release's objects: in install order, one group of same-kind neighbours at a time
//! (a Namespace before what goes in it, a ServiceAccount before the Deployment using it), and
//! within a group concurrently, a bounded number of requests in flight. The first group with a
//! failure stops the install; its first failure (in manifest order) is reported.
//!
//! A conflict only with Helm's field manager is taken over (the object already carries this
//! release's ownership metadata, checked before applying: Helm applied it for the same
//! release), so rudder upgrades and rolls back releases Helm installed; any other manager's
//! conflict is an error unless `--force-conflicts`.

use serde_json::Value;

use crate::kube::{ApplyOptions, Cluster, KubeError};

/// Applies `objects` (already in install order); returns them as the server stored them.
pub fn apply_in_order(
    cluster: &Cluster,
    objects: &[Value],
    opts: &ApplyOptions,
    dry_run: bool,
    limit: usize,
) -> Result<Vec<Value>, KubeError> {
    let mut stored = Vec::with_capacity(objects.len());
    for group in groups(objects) {
        let mut results = cluster.apply_concurrent(group, opts, dry_run, limit);
        let helm_only: Vec<usize> = results
            .iter()
            .enumerate()
            .filter(|(_, r)| matches!(r, Err(e) if conflicts_only_with_helm(e)))
            .map(|(i, _)| i)
            .collect();
        if !helm_only.is_empty() {
            let forced = ApplyOptions {
                force_conflicts: true,
                ..opts.clone()
            };
            let retry: Vec<Value> = helm_only.iter().map(|&i| group[i].clone()).collect();
            tracing::debug!(
                objects = retry.len(),
                "taking over fields applied by Helm's field manager"
            );
            let again = cluster.apply_concurrent(&retry, &forced, dry_run, limit);
            for (i, r) in helm_only.into_iter().zip(again) {
                results[i] = r;
            }
        }
        for result in results {
            stored.push(result?);
        }
    }
    Ok(stored)
}

/// Whether `e` is an apply conflict whose every conflicting manager is Helm's. The API server
/// names them as `conflict with "helm" using v1: ...` (one) or `conflicts with "helm" ...`.
fn conflicts_only_with_helm(e: &KubeError) -> bool {
    let KubeError::ApplyConflict { message, .. } = e else {
        return false;
    };
    let managers = conflict_managers(message);
    !managers.is_empty() && managers.iter().all(|m| m == super::HELM_FIELD_MANAGER)
}

/// The field managers an apply conflict message names.
fn conflict_managers(message: &str) -> Vec<String> {
    let mut out = Vec::new();
    for marker in ["conflict with \"", "conflicts with \""] {
        let mut rest = message;
        while let Some(at) = rest.find(marker) {
            rest = &rest[at + marker.len()..];
            if let Some(end) = rest.find('"') {
                out.push(rest[..end].to_string());
                rest = &rest[end..];
            }
        }
    }
    out
}

/// Consecutive runs of objects of the same kind.
fn groups(objects: &[Value]) -> Vec<&[Value]> {
    let kind = |o: &Value| {
        o.get("kind")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..=objects.len() {
        if i == objects.len() || kind(&objects[i]) != kind(&objects[start]) {
            if i > start {
                out.push(&objects[start..i]);
            }
            start = i;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn conflict_managers_are_read_from_the_server_message() {
        let one = r#"Apply failed with 1 conflict: conflict with "helm" using v1: .data.message"#;
        assert_eq!(conflict_managers(one), vec!["helm"]);
        let two = "Apply failed with 2 conflicts: conflicts with \"kubectl\" using apps/v1:\n- .spec.replicas\nconflicts with \"helm\" using apps/v1:\n- .spec.x";
        assert_eq!(conflict_managers(two), vec!["kubectl", "helm"]);
        let conflict = |m: &str| KubeError::ApplyConflict {
            object: "ConfigMap a/b".into(),
            message: m.into(),
        };
        assert!(conflicts_only_with_helm(&conflict(one)));
        assert!(!conflicts_only_with_helm(&conflict(two)));
        assert!(!conflicts_only_with_helm(&conflict("something else")));
    }

    #[test]
    fn groups_same_kind_neighbours() {
        let o = |k: &str| json!({"kind": k});
        let objs = vec![
            o("Namespace"),
            o("ConfigMap"),
            o("ConfigMap"),
            o("Deployment"),
        ];
        let g = groups(&objs);
        assert_eq!(g.iter().map(|g| g.len()).collect::<Vec<_>>(), vec![1, 2, 1]);
        assert!(groups(&[]).is_empty());
    }
}
