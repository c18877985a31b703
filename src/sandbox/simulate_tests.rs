//! Tests of the simulated controllers, judged by the readiness rules of kstatus
//! (sigs.k8s.io/cli-utils/pkg/kstatus/status), which Helm 4 waits with.

use super::*;

/// kstatus's verdict on an object.
#[derive(Debug, PartialEq, Eq)]
enum KStatus {
    Current,
    InProgress,
    Failed,
}

/// The kstatus rules for the kinds we simulate, written down from its documentation and
/// source: generation observed, replica counts, the conditions controllers set.
fn kstatus(obj: &Value) -> KStatus {
    use KStatus::*;
    let gvk = Gvk::of(obj).unwrap();
    let int = |p: &str, d: i64| int_at(obj, p, d);
    let observed = obj
        .pointer("/status/observedGeneration")
        .and_then(Value::as_i64);
    if observed.is_some_and(|o| o != generation(obj)) {
        return InProgress;
    }
    let conditions: Vec<&Value> = obj
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .map(|c| c.iter().collect())
        .unwrap_or_default();
    let has = |kind: &str, status: &str| {
        conditions
            .iter()
            .any(|c| c["type"] == kind && c["status"] == status)
    };
    match gvk.kind.as_str() {
        "Deployment" => {
            if conditions
                .iter()
                .any(|c| c["type"] == "Progressing" && c["reason"] == "ProgressDeadlineExceeded")
            {
                return Failed;
            }
            let progressing = conditions.iter().any(|c| {
                c["type"] == "Progressing"
                    && c["status"] == "True"
                    && c["reason"] == "NewReplicaSetAvailable"
            });
            let spec = int("/spec/replicas", 1);
            let (status, updated) = (
                int("/status/replicas", 0),
                int("/status/updatedReplicas", 0),
            );
            let (ready, available) = (
                int("/status/readyReplicas", 0),
                int("/status/availableReplicas", 0),
            );
            if spec > status
                || spec > updated
                || status > spec
                || updated > available
                || spec > ready
            {
                return InProgress;
            }
            if !progressing || !has("Available", "True") {
                return InProgress;
            }
            Current
        }
        "StatefulSet" => {
            let spec = int("/spec/replicas", 1);
            let status = int("/status/replicas", 0);
            if spec > status || spec > int("/status/readyReplicas", 0) || status > spec {
                return InProgress;
            }
            if spec > int("/status/currentReplicas", 0)
                || str_at(obj, "/status/currentRevision") != str_at(obj, "/status/updateRevision")
            {
                return InProgress;
            }
            Current
        }
        "DaemonSet" => {
            if obj.pointer("/status/observedGeneration").is_none() {
                return InProgress;
            }
            let desired = int("/status/desiredNumberScheduled", -1);
            if desired == -1
                || desired > int("/status/currentNumberScheduled", 0)
                || desired > int("/status/updatedNumberScheduled", 0)
                || desired > int("/status/numberAvailable", 0)
                || desired > int("/status/numberReady", 0)
            {
                return InProgress;
            }
            Current
        }
        "ReplicaSet" | "ReplicationController" => {
            if has("ReplicaFailure", "True") {
                return InProgress;
            }
            let spec = int("/spec/replicas", 1);
            if spec > int("/status/fullyLabeledReplicas", 0)
                || spec > int("/status/availableReplicas", 0)
                || spec > int("/status/readyReplicas", 0)
                || int("/status/replicas", 0) > spec
            {
                return InProgress;
            }
            Current
        }
        "Job" => {
            if has("Complete", "True") {
                return Current;
            }
            if has("Failed", "True") {
                return Failed;
            }
            // kstatus calls a started Job Current; Helm's job reader waits for Complete.
            InProgress
        }
        "Pod" => match str_at(obj, "/status/phase") {
            "Succeeded" | "Failed" => Current,
            "Running" if has("Ready", "True") => Current,
            "Running" => {
                let crash = obj
                    .pointer("/status/containerStatuses")
                    .and_then(Value::as_array)
                    .is_some_and(|s| {
                        s.iter().any(|c| {
                            c.pointer("/state/waiting/reason") == Some(&json!("CrashLoopBackOff"))
                        })
                    });
                if crash { Failed } else { InProgress }
            }
            _ => InProgress,
        },
        "PersistentVolumeClaim" => {
            if str_at(obj, "/status/phase") == "Bound" {
                Current
            } else {
                InProgress
            }
        }
        "Service" => {
            let ingress = obj
                .pointer("/status/loadBalancer/ingress")
                .and_then(Value::as_array)
                .is_some_and(|i| !i.is_empty());
            if str_at(obj, "/spec/type") == "LoadBalancer" && !ingress {
                InProgress
            } else {
                Current
            }
        }
        _ => Current,
    }
}

