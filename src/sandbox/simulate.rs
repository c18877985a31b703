//! Simulated controllers: the `status` a real cluster's controllers would give an object
//! (workloads become ready, Jobs complete, PVCs bind, LoadBalancer Services get an IP) and
//! the objects they would create (a Deployment's ReplicaSet, workload Pods). Tests steer it
//! with the annotation [`SIMULATE_ANNOTATION`]: `fail`, `never-ready` or `delay=<duration>`.
//! Pure functions of the object and the time since it last changed.

use std::time::Duration;

use serde_json::{Map, Value, json};

use super::gvk::Gvk;

/// The annotation that tells the sandbox to simulate trouble for one object.
pub const SIMULATE_ANNOTATION: &str = "sandbox.rudder.dev/simulate";

/// What the simulated controllers do with an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Simulation {
    /// Becomes ready (or complete) at once.
    Normal,
    /// Fails: a Job or Pod fails, a workload reports a failed rollout.
    Fail,
    /// Stays unready forever.
    NeverReady,
    /// Becomes ready (or complete) once it has been unchanged this long.
    Delay(Duration),
}

/// Reads the simulation an object asks for; an unreadable annotation is an error naming it.
pub fn simulation_of(obj: &Value) -> Result<Simulation, String> {
    let Some(raw) = obj
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(SIMULATE_ANNOTATION))
    else {
        return Ok(Simulation::Normal);
    };
    let bad = || {
        format!(
            "annotation {SIMULATE_ANNOTATION}: {raw} is not one of \"fail\", \"never-ready\", \"delay=<duration>\" (like 5s, 1m30s, 500ms)"
        )
    };
    let text = raw.as_str().ok_or_else(bad)?.trim();
    match text {
        "" | "normal" => Ok(Simulation::Normal),
        "fail" => Ok(Simulation::Fail),
        "never-ready" => Ok(Simulation::NeverReady),
        _ => {
            let spec = text.strip_prefix("delay=").ok_or_else(bad)?;
            parse_duration(spec).map(Simulation::Delay).ok_or_else(bad)
        }
    }
}

/// Parses a Go-style duration (`5s`, `1m30s`, `250ms`, `1h`).
fn parse_duration(text: &str) -> Option<Duration> {
    let mut total = Duration::ZERO;
    let mut rest = text;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit() && c != '.')?;
        let number: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "ms" => number / 1000.0,
            "s" => number,
            "m" => number * 60.0,
            "h" => number * 3600.0,
            _ => return None,
        };
        total += Duration::try_from_secs_f64(seconds).ok()?;
        rest = &rest[unit_len..];
    }
    Some(total)
}

/// Where an object stands in its simulated life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Ready, available, complete.
    Done,
    /// Still working (never-ready, or a delay not yet over).
    Pending,
    /// Failed.
    Failed,
}

/// The phase an object has reached after `since_change` unchanged.
fn phase_of(obj: &Value, since_change: Duration) -> Phase {
    match simulation_of(obj).unwrap_or(Simulation::Normal) {
        Simulation::Normal => Phase::Done,
        Simulation::Fail => Phase::Failed,
        Simulation::NeverReady => Phase::Pending,
        Simulation::Delay(d) if since_change >= d => Phase::Done,
        Simulation::Delay(_) => Phase::Pending,
    }
}

/// The `status` the object should have now, or `None` when no controller in the sandbox
/// looks after this kind.
pub fn simulate_status(obj: &Value, gvk: &Gvk, since_change: Duration) -> Option<Value> {
    let phase = phase_of(obj, since_change);
    match (gvk.group.as_str(), gvk.kind.as_str()) {
        ("apps", "Deployment") => Some(deployment_status(obj, phase)),
        ("apps", "StatefulSet") => Some(statefulset_status(obj, phase)),
        ("apps", "DaemonSet") => Some(daemonset_status(obj, phase)),
        ("apps", "ReplicaSet") | ("", "ReplicationController") => {
            Some(replicaset_status(obj, phase))
        }
        ("batch", "Job") => Some(job_status(obj, phase)),
        ("", "Pod") => Some(pod_status(obj, phase)),
        ("", "PersistentVolumeClaim") => Some(pvc_status(obj, phase)),
        ("", "Service") => Some(service_status(obj, phase)),
        _ => None,
    }
}

