//! `--wait` driven through the binary against an in-process sandbox: a delayed Deployment is
//! reported waiting then ready; a never-ready one times out naming itself and its reason and
//! fails the release; a failing Job or crash-looping Pod fails the wait long before the timeout;
//! `--wait-for-jobs` waits for a delayed Job; `uninstall --wait` waits for deletion; and the
//! access log shows at most one watch per resource kind.

mod common;

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::sandbox_env::SandboxEnv;
use rudder::release::Status;

const NS: &str = "apps";

impl SandboxEnv {
    /// A chart named `name` whose templates are `templates` (file name, YAML).
    fn chart(&self, name: &str, templates: &[(&str, String)]) -> PathBuf {
        common::write_chart(self.dir.path(), name, templates)
    }

    /// Runs `rudder ARGS`; returns (exit code, stdout, stderr, how long it took).
    fn timed(&self, args: &[&str]) -> (Option<i32>, String, String, Duration) {
        let started = Instant::now();
        let run = self.run(args);
        (run.code, run.stdout, run.stderr, started.elapsed())
    }
}

fn deployment(name: &str, simulate: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n  annotations:\n    sandbox.rudder.dev/simulate: \"{simulate}\"\nspec:\n  replicas: 1\n  selector:\n    matchLabels: {{app: {name}}}\n  template:\n    metadata:\n      labels: {{app: {name}}}\n    spec:\n      containers:\n      - name: main\n        image: nginx\n"
    )
}

fn job(name: &str, simulate: &str) -> String {
    format!(
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {name}\n  annotations:\n    sandbox.rudder.dev/simulate: \"{simulate}\"\nspec:\n  backoffLimit: 1\n  template:\n    spec:\n      restartPolicy: Never\n      containers:\n      - name: main\n        image: busybox\n"
    )
}

fn configmap(name: &str) -> String {
    format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\ndata:\n  a: b\n")
}

/// Watch requests in the access log, by path (one path = one kind in one namespace).
fn watches(log: &str) -> HashMap<String, usize> {
    let mut by_path = HashMap::new();
    for line in log.lines().filter(|l| l.contains("watch=true")) {
        let target = line.split(' ').nth(1).unwrap_or_default();
        let path = target.split('?').next().unwrap_or_default().to_string();
        *by_path.entry(path).or_insert(0) += 1;
    }
    by_path
}

/// The position of `needle` in `haystack`, failing with the haystack.
fn at(haystack: &str, needle: &str) -> usize {
    haystack
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} not in:\n{haystack}"))
}

