//! Waiting for one hook object to finish: a watch on that one object (`fieldSelector
//! metadata.name=NAME`) from the resourceVersion of a first GET, re-established when the server
//! ends it, until the object reaches an outcome or the timeout passes. Only Jobs and Pods run
//! to completion; [`outcome`] is the whole rule (Job `Complete`/`Failed` conditions, Pod phase
//! `Succeeded`/`Failed`), kept small so it can later share the readiness rules of `--wait`.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use kube::api::{WatchEvent, WatchParams};
use serde_json::Value;

use crate::kube::readiness::{ReadinessOptions, State, explain, readiness, terminated_reason};
use crate::kube::{Cluster, KubeError};

/// How a hook object ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// It completed (a Job `Complete`, a Pod `Succeeded`, any other kind once created).
    Succeeded,
    /// It failed, for this reason (`BackoffLimitExceeded: Job has reached ...`).
    Failed(String),
    /// It was still running when the timeout passed.
    TimedOut,
}

/// Whether `kind` is waited for until it completes (Helm waits for Jobs and Pods only).
pub fn runs_to_completion(kind: &str) -> bool {
    matches!(kind, "Job" | "Pod")
}

/// The outcome a Job or Pod has reached, `None` while it is still running.
pub fn outcome(kind: &str, object: &Value) -> Option<Outcome> {
    match kind {
        "Job" => job_outcome(object),
        "Pod" => pod_outcome(object),
        _ => Some(Outcome::Succeeded),
    }
}

/// A Job's outcome by the `--wait` rules ([`readiness`], Jobs waited for): complete, or failed
/// with its condition's reason.
fn job_outcome(job: &Value) -> Option<Outcome> {
    let now = readiness(
        job,
        ReadinessOptions {
            wait_for_jobs: true,
        },
    );
    match now.state {
        State::Ready => Some(Outcome::Succeeded),
        State::Failed => Some(Outcome::Failed(now.message)),
        State::InProgress => None,
    }
}

/// A Pod hook must run to completion (`Succeeded`), which is not what `--wait` asks of a Pod
/// (Ready); its failure reason is the status's, else its first failed container's.
fn pod_outcome(pod: &Value) -> Option<Outcome> {
    match pod.pointer("/status/phase").and_then(Value::as_str) {
        Some("Succeeded") => Some(Outcome::Succeeded),
        Some("Failed") => {
            let status = &pod["status"];
            let mut reason = if status.get("reason").is_some() || status.get("message").is_some() {
                explain(status)
            } else {
                String::new()
            };
            if reason.is_empty() {
                reason = terminated_reason(pod).unwrap_or_else(|| "pod failed".into());
            }
            Some(Outcome::Failed(reason))
        }
        _ => None,
    }
}

/// Waits until the `kind` object `name` (in `namespace`) reaches an outcome, at most `timeout`.
/// An object deleted meanwhile is a failure saying so.
pub fn until_done(
    cluster: &Cluster,
    api_version: &str,
    kind: &str,
    namespace: Option<&str>,
    name: &str,
    timeout: Duration,
) -> Result<Outcome, KubeError> {
    if !runs_to_completion(kind) {
        return Ok(Outcome::Succeeded);
    }
    let resource = cluster.resolve(api_version, kind)?;
    let ns = cluster.scope(&resource, namespace);
    let api = cluster.api(&resource, ns.as_deref());
    let what = crate::kube::client::describe(kind, ns.as_deref(), name);
    let deadline = Instant::now() + timeout;
    let gone = || Outcome::Failed(format!("{kind} {name} was deleted before it completed"));
    cluster.block_on(async {
        loop {
            let Some(current) = api
                .get_opt(name)
                .await
                .map_err(|e| cluster.error(e, &what))?
            else {
                return Ok(gone());
            };
            let value = serde_json::to_value(&current).map_err(|e| KubeError::Client {
                object: what.clone(),
                message: e.to_string(),
            })?;
            if let Some(o) = outcome(kind, &value) {
                return Ok(o);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(Outcome::TimedOut);
            }
            let rv = current
                .metadata
                .resource_version
                .clone()
                .unwrap_or_default();
            // The server ends a watch after its timeout; kube refuses 295 s or more.
            let secs = left.as_secs().clamp(1, 290) as u32;
            let params = WatchParams::default()
                .fields(&format!("metadata.name={name}"))
                .timeout(secs);
            let watched = async {
                let mut stream = api
                    .watch(&params, &rv)
                    .await
                    .map_err(|e| cluster.error(e, &what))?
                    .boxed();
                while let Some(event) = stream.next().await {
                    match event {
                        Ok(WatchEvent::Added(o) | WatchEvent::Modified(o)) => {
                            let value = serde_json::to_value(&o).unwrap_or(Value::Null);
                            if let Some(done) = outcome(kind, &value) {
                                return Ok(Some(done));
                            }
                        }
                        Ok(WatchEvent::Deleted(_)) => return Ok(Some(gone())),
                        // 410 Gone and other watch errors: start over from a fresh GET.
                        Ok(WatchEvent::Error(_)) | Err(_) => return Ok(None),
                        Ok(WatchEvent::Bookmark(_)) => {}
                    }
                }
                Ok::<_, KubeError>(None)
            };
            match tokio::time::timeout(left, watched).await {
                Ok(Ok(Some(done))) => return Ok(done),
                Ok(Ok(None)) => {
                    // The watch ended: avoid a tight loop against a server that ends it at once.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Ok(Err(e)) => return Err(e),
                Err(_) => return Ok(Outcome::TimedOut),
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn job_and_pod_outcomes() {
        // As the API server sends them: with apiVersion and kind.
        let running = json!({"apiVersion": "batch/v1", "kind": "Job", "status": {"active": 1}});
        assert_eq!(outcome("Job", &running), None);
        let done = json!({"apiVersion": "batch/v1", "kind": "Job",
                          "status": {"conditions": [{"type": "Complete", "status": "True"}]}});
        assert_eq!(outcome("Job", &done), Some(Outcome::Succeeded));
        let failed = json!({"apiVersion": "batch/v1", "kind": "Job", "status": {"conditions": [
            {"type": "Complete", "status": "False"},
            {"type": "Failed", "status": "True", "reason": "BackoffLimitExceeded",
             "message": "Job has reached the specified backoff limit"}]}});
        assert_eq!(
            outcome("Job", &failed),
            Some(Outcome::Failed(
                "BackoffLimitExceeded: Job has reached the specified backoff limit".into()
            ))
        );
        assert_eq!(
            outcome("Pod", &json!({"status": {"phase": "Running"}})),
            None
        );
        assert_eq!(
            outcome("Pod", &json!({"status": {"phase": "Succeeded"}})),
            Some(Outcome::Succeeded)
        );
        let pod = json!({"status": {"phase": "Failed", "containerStatuses": [
            {"name": "t", "state": {"terminated": {"exitCode": 2, "reason": "Error"}}}]}});
        assert_eq!(
            outcome("Pod", &pod),
            Some(Outcome::Failed("container t: Error (exit code 2)".into()))
        );
        assert_eq!(outcome("ConfigMap", &json!({})), Some(Outcome::Succeeded));
        assert!(!runs_to_completion("Deployment"));
    }
}