/// An integer field with a default.
fn int_at(obj: &Value, pointer: &str, default: i64) -> i64 {
    obj.pointer(pointer)
        .and_then(Value::as_i64)
        .unwrap_or(default)
}

/// A string field, or `""`.
fn str_at<'a>(obj: &'a Value, pointer: &str) -> &'a str {
    obj.pointer(pointer).and_then(Value::as_str).unwrap_or("")
}

/// `metadata.generation`, 1 if the server has not set it.
fn generation(obj: &Value) -> i64 {
    int_at(obj, "/metadata/generation", 1)
}

/// A status condition.
fn condition(kind: &str, status: bool, reason: &str, message: &str) -> Value {
    json!({
        "type": kind,
        "status": if status { "True" } else { "False" },
        "reason": reason,
        "message": message,
    })
}

/// A Deployment's status, with the conditions the deployment controller sets.
fn deployment_status(obj: &Value, phase: Phase) -> Value {
    let replicas = int_at(obj, "/spec/replicas", 1);
    let rs = replicaset_name(obj);
    let ready = if phase == Phase::Done { replicas } else { 0 };
    let mut status = json!({
        "observedGeneration": generation(obj),
        "replicas": replicas,
        "updatedReplicas": replicas,
        "readyReplicas": ready,
        "availableReplicas": ready,
    });
    if ready < replicas {
        status["unavailableReplicas"] = json!(replicas - ready);
    }
    let available = if ready >= replicas {
        condition(
            "Available",
            true,
            "MinimumReplicasAvailable",
            "Deployment has minimum availability.",
        )
    } else {
        condition(
            "Available",
            false,
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
        )
    };
    let progressing = match phase {
        Phase::Done => condition(
            "Progressing",
            true,
            "NewReplicaSetAvailable",
            &format!("ReplicaSet \"{rs}\" has successfully progressed."),
        ),
        Phase::Pending => condition(
            "Progressing",
            true,
            "ReplicaSetUpdated",
            &format!("ReplicaSet \"{rs}\" is progressing."),
        ),
        Phase::Failed => condition(
            "Progressing",
            false,
            "ProgressDeadlineExceeded",
            &format!("ReplicaSet \"{rs}\" has timed out progressing."),
        ),
    };
    status["conditions"] = json!([available, progressing]);
    status
}

/// A StatefulSet's status; a failed one looks like one that never gets ready, as in a real
/// cluster (StatefulSets have no failure condition).
fn statefulset_status(obj: &Value, phase: Phase) -> Value {
    let replicas = int_at(obj, "/spec/replicas", 1);
    let ready = if phase == Phase::Done { replicas } else { 0 };
    let revision = format!("{}-{}", str_at(obj, "/metadata/name"), template_hash(obj));
    json!({
        "observedGeneration": generation(obj),
        "replicas": replicas,
        "readyReplicas": ready,
        "availableReplicas": ready,
        "currentReplicas": replicas,
        "updatedReplicas": replicas,
        "currentRevision": revision,
        "updateRevision": revision,
        "collisionCount": 0,
    })
}

/// A DaemonSet's status on a one-node cluster.
fn daemonset_status(obj: &Value, phase: Phase) -> Value {
    let ready = i64::from(phase == Phase::Done);
    let mut status = json!({
        "observedGeneration": generation(obj),
        "desiredNumberScheduled": 1,
        "currentNumberScheduled": 1,
        "updatedNumberScheduled": 1,
        "numberMisscheduled": 0,
        "numberReady": ready,
        "numberAvailable": ready,
    });
    if ready == 0 {
        status["numberUnavailable"] = json!(1);
    }
    status
}

/// A ReplicaSet's or ReplicationController's status; failure is a `ReplicaFailure`.
fn replicaset_status(obj: &Value, phase: Phase) -> Value {
    let replicas = int_at(obj, "/spec/replicas", 1);
    let ready = if phase == Phase::Done { replicas } else { 0 };
    let mut status = json!({
        "observedGeneration": generation(obj),
        "replicas": replicas,
        "fullyLabeledReplicas": replicas,
        "readyReplicas": ready,
        "availableReplicas": ready,
    });
    if phase == Phase::Failed {
        status["conditions"] = json!([condition(
            "ReplicaFailure",
            true,
            "FailedCreate",
            "simulated failure (sandbox.rudder.dev/simulate: fail)"
        )]);
    }
    status
}