#[test]
fn install_wait_reports_waiting_then_ready_with_one_watch_per_kind() {
    let env = SandboxEnv::start(NS);
    let chart = env.chart(
        "web",
        &[
            ("a.yaml", deployment("web", "delay=2s")),
            ("b.yaml", deployment("api", "delay=1s")),
            ("c.yaml", configmap("settings")),
            ("d.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: solo\n  annotations:\n    sandbox.rudder.dev/simulate: delay=1s\nspec:\n  containers:\n  - name: main\n    image: busybox\n".to_string()),
        ],
    );
    let (code, _, stderr, took) = env.timed(&[
        "install",
        "web",
        chart.to_str().unwrap(),
        "--wait",
        "--timeout",
        "60s",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(took >= Duration::from_secs(2), "did not wait: {took:?}");
    let waiting = at(&stderr, "waiting: Deployment/web: 0/1 replicas available");
    let ready = at(&stderr, "ready: Deployment/web\n");
    assert!(waiting < ready, "{stderr}");
    at(&stderr, "ready: Deployment/api\n");
    at(&stderr, "ready: Pod/solo\n");
    assert!(!stderr.contains("ConfigMap"), "{stderr}");
    let log = env.access_log_text();
    let w = watches(&log);
    assert_eq!(
        w.get(&format!("/apis/apps/v1/namespaces/{NS}/deployments")),
        Some(&1),
        "{log}"
    );
    assert!(w.values().all(|n| *n == 1), "{w:?}");
    // Deployments, and the namespace's Pods (the release's Pod and the Deployments' reasons
    // share one watch); not the ConfigMap.
    assert_eq!(w.len(), 2, "{w:?}");
    assert_eq!(
        w.get(&format!("/api/v1/namespaces/{NS}/pods")),
        Some(&1),
        "{w:?}"
    );
    // An upgrade waits too (the new annotation restarts the simulated rollout).
    let chart2 = env.chart("web2", &[("a.yaml", deployment("web", "delay=1s"))]);
    let (code, _, stderr, _) = env.timed(&[
        "upgrade",
        "web",
        chart2.to_str().unwrap(),
        "--wait",
        "--timeout",
        "60s",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    at(&stderr, "ready: Deployment/web\n");
    // So does a rollback (revision 1 brings back Deployment/api).
    let (code, _, stderr, _) = env.timed(&["rollback", "web", "1", "--wait", "--timeout", "60s"]);
    assert_eq!(code, Some(0), "{stderr}");
    at(&stderr, "ready: Deployment/api\n");
}

#[test]
fn never_ready_deployment_times_out_naming_it_and_fails_the_release() {
    let env = SandboxEnv::start(NS);
    let chart = env.chart(
        "stuck",
        &[
            ("a.yaml", deployment("stuck", "never-ready")),
            ("b.yaml", deployment("fine", "")),
        ],
    );
    let (code, _, stderr, took) = env.timed(&[
        "install",
        "stuck",
        chart.to_str().unwrap(),
        "--wait",
        "--timeout",
        "3s",
    ]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(took < Duration::from_secs(30), "{took:?}");
    assert!(
        stderr.contains(
            "timed out after 3s waiting for 1 resource(s): Deployment/stuck: 0/1 replicas available"
        ),
        "{stderr}"
    );
    let error_line = stderr.lines().find(|l| l.starts_with("Error: ")).unwrap();
    assert!(!error_line.contains("Deployment/fine"), "{error_line}");
    // The timeout looks at the stuck Deployment's pods and says why they are not ready.
    assert!(
        error_line.contains("0/1 replicas available (pod stuck-")
            && error_line.contains("ContainersNotReady"),
        "{error_line}"
    );
    let statuses = common::release_statuses(|p| env.get(p), NS, "stuck");
    assert_eq!(statuses, vec![(1, Status::Failed)]);
    let (_, release) = common::release_record(|p| env.get(p), NS, "stuck", 1).unwrap();
    assert!(
        release
            .info
            .description
            .contains("Deployment/stuck: 0/1 replicas available"),
        "{}",
        release.info.description
    );
    let (code, stdout, _, _) = env.timed(&["status", "stuck"]);
    assert_eq!(code, Some(0));
    assert!(stdout.contains("STATUS: failed"), "{stdout}");
}

#[test]
fn failing_job_and_crash_looping_pod_fail_fast() {
    let env = SandboxEnv::start(NS);
    let chart = env.chart("migrate", &[("a.yaml", job("migrate", "fail"))]);
    let (code, _, stderr, took) = env.timed(&[
        "install",
        "migrate",
        chart.to_str().unwrap(),
        "--wait",
        "--wait-for-jobs",
        "--timeout",
        "2m",
    ]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(took < Duration::from_secs(30), "not fast: {took:?}");
    assert!(
        stderr.contains("Job/migrate failed: BackoffLimitExceeded"),
        "{stderr}"
    );
    at(&stderr, "failed: Job/migrate: BackoffLimitExceeded");
    assert_eq!(
        common::release_statuses(|p| env.get(p), NS, "migrate"),
        vec![(1, Status::Failed)]
    );

    let pod = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: crasher\n  annotations:\n    sandbox.rudder.dev/simulate: fail\nspec:\n  containers:\n  - name: main\n    image: busybox\n".to_string();
    let chart = env.chart("crasher", &[("a.yaml", pod)]);
    let (code, _, stderr, took) = env.timed(&[
        "install",
        "crasher",
        chart.to_str().unwrap(),
        "--wait",
        "--timeout",
        "2m",
    ]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(took < Duration::from_secs(30), "not fast: {took:?}");
    assert!(
        stderr.contains("Pod/crasher failed: container main: CrashLoopBackOff"),
        "{stderr}"
    );
}

#[test]
fn wait_for_jobs_waits_for_a_delayed_job() {
    let env = SandboxEnv::start(NS);
    // Without --wait-for-jobs a Job is ready once created: nothing to wait for.
    let chart = env.chart("quick", &[("a.yaml", job("quick", "delay=30s"))]);
    let (code, _, stderr, took) =
        env.timed(&["install", "quick", chart.to_str().unwrap(), "--wait"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("Job/quick"), "{stderr}");
    assert!(took < Duration::from_secs(20), "{took:?}");

    let chart = env.chart("slow", &[("a.yaml", job("slow", "delay=2s"))]);
    let (code, _, stderr, took) = env.timed(&[
        "install",
        "slow",
        chart.to_str().unwrap(),
        "--wait",
        "--wait-for-jobs",
        "--timeout",
        "60s",
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(took >= Duration::from_secs(2), "did not wait: {took:?}");
    let waiting = at(&stderr, "waiting: Job/slow: not complete: 1 active");
    let ready = at(&stderr, "ready: Job/slow\n");
    assert!(waiting < ready, "{stderr}");
}

#[test]
fn uninstall_wait_waits_until_the_objects_are_gone() {
    let env = SandboxEnv::start(NS);
    let chart = env.chart(
        "gone",
        &[
            ("a.yaml", deployment("gone", "")),
            ("b.yaml", configmap("gone-settings")),
        ],
    );
    let (code, _, stderr, _) = env.timed(&["install", "gone", chart.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    let (code, stdout, stderr, _) = env.timed(&["uninstall", "gone", "--wait", "--timeout", "30s"]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stdout.contains("release \"gone\" uninstalled"), "{stdout}");
    at(&stderr, "deleted: Deployment/gone\n");
    at(&stderr, "deleted: ConfigMap/gone-settings\n");
    assert!(
        env.get(&format!("/apis/apps/v1/namespaces/{NS}/deployments/gone"))
            .is_none()
    );
    let w = watches(&env.access_log_text());
    assert!(w.values().all(|n| *n == 1), "{w:?}");
}

/// The waiter through the library: a watch the server closes (here after 1 s) is re-established
/// from where it was, one at a time, until the delayed Deployment is ready; waiting for
/// deletion of objects already gone (or of a kind not served) ends at once.
#[test]
fn closed_watches_are_reestablished_and_deletion_of_absent_objects_is_immediate() {
    use rudder::kube::readiness::ReadinessOptions;
    use rudder::kube::{Cluster, KubeEnv, KubeOptions, ObjectRef, WaitFor, WaitOptions};

    let env = SandboxEnv::start(NS);
    let chart = env.chart("slow", &[("a.yaml", deployment("slow", "delay=3s"))]);
    let (code, _, stderr, _) = env.timed(&["install", "slow", chart.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{stderr}");
    let before = watches(&env.access_log_text()).len();
    assert_eq!(before, 0);
    let cluster = Cluster::connect(
        &KubeOptions {
            kubeconfig: Some(env.kubeconfig()),
            namespace: Some(NS.into()),
            ..KubeOptions::default()
        },
        &KubeEnv::default(),
    )
    .unwrap();
    let id = |api: &str, kind: &str, name: &str| ObjectRef {
        api_version: api.into(),
        kind: kind.into(),
        namespace: None,
        name: name.into(),
    };
    let mut seen = Vec::new();
    let opts = WaitOptions {
        max_watch: Duration::from_secs(1),
        ..WaitOptions::new(
            WaitFor::Ready(ReadinessOptions::default()),
            Duration::from_secs(30),
        )
    };
    cluster
        .wait_for(
            &[id("apps/v1", "Deployment", "slow")],
            &opts,
            NS,
            &mut |r, now| seen.push(format!("{r}: {:?} {}", now.state, now.message)),
        )
        .unwrap();
    assert_eq!(
        seen.last().unwrap(),
        "Deployment/slow: Ready 1/1 replicas available",
        "{seen:?}"
    );
    let log = env.access_log_text();
    let n = watches(&log)[&format!("/apis/apps/v1/namespaces/{NS}/deployments")];
    assert!(n >= 2, "the 1s watch was not re-established: {log}");
    assert!(n <= 6, "a watch storm: {n} watches\n{log}");
    // The first watch is a streaming list; the next ones resume from a resourceVersion.
    let watch_lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("watch=true") && l.contains("/deployments?"))
        .collect();
    assert!(watch_lines[0].contains("sendInitialEvents=true"), "{log}");
    assert!(watch_lines[1].contains("resourceVersion="), "{log}");

    let mut seen = Vec::new();
    let started = Instant::now();
    cluster
        .wait_for(
            &[
                id("v1", "ConfigMap", "never-was"),
                id("example.com/v1", "Gadget", "no-such-kind"),
            ],
            &WaitOptions::new(WaitFor::Deleted, Duration::from_secs(30)),
            NS,
            &mut |r, now| seen.push(format!("{r}: {:?} {}", now.state, now.message)),
        )
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(seen, vec!["ConfigMap/never-was: Ready deleted"]);
}

#[test]
fn a_forbidden_watch_fails_the_wait_naming_what_was_watched() {
    let env = SandboxEnv::start(NS);
    env.sandbox
        .deny(format!("watch:deployments:{NS}").parse().unwrap());
    env.sandbox
        .deny(format!("list:deployments:{NS}").parse().unwrap());
    let chart = env.chart("denied", &[("a.yaml", deployment("denied", ""))]);
    let (code, _, stderr, took) = env.timed(&[
        "install",
        "denied",
        chart.to_str().unwrap(),
        "--wait",
        "--timeout",
        "60s",
    ]);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(took < Duration::from_secs(30), "{took:?}");
    let error_line = stderr.lines().find(|l| l.starts_with("Error: ")).unwrap();
    assert!(
        error_line.contains(&format!("watching Deployment in {NS}: ")),
        "{error_line}"
    );
    assert_eq!(
        common::release_statuses(|p| env.get(p), NS, "denied"),
        vec![(1, Status::Failed)]
    );
}
