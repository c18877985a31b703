//! One test per readiness rule.

use super::*;
use serde_json::json;

const STRICT: ReadinessOptions = ReadinessOptions {
    wait_for_jobs: true,
};
const LAX: ReadinessOptions = ReadinessOptions {
    wait_for_jobs: false,
};

fn check(obj: Value) -> Readiness {
    readiness(&obj, STRICT)
}

fn cond(kind: &str, status: &str, reason: &str, message: &str) -> Value {
    json!({"type": kind, "status": status, "reason": reason, "message": message})
}

fn deploy(status: Value) -> Value {
    json!({"apiVersion": "apps/v1", "kind": "Deployment",
           "metadata": {"name": "web", "generation": 2},
           "spec": {"replicas": 3}, "status": status})
}

#[test]
fn deployment_counts_generation_and_deadline() {
    let r = check(deploy(json!({"observedGeneration": 1})));
    assert_eq!(r.state, State::InProgress);
    assert!(r.message.contains("generation 2"), "{}", r.message);
    let r = check(deploy(json!({"observedGeneration": 2, "replicas": 3,
        "updatedReplicas": 1, "availableReplicas": 1})));
    assert_eq!(r, Readiness::in_progress("1/3 replicas updated"));
    let r = check(deploy(json!({"observedGeneration": 2, "replicas": 4,
        "updatedReplicas": 3, "availableReplicas": 3})));
    assert_eq!(
        r,
        Readiness::in_progress("1 old replica(s) pending termination")
    );
    let r = check(deploy(json!({"observedGeneration": 2, "replicas": 3,
        "updatedReplicas": 3, "availableReplicas": 2})));
    assert_eq!(r, Readiness::in_progress("2/3 replicas available"));
    let r = check(deploy(json!({"observedGeneration": 2, "replicas": 3,
        "updatedReplicas": 3, "availableReplicas": 3})));
    assert_eq!(r, Readiness::ready("3/3 replicas available"));
    let r = check(deploy(json!({"observedGeneration": 2, "conditions": [
        cond("Progressing", "False", "ProgressDeadlineExceeded", "ReplicaSet \"web-1\" has timed out progressing.")]})));
    assert_eq!(r.state, State::Failed);
    assert!(
        r.message.starts_with("ProgressDeadlineExceeded: "),
        "{}",
        r.message
    );
    let r =
        check(json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"}}));
    assert_eq!(r, Readiness::in_progress("no status yet"));
}

#[test]
fn statefulset_ready_replicas_and_revisions() {
    let sts = |status: Value| {
        json!({"apiVersion": "apps/v1", "kind": "StatefulSet",
               "metadata": {"name": "db", "generation": 1}, "spec": {"replicas": 2}, "status": status})
    };
    let r = check(sts(
        json!({"observedGeneration": 1, "updatedReplicas": 1, "readyReplicas": 1}),
    ));
    assert_eq!(r, Readiness::in_progress("1/2 replicas updated"));
    let r = check(sts(
        json!({"observedGeneration": 1, "updatedReplicas": 2, "readyReplicas": 1}),
    ));
    assert_eq!(r, Readiness::in_progress("1/2 replicas ready"));
    let r = check(sts(
        json!({"observedGeneration": 1, "updatedReplicas": 2, "readyReplicas": 2,
        "currentRevision": "db-1", "updateRevision": "db-2"}),
    ));
    assert_eq!(r, Readiness::in_progress("rolling out revision db-2"));
    let r = check(sts(
        json!({"observedGeneration": 1, "updatedReplicas": 2, "readyReplicas": 2,
        "currentRevision": "db-2", "updateRevision": "db-2"}),
    ));
    assert_eq!(r, Readiness::ready("2/2 replicas ready"));
}

#[test]
fn daemonset_scheduled_and_available() {
    let ds = |status: Value| {
        json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
               "metadata": {"name": "agent", "generation": 1}, "status": status})
    };
    let r = check(ds(
        json!({"observedGeneration": 1, "desiredNumberScheduled": 2,
        "updatedNumberScheduled": 1, "numberAvailable": 1}),
    ));
    assert_eq!(r, Readiness::in_progress("1/2 pods updated"));
    let r = check(ds(
        json!({"observedGeneration": 1, "desiredNumberScheduled": 2,
        "updatedNumberScheduled": 2, "numberAvailable": 1}),
    ));
    assert_eq!(r, Readiness::in_progress("1/2 pods available"));
    let r = check(ds(
        json!({"observedGeneration": 1, "desiredNumberScheduled": 2,
        "updatedNumberScheduled": 2, "numberAvailable": 2}),
    ));
    assert_eq!(r.state, State::Ready);
}