/// The object with its simulated status, as the server would store it.
fn with_status(mut obj: Value, since: Duration) -> Value {
    let gvk = Gvk::of(&obj).unwrap();
    if let Some(status) = simulate_status(&obj, &gvk, since) {
        obj["status"] = status;
    }
    obj
}

fn annotated(mut obj: Value, simulate: &str) -> Value {
    obj["metadata"]["annotations"] = json!({ SIMULATE_ANNOTATION: simulate });
    obj
}

fn workload(api: &str, kind: &str, replicas: Option<i64>) -> Value {
    let mut obj = json!({
        "apiVersion": api, "kind": kind,
        "metadata": {"name": "web", "namespace": "demo", "generation": 3},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}},
                         "spec": {"containers": [{"name": "web", "image": "nginx"}]}}
        }
    });
    if let Some(r) = replicas {
        obj["spec"]["replicas"] = json!(r);
    }
    obj
}

const SEC: Duration = Duration::from_secs(1);

#[test]
fn deployments_become_current_with_everything_helm_reads() {
    let d = with_status(workload("apps/v1", "Deployment", Some(3)), Duration::ZERO);
    assert_eq!(kstatus(&d), KStatus::Current, "{}", d["status"]);
    let s = &d["status"];
    assert_eq!(s["observedGeneration"], 3);
    for field in [
        "replicas",
        "updatedReplicas",
        "readyReplicas",
        "availableReplicas",
    ] {
        assert_eq!(s[field], 3, "{field}");
    }
    let one = with_status(workload("apps/v1", "Deployment", None), Duration::ZERO);
    assert_eq!(one["status"]["readyReplicas"], 1);
    assert_eq!(kstatus(&one), KStatus::Current);
    // A status observed for an older generation is not current.
    let mut stale = d.clone();
    stale["metadata"]["generation"] = json!(4);
    assert_eq!(kstatus(&stale), KStatus::InProgress);
}

#[test]
fn deployments_never_ready_delayed_and_failed() {
    let never = annotated(workload("apps/v1", "Deployment", Some(2)), "never-ready");
    assert_eq!(
        kstatus(&with_status(never, 3600 * SEC)),
        KStatus::InProgress
    );
    let delayed = annotated(workload("apps/v1", "Deployment", Some(2)), "delay=5s");
    assert_eq!(
        kstatus(&with_status(delayed.clone(), 4 * SEC)),
        KStatus::InProgress
    );
    assert_eq!(kstatus(&with_status(delayed, 5 * SEC)), KStatus::Current);
    let failed = with_status(
        annotated(workload("apps/v1", "Deployment", Some(2)), "fail"),
        SEC,
    );
    assert_eq!(kstatus(&failed), KStatus::Failed);
    let progressing = &failed["status"]["conditions"][1];
    assert_eq!(progressing["status"], "False");
    assert_eq!(progressing["reason"], "ProgressDeadlineExceeded");
}

#[test]
fn other_workloads_follow_their_simulation() {
    for (api, kind) in [
        ("apps/v1", "StatefulSet"),
        ("apps/v1", "DaemonSet"),
        ("apps/v1", "ReplicaSet"),
        ("v1", "ReplicationController"),
    ] {
        let obj = workload(api, kind, Some(2));
        assert_eq!(
            kstatus(&with_status(obj.clone(), Duration::ZERO)),
            KStatus::Current,
            "{kind}"
        );
        let never = annotated(obj.clone(), "never-ready");
        assert_eq!(
            kstatus(&with_status(never, 60 * SEC)),
            KStatus::InProgress,
            "{kind}"
        );
        let failed = with_status(annotated(obj, "fail"), SEC);
        assert_ne!(kstatus(&failed), KStatus::Current, "{kind}");
    }
    let rs = with_status(
        annotated(workload("apps/v1", "ReplicaSet", Some(1)), "fail"),
        SEC,
    );
    assert_eq!(rs["status"]["conditions"][0]["type"], "ReplicaFailure");
}

