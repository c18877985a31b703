//! Running a release's hooks for one event, as Helm 4's `execHook` does:
//!
//! - the hooks of the event, ordered by `helm.sh/hook-weight`, then name, keeping the kind
//!   install order the record has them in for equal names (Helm 4 sorts stably by weight and
//!   name over hooks pre-sorted by kind);
//! - for each: no delete policy means `before-hook-creation`; with that policy the previous
//!   instance is deleted first and waited for until gone; the hook is created by server-side
//!   apply WITHOUT the release's ownership metadata (Helm does not stamp hooks); Jobs and Pods
//!   are waited for until they complete or fail (within the timeout), other kinds are done once
//!   created; `last_run` records started/completed times and the phase;
//! - a failed hook stops the event: `hook-failed` deletes it, the hooks before it that succeeded
//!   are deleted by `hook-succeeded`, and the error names the hook, the reason and the last log
//!   lines of its pods when the cluster serves them; when all succeed, `hook-succeeded` deletes
//!   them last-first. CustomResourceDefinitions are never deleted.

pub mod logs;
pub mod wait;

use std::time::{Duration, Instant};

use kube::api::DeleteParams;
use serde_json::Value;

use self::logs::PodLog;
use self::wait::Outcome;
use super::objects;
use super::prune::is_kept;
use crate::action::ActionError;
use crate::action::progress::{ProgressEvent, ProgressSink};
use crate::kube::{ApplyOptions, Cluster, KubeError, ObjectRef};
use crate::release::gotime;
use crate::release::{Hook, HookDeletePolicy, HookEvent, HookOutputLogPolicy, HookPhase, Status};

/// Log lines quoted in the error of a failed hook.
pub const FAILURE_LOG_LINES: i64 = 10;

/// Why running hooks failed; each message is one line naming the hook.
#[derive(Debug, thiserror::Error)]
pub enum HookError {
    /// The hook's manifest could not be read.
    #[error("{event} hook {path}: {message}")]
    Build {
        /// The event.
        event: String,
        /// The template it came from.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The hook could not be created, or a previous instance deleted.
    #[error("{event} hook {resource} ({path}): {source}")]
    Cluster {
        /// The event.
        event: String,
        /// `Kind/name`.
        resource: String,
        /// The template it came from.
        path: String,
        /// What the cluster said.
        source: Box<KubeError>,
    },
    /// The hook ran and failed (or did not finish in time).
    #[error("{event} hook {resource} ({path}) failed: {reason}{}", logs_suffix(.logs))]
    Failed {
        /// The event.
        event: String,
        /// `Kind/name`.
        resource: String,
        /// The template it came from.
        path: String,
        /// Why (`BackoffLimitExceeded: ...`, `timed out after 5m0s ...`).
        reason: String,
        /// The last log lines of its pods, summarised on one line (empty when none).
        logs: String,
    },
}

fn logs_suffix(logs: &str) -> String {
    if logs.is_empty() {
        String::new()
    } else {
        format!("; last log lines: {logs}")
    }
}

impl From<HookError> for ActionError {
    fn from(e: HookError) -> ActionError {
        ActionError::Invalid(e.to_string())
    }
}

/// The hook event name as Helm writes it (`pre-install`).
pub fn event_name(event: HookEvent) -> String {
    serde_json::to_value(event)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// The hooks an operation runs around its objects, by the status its pending record has:
/// `(pre, post)`.
pub fn events_for(status: Status) -> Option<(HookEvent, HookEvent)> {
    match status {
        Status::PendingInstall => Some((HookEvent::PreInstall, HookEvent::PostInstall)),
        Status::PendingUpgrade => Some((HookEvent::PreUpgrade, HookEvent::PostUpgrade)),
        Status::PendingRollback => Some((HookEvent::PreRollback, HookEvent::PostRollback)),
        Status::Uninstalling => Some((HookEvent::PreDelete, HookEvent::PostDelete)),
        _ => None,
    }
}

/// Deletes the resources of `hooks`, in the order given, with `params`, in `namespace` unless
/// they name another; those annotated `helm.sh/resource-policy: keep` stay. Every deletion is
/// attempted and the failures reported together (naming release `name`). Returns the objects
/// deleted (absent ones included) and the kept ones as `[Kind] name`: what uninstall and a
/// failed operation's cleanup remove, where Helm leaves hook resources behind.
pub fn delete_resources<'a>(
    cluster: &Cluster,
    hooks: impl IntoIterator<Item = &'a Hook>,
    name: &str,
    namespace: &str,
    params: &DeleteParams,
) -> Result<(Vec<ObjectRef>, Vec<String>), ActionError> {
    let mut deleted = Vec::new();
    let mut kept = Vec::new();
    let mut errors = Vec::new();
    for hook in hooks {
        for object in objects::from_manifest_text(&hook.manifest, &hook.path)? {
            if is_kept(&object) {
                let id = ObjectRef::from_value(&object)?;
                kept.push(format!("[{}] {}", id.kind, id.name));
                continue;
            }
            match cluster.delete_with(&object, Some(namespace), params) {
                Ok((id, _)) => deleted.push(id),
                Err(e) => errors.push(e.to_string()),
            }
        }
    }
    if !errors.is_empty() {
        return Err(ActionError::Invalid(format!(
            "failed to delete the hooks of release {name}: {}",
            errors.join("; ")
        )));
    }
    Ok((deleted, kept))
}

/// How hooks are run.
pub struct HookRunner<'a> {
    /// The cluster.
    pub cluster: &'a Cluster,
    /// The release namespace (hooks without one go there).
    pub namespace: &'a str,
    /// How long each hook may take (and each deletion wait).
    pub timeout: Duration,
    /// Where `HookStarted`/`HookFinished` go.
    pub progress: &'a ProgressSink,
}

