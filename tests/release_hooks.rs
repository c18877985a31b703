//! Hooks run against an in-process sandbox, driven through the binary: the order hooks are
//! created in (weight, then name, kind order for equal names: Helm 4's) seen in the sandbox's
//! access log and compared with the real Helm's, delete policies (before-hook-creation by
//! default, hook-succeeded, hook-failed), a failing pre-install Job (the install fails naming
//! the hook, the reason and its log lines, and nothing else is applied), `last_run` in the
//! record, uninstall's pre-/post-delete hooks and hook cleanup, `rudder test` with `--logs` and
//! `--filter`, `--no-hooks`, dry runs, `helm.sh/hook-output-log-policy`, and `kubectl logs`
//! against the sandbox's log endpoint.

mod common;

use std::path::{Path, PathBuf};

use common::sandbox_env::{Run, SandboxEnv};
use rudder::release::{HookPhase, Status};
use serde_json::{Value, json};

const NS: &str = "apps";

impl SandboxEnv {
    fn job(&self, name: &str) -> Option<Value> {
        self.get(&format!("/apis/batch/v1/namespaces/{NS}/jobs/{name}"))
    }

    fn configmap(&self, name: &str) -> Option<Value> {
        self.get(&format!("/api/v1/namespaces/{NS}/configmaps/{name}"))
    }

    fn pod(&self, name: &str) -> Option<Value> {
        self.get(&format!("/api/v1/namespaces/{NS}/pods/{name}"))
    }

    /// The writes to release objects (not records, not controller-made pods) so far, as
    /// `create kind/name` (server-side apply or POST) and `delete kind/name`, in order.
    fn writes(&self) -> Vec<String> {
        writes_in(&self.access_log_text())
    }
}

/// `create jobs/x` / `delete configmaps/y` for each write in an access log (release records
/// and pods left out).
fn writes_in(log: &str) -> Vec<String> {
    log.lines()
        .filter_map(|line| {
            let mut parts = line.split(' ');
            let (method, path) = (parts.next()?, parts.next()?);
            let path = path.split('?').next()?;
            let verb = match method {
                "PATCH" | "POST" | "PUT" => "create",
                "DELETE" => "delete",
                _ => return None,
            };
            let segs: Vec<&str> = path.split('/').collect();
            let i = segs.iter().position(|s| *s == "namespaces")?;
            let (resource, name) = (segs.get(i + 2)?, segs.get(i + 3)?);
            if matches!(*resource, "secrets" | "pods" | "events") {
                return None;
            }
            Some(format!("{verb} {resource}/{name}"))
        })
        .collect()
}

/// A chart named `name` in `dir` with these templates (plain YAML: the same text is a valid
/// Tera and Go template, so Helm can install it too).
fn chart(dir: &Path, name: &str, templates: &[(&str, String)]) -> PathBuf {
    common::write_chart(dir, name, templates)
}

/// YAML `annotations:` lines at `indent` (values JSON-quoted, which YAML reads as strings).
fn annotations(indent: usize, pairs: &[(&str, &str)]) -> String {
    if pairs.is_empty() {
        return String::new();
    }
    let pad = " ".repeat(indent);
    let mut out = format!("{pad}annotations:\n");
    for (k, v) in pairs {
        out.push_str(&format!(
            "{pad}  {k}: {}\n",
            serde_json::to_string(v).unwrap()
        ));
    }
    out
}

/// A Job whose pod runs once; `pod` annotations go on its pod template.
fn job(name: &str, meta: &[(&str, &str)], pod: &[(&str, &str)]) -> String {
    format!(
        "apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: {name}\n{}spec:\n  backoffLimit: 0\n  \
         template:\n    metadata:\n{}      labels:\n        app: {name}\n    spec:\n      \
         restartPolicy: Never\n      containers:\n        - name: main\n          image: busybox\n",
        annotations(2, meta),
        annotations(6, pod),
    )
}