#[test]
fn jobs_complete_or_fail() {
    let job = json!({"apiVersion": "batch/v1", "kind": "Job",
        "metadata": {"name": "migrate", "namespace": "demo", "creationTimestamp": "2026-01-01T00:00:00Z"},
        "spec": {"completions": 2, "backoffLimit": 2, "template": {"spec": {"restartPolicy": "Never", "containers": []}}}});
    let done = with_status(job.clone(), Duration::ZERO);
    assert_eq!(kstatus(&done), KStatus::Current);
    assert_eq!(done["status"]["succeeded"], 2);
    assert_eq!(done["status"]["startTime"], "2026-01-01T00:00:00Z");
    let failed = with_status(annotated(job.clone(), "fail"), Duration::ZERO);
    assert_eq!(kstatus(&failed), KStatus::Failed);
    assert_eq!(failed["status"]["failed"], 3);
    assert_eq!(
        failed["status"]["conditions"][1]["reason"],
        "BackoffLimitExceeded"
    );
    let running = with_status(annotated(job, "delay=1m"), 59 * SEC);
    assert_eq!(kstatus(&running), KStatus::InProgress);
    assert_eq!(running["status"]["active"], 1);
}

#[test]
fn pods_run_or_complete() {
    let pod = |policy: Option<&str>| {
        let mut p = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "t", "namespace": "demo"},
            "spec": {"containers": [{"name": "c", "image": "busybox"}]}});
        if let Some(policy) = policy {
            p["spec"]["restartPolicy"] = json!(policy);
        }
        p
    };
    let test_pod = with_status(pod(Some("Never")), Duration::ZERO);
    assert_eq!(test_pod["status"]["phase"], "Succeeded");
    let failed = with_status(annotated(pod(Some("OnFailure")), "fail"), Duration::ZERO);
    assert_eq!(failed["status"]["phase"], "Failed");
    let server = with_status(pod(None), Duration::ZERO);
    assert_eq!(server["status"]["phase"], "Running");
    assert_eq!(kstatus(&server), KStatus::Current);
    assert_eq!(server["status"]["containerStatuses"][0]["ready"], true);
    let crash = with_status(annotated(pod(None), "fail"), Duration::ZERO);
    assert_eq!(kstatus(&crash), KStatus::Failed);
    let waiting = with_status(annotated(pod(Some("Never")), "never-ready"), 60 * SEC);
    assert_eq!(kstatus(&waiting), KStatus::InProgress);
}

#[test]
fn claims_bind_and_load_balancers_get_stable_ips() {
    let pvc = json!({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}});
    let bound = with_status(pvc.clone(), Duration::ZERO);
    assert_eq!(
        bound["status"],
        json!({"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"}})
    );
    assert_eq!(
        kstatus(&with_status(annotated(pvc, "never-ready"), SEC)),
        KStatus::InProgress
    );

    let svc = |name: &str, kind: &str| {
        json!({"apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": "demo"}, "spec": {"type": kind}})
    };
    let a = with_status(svc("a", "LoadBalancer"), Duration::ZERO);
    let again = with_status(svc("a", "LoadBalancer"), 9 * SEC);
    let b = with_status(svc("b", "LoadBalancer"), Duration::ZERO);
    let ip = a["status"]["loadBalancer"]["ingress"][0]["ip"]
        .as_str()
        .unwrap();
    assert!(ip.starts_with("10.96."), "{ip}");
    assert_eq!(again["status"], a["status"]);
    assert_ne!(b["status"], a["status"]);
    assert_eq!(kstatus(&a), KStatus::Current);
    assert_eq!(
        kstatus(&with_status(
            annotated(svc("a", "LoadBalancer"), "delay=2s"),
            SEC
        )),
        KStatus::InProgress
    );
    assert_eq!(
        with_status(svc("c", "ClusterIP"), Duration::ZERO)["status"],
        json!({"loadBalancer": {}})
    );
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}});
    assert_eq!(
        simulate_status(&cm, &Gvk::of(&cm).unwrap(), Duration::ZERO),
        None
    );
}

