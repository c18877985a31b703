//! The logs of a hook's pods: the Pod itself, or a Job's Pods (found by the labels the Job
//! controller gives them, `batch.kubernetes.io/job-name` then the older `job-name`), one entry
//! per container. Used to say why a hook failed (its last lines) and by `rudder test --logs`.
//! A cluster that does not serve logs yields none: logs are an aid, never the failure itself.

use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams, LogParams};

use crate::kube::Cluster;

/// The log of one container of one pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodLog {
    /// The pod's name.
    pub pod: String,
    /// The container's name.
    pub container: String,
    /// What it wrote (the last lines only when a tail was asked for).
    pub text: String,
}

/// The logs of the pods behind hook `kind`/`name` in `namespace` (`tail`: the last lines
/// only). Empty for kinds that have no pods, and when the cluster does not serve them.
pub fn hook_pod_logs(
    cluster: &Cluster,
    kind: &str,
    namespace: &str,
    name: &str,
    tail: Option<i64>,
) -> Vec<PodLog> {
    let Ok(resource) = cluster.resolve("v1", "Pod") else {
        return Vec::new();
    };
    let pods: Api<Pod> = Api::namespaced(
        cluster.api(&resource, Some(namespace)).into_client(),
        namespace,
    );
    let found: Vec<Pod> = match kind {
        "Pod" => cluster
            .block_on(pods.get_opt(name))
            .ok()
            .flatten()
            .into_iter()
            .collect(),
        "Job" => {
            let mut found = Vec::new();
            for label in ["batch.kubernetes.io/job-name", "job-name"] {
                let params = ListParams::default().labels(&format!("{label}={name}"));
                if let Ok(list) = cluster.block_on(pods.list(&params))
                    && !list.items.is_empty()
                {
                    found = list.items;
                    break;
                }
            }
            found
        }
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for pod in found {
        let pod_name = pod.metadata.name.clone().unwrap_or_default();
        let spec = pod.spec.unwrap_or_default();
        let containers = spec
            .init_containers
            .unwrap_or_default()
            .into_iter()
            .chain(spec.containers);
        for c in containers {
            let params = LogParams {
                container: Some(c.name.clone()),
                tail_lines: tail,
                ..LogParams::default()
            };
            match cluster.block_on(pods.logs(&pod_name, &params)) {
                Ok(text) => out.push(PodLog {
                    pod: pod_name.clone(),
                    container: c.name,
                    text,
                }),
                Err(e) => tracing::debug!("logs of pod {pod_name} container {}: {e}", c.name),
            }
        }
    }
    out
}

/// `logs` with each text cut to its last `n` lines (what a `tail_lines` request returns).
pub fn last_lines(logs: &[PodLog], n: usize) -> Vec<PodLog> {
    logs.iter()
        .map(|l| {
            let lines: Vec<&str> = l.text.lines().collect();
            let kept = &lines[lines.len().saturating_sub(n)..];
            PodLog {
                text: kept.iter().map(|line| format!("{line}\n")).collect(),
                ..l.clone()
            }
        })
        .collect()
}

/// The last lines of `logs` on one line: `pod P: l1 | l2` per container, `; ` between them.
pub fn summary(logs: &[PodLog]) -> String {
    logs.iter()
        .filter_map(|l| {
            let lines: Vec<&str> = l
                .text
                .lines()
                .map(str::trim_end)
                .filter(|s| !s.is_empty())
                .collect();
            (!lines.is_empty()).then(|| format!("pod {}: {}", l.pod, lines.join(" | ")))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_is_one_line() {
        let logs = vec![
            PodLog {
                pod: "a".into(),
                container: "c".into(),
                text: "one\n\ntwo\n".into(),
            },
            PodLog {
                pod: "b".into(),
                container: "c".into(),
                text: "".into(),
            },
        ];
        assert_eq!(summary(&logs), "pod a: one | two");
    }

    #[test]
    fn last_lines_keeps_the_end_of_each_log() {
        let logs = vec![PodLog {
            pod: "a".into(),
            container: "c".into(),
            text: "1\n2\n3\n4".into(),
        }];
        assert_eq!(last_lines(&logs, 2)[0].text, "3\n4\n");
        assert_eq!(last_lines(&logs, 10)[0].text, "1\n2\n3\n4\n");
        assert_eq!(last_lines(&logs, 0)[0].text, "");
    }
}
