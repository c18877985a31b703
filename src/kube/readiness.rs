//! Whether one live object is ready, in the spirit of kstatus (what Helm 4 waits with): a
//! [`Readiness`] of Ready, InProgress or Failed with a reason a person can act on ("2/3 replicas
//! available", "container web: ImagePullBackOff"). Pure functions of the object's JSON, so each
//! rule is unit-tested without a cluster. Kinds without a rule are ready once they exist.

use serde_json::Value;

/// Where an object stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Ready (available, bound, complete...).
    Ready,
    /// Not yet; may still get there.
    InProgress,
    /// Will not get there without a change (a failed Job, a rollout past its deadline).
    Failed,
}

/// An object's state and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Readiness {
    /// Ready, in progress or failed.
    pub state: State,
    /// What it is now or why not yet ("2/3 replicas available"); may be empty when ready.
    pub message: String,
}

impl Readiness {
    /// Ready, with what it is.
    pub fn ready(message: impl Into<String>) -> Readiness {
        Readiness {
            state: State::Ready,
            message: message.into(),
        }
    }

    /// Not ready yet, with why.
    pub fn in_progress(message: impl Into<String>) -> Readiness {
        Readiness {
            state: State::InProgress,
            message: message.into(),
        }
    }

    /// Failed, with why.
    pub fn failed(message: impl Into<String>) -> Readiness {
        Readiness {
            state: State::Failed,
            message: message.into(),
        }
    }
}

/// How strict readiness is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReadinessOptions {
    /// `--wait-for-jobs`: Jobs are ready when complete (otherwise once they exist).
    pub wait_for_jobs: bool,
}

/// Restarts after which a container in CrashLoopBackOff counts as failed rather than starting.
pub const CRASH_LOOP_RESTARTS: i64 = 3;

/// API groups whose kinds are built in; a kind of any other group is a custom resource.
const BUILTIN_GROUPS: &[&str] = &[
    "",
    "apps",
    "batch",
    "autoscaling",
    "policy",
    "rbac.authorization.k8s.io",
    "networking.k8s.io",
    "storage.k8s.io",
    "scheduling.k8s.io",
    "coordination.k8s.io",
    "discovery.k8s.io",
    "admissionregistration.k8s.io",
    "certificates.k8s.io",
    "node.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "apiextensions.k8s.io",
    "apiregistration.k8s.io",
    "events.k8s.io",
    "resource.k8s.io",
];

/// The API group of an apiVersion (`""` for core).
fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(g, _)| g)
}

/// Whether an object (as applied) can be anything but ready once it exists, i.e. whether
/// waiting needs to watch it: workloads, Pods, PVCs, LoadBalancer Services, CRDs, custom
/// resources, and Jobs with `--wait-for-jobs`.
pub fn needs_watch(object: &Value, opts: ReadinessOptions) -> bool {
    let api_version = text(object, "/apiVersion");
    let group = group_of(api_version);
    match (group, text(object, "/kind")) {
        ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")
        | ("", "ReplicationController" | "Pod" | "PersistentVolumeClaim")
        | ("apiextensions.k8s.io", "CustomResourceDefinition") => true,
        ("batch", "Job") => opts.wait_for_jobs,
        ("", "Service") => text(object, "/spec/type") == "LoadBalancer",
        _ => !BUILTIN_GROUPS.contains(&group),
    }
}

/// The readiness of a live object.
pub fn readiness(object: &Value, opts: ReadinessOptions) -> Readiness {
    if object.pointer("/metadata/deletionTimestamp").is_some() {
        return Readiness::in_progress("being deleted");
    }
    let group = group_of(text(object, "/apiVersion"));
    match (group, text(object, "/kind")) {
        ("apps", "Deployment") => deployment(object),
        ("apps", "StatefulSet") => statefulset(object),
        ("apps", "DaemonSet") => daemonset(object),
        ("apps", "ReplicaSet") | ("", "ReplicationController") => replicaset(object),
        ("", "Pod") => pod(object),
        ("batch", "Job") if opts.wait_for_jobs => job(object),
        ("batch", "Job") => Readiness::ready("created"),
        ("", "PersistentVolumeClaim") => pvc(object),
        ("", "Service") => service(object),
        ("apiextensions.k8s.io", "CustomResourceDefinition") => crd(object),
        (g, _) if !BUILTIN_GROUPS.contains(&g) => custom(object),
        _ => Readiness::ready("exists"),
    }
}