#[test]
fn replicaset_and_replication_controller() {
    for (api, kind) in [("apps/v1", "ReplicaSet"), ("v1", "ReplicationController")] {
        let obj = |status: Value| {
            json!({"apiVersion": api, "kind": kind, "metadata": {"name": "r"},
                   "spec": {"replicas": 2}, "status": status})
        };
        let r = check(obj(json!({"availableReplicas": 1, "conditions": [
            cond("ReplicaFailure", "True", "FailedCreate", "quota")]})));
        assert_eq!(
            r,
            Readiness::in_progress("1/2 replicas available (FailedCreate: quota)")
        );
        assert_eq!(
            check(obj(json!({"availableReplicas": 2}))).state,
            State::Ready
        );
    }
}

fn pod(status: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "status": status})
}

#[test]
fn pod_phase_ready_and_waiting_reasons() {
    assert_eq!(
        check(pod(json!({"phase": "Succeeded"}))).state,
        State::Ready
    );
    let r = check(pod(json!({"phase": "Failed", "containerStatuses": [
        {"name": "main", "state": {"terminated": {"exitCode": 2, "reason": "Error"}}}]})));
    assert_eq!(
        r,
        Readiness::failed("phase Failed: container main: Error (exit code 2)")
    );
    let r = check(pod(json!({"phase": "Pending", "containerStatuses": [
        {"name": "web", "restartCount": 0, "state": {"waiting": {"reason": "ImagePullBackOff"}}}]})));
    assert_eq!(r, Readiness::in_progress("container web: ImagePullBackOff"));
    let crash = |restarts: i64| {
        check(pod(json!({"phase": "Running", "containerStatuses": [
            {"name": "web", "restartCount": restarts, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]})))
    };
    assert_eq!(crash(1).state, State::InProgress);
    assert_eq!(
        crash(CRASH_LOOP_RESTARTS),
        Readiness::failed("container web: CrashLoopBackOff (3 restarts)")
    );
    let r = check(pod(json!({"phase": "Running", "conditions": [
        cond("Ready", "False", "ContainersNotReady", "containers with unready status: [web]")]})));
    assert_eq!(
        r,
        Readiness::in_progress("ContainersNotReady: containers with unready status: [web]")
    );
    let r = check(pod(
        json!({"phase": "Running", "conditions": [cond("Ready", "True", "", "")]}),
    ));
    assert_eq!(r, Readiness::ready("Ready"));
    assert_eq!(
        check(pod(json!({}))),
        Readiness::in_progress("phase Pending")
    );
}

#[test]
fn job_complete_failed_or_only_created() {
    let job = |status: Value| json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "status": status});
    let running = job(json!({"active": 1}));
    assert_eq!(
        check(running.clone()),
        Readiness::in_progress("not complete: 1 active, 0 succeeded, 0 failed")
    );
    assert_eq!(readiness(&running, LAX), Readiness::ready("created"));
    let done = job(json!({"succeeded": 1, "conditions": [cond("Complete", "True", "", "")]}));
    assert_eq!(check(done), Readiness::ready("Complete"));
    let failed = job(json!({"failed": 7, "conditions": [
        cond("Failed", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit")]}));
    assert_eq!(
        check(failed),
        Readiness::failed("BackoffLimitExceeded: Job has reached the specified backoff limit")
    );
}

#[test]
fn pvc_bound() {
    let pvc = |status: Value| json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "d"}, "status": status});
    assert_eq!(check(pvc(json!({"phase": "Bound"}))).state, State::Ready);
    assert_eq!(
        check(pvc(json!({"phase": "Pending"}))),
        Readiness::in_progress("phase Pending, not Bound")
    );
    assert_eq!(check(pvc(json!({"phase": "Lost"}))).state, State::Failed);
}

#[test]
fn load_balancer_service_needs_ingress() {
    let svc = |kind: &str, status: Value| {
        json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
               "spec": {"type": kind}, "status": status})
    };
    assert_eq!(
        check(svc("LoadBalancer", json!({"loadBalancer": {}}))).state,
        State::InProgress
    );
    assert_eq!(
        check(svc(
            "LoadBalancer",
            json!({"loadBalancer": {"ingress": [{"ip": "10.0.0.1"}]}})
        ))
        .state,
        State::Ready
    );
    assert_eq!(check(svc("ClusterIP", json!({}))).state, State::Ready);
}

#[test]
fn crd_established_or_names_refused() {
    let crd = |conds: Value| {
        json!({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
               "metadata": {"name": "gadgets.example.com"}, "status": {"conditions": conds}})
    };
    assert_eq!(
        check(crd(json!([cond("Established", "True", "", "")]))),
        Readiness::ready("Established")
    );
    assert_eq!(check(crd(json!([]))).state, State::InProgress);
    let r = check(crd(json!([cond(
        "NamesAccepted",
        "False",
        "ListKindConflict",
        "taken"
    )])));
    assert_eq!(
        r,
        Readiness::failed("names not accepted: ListKindConflict: taken")
    );
}