/// A Pod that runs to completion.
fn pod(name: &str, meta: &[(&str, &str)]) -> String {
    format!(
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n{}spec:\n  restartPolicy: Never\n  \
         containers:\n    - name: main\n      image: busybox\n",
        annotations(2, meta)
    )
}

fn configmap(name: &str, meta: &[(&str, &str)]) -> String {
    format!(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n{}data:\n  a: b\n",
        annotations(2, meta)
    )
}

fn service_account(name: &str, meta: &[(&str, &str)]) -> String {
    format!(
        "apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: {name}\n{}",
        annotations(2, meta)
    )
}

/// Hooks of several weights, kinds and names (two with the same name), a main object and a
/// post-install hook.
fn ordering_chart(dir: &Path) -> PathBuf {
    fn pre(w: &'static str) -> Vec<(&'static str, &'static str)> {
        vec![("helm.sh/hook", "pre-install"), ("helm.sh/hook-weight", w)]
    }
    chart(
        dir,
        "order",
        &[
            ("a.yaml", configmap("b-config", &pre("0"))),
            ("b.yaml", job("a-job", &pre("0"), &[])),
            ("c.yaml", job("z-first", &pre("-5"), &[])),
            ("d.yaml", configmap("same", &pre("1"))),
            ("e.yaml", service_account("same", &pre("1"))),
            ("main.yaml", configmap("main", &[])),
            (
                "post.yaml",
                job("post", &[("helm.sh/hook", "post-install")], &[]),
            ),
        ],
    )
}

const ORDERED_WRITES: [&str; 7] = [
    "create jobs/z-first",
    "create jobs/a-job",
    "create configmaps/b-config",
    "create serviceaccounts/same",
    "create configmaps/same",
    "create configmaps/main",
    "create jobs/post",
];

/// The writes with before-hook-creation's deletions (404s on a first install) left out.
fn creations(writes: &[String]) -> Vec<String> {
    writes
        .iter()
        .filter(|w| w.starts_with("create "))
        .cloned()
        .collect()
}