fn text<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    obj.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

fn int(obj: &Value, pointer: &str) -> Option<i64> {
    obj.pointer(pointer).and_then(Value::as_i64)
}

/// A status field that counts replicas (absent = 0).
fn count(obj: &Value, field: &str) -> i64 {
    obj.get("status")
        .and_then(|s| s.get(field))
        .and_then(Value::as_i64)
        .unwrap_or(0)
}

/// A status condition by type.
fn condition<'a>(obj: &'a Value, kind: &str) -> Option<&'a Value> {
    obj.pointer("/status/conditions")
        .and_then(Value::as_array)?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
}

fn is_true(cond: &Value) -> bool {
    cond.get("status").and_then(Value::as_str) == Some("True")
}

/// `reason: message` of a condition (either may be missing).
pub fn explain(cond: &Value) -> String {
    let reason = text(cond, "/reason");
    let message = text(cond, "/message");
    match (reason.is_empty(), message.is_empty()) {
        (false, false) => format!("{reason}: {message}"),
        (false, true) => reason.to_string(),
        (true, false) => message.to_string(),
        (true, true) => format!("condition {} not met", text(cond, "/type")),
    }
}

/// InProgress while the controller has not seen the latest spec (`status.observedGeneration`
/// behind `metadata.generation`; no observedGeneration at all counts as not seen for kinds
/// whose controller always sets it).
fn generation_pending(obj: &Value, always_set: bool) -> Option<Readiness> {
    let generation = int(obj, "/metadata/generation")?;
    let observed = int(obj, "/status/observedGeneration");
    match observed {
        Some(o) if o >= generation => None,
        None if !always_set => None,
        _ => Some(Readiness::in_progress(format!(
            "waiting for the controller to observe generation {generation}"
        ))),
    }
}

fn deployment(obj: &Value) -> Readiness {
    if obj.get("status").is_none() {
        return Readiness::in_progress("no status yet");
    }
    if let Some(r) = generation_pending(obj, true) {
        return r;
    }
    if let Some(c) = condition(obj, "Progressing")
        && text(c, "/reason") == "ProgressDeadlineExceeded"
    {
        return Readiness::failed(explain(c));
    }
    let want = int(obj, "/spec/replicas").unwrap_or(1);
    let updated = count(obj, "updatedReplicas");
    let total = count(obj, "replicas");
    let available = count(obj, "availableReplicas");
    if updated < want {
        return Readiness::in_progress(format!("{updated}/{want} replicas updated"));
    }
    if total > updated {
        return Readiness::in_progress(format!(
            "{} old replica(s) pending termination",
            total - updated
        ));
    }
    if available < want {
        return Readiness::in_progress(format!("{available}/{want} replicas available"));
    }
    Readiness::ready(format!("{available}/{want} replicas available"))
}

fn statefulset(obj: &Value) -> Readiness {
    if obj.get("status").is_none() {
        return Readiness::in_progress("no status yet");
    }
    if let Some(r) = generation_pending(obj, true) {
        return r;
    }
    let want = int(obj, "/spec/replicas").unwrap_or(1);
    let ready = count(obj, "readyReplicas");
    let rolling = matches!(text(obj, "/spec/updateStrategy/type"), "" | "RollingUpdate");
    let partition = int(obj, "/spec/updateStrategy/rollingUpdate/partition").unwrap_or(0);
    if rolling {
        let updated = count(obj, "updatedReplicas");
        if updated < want - partition {
            return Readiness::in_progress(format!(
                "{updated}/{} replicas updated",
                want - partition
            ));
        }
    }
    if ready < want {
        return Readiness::in_progress(format!("{ready}/{want} replicas ready"));
    }
    if rolling && partition == 0 {
        let current = text(obj, "/status/currentRevision");
        let update = text(obj, "/status/updateRevision");
        if current != update {
            return Readiness::in_progress(format!("rolling out revision {update}"));
        }
    }
    Readiness::ready(format!("{ready}/{want} replicas ready"))
}