/// The hook indices of `event` among `hooks` that `select` accepts, in run order.
pub fn run_order(hooks: &[Hook], event: HookEvent, select: &dyn Fn(&Hook) -> bool) -> Vec<usize> {
    let mut order: Vec<usize> = (0..hooks.len())
        .filter(|&i| hooks[i].events.contains(&event) && select(&hooks[i]))
        .collect();
    // Stable: equal weight and name keep the record's (kind install) order, as Helm 4.
    order.sort_by(|&a, &b| {
        let (a, b) = (&hooks[a], &hooks[b]);
        a.weight.cmp(&b.weight).then_with(|| a.name.cmp(&b.name))
    });
    order
}

impl HookRunner<'_> {
    /// Runs the hooks of `event` that `select` accepts, recording each one's `last_run` in
    /// `hooks`.
    pub fn run(
        &self,
        hooks: &mut [Hook],
        event: HookEvent,
        select: &dyn Fn(&Hook) -> bool,
    ) -> Result<(), HookError> {
        self.run_inner(hooks, event, select, None)
    }

    /// [`HookRunner::run`], also collecting into `logs` the logs of the Pod hooks that ran
    /// (succeeded or failed) before any delete policy removes them (`rudder test --logs`).
    pub fn run_collecting(
        &self,
        hooks: &mut [Hook],
        event: HookEvent,
        select: &dyn Fn(&Hook) -> bool,
        logs: &mut Vec<PodLog>,
    ) -> Result<(), HookError> {
        self.run_inner(hooks, event, select, Some(logs))
    }

    fn run_inner(
        &self,
        hooks: &mut [Hook],
        event: HookEvent,
        select: &dyn Fn(&Hook) -> bool,
        mut logs: Option<&mut Vec<PodLog>>,
    ) -> Result<(), HookError> {
        let order = run_order(hooks, event, select);
        for (n, &i) in order.iter().enumerate() {
            if hooks[i].delete_policies.is_empty() {
                hooks[i].delete_policies = vec![HookDeletePolicy::BeforeHookCreation];
            }
            let failure = match self.run_one(&mut hooks[i], event, logs.as_deref_mut()) {
                Ok(()) => continue,
                Err(e) => e,
            };
            if let Err(e) = self.delete_by_policy(&hooks[i], HookDeletePolicy::HookFailed, event) {
                tracing::warn!("deleting failed hook {}: {e}", hooks[i].name);
            }
            for &done in &order[..n] {
                if let Err(e) =
                    self.delete_by_policy(&hooks[done], HookDeletePolicy::HookSucceeded, event)
                {
                    tracing::warn!("deleting hook {}: {e}", hooks[done].name);
                }
            }
            return Err(failure);
        }
        // As Helm: once all succeeded, last first, each hook's logs then its deletion.
        for &i in order.iter().rev() {
            self.output_logs(&hooks[i], HookOutputLogPolicy::HookSucceeded, event);
            self.delete_by_policy(&hooks[i], HookDeletePolicy::HookSucceeded, event)?;
        }
        Ok(())
    }

    /// Reports the logs of the hook's pods when its `helm.sh/hook-output-log-policy` has
    /// `policy` (before any delete policy removes them). Logs are an aid: a cluster that does
    /// not serve them yields none, never an error.
    fn output_logs(&self, hook: &Hook, policy: HookOutputLogPolicy, event: HookEvent) {
        if !hook.output_log_policies.contains(&policy) {
            return;
        }
        let namespace = match self.objects(hook, event) {
            Ok(objects) => self.hook_namespace(&objects),
            Err(_) => self.namespace.to_string(),
        };
        let logs = logs::hook_pod_logs(self.cluster, &hook.kind, &namespace, &hook.name, None);
        self.report_logs(hook, &logs);
    }

    /// Reports `logs` of the hook's pods, one [`ProgressEvent::HookLog`] per container.
    fn report_logs(&self, hook: &Hook, logs: &[PodLog]) {
        let resource = format!("{}/{}", hook.kind, hook.name);
        for log in logs {
            self.progress.report(ProgressEvent::HookLog {
                resource: resource.clone(),
                pod: log.pod.clone(),
                container: log.container.clone(),
                text: log.text.clone(),
            });
        }
    }

    fn run_one(
        &self,
        hook: &mut Hook,
        event: HookEvent,
        collected: Option<&mut Vec<PodLog>>,
    ) -> Result<(), HookError> {
        let event_text = event_name(event);
        let resource = format!("{}/{}", hook.kind, hook.name);
        self.delete_by_policy(hook, HookDeletePolicy::BeforeHookCreation, event)?;
        let mut objects = self.objects(hook, event)?;
        for o in &mut objects {
            // Cluster-scoped kinds lose it when applied.
            if o.pointer("/metadata/namespace").is_none() && o["metadata"].is_object() {
                o["metadata"]["namespace"] = self.namespace.into();
            }
        }
        hook.last_run.started_at = Some(gotime::now());
        hook.last_run.completed_at = None;
        hook.last_run.phase = HookPhase::Running;
        // Progress is for what takes time: hooks waited for until they complete (Jobs, Pods).
        // Other hooks are done once created; their failures are the operation's error.
        let silent = ProgressSink::default();
        let progress = if wait::runs_to_completion(&hook.kind) {
            self.progress
        } else {
            &silent
        };
        progress.report(ProgressEvent::HookStarted {
            resource: resource.clone(),
            event: event_text.clone(),
        });
        let cluster_error = |source: KubeError| HookError::Cluster {
            event: event_text.clone(),
            resource: resource.clone(),
            path: hook.path.clone(),
            source: Box::new(source),
        };
        let deadline = Instant::now() + self.timeout;
        let mut result = Ok(Outcome::Succeeded);
        for object in &objects {
            let applied = self
                .cluster
                .apply_one(object, &ApplyOptions::default())
                .map_err(cluster_error);
            result = applied.and_then(|_| {
                let id = ObjectRef::from_value(object).map_err(cluster_error)?;
                let ns = id.namespace.as_deref().unwrap_or(self.namespace);
                let left = deadline.saturating_duration_since(Instant::now());
                wait::until_done(
                    self.cluster,
                    &id.api_version,
                    &id.kind,
                    Some(ns),
                    &id.name,
                    left,
                )
                .map_err(cluster_error)
            });
            if !matches!(result, Ok(Outcome::Succeeded)) {
                break;
            }
        }
        hook.last_run.completed_at = Some(gotime::now());
        let reason = match result {
            Ok(Outcome::Succeeded) => {
                hook.last_run.phase = HookPhase::Succeeded;
                if let Some(collected) = collected
                    && hook.kind == "Pod"
                {
                    collected.extend(logs::hook_pod_logs(
                        self.cluster,
                        &hook.kind,
                        &self.hook_namespace(&objects),
                        &hook.name,
                        None,
                    ));
                }
                progress.report(ProgressEvent::HookFinished {
                    resource,
                    succeeded: true,
                    message: "Completed".into(),
                });
                return Ok(());
            }
            Ok(Outcome::Failed(reason)) => reason,
            Ok(Outcome::TimedOut) => format!(
                "timed out after {} waiting for it to complete",
                humantime_like(self.timeout)
            ),
            Err(e) => {
                hook.last_run.phase = HookPhase::Failed;
                progress.report(ProgressEvent::HookFinished {
                    resource,
                    succeeded: false,
                    message: e.to_string(),
                });
                self.output_logs(hook, HookOutputLogPolicy::HookFailed, event);
                return Err(e);
            }
        };
        hook.last_run.phase = HookPhase::Failed;
        // The logs are read once: whole when something shows them whole (`rudder test
        // --logs` for Pods, the hook's output-log policy), else only the lines the error quotes.
        let show = hook
            .output_log_policies
            .contains(&HookOutputLogPolicy::HookFailed);
        let collect = collected.is_some() && hook.kind == "Pod";
        let pod_logs = logs::hook_pod_logs(
            self.cluster,
            &hook.kind,
            &self.hook_namespace(&objects),
            &hook.name,
            (!show && !collect).then_some(FAILURE_LOG_LINES),
        );
        progress.report(ProgressEvent::HookFinished {
            resource: resource.clone(),
            succeeded: false,
            message: reason.clone(),
        });
        if show {
            self.report_logs(hook, &pod_logs);
        }
        let summary = logs::summary(&logs::last_lines(&pod_logs, FAILURE_LOG_LINES as usize));
        if let Some(collected) = collected
            && collect
        {
            collected.extend(pod_logs);
        }
        Err(HookError::Failed {
            event: event_text,
            resource,
            path: hook.path.clone(),
            reason,
            logs: summary,
        })
    }

    /// The hook's objects (one, normally).
    fn objects(&self, hook: &Hook, event: HookEvent) -> Result<Vec<Value>, HookError> {
        objects::from_manifest_text(&hook.manifest, &hook.path).map_err(|e| HookError::Build {
            event: event_name(event),
            path: hook.path.clone(),
            message: e.to_string(),
        })
    }

    fn hook_namespace(&self, objects: &[Value]) -> String {
        objects
            .first()
            .and_then(|o| o.pointer("/metadata/namespace"))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .unwrap_or(self.namespace)
            .to_string()
    }

    /// Deletes the hook's objects if it has `policy`, waiting until they are gone.
    pub fn delete_by_policy(
        &self,
        hook: &Hook,
        policy: HookDeletePolicy,
        event: HookEvent,
    ) -> Result<(), HookError> {
        if hook.kind == "CustomResourceDefinition" || !hook.delete_policies.contains(&policy) {
            return Ok(());
        }
        let objects = self.objects(hook, event)?;
        self.delete_and_wait(&objects)
            .map_err(|source| HookError::Cluster {
                event: event_name(event),
                resource: format!("{}/{}", hook.kind, hook.name),
                path: hook.path.clone(),
                source: Box::new(source),
            })
    }

    /// Deletes `objects` (Background propagation) and waits until each is gone.
    pub fn delete_and_wait(&self, objects: &[Value]) -> Result<(), KubeError> {
        let deadline = Instant::now() + self.timeout;
        let params = kube::api::DeleteParams::background();
        for object in objects {
            let (id, _) = self
                .cluster
                .delete_with(object, Some(self.namespace), &params)?;
            loop {
                let found = match self.cluster.get(
                    &id.api_version,
                    &id.kind,
                    id.namespace.as_deref(),
                    &id.name,
                ) {
                    Ok(found) => found,
                    Err(KubeError::NoMatch { .. }) => None,
                    Err(e) => return Err(e),
                };
                if found.is_none() {
                    break;
                }
                if Instant::now() >= deadline {
                    return Err(KubeError::Timeout {
                        object: id.to_string(),
                        condition: "its deletion".into(),
                        after: humantime_like(self.timeout),
                    });
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
        Ok(())
    }
}

/// A duration as Go prints it for the usual timeouts (`5m0s`, `30s`, `1.5s`).
pub fn humantime_like(d: Duration) -> String {
    let secs = d.as_secs();
    if d.subsec_millis() != 0 && secs < 60 {
        return format!("{}s", d.as_secs_f64());
    }
    match (secs / 3600, (secs % 3600) / 60, secs % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, m, s) => format!("{h}h{m}m{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hook(name: &str, kind: &str, weight: i64, events: &[HookEvent]) -> Hook {
        Hook {
            name: name.into(),
            kind: kind.into(),
            weight,
            events: events.to_vec(),
            ..Hook::default()
        }
    }

    #[test]
    fn order_is_weight_then_name_keeping_kind_order_for_equal_names() {
        use HookEvent::*;
        // As recorded: kind install order (ServiceAccount before Job).
        let hooks = vec![
            hook("same", "ServiceAccount", 0, &[PreInstall]),
            hook("b", "ConfigMap", 0, &[PreInstall]),
            hook("same", "Job", 0, &[PreInstall]),
            hook("a", "Job", 0, &[PreInstall]),
            hook("z", "Job", -1, &[PreInstall, PostInstall]),
            hook("post", "Job", -9, &[PostInstall]),
        ];
        let names = |order: Vec<usize>| {
            order
                .into_iter()
                .map(|i| format!("{}/{}", hooks[i].kind, hooks[i].name))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(run_order(&hooks, PreInstall, &|_| true)),
            vec![
                "Job/z",
                "Job/a",
                "ConfigMap/b",
                "ServiceAccount/same",
                "Job/same"
            ]
        );
        assert_eq!(
            names(run_order(&hooks, PostInstall, &|h| h.name != "z")),
            vec!["Job/post"]
        );
    }

    #[test]
    fn events_and_durations() {
        assert_eq!(event_name(HookEvent::PreInstall), "pre-install");
        assert_eq!(
            events_for(Status::PendingUpgrade),
            Some((HookEvent::PreUpgrade, HookEvent::PostUpgrade))
        );
        assert_eq!(events_for(Status::Deployed), None);
        assert_eq!(humantime_like(Duration::from_secs(300)), "5m0s");
        assert_eq!(humantime_like(Duration::from_millis(1500)), "1.5s");
        assert_eq!(humantime_like(Duration::from_secs(3723)), "1h2m3s");
    }

    #[test]
    fn failure_message_names_hook_reason_and_logs() {
        let e = HookError::Failed {
            event: "pre-install".into(),
            resource: "Job/migrate".into(),
            path: "web/templates/job.yaml".into(),
            reason: "BackoffLimitExceeded".into(),
            logs: "pod migrate-x: boom".into(),
        };
        assert_eq!(
            e.to_string(),
            "pre-install hook Job/migrate (web/templates/job.yaml) failed: BackoffLimitExceeded; last log lines: pod migrate-x: boom"
        );
    }
}