#[test]
fn custom_resources_follow_ready_stalled_and_generation() {
    let cr = |status: Value| {
        json!({"apiVersion": "example.com/v1", "kind": "Gadget",
               "metadata": {"name": "g", "generation": 3}, "status": status})
    };
    assert_eq!(check(cr(json!({}))), Readiness::ready("exists"));
    assert_eq!(
        check(cr(json!({"observedGeneration": 2}))).state,
        State::InProgress
    );
    assert_eq!(
        check(cr(
            json!({"conditions": [cond("Ready", "False", "Provisioning", "")]})
        )),
        Readiness::in_progress("Provisioning")
    );
    assert_eq!(
        check(cr(json!({"conditions": [cond("Ready", "True", "", "")]}))).state,
        State::Ready
    );
    assert_eq!(
        check(cr(
            json!({"conditions": [cond("Stalled", "True", "BadSpec", "no")]})
        )),
        Readiness::failed("BadSpec: no")
    );
    assert_eq!(
        check(cr(
            json!({"conditions": [cond("Reconciling", "True", "Working", "")]})
        )),
        Readiness::in_progress("Working")
    );
}

#[test]
fn other_kinds_ready_once_they_exist_and_deleting_is_not_ready() {
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
    assert_eq!(check(cm.clone()), Readiness::ready("exists"));
    assert!(!needs_watch(&cm, STRICT));
    let gone = json!({"apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "c", "deletionTimestamp": "2026-01-01T00:00:00Z"}});
    assert_eq!(check(gone), Readiness::in_progress("being deleted"));
}

#[test]
fn which_objects_need_watching() {
    let obj =
        |api: &str, kind: &str| json!({"apiVersion": api, "kind": kind, "metadata": {"name": "x"}});
    assert!(needs_watch(&obj("apps/v1", "Deployment"), LAX));
    assert!(needs_watch(&obj("v1", "Pod"), LAX));
    assert!(needs_watch(&obj("example.com/v1", "Gadget"), LAX));
    assert!(!needs_watch(&obj("batch/v1", "Job"), LAX));
    assert!(needs_watch(&obj("batch/v1", "Job"), STRICT));
    assert!(!needs_watch(&obj("v1", "Service"), LAX));
    let lb = json!({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
        "spec": {"type": "LoadBalancer"}});
    assert!(needs_watch(&lb, LAX));
    assert!(!needs_watch(
        &obj("rbac.authorization.k8s.io/v1", "Role"),
        LAX
    ));
}

#[test]
fn workload_pods_explain_and_crash_loops_fail() {
    let deploy = json!({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
        "spec": {"selector": {"matchLabels": {"app": "web"}}}});
    let p = |name: &str, app: &str, status: Value| {
        json!({"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": name, "labels": {"app": app, "pod-template-hash": "x"}},
               "status": status})
    };
    let ready = p(
        "web-1",
        "web",
        json!({"phase": "Running", "conditions": [cond("Ready", "True", "", "")]}),
    );
    let pulling = p(
        "web-2",
        "web",
        json!({"phase": "Pending", "containerStatuses": [
        {"name": "main", "state": {"waiting": {"reason": "ImagePullBackOff"}}}]}),
    );
    let other = p("api-1", "api", json!({"phase": "Pending"}));
    assert_eq!(
        pods_reason(&deploy, [&ready, &other, &pulling]),
        Some(Readiness::in_progress(
            "pod web-2: container main: ImagePullBackOff"
        ))
    );
    assert_eq!(pods_reason(&deploy, [&ready, &other]), None);
    let crashing = p(
        "web-3",
        "web",
        json!({"phase": "Running", "containerStatuses": [
        {"name": "main", "restartCount": 5, "state": {"waiting": {"reason": "CrashLoopBackOff"}}}]}),
    );
    assert_eq!(
        pods_reason(&deploy, [&pulling, &crashing]),
        Some(Readiness::failed(
            "pod web-3: container main: CrashLoopBackOff (5 restarts)"
        ))
    );
    // A Job's failed pods are its retries: reported, not fatal.
    let job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
        "spec": {"selector": {"matchLabels": {"app": "web"}}}});
    assert_eq!(
        pods_reason(&job, [&crashing]).unwrap().state,
        State::InProgress
    );
    let rc = json!({"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "r"},
        "spec": {"selector": {"app": "web"}}});
    assert!(pod_selector(&rc).is_some());
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}});
    assert!(pod_selector(&cm).is_none());
}
