//! Applying a release's objects: in install order, one group of same-kind neighbours at a time
//! (a Namespace before what goes in it, a ServiceAccount before the Deployment using it), and
//! within a group concurrently, a bounded number of requests in flight. The first group with a
//! failure stops the install; its first failure (in manifest order) is reported.

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
        for result in cluster.apply_concurrent(group, opts, dry_run, limit) {
            stored.push(result?);
        }
    }
    Ok(stored)
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
