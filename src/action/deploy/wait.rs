//! `--wait` for deploying verbs and uninstall: after the release's objects are applied (or
//! deleted), wait until they are ready (or gone) through the kube layer's waiter, reporting each
//! state change to the operation's progress sink. A wait failure is the operation's failure.

use std::time::Duration;

use serde_json::Value;

use super::DeployOptions;
use crate::action::ActionError;
use crate::action::progress::{ProgressEvent, ProgressSink};
use crate::kube::readiness::{Readiness, ReadinessOptions, State, needs_watch};
use crate::kube::wait::label;
use crate::kube::{Cluster, ObjectRef, WaitFor, WaitOptions};

/// With `opts.wait`, waits until the applied `objects` of a release in `namespace` are ready
/// (Jobs complete too with `opts.wait_for_jobs`), at most `opts.timeout`. Objects that are ready
/// as soon as they exist (ConfigMaps, ClusterIP Services...) are not waited for.
pub fn wait_for_ready(
    cluster: &Cluster,
    objects: &[Value],
    namespace: &str,
    opts: &DeployOptions,
) -> Result<(), ActionError> {
    if !opts.wait {
        return Ok(());
    }
    let readiness = ReadinessOptions {
        wait_for_jobs: opts.wait_for_jobs,
    };
    let targets = objects
        .iter()
        .filter(|o| needs_watch(o, readiness))
        .map(ObjectRef::from_value)
        .collect::<Result<Vec<_>, _>>()?;
    run(
        cluster,
        &targets,
        WaitFor::Ready(readiness),
        namespace,
        opts.timeout,
        &opts.progress,
    )
}

/// Waits until every object of `deleted` (in `namespace` unless they name their own) is gone,
/// at most `timeout` (uninstall `--wait`).
pub fn wait_for_deletion(
    cluster: &Cluster,
    deleted: &[ObjectRef],
    namespace: &str,
    timeout: Duration,
    progress: &ProgressSink,
) -> Result<(), ActionError> {
    run(
        cluster,
        deleted,
        WaitFor::Deleted,
        namespace,
        timeout,
        progress,
    )
}

fn run(
    cluster: &Cluster,
    targets: &[ObjectRef],
    mode: WaitFor,
    namespace: &str,
    timeout: Duration,
    progress: &ProgressSink,
) -> Result<(), ActionError> {
    if targets.is_empty() {
        return Ok(());
    }
    progress.report(ProgressEvent::WaitStarted {
        resources: targets.iter().map(|id| label(id, namespace)).collect(),
        timeout,
    });
    let mut report = |resource: &str, now: &Readiness| progress.report(state_event(resource, now));
    let opts = WaitOptions::new(mode, timeout);
    let result = cluster.wait_for(targets, &opts, namespace, &mut report);
    progress.report(ProgressEvent::WaitFinished);
    result.map_err(ActionError::from)
}

/// The progress event for a resource's new readiness.
fn state_event(resource: &str, now: &Readiness) -> ProgressEvent {
    match now.state {
        State::Failed => ProgressEvent::ResourceFailed {
            resource: resource.to_string(),
            message: now.message.clone(),
        },
        state => ProgressEvent::ResourceState {
            resource: resource.to_string(),
            ready: state == State::Ready,
            message: now.message.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_readiness_is_reported_as_a_failure() {
        assert_eq!(
            state_event("Job/j", &Readiness::failed("BackoffLimitExceeded")),
            ProgressEvent::ResourceFailed {
                resource: "Job/j".into(),
                message: "BackoffLimitExceeded".into()
            }
        );
        assert_eq!(
            state_event(
                "Deployment/web",
                &Readiness::in_progress("0/1 replicas available")
            ),
            ProgressEvent::ResourceState {
                resource: "Deployment/web".into(),
                ready: false,
                message: "0/1 replicas available".into()
            }
        );
    }
}