#[test]
fn hooks_run_in_helms_order_around_the_objects_and_are_recorded() {
    let env = SandboxEnv::start(NS);
    let charts = tempfile::tempdir().unwrap();
    let chart = ordering_chart(charts.path());
    env.clear_access_log();
    let out = env.ok(&["install", "ord", chart.to_str().unwrap()]);
    assert!(out.contains("STATUS: deployed\n"), "{out}");
    assert!(out.contains("TEST SUITE: None\n"), "{out}");
    assert_eq!(creations(&env.writes()), ORDERED_WRITES.to_vec());
    // before-hook-creation (the default) deletes any previous instance first.
    let writes = env.writes();
    let z = writes
        .iter()
        .position(|w| w == "create jobs/z-first")
        .unwrap();
    assert_eq!(writes[z - 1], "delete jobs/z-first", "{writes:?}");

    // Hooks are not given the release's ownership metadata (Helm does not stamp them); the
    // default policy leaves them in place.
    let hook = env.job("a-job").expect("hook job kept");
    assert!(
        hook.pointer("/metadata/labels/app.kubernetes.io~1managed-by")
            .is_none(),
        "{hook}"
    );
    assert!(
        hook.pointer("/metadata/annotations/meta.helm.sh~1release-name")
            .is_none()
    );
    let main = env.configmap("main").unwrap();
    assert_eq!(
        main["metadata"]["annotations"]["meta.helm.sh/release-name"],
        "ord"
    );

    let rel = env.release("ord", 1);
    assert_eq!(rel.info.status, Status::Deployed);
    assert_eq!(rel.hooks.len(), 6);
    for h in &rel.hooks {
        assert_eq!(h.last_run.phase, HookPhase::Succeeded, "{}", h.name);
        let (start, end) = (
            h.last_run.started_at.unwrap(),
            h.last_run.completed_at.unwrap(),
        );
        assert!(start <= end);
    }
    // The recorded times follow the run order too.
    let started = |kind: &str, name: &str| {
        rel.hooks
            .iter()
            .find(|h| h.kind == kind && h.name == name)
            .unwrap()
            .last_run
            .started_at
            .unwrap()
    };
    assert!(started("Job", "z-first") <= started("Job", "a-job"));
    assert!(started("ServiceAccount", "same") <= started("ConfigMap", "same"));
    assert!(started("ConfigMap", "same") <= started("Job", "post"));

    // `status -o json` shows the phases as Helm names them.
    let status: Value = serde_json::from_str(&env.ok(&["status", "ord", "-o", "json"])).unwrap();
    let phases: Vec<&str> = status["hooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["last_run"]["phase"].as_str().unwrap())
        .collect();
    assert_eq!(phases, vec!["Succeeded"; 6]);
}

#[test]
fn helm_creates_the_same_hooks_in_the_same_order() {
    let env = SandboxEnv::start(NS);
    let charts = tempfile::tempdir().unwrap();
    let chart = ordering_chart(charts.path());
    env.clear_access_log();
    let input = json!({"kubeconfig": env.kubeconfig(), "namespace": NS, "chart": chart,
                       "release": "ord", "step": "install"});
    let out = common::oracle("deploy_helm.py", &input);
    assert_eq!(out["ok"], true, "helm install: {}", out["error"]);
    let helm = env.writes();

    let ours = SandboxEnv::start(NS);
    ours.clear_access_log();
    ours.ok(&["install", "ord", chart.to_str().unwrap()]);
    assert_eq!(creations(&helm), ORDERED_WRITES.to_vec(), "{helm:?}");
    assert_eq!(ours.writes(), helm);
}

#[test]
fn a_failing_pre_install_job_fails_the_install_naming_it_with_its_logs() {
    let env = SandboxEnv::start(NS);
    let charts = tempfile::tempdir().unwrap();
    let chart = chart(
        charts.path(),
        "failing",
        &[
            (
                "migrate.yaml",
                job(
                    "migrate",
                    &[
                        ("helm.sh/hook", "pre-install"),
                        ("sandbox.rudder.dev/simulate", "fail"),
                    ],
                    &[(
                        "sandbox.rudder.dev/logs",
                        "connecting to db\nERROR: relation \"users\" does not exist",
                    )],
                ),
            ),
            (
                "cleanup.yaml",
                job(
                    "cleanup",
                    &[
                        ("helm.sh/hook", "pre-install"),
                        ("helm.sh/hook-weight", "-1"),
                        ("helm.sh/hook-delete-policy", "hook-succeeded"),
                    ],
                    &[],
                ),
            ),
            ("main.yaml", configmap("main", &[])),
        ],
    );
    let err = env.fails(&["install", "bad", chart.to_str().unwrap()]);
    assert!(
        err.contains("pre-install hook Job/migrate (failing/templates/migrate.yaml) failed"),
        "{err}"
    );
    assert!(err.contains("BackoffLimitExceeded"), "{err}");
    assert!(
        err.contains("ERROR: relation \"users\" does not exist"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    // The release's objects were never applied; the failed hook stays (no hook-failed
    // policy); the earlier hook-succeeded one was deleted.
    assert!(env.configmap("main").is_none());
    assert!(env.job("migrate").is_some());
    assert!(env.job("cleanup").is_none());
    let rel = env.release("bad", 1);
    assert_eq!(rel.info.status, Status::Failed);
    assert!(
        rel.info.description.contains("Job/migrate"),
        "{}",
        rel.info.description
    );
    let phase = |n: &str| {
        rel.hooks
            .iter()
            .find(|h| h.name == n)
            .unwrap()
            .last_run
            .phase
    };
    assert_eq!(phase("migrate"), HookPhase::Failed);
    assert_eq!(phase("cleanup"), HookPhase::Succeeded);
}

#[test]
fn output_log_policy_copies_hook_logs_to_the_output() {
    let env = SandboxEnv::start(NS);
    let charts = tempfile::tempdir().unwrap();
    let chart = chart(
        charts.path(),
        "logged",
        &[
            (
                "seed.yaml",
                job(
                    "seed",
                    &[
                        ("helm.sh/hook", "pre-install"),
                        (
                            "helm.sh/hook-output-log-policy",
                            "hook-succeeded, hook-failed",
                        ),
                        // Deleted once it succeeded: the logs are copied before that.
                        ("helm.sh/hook-delete-policy", "hook-succeeded"),
                    ],
                    &[("sandbox.rudder.dev/logs", "seeded 3 rows\ndone")],
                ),
            ),
            (
                "quiet.yaml",
                job(
                    "quiet",
                    &[
                        ("helm.sh/hook", "pre-install"),
                        ("helm.sh/hook-output-log-policy", "hook-failed"),
                    ],
                    &[("sandbox.rudder.dev/logs", "not to be shown")],
                ),
            ),
            ("main.yaml", configmap("main", &[])),
        ],
    );
    let run = env.run(&["install", "logged", chart.to_str().unwrap()]);
    assert!(run.success(), "{}", run.stderr);
    assert!(
        run.stderr.contains("hook Job/seed: log of pod seed-"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains(", container main:\nseeded 3 rows\ndone\n"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("not to be shown"), "{}", run.stderr);
    assert!(env.job("seed").is_none(), "deleted by hook-succeeded");
    let rel = env.release("logged", 1);
    let policies = |n: &str| {
        rel.hooks
            .iter()
            .find(|h| h.name == n)
            .unwrap()
            .output_log_policies
            .clone()
    };
    use rudder::release::HookOutputLogPolicy::{HookFailed, HookSucceeded};
    assert_eq!(policies("seed"), vec![HookSucceeded, HookFailed]);
    assert_eq!(policies("quiet"), vec![HookFailed]);

    // A failing hook with `hook-failed` (any case, as Helm reads it): its log comes before the
    // error, and the error still names the hook.
    let failing = chart_dir_with_failing_logged_hook(charts.path());
    let run = env.run(&["install", "broken", failing.to_str().unwrap()]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    let log_at = run
        .stderr
        .find("hook Job/migrate: log of pod")
        .expect(&run.stderr);
    let error_at = run.stderr.find("Error: ").expect(&run.stderr);
    assert!(log_at < error_at, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("container main:\nERROR: no such table\n"),
        "{}",
        run.stderr
    );
}

fn chart_dir_with_failing_logged_hook(dir: &Path) -> PathBuf {
    chart(
        dir,
        "broken",
        &[(
            "migrate.yaml",
            job(
                "migrate",
                &[
                    ("helm.sh/hook", "pre-install"),
                    ("helm.sh/hook-output-log-policy", "Hook-Failed"),
                    ("sandbox.rudder.dev/simulate", "fail"),
                ],
                &[("sandbox.rudder.dev/logs", "ERROR: no such table")],
            ),
        )],
    )
}

#[test]
fn delete_policies_succeeded_failed_and_before_creation_on_upgrade() {
    let env = SandboxEnv::start(NS);
    let charts = tempfile::tempdir().unwrap();
    let chart = chart(
        charts.path(),
        "policies",
        &[
            (
                "gone.yaml",
                job(
                    "gone",
                    &[
                        ("helm.sh/hook", "post-install,post-upgrade"),
                        ("helm.sh/hook-delete-policy", "hook-succeeded"),
                    ],
                    &[],
                ),
            ),
            (
                "again.yaml",
                job("again", &[("helm.sh/hook", "pre-install,pre-upgrade")], &[]),
            ),
            ("main.yaml", configmap("main", &[])),
        ],
    );
    let path = chart.to_str().unwrap();
    env.ok(&["install", "pol", path]);
    assert!(env.job("gone").is_none(), "hook-succeeded deletes the Job");
    let first = env.job("again").expect("before-hook-creation keeps it");
    let first_uid = first["metadata"]["uid"].clone();

    env.clear_access_log();
    env.ok(&["upgrade", "pol", path]);
    let second = env.job("again").unwrap();
    assert_ne!(second["metadata"]["uid"], first_uid, "recreated");
    let writes = env.writes();
    let pos = |w: &str| {
        writes
            .iter()
            .position(|x| x == w)
            .unwrap_or_else(|| panic!("{w} in {writes:?}"))
    };
    assert!(pos("delete jobs/again") < pos("create jobs/again"));
    assert!(pos("create jobs/again") < pos("create configmaps/main"));
    assert!(pos("create configmaps/main") < pos("create jobs/gone"));
    assert!(pos("create jobs/gone") < pos("delete jobs/gone"));
    let rel = env.release("pol", 2);
    assert!(
        rel.hooks
            .iter()
            .all(|h| h.last_run.phase == HookPhase::Succeeded)
    );

    // hook-failed: a failed hook with that policy is deleted.
    let failing = chart_with_failing_policy(charts.path());
    let err = env.fails(&["upgrade", "pol", failing.to_str().unwrap()]);
    assert!(err.contains("pre-upgrade hook Job/broken"), "{err}");
    assert!(env.job("broken").is_none());
    assert_eq!(env.release("pol", 3).info.status, Status::Failed);
}

fn chart_with_failing_policy(dir: &Path) -> PathBuf {
    chart(
        dir,
        "policies2",
        &[
            (
                "broken.yaml",
                job(
                    "broken",
                    &[
                        ("helm.sh/hook", "pre-upgrade"),
                        ("helm.sh/hook-delete-policy", "hook-failed"),
                        ("sandbox.rudder.dev/simulate", "fail"),
                    ],
                    &[],
                ),
            ),
            ("main.yaml", configmap("main", &[])),
        ],
    )
}

#[test]
fn uninstall_runs_delete_hooks_and_removes_hook_resources() {
    let env = SandboxEnv::start(NS);
    let charts = tempfile::tempdir().unwrap();
    let chart = chart(
        charts.path(),
        "un",
        &[
            (
                "pre.yaml",
                job("pre-delete", &[("helm.sh/hook", "pre-delete")], &[]),
            ),
            (
                "post.yaml",
                configmap("post-delete", &[("helm.sh/hook", "post-delete")]),
            ),
            (
                "installed.yaml",
                configmap("installed", &[("helm.sh/hook", "post-install")]),
            ),
            (
                "kept.yaml",
                configmap(
                    "kept-hook",
                    &[
                        ("helm.sh/hook", "post-install"),
                        ("helm.sh/resource-policy", "keep"),
                    ],
                ),
            ),
            ("main.yaml", configmap("main", &[])),
        ],
    );
    env.ok(&["install", "un", chart.to_str().unwrap()]);
    assert!(env.configmap("installed").is_some());
    assert!(env.job("pre-delete").is_none(), "not run on install");
    env.clear_access_log();
    let out = env.ok(&["uninstall", "un"]);
    assert!(out.contains("[ConfigMap] kept-hook"), "{out}");
    let writes = env.writes();
    let pos = |w: &str| {
        writes
            .iter()
            .position(|x| x == w)
            .unwrap_or_else(|| panic!("{w} in {writes:?}"))
    };
    assert!(pos("create jobs/pre-delete") < pos("delete configmaps/main"));
    assert!(pos("delete configmaps/main") < pos("create configmaps/post-delete"));
    for gone in ["main", "installed", "post-delete"] {
        assert!(env.configmap(gone).is_none(), "{gone}");
    }
    assert!(env.job("pre-delete").is_none());
    assert!(env.configmap("kept-hook").is_some());

    // --no-hooks: nothing runs, hook resources are left alone.
    env.ok(&["install", "un", chart.to_str().unwrap(), "--no-hooks"]);
    assert!(env.configmap("installed").is_none());
    let rel = env.release("un", 1);
    assert!(
        rel.hooks
            .iter()
            .all(|h| h.last_run.phase == HookPhase::NotRun)
    );
    env.clear_access_log();
    env.ok(&["uninstall", "un", "--no-hooks"]);
    assert!(!env.writes().iter().any(|w| w.contains("pre-delete")));
}

#[test]
fn a_failing_pre_delete_hook_stops_the_uninstall() {
    let env = SandboxEnv::start(NS);
    let charts = tempfile::tempdir().unwrap();
    let chart = chart(
        charts.path(),
        "stuck",
        &[
            (
                "pre.yaml",
                pod(
                    "guard",
                    &[
                        ("helm.sh/hook", "pre-delete"),
                        ("sandbox.rudder.dev/simulate", "fail"),
                        ("sandbox.rudder.dev/logs", "refusing: backups not done"),
                    ],
                ),
            ),
            ("main.yaml", configmap("main", &[])),
        ],
    );
    env.ok(&["install", "stuck", chart.to_str().unwrap()]);
    let err = env.fails(&["uninstall", "stuck"]);
    assert!(err.contains("pre-delete hook Pod/guard"), "{err}");
    assert!(err.contains("refusing: backups not done"), "{err}");
    assert!(env.configmap("main").is_some(), "nothing deleted");
    let rel = env.release("stuck", 1);
    assert_eq!(rel.hooks[0].last_run.phase, HookPhase::Failed);
}

#[test]
fn rudder_test_reports_each_test_and_prints_logs() {
    let env = SandboxEnv::start(NS);
    let charts = tempfile::tempdir().unwrap();
    let chart = chart(
        charts.path(),
        "tested",
        &[
            (
                "ok.yaml",
                pod(
                    "t-ok",
                    &[
                        ("helm.sh/hook", "test"),
                        ("sandbox.rudder.dev/logs", "checking\nall good"),
                    ],
                ),
            ),
            (
                "bad.yaml",
                pod(
                    "t-bad",
                    &[
                        ("helm.sh/hook", "test"),
                        ("sandbox.rudder.dev/simulate", "fail"),
                        ("sandbox.rudder.dev/logs", "assert failed: 500 != 200"),
                    ],
                ),
            ),
            ("main.yaml", configmap("main", &[])),
        ],
    );
    let out = env.ok(&["install", "tt", chart.to_str().unwrap()]);
    // Helm prints nothing for test hooks that never ran (None is for no test hooks at all).
    assert!(!out.contains("TEST SUITE"), "no test has run: {out}");
    assert!(env.pod("t-ok").is_none(), "tests do not run on install");

    let out = env.ok(&["test", "tt", "--filter", "name=t-ok", "--logs"]);
    assert!(out.starts_with("NAME: tt\n"), "{out}");
    // `get all` shows the recorded run as status does.
    let all = env.ok(&["get", "all", "tt"]);
    assert!(
        all.contains("TEST SUITE:     t-ok\nLast Started:   ")
            && all.contains("Phase:          Succeeded\n"),
        "{all}"
    );
    assert!(
        out.contains("TEST SUITE:     t-ok\nLast Started:   "),
        "{out}"
    );
    assert!(out.contains("Phase:          Succeeded\n"), "{out}");
    assert!(!out.contains("t-bad"), "{out}");
    assert!(
        out.contains("\nPOD LOGS: t-ok (main)\nchecking\nall good\n"),
        "{out}"
    );
    let rel = env.release("tt", 1);
    let phase = |n: &str| {
        rel.hooks
            .iter()
            .find(|h| h.name == n)
            .unwrap()
            .last_run
            .phase
    };
    assert_eq!(phase("t-ok"), HookPhase::Succeeded);
    assert_eq!(phase("t-bad"), HookPhase::NotRun);
    let status = env.ok(&["status", "tt"]);
    assert!(status.contains("TEST SUITE:     t-ok\n"), "{status}");

    let Run {
        stdout: out,
        stderr: err,
        ..
    } = env.fails_run(&["test", "tt", "--filter", "!name=t-ok", "--logs"]);
    assert!(out.contains("TEST SUITE:     t-bad\n"), "{out}");
    assert!(out.contains("Phase:          Failed\n"), "{out}");
    assert!(
        out.contains("POD LOGS: t-bad (main)\nassert failed: 500 != 200\n"),
        "{out}"
    );
    assert!(err.contains("test hook Pod/t-bad"), "{err}");
    assert!(err.contains("assert failed: 500 != 200"), "{err}");
    assert_eq!(
        env.release("tt", 1)
            .hooks
            .iter()
            .find(|h| h.name == "t-bad")
            .unwrap()
            .last_run
            .phase,
        HookPhase::Failed
    );

    let err = env.fails(&["test", "tt", "--filter", "kind=Pod"]);
    assert!(err.contains("--filter \"kind=Pod\""), "{err}");
    let err = env.fails(&["test", "nope"]);
    assert!(
        err.contains("release \"nope\": release: not found"),
        "{err}"
    );
}

#[test]
fn dry_runs_and_no_hooks_run_no_hooks() {
    let env = SandboxEnv::start(NS);
    let charts = tempfile::tempdir().unwrap();
    let chart = ordering_chart(charts.path());
    let path = chart.to_str().unwrap();
    env.clear_access_log();
    env.ok(&["install", "dry", path, "--dry-run=server"]);
    env.ok(&["install", "dry", path, "--dry-run"]);
    assert!(env.job("z-first").is_none());
    // Server-side dry runs reach the server for the release's objects only.
    assert!(
        creations(&env.writes())
            .iter()
            .all(|w| w == "create configmaps/main")
    );
    env.clear_access_log();
    env.ok(&["install", "nh", path, "--no-hooks"]);
    assert_eq!(creations(&env.writes()), vec!["create configmaps/main"]);
    env.clear_access_log();
    env.ok(&["upgrade", "nh", path, "--no-hooks"]);
    env.ok(&["rollback", "nh", "1", "--no-hooks"]);
    assert!(
        creations(&env.writes())
            .iter()
            .all(|w| w == "create configmaps/main")
    );
}

#[test]
fn kubectl_reads_simulated_logs() {
    let env = SandboxEnv::start(NS);
    let charts = tempfile::tempdir().unwrap();
    let chart = chart(
        charts.path(),
        "logs",
        &[(
            "job.yaml",
            job(
                "worker",
                &[("sandbox.rudder.dev/logs", "one\ntwo\nthree")],
                &[],
            ),
        )],
    );
    env.ok(&["install", "lg", chart.to_str().unwrap()]);
    let pods = env
        .get(&format!(
            "/api/v1/namespaces/{NS}/pods?labelSelector=batch.kubernetes.io%2Fjob-name%3Dworker"
        ))
        .unwrap();
    let pod = pods["items"][0]["metadata"]["name"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        env.kubectl_ok(&["logs", &pod, "-n", NS]),
        "one\ntwo\nthree\n"
    );
    assert_eq!(
        env.kubectl_ok(&["logs", &pod, "--tail=1", "-n", NS]),
        "three\n"
    );
    let missing = env.kubectl(&["logs", "missing", "-n", NS]);
    assert!(!missing.success());
    assert!(
        missing.stderr.contains("pods \"missing\" not found"),
        "{}",
        missing.stderr
    );
}

#[test]
fn hooks_are_waited_for_through_the_watch_and_time_out() {
    let env = SandboxEnv::start(NS);
    let charts = tempfile::tempdir().unwrap();
    let slow = chart(
        charts.path(),
        "slow",
        &[
            (
                "slow.yaml",
                job(
                    "slow",
                    &[
                        ("helm.sh/hook", "pre-install"),
                        ("sandbox.rudder.dev/simulate", "delay=1s"),
                    ],
                    &[],
                ),
            ),
            ("main.yaml", configmap("main", &[])),
        ],
    );
    let started = std::time::Instant::now();
    env.ok(&["install", "slow", slow.to_str().unwrap()]);
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
    // One watch on that one Job, not polling.
    let log = std::fs::read_to_string(env.dir.path().join("access.log")).unwrap();
    let watches: Vec<&str> = log
        .lines()
        .filter(|l| {
            l.starts_with("GET /apis/batch/v1/namespaces/apps/jobs?") && l.contains("watch=true")
        })
        .collect();
    assert_eq!(watches.len(), 1, "{log}");
    assert!(
        watches[0].contains("fieldSelector=metadata.name%3Dslow"),
        "{log}"
    );
    let gets = log
        .lines()
        .filter(|l| l.starts_with("GET /apis/batch/v1/namespaces/apps/jobs/slow "))
        .count();
    assert!(gets <= 2, "{log}");
    let slow_job = env.job("slow").unwrap();
    assert_eq!(
        slow_job["status"]["conditions"][1]["type"], "Complete",
        "{slow_job}"
    );
    assert!(env.configmap("main").is_some());

    let stuck = chart(
        charts.path(),
        "stuck",
        &[(
            "stuck.yaml",
            job(
                "stuck",
                &[
                    ("helm.sh/hook", "pre-install"),
                    ("sandbox.rudder.dev/simulate", "never-ready"),
                ],
                &[],
            ),
        )],
    );
    let err = env.fails(&[
        "install",
        "stuck",
        stuck.to_str().unwrap(),
        "--timeout",
        "1s",
    ]);
    assert!(
        err.contains("pre-install hook Job/stuck (stuck/templates/stuck.yaml) failed: timed out after 1s waiting for it to complete"),
        "{err}"
    );
    assert_eq!(env.release("stuck", 1).info.status, Status::Failed);
}

/// Collects the progress events an action reports.
struct Events(std::sync::Mutex<Vec<rudder::action::progress::ProgressEvent>>);

impl rudder::action::progress::Progress for Events {
    fn report(&self, event: &rudder::action::progress::ProgressEvent) {
        self.0.lock().unwrap().push(event.clone());
    }
}

#[test]
fn hooks_report_their_progress() {
    use rudder::action::connection::{ConnectOptions, connect};
    use rudder::action::deploy::DeployOptions;
    use rudder::action::install::{InstallRequest, install};
    use rudder::action::progress::{ProgressEvent, ProgressSink};

    let env = SandboxEnv::start(NS);
    let charts = tempfile::tempdir().unwrap();
    let chart = chart(
        charts.path(),
        "progress",
        &[
            (
                "ok.yaml",
                job("first", &[("helm.sh/hook", "pre-install")], &[]),
            ),
            (
                "bad.yaml",
                pod(
                    "second",
                    &[
                        ("helm.sh/hook", "pre-install"),
                        ("helm.sh/hook-weight", "1"),
                        ("sandbox.rudder.dev/simulate", "fail"),
                    ],
                ),
            ),
        ],
    );
    let events = std::sync::Arc::new(Events(Default::default()));
    let conn = connect(&ConnectOptions {
        kube: rudder::kube::KubeOptions {
            kubeconfig: Some(env.kubeconfig()),
            context: None,
            namespace: Some(NS.into()),
        },
        driver: None,
        sandbox: None,
    })
    .unwrap();
    let req = InstallRequest {
        name: Some("prog".into()),
        chart,
        deploy: DeployOptions {
            progress: ProgressSink::new(events.clone()),
            ..DeployOptions::default()
        },
        ..InstallRequest::default()
    };
    let err = install(&conn, &req, &mut std::io::empty()).unwrap_err();
    assert!(err.to_string().contains("Pod/second"), "{err}");
    let seen = events.0.lock().unwrap().clone();
    let started = |r: &str| ProgressEvent::HookStarted {
        resource: r.into(),
        event: "pre-install".into(),
    };
    assert_eq!(seen.len(), 4, "{seen:?}");
    assert_eq!(seen[0], started("Job/first"));
    assert_eq!(
        seen[1],
        ProgressEvent::HookFinished {
            resource: "Job/first".into(),
            succeeded: true,
            message: "Completed".into(),
        }
    );
    assert_eq!(seen[2], started("Pod/second"));
    assert!(
        matches!(&seen[3], ProgressEvent::HookFinished { resource, succeeded: false, .. } if resource == "Pod/second"),
        "{seen:?}"
    );
}