/// A Job's status: complete, running, or failed after its backoff limit.
fn job_status(obj: &Value, phase: Phase) -> Value {
    let parallelism = int_at(obj, "/spec/parallelism", 1);
    let completions = int_at(obj, "/spec/completions", parallelism.max(1));
    let mut status = Map::new();
    let started = str_at(obj, "/metadata/creationTimestamp");
    if !started.is_empty() {
        status.insert("startTime".into(), started.into());
    }
    match phase {
        Phase::Done => {
            status.insert("succeeded".into(), completions.into());
            if !started.is_empty() {
                status.insert("completionTime".into(), started.into());
            }
            status.insert(
                "conditions".into(),
                json!([
                    condition(
                        "SuccessCriteriaMet",
                        true,
                        "CompletionsReached",
                        "Reached expected number of succeeded pods"
                    ),
                    condition(
                        "Complete",
                        true,
                        "CompletionsReached",
                        "Reached expected number of succeeded pods"
                    ),
                ]),
            );
        }
        Phase::Pending => {
            status.insert("active".into(), parallelism.max(1).into());
            status.insert("ready".into(), 0.into());
        }
        Phase::Failed => {
            status.insert(
                "failed".into(),
                (int_at(obj, "/spec/backoffLimit", 6) + 1).into(),
            );
            status.insert(
                "conditions".into(),
                json!([
                    condition(
                        "FailureTarget",
                        true,
                        "BackoffLimitExceeded",
                        "Job has reached the specified backoff limit"
                    ),
                    condition(
                        "Failed",
                        true,
                        "BackoffLimitExceeded",
                        "Job has reached the specified backoff limit"
                    ),
                ]),
            );
        }
    }
    Value::Object(status)
}

/// A Pod's status. Pods that run to completion (restartPolicy Never or OnFailure: test and
/// Job pods) succeed; others run and become ready. Failure is phase `Failed` for the former
/// and a crash loop for the latter.
fn pod_status(obj: &Value, phase: Phase) -> Value {
    let completes = matches!(str_at(obj, "/spec/restartPolicy"), "Never" | "OnFailure");
    let name = str_at(obj, "/metadata/name");
    let containers: Vec<&Value> = obj
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .map(|c| c.iter().collect())
        .unwrap_or_default();
    let container_status = |state: Value, ready: bool, restarts: i64| -> Vec<Value> {
        containers
            .iter()
            .map(|c| {
                json!({
                    "name": c.get("name").cloned().unwrap_or(Value::Null),
                    "image": c.get("image").cloned().unwrap_or(Value::Null),
                    "ready": ready,
                    "started": ready,
                    "restartCount": restarts,
                    "state": state,
                })
            })
            .collect()
    };
    let (pod_phase, ready, reason, statuses) = match (phase, completes) {
        (Phase::Done, true) => (
            "Succeeded",
            false,
            "PodCompleted",
            container_status(
                json!({"terminated": {"exitCode": 0, "reason": "Completed"}}),
                false,
                0,
            ),
        ),
        (Phase::Done, false) => (
            "Running",
            true,
            "",
            container_status(json!({"running": {}}), true, 0),
        ),
        (Phase::Pending, _) => (
            "Running",
            false,
            "ContainersNotReady",
            container_status(json!({"running": {}}), false, 0),
        ),
        (Phase::Failed, true) => (
            "Failed",
            false,
            "PodFailed",
            container_status(
                json!({"terminated": {"exitCode": 1, "reason": "Error"}}),
                false,
                0,
            ),
        ),
        (Phase::Failed, false) => (
            "Running",
            false,
            "ContainersNotReady",
            container_status(
                json!({"waiting": {"reason": "CrashLoopBackOff", "message": "simulated failure"}}),
                false,
                5,
            ),
        ),
    };
    let namespace = str_at(obj, "/metadata/namespace");
    json!({
        "phase": pod_phase,
        "conditions": [
            condition("PodScheduled", true, "", ""),
            condition("Initialized", true, "", ""),
            condition("ContainersReady", ready, reason, ""),
            condition("Ready", ready, reason, ""),
        ],
        "hostIP": "10.0.0.1",
        "podIP": stable_ip(&format!("pod/{namespace}/{name}"), 244),
        "qosClass": "BestEffort",
        "containerStatuses": statuses,
    })
}