fn daemonset(obj: &Value) -> Readiness {
    if obj.get("status").is_none() {
        return Readiness::in_progress("no status yet");
    }
    if let Some(r) = generation_pending(obj, true) {
        return r;
    }
    let desired = count(obj, "desiredNumberScheduled");
    let updated = count(obj, "updatedNumberScheduled");
    let available = count(obj, "numberAvailable");
    if updated < desired {
        return Readiness::in_progress(format!("{updated}/{desired} pods updated"));
    }
    if available < desired {
        return Readiness::in_progress(format!("{available}/{desired} pods available"));
    }
    Readiness::ready(format!("{available}/{desired} pods available"))
}

fn replicaset(obj: &Value) -> Readiness {
    if obj.get("status").is_none() {
        return Readiness::in_progress("no status yet");
    }
    if let Some(r) = generation_pending(obj, true) {
        return r;
    }
    let want = int(obj, "/spec/replicas").unwrap_or(1);
    let available = count(obj, "availableReplicas");
    if available < want {
        // A ReplicaFailure (quota, admission) can clear by itself: not terminal.
        let why = condition(obj, "ReplicaFailure")
            .filter(|c| is_true(c))
            .map(|c| format!(" ({})", explain(c)))
            .unwrap_or_default();
        return Readiness::in_progress(format!("{available}/{want} replicas available{why}"));
    }
    Readiness::ready(format!("{available}/{want} replicas available"))
}

fn pod(obj: &Value) -> Readiness {
    match text(obj, "/status/phase") {
        "Succeeded" => return Readiness::ready("Succeeded"),
        "Failed" => {
            let why = text(obj, "/status/reason");
            let detail = terminated_reason(obj).unwrap_or_default();
            let mut message = "phase Failed".to_string();
            for part in [why, detail.as_str()] {
                if !part.is_empty() {
                    message.push_str(": ");
                    message.push_str(part);
                }
            }
            return Readiness::failed(message);
        }
        _ => {}
    }
    let statuses = obj
        .pointer("/status/containerStatuses")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for c in statuses {
        let reason = text(c, "/state/waiting/reason");
        if reason.is_empty() {
            continue;
        }
        let name = text(c, "/name");
        let restarts = int(c, "/restartCount").unwrap_or(0);
        let message = format!("container {name}: {reason}");
        if reason == "CrashLoopBackOff" && restarts >= CRASH_LOOP_RESTARTS {
            return Readiness::failed(format!("{message} ({restarts} restarts)"));
        }
        if reason != "ContainerCreating" && reason != "PodInitializing" {
            return Readiness::in_progress(message);
        }
    }
    match condition(obj, "Ready") {
        Some(c) if is_true(c) => Readiness::ready("Ready"),
        Some(c) => Readiness::in_progress(explain(c)),
        None => Readiness::in_progress(match text(obj, "/status/phase") {
            "" => "phase Pending".to_string(),
            phase => format!("phase {phase}"),
        }),
    }
}

/// The reason a terminated container gives, as `container NAME: REASON (exit code N)`.
pub fn terminated_reason(obj: &Value) -> Option<String> {
    obj.pointer("/status/containerStatuses")
        .and_then(Value::as_array)?
        .iter()
        .find_map(|c| {
            let t = c.pointer("/state/terminated")?;
            let code = t.get("exitCode").and_then(Value::as_i64).unwrap_or(0);
            (code != 0).then(|| {
                format!(
                    "container {}: {} (exit code {code})",
                    text(c, "/name"),
                    text(t, "/reason")
                )
            })
        })
}

fn job(obj: &Value) -> Readiness {
    if let Some(c) = condition(obj, "Failed").filter(|c| is_true(c)) {
        return Readiness::failed(explain(c));
    }
    if condition(obj, "Complete").is_some_and(is_true) {
        return Readiness::ready("Complete");
    }
    Readiness::in_progress(format!(
        "not complete: {} active, {} succeeded, {} failed",
        count(obj, "active"),
        count(obj, "succeeded"),
        count(obj, "failed")
    ))
}

fn pvc(obj: &Value) -> Readiness {
    match text(obj, "/status/phase") {
        "Bound" => Readiness::ready("Bound"),
        "Lost" => Readiness::failed("phase Lost (its volume is gone)"),
        "" => Readiness::in_progress("not Bound yet"),
        phase => Readiness::in_progress(format!("phase {phase}, not Bound")),
    }
}