#[test]
fn the_annotation_parses_or_names_the_problem() {
    let obj = |v: Value| json!({"metadata": {"annotations": { SIMULATE_ANNOTATION: v }}});
    assert_eq!(simulation_of(&json!({})), Ok(Simulation::Normal));
    assert_eq!(simulation_of(&obj(json!("fail"))), Ok(Simulation::Fail));
    assert_eq!(
        simulation_of(&obj(json!("never-ready"))),
        Ok(Simulation::NeverReady)
    );
    assert_eq!(
        simulation_of(&obj(json!("delay=5s"))),
        Ok(Simulation::Delay(5 * SEC))
    );
    assert_eq!(
        simulation_of(&obj(json!("delay=1m30s"))),
        Ok(Simulation::Delay(90 * SEC))
    );
    assert_eq!(
        simulation_of(&obj(json!("delay=250ms"))),
        Ok(Simulation::Delay(Duration::from_millis(250)))
    );
    for bad in [
        json!("explode"),
        json!("delay="),
        json!("delay=5"),
        json!("delay=5d"),
        json!(5),
    ] {
        let err = simulation_of(&obj(bad.clone())).unwrap_err();
        assert!(
            err.starts_with("annotation sandbox.rudder.dev/simulate: "),
            "{err}"
        );
        assert!(err.contains(&bad.to_string()), "{err}");
    }
}

#[test]
fn a_deployment_gets_a_replicaset_and_pods_helm_can_find() {
    let mut d = workload("apps/v1", "Deployment", Some(2));
    d["metadata"]["uid"] = json!("u-1");
    let deps = dependents(&d, &Gvk::of(&d).unwrap());
    assert_eq!(deps.len(), 3);
    let rs = &deps[0];
    assert_eq!(rs["kind"], "ReplicaSet");
    let hash = rs["metadata"]["labels"]["pod-template-hash"]
        .as_str()
        .unwrap();
    assert!(!hash.is_empty() && hash.bytes().all(|b| SAFE.contains(&b)));
    assert_eq!(rs["metadata"]["name"], format!("web-{hash}"));
    assert_eq!(rs["metadata"]["labels"]["app"], "web");
    assert_eq!(rs["metadata"]["ownerReferences"][0]["uid"], "u-1");
    assert_eq!(rs["metadata"]["ownerReferences"][0]["kind"], "Deployment");
    assert_eq!(
        rs["spec"]["selector"]["matchLabels"],
        json!({"app": "web", "pod-template-hash": hash})
    );
    assert_eq!(kstatus(rs), KStatus::Current);
    // Deployment conditions name the ReplicaSet.
    let status = simulate_status(&d, &Gvk::of(&d).unwrap(), Duration::ZERO).unwrap();
    assert!(
        status["conditions"][1]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("web-{hash}"))
    );
    for pod in &deps[1..] {
        assert_eq!(pod["kind"], "Pod");
        assert_eq!(pod["metadata"]["labels"]["app"], "web");
        assert_eq!(
            pod["metadata"]["ownerReferences"][0]["name"],
            rs["metadata"]["name"]
        );
        assert_eq!(kstatus(pod), KStatus::Current);
    }
    assert_ne!(deps[1]["metadata"]["name"], deps[2]["metadata"]["name"]);
    // A new template is a new ReplicaSet; trouble is passed on.
    let mut changed = annotated(d.clone(), "never-ready");
    changed["spec"]["template"]["spec"]["containers"][0]["image"] = json!("nginx:2");
    let deps2 = dependents(&changed, &Gvk::of(&changed).unwrap());
    assert_ne!(deps2[0]["metadata"]["name"], rs["metadata"]["name"]);
    assert_eq!(kstatus(&deps2[0]), KStatus::InProgress);
    assert_eq!(simulation_of(&deps2[1]), Ok(Simulation::NeverReady));
}

#[test]
fn jobs_and_statefulsets_get_pods() {
    let job = json!({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j", "namespace": "demo"},
        "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "x"}]}}}});
    let pods = dependents(&job, &Gvk::of(&job).unwrap());
    assert_eq!(pods.len(), 1);
    assert_eq!(pods[0]["status"]["phase"], "Succeeded");
    let sts = workload("apps/v1", "StatefulSet", Some(2));
    let names: Vec<Value> = dependents(&sts, &Gvk::of(&sts).unwrap())
        .iter()
        .map(|p| p["metadata"]["name"].clone())
        .collect();
    assert_eq!(names, [json!("web-0"), json!("web-1")]);
    let cm = json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}});
    assert!(dependents(&cm, &Gvk::of(&cm).unwrap()).is_empty());
}