/// A PVC binds unless told to stay pending (or fail, which for a claim means the same).
fn pvc_status(obj: &Value, phase: Phase) -> Value {
    if phase != Phase::Done {
        return json!({"phase": "Pending"});
    }
    let mut status = json!({"phase": "Bound"});
    if let Some(modes) = obj.pointer("/spec/accessModes") {
        status["accessModes"] = modes.clone();
    }
    if let Some(size) = obj.pointer("/spec/resources/requests/storage") {
        status["capacity"] = json!({"storage": size});
    }
    status
}

/// A Service's status: LoadBalancer Services get a stable ingress IP once ready.
fn service_status(obj: &Value, phase: Phase) -> Value {
    if str_at(obj, "/spec/type") != "LoadBalancer" || phase != Phase::Done {
        return json!({"loadBalancer": {}});
    }
    let key = format!(
        "svc/{}/{}",
        str_at(obj, "/metadata/namespace"),
        str_at(obj, "/metadata/name")
    );
    json!({"loadBalancer": {"ingress": [{"ip": stable_ip(&key, 96), "ipMode": "VIP"}]}})
}

/// A stable private address `10.<second>.x.y` for a key.
fn stable_ip(key: &str, second: u8) -> String {
    let h = fnv32(key.as_bytes());
    format!("10.{second}.{}.{}", (h >> 8) & 0xff, 1 + (h & 0xff) % 254)
}

/// FNV-1a, 32 bits: the hash the deployment controller uses for `pod-template-hash`.
fn fnv32(bytes: &[u8]) -> u32 {
    bytes.iter().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(*b)).wrapping_mul(0x0100_0193)
    })
}

/// Letters the API machinery uses in generated names (no vowels, no look-alikes).
const SAFE: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

/// Spells a number in [`SAFE`] letters, as the controllers' name suffixes are spelled.
fn safe_encode(text: &str) -> String {
    text.bytes()
        .map(|b| SAFE[usize::from(b) % SAFE.len()] as char)
        .collect()
}

/// The `pod-template-hash` of a workload's pod template (stable for equal templates).
fn template_hash(obj: &Value) -> String {
    let template = obj
        .pointer("/spec/template")
        .cloned()
        .unwrap_or(Value::Null);
    let text = serde_json::to_string(&template).unwrap_or_default();
    safe_encode(&fnv32(text.as_bytes()).to_string())
}

/// The name of a Deployment's current ReplicaSet.
fn replicaset_name(obj: &Value) -> String {
    format!("{}-{}", str_at(obj, "/metadata/name"), template_hash(obj))
}

/// The objects a controller would create for this one, each with its status for an object
/// unchanged since creation: a Deployment's ReplicaSet and Pods, the Pods of ReplicaSets,
/// StatefulSets, DaemonSets and Jobs. The server should store them, recompute their status
/// with [`simulate_status`] like any object's (they carry the owner's simulate annotation),
/// and delete them with their owner.
pub fn dependents(obj: &Value, gvk: &Gvk) -> Vec<Value> {
    dependents_at(obj, gvk, Duration::ZERO)
}

/// [`dependents`] with statuses as they are `since_change` after the owner last changed.
pub fn dependents_at(obj: &Value, gvk: &Gvk, since_change: Duration) -> Vec<Value> {
    let name = str_at(obj, "/metadata/name");
    let replicas = int_at(obj, "/spec/replicas", 1).max(0);
    match (gvk.group.as_str(), gvk.kind.as_str()) {
        ("apps", "Deployment") => {
            let rs = deployment_replicaset(obj, gvk, since_change);
            let rs_gvk = Gvk::new("apps", "v1", "ReplicaSet");
            let mut out = dependents_at(&rs, &rs_gvk, since_change);
            out.insert(0, rs);
            out
        }
        ("apps", "ReplicaSet") | ("", "ReplicationController") => (0..replicas)
            .map(|i| {
                let suffix = safe_encode(&fnv32(format!("{name}/{i}").as_bytes()).to_string());
                let suffix: String = suffix.chars().take(5).collect();
                pod_for(obj, gvk, &format!("{name}-{suffix}"), since_change)
            })
            .collect(),
        ("apps", "StatefulSet") => (0..replicas)
            .map(|i| pod_for(obj, gvk, &format!("{name}-{i}"), since_change))
            .collect(),
        ("apps", "DaemonSet") | ("batch", "Job") => {
            let suffix: String = safe_encode(&fnv32(name.as_bytes()).to_string())
                .chars()
                .take(5)
                .collect();
            vec![pod_for(obj, gvk, &format!("{name}-{suffix}"), since_change)]
        }
        _ => Vec::new(),
    }
}