fn service(obj: &Value) -> Readiness {
    if text(obj, "/spec/type") != "LoadBalancer" {
        return Readiness::ready("exists");
    }
    let assigned = obj
        .pointer("/status/loadBalancer/ingress")
        .and_then(Value::as_array)
        .is_some_and(|i| !i.is_empty());
    if assigned {
        Readiness::ready("load balancer ingress assigned")
    } else {
        Readiness::in_progress("waiting for a load balancer ingress")
    }
}

fn crd(obj: &Value) -> Readiness {
    if let Some(c) = condition(obj, "NamesAccepted").filter(|c| !is_true(c))
        && text(c, "/status") == "False"
    {
        return Readiness::failed(format!("names not accepted: {}", explain(c)));
    }
    match condition(obj, "Established") {
        Some(c) if is_true(c) => Readiness::ready("Established"),
        _ => Readiness::in_progress("not Established yet"),
    }
}

/// Custom resources: kstatus's generic rules (observedGeneration when the status has one,
/// `Stalled=True` failed, `Reconciling=True` in progress, and the `Ready` condition; no Ready
/// condition means ready).
fn custom(obj: &Value) -> Readiness {
    if let Some(r) = generation_pending(obj, false) {
        return r;
    }
    if let Some(c) = condition(obj, "Stalled").filter(|c| is_true(c)) {
        return Readiness::failed(explain(c));
    }
    if let Some(c) = condition(obj, "Reconciling").filter(|c| is_true(c)) {
        return Readiness::in_progress(explain(c));
    }
    match condition(obj, "Ready") {
        Some(c) if is_true(c) => Readiness::ready("Ready"),
        Some(c) => Readiness::in_progress(explain(c)),
        None => Readiness::ready("exists"),
    }
}

/// The labels a workload's pods carry (`spec.selector.matchLabels`; a ReplicationController's
/// `spec.selector`), for Deployments, StatefulSets, DaemonSets, ReplicaSets,
/// ReplicationControllers and Jobs; `None` for other kinds or without a usable selector.
pub fn pod_selector(workload: &Value) -> Option<&serde_json::Map<String, Value>> {
    let pointer = match (
        group_of(text(workload, "/apiVersion")),
        text(workload, "/kind"),
    ) {
        ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet") | ("batch", "Job") => {
            "/spec/selector/matchLabels"
        }
        ("", "ReplicationController") => "/spec/selector",
        _ => return None,
    };
    workload
        .pointer(pointer)
        .and_then(Value::as_object)
        .filter(|m| !m.is_empty())
}

/// Whether `pod` is one of `workload`'s pods (its labels include the workload's selector).
pub fn selects(workload: &Value, pod: &Value) -> bool {
    pod_selector(workload).is_some_and(|selector| {
        selector
            .iter()
            .all(|(k, v)| pod.pointer("/metadata/labels").and_then(|l| l.get(k)) == Some(v))
    })
}

/// Why a workload's pods hold it up: the first of its pods (those `selector` matches, in
/// `pods`) that is not ready, as `pod NAME: reason`. Failed when that pod's container is
/// crash-looping past [`CRASH_LOOP_RESTARTS`] and the workload is not a Job (a Job's own
/// conditions say when its retries are exhausted); in progress otherwise.
pub fn pods_reason<'a>(
    workload: &Value,
    pods: impl IntoIterator<Item = &'a Value>,
) -> Option<Readiness> {
    pod_selector(workload)?;
    let is_job = text(workload, "/kind") == "Job";
    let mut found: Option<Readiness> = None;
    for p in pods.into_iter().filter(|p| selects(workload, p)) {
        let r = pod(p);
        if r.state == State::Ready {
            continue;
        }
        let message = format!("pod {}: {}", text(p, "/metadata/name"), r.message);
        let crash_loop = r.state == State::Failed && text(p, "/status/phase") != "Failed";
        if crash_loop && !is_job {
            return Some(Readiness::failed(message));
        }
        found.get_or_insert(Readiness::in_progress(message));
    }
    found
}

#[cfg(test)]
#[path = "readiness_tests.rs"]
mod tests;