/// An owner reference to `obj`, as controllers write it.
fn owner_reference(obj: &Value, gvk: &Gvk) -> Value {
    let mut reference = json!({
        "apiVersion": gvk.api_version(),
        "kind": gvk.kind,
        "name": str_at(obj, "/metadata/name"),
        "controller": true,
        "blockOwnerDeletion": true,
    });
    if let Some(uid) = obj.pointer("/metadata/uid") {
        reference["uid"] = uid.clone();
    }
    reference
}

/// The owner's simulate (and simulated logs) annotations, to pass on to what it creates.
fn inherited_annotations(obj: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    for key in [SIMULATE_ANNOTATION, super::logs::LOGS_ANNOTATION] {
        if let Some(v) = obj
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(key))
        {
            out.insert(key.to_string(), v.clone());
        }
    }
    out
}

/// A Deployment's current ReplicaSet.
fn deployment_replicaset(obj: &Value, gvk: &Gvk, since_change: Duration) -> Value {
    let hash = template_hash(obj);
    let replicas = int_at(obj, "/spec/replicas", 1);
    let mut template = obj
        .pointer("/spec/template")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let mut labels = template
        .pointer("/metadata/labels")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    labels.insert("pod-template-hash".into(), hash.clone().into());
    template["metadata"]["labels"] = Value::Object(labels.clone());
    let mut selector = obj
        .pointer("/spec/selector")
        .cloned()
        .unwrap_or_else(|| json!({}));
    selector["matchLabels"]["pod-template-hash"] = hash.clone().into();
    let mut annotations = inherited_annotations(obj);
    annotations.insert("deployment.kubernetes.io/revision".into(), "1".into());
    annotations.insert(
        "deployment.kubernetes.io/desired-replicas".into(),
        replicas.to_string().into(),
    );
    annotations.insert(
        "deployment.kubernetes.io/max-replicas".into(),
        (replicas + 1).to_string().into(),
    );
    let mut rs = json!({
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "metadata": {
            "name": replicaset_name(obj),
            "namespace": str_at(obj, "/metadata/namespace"),
            "labels": labels,
            "annotations": annotations,
            "ownerReferences": [owner_reference(obj, gvk)],
            "generation": 1,
        },
        "spec": {"replicas": replicas, "selector": selector, "template": template},
    });
    let status = replicaset_status(&rs, phase_of(&rs, since_change));
    rs["status"] = status;
    rs
}

/// A Pod made from a workload's template.
fn pod_for(owner: &Value, gvk: &Gvk, name: &str, since_change: Duration) -> Value {
    let template = owner
        .pointer("/spec/template")
        .cloned()
        .unwrap_or_else(|| json!({}));
    let mut labels = template
        .pointer("/metadata/labels")
        .cloned()
        .unwrap_or_else(|| json!({}));
    if gvk.kind == "Job" && labels.is_object() {
        // The labels the Job controller gives its Pods (how clients find them).
        let job = str_at(owner, "/metadata/name");
        labels["job-name"] = job.into();
        labels["batch.kubernetes.io/job-name"] = job.into();
    }
    let mut annotations = template
        .pointer("/metadata/annotations")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    annotations.extend(inherited_annotations(owner));
    let mut spec = template.get("spec").cloned().unwrap_or_else(|| json!({}));
    if spec.get("restartPolicy").is_none() {
        spec["restartPolicy"] = if gvk.kind == "Job" { "Never" } else { "Always" }.into();
    }
    let mut pod = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": name,
            "namespace": str_at(owner, "/metadata/namespace"),
            "labels": labels,
            "annotations": annotations,
            "ownerReferences": [owner_reference(owner, gvk)],
        },
        "spec": spec,
    });
    let status = pod_status(&pod, phase_of(&pod, since_change));
    pod["status"] = status;
    pod
}

#[cfg(test)]
#[path = "simulate_tests.rs"]
mod tests;
