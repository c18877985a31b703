//! One operation at a time on a release, and recovery when a client dies (issue 5 §4), driven
//! through the binary against an in-process sandbox whose delay rules hold the object applies
//! so an operation can be caught mid-way: a second operation (upgrade, rollback, uninstall,
//! install) is refused naming the holder; a SIGKILLed upgrade leaves a pending revision whose
//! lease runs out, the refusal then says the holder is gone and names `rudder recover`, which
//! (or `--recover`) unsticks it; two simultaneous upgrades: exactly one proceeds; a forced
//! recovery under a live holder is not clobbered by the holder's final write. The real Helm
//! (tests/oracle/deploy_helm.py) reads a locked record and refuses to upgrade it too.

mod common;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::sandbox_env::{Run, SandboxEnv};
use rudder::release::{ObjectKind, Stamp, Status, to_object};
use rudder::sandbox::delay::DelayRule;
use serde_json::{Value, json};

const NS: &str = "apps";

fn chart() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/deploy/app")
        .display()
        .to_string()
}

/// A sandbox with namespace `apps`; rudder runs hold a 2s lock lease unless a run says
/// otherwise (`command`, `spawn`).
fn start() -> SandboxEnv {
    SandboxEnv::start(NS).with_rudder_env("RUDDER_LOCK_LEASE", "2s")
}

impl SandboxEnv {
    /// `rudder ARGS --kubeconfig K -n apps` with lease `lease`, its output piped.
    fn command(&self, args: &[&str], lease: &str) -> Command {
        let mut cmd = self.rudder(args);
        cmd.env("RUDDER_LOCK_LEASE", lease)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    fn spawn(&self, args: &[&str], lease: &str) -> Child {
        self.command(args, lease).spawn().unwrap()
    }

    fn message(&self) -> String {
        let cm = self
            .get(&format!("/api/v1/namespaces/{NS}/configmaps/web-config"))
            .unwrap();
        cm["data"]["message"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Holds every apply of a ConfigMap in the namespace for `d`.
    fn slow_applies(&self, d: &str) {
        self.sandbox.delay(
            format!("patch:configmaps:{NS}={d}")
                .parse::<DelayRule>()
                .unwrap(),
        );
    }

    /// Waits until revision `v` of `name` is stored pending with a lock holder; returns the
    /// stored object.
    fn wait_locked(&self, name: &str, v: u64) -> Value {
        wait_for(Duration::from_secs(20), || {
            self.record(name, v)
                .filter(|(o, r)| r.info.status.is_pending() && holder(o).is_some())
                .map(|(o, _)| o)
        })
    }
}

fn wait_for<T>(limit: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = f() {
            return v;
        }
        assert!(
            start.elapsed() < limit,
            "condition not met within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn annotation(object: &Value, key: &str) -> Option<String> {
    object["metadata"]["annotations"][key]
        .as_str()
        .map(str::to_string)
}

fn holder(object: &Value) -> Option<String> {
    annotation(object, "rudder.dev/lock-holder")
}

fn deployed_count(statuses: &[(u64, Status)]) -> usize {
    statuses
        .iter()
        .filter(|(_, s)| *s == Status::Deployed)
        .count()
}

/// Kills `child` with SIGKILL (what `Child::kill` sends on Unix) and reaps it.
fn sigkill(mut child: Child) {
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success());
}

#[test]
fn killed_upgrade_is_refused_until_recovered() {
    let env = start();
    let c = chart();
    env.ok(&["install", "web", &c, "--set", "gadget=false,message=one"]);

    env.slow_applies("60s");
    let child = env.spawn(&["upgrade", "web", &c, "--set", "message=two"], "2s");
    let pid = child.id();
    let locked = env.wait_locked("web", 2);
    let who = holder(&locked).unwrap();
    assert!(who.ends_with(&format!(" pid {pid}")), "{who}");
    assert_eq!(
        annotation(&locked, "rudder.dev/lock-lease").as_deref(),
        Some("2s")
    );
    let acquired = annotation(&locked, "rudder.dev/lock-acquired").unwrap();
    // the running holder renews its lease
    wait_for(Duration::from_secs(10), || {
        let (o, _) = env.record("web", 2)?;
        (annotation(&o, "rudder.dev/lock-renewed")? != acquired).then_some(())
    });

    // while it runs, every other operation is refused naming the holder and since when
    let since = format!("held by {who} since {acquired}");
    for args in [
        vec!["upgrade", "web", c.as_str(), "--set", "message=other"],
        vec!["rollback", "web"],
        vec!["uninstall", "web"],
        vec!["install", "web", c.as_str()],
    ] {
        let err = env.fails(&args);
        assert!(
            err.contains("release \"web\" is locked: revision 2 is pending-upgrade")
                && err.contains(&since)
                && err.contains("another operation is in progress"),
            "{args:?}: {err}"
        );
        assert!(!err.contains("recover"), "{err}");
    }
    // Helm reads the locked record (the lock annotations are invisible to it) and refuses too
    let helm = |step: &str| {
        let input = json!({"kubeconfig": env.kubeconfig(), "namespace": NS,
                           "chart": PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/deploy/gochart"),
                           "release": "web", "step": step});
        common::oracle("deploy_helm.py", &input)
    };
    let seen = helm("upgrade");
    assert_eq!(seen["ok"], false, "{seen}");
    assert!(
        seen["error"]
            .as_str()
            .unwrap()
            .contains("another operation (install/upgrade/rollback) is in progress"),
        "{seen}"
    );
    let history: Vec<(u64, String)> = seen["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["revision"].as_u64().unwrap(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        history,
        vec![
            (1, "deployed".to_string()),
            (2, "pending-upgrade".to_string())
        ]
    );
    // recover refuses while the lease is fresh
    let err = env.fails(&["recover", "web"]);
    assert!(err.contains(&since) && err.contains("--force"), "{err}");

    sigkill(child);
    env.sandbox.clear_delay_rules();
    assert_eq!(
        env.statuses("web"),
        vec![(1, Status::Deployed), (2, Status::PendingUpgrade)]
    );

    // once the lease runs out the refusal says the holder is gone and names the way out
    let err = wait_for(Duration::from_secs(15), || {
        let err = env.fails(&["upgrade", "web", &c, "--set", "message=three"]);
        err.contains("is gone").then_some(err)
    });
    assert!(
        err.contains(&format!(
            "its holder {who} since {acquired} is gone: the lease expired at"
        )) && err.contains("run \"rudder recover web\" (or upgrade/rollback with --recover)"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");

    let out = env.ok(&["recover", "web"]);
    assert!(out.contains("revision 2 marked failed"), "{out}");
    let (object, stuck) = env.record("web", 2).unwrap();
    assert_eq!(stuck.info.status, Status::Failed);
    assert!(
        stuck
            .info
            .description
            .starts_with(&format!("recovered: holder {who} gone since ")),
        "{}",
        stuck.info.description
    );
    assert_eq!(holder(&object), None, "the lock is released");
    let err = env.fails(&["recover", "web"]);
    assert!(err.contains("is not locked"), "{err}");

    env.ok(&["upgrade", "web", &c, "--set", "message=three"]);
    assert_eq!(env.message(), "three");
    let (object, _) = env.record("web", 3).unwrap();
    assert_eq!(object["metadata"].get("annotations"), None, "{object}");
    assert_eq!(
        env.statuses("web"),
        vec![
            (1, Status::Superseded),
            (2, Status::Failed),
            (3, Status::Deployed)
        ]
    );

    // killed again; this time `upgrade --recover` unsticks it and proceeds in one go
    env.slow_applies("60s");
    let child = env.spawn(&["upgrade", "web", &c, "--set", "message=four"], "1s");
    env.wait_locked("web", 4);
    sigkill(child);
    env.sandbox.clear_delay_rules();
    std::thread::sleep(Duration::from_millis(1200));
    env.ok(&["upgrade", "web", &c, "--set", "message=five", "--recover"]);
    assert_eq!(env.message(), "five");
    let statuses = env.statuses("web");
    assert_eq!(
        statuses[2..],
        [
            (3, Status::Superseded),
            (4, Status::Failed),
            (5, Status::Deployed)
        ]
    );
    assert_eq!(deployed_count(&statuses), 1);
}

#[test]
fn two_concurrent_upgrades_exactly_one_proceeds() {
    let env = start();
    let c = chart();
    env.ok(&["install", "web", &c, "--set", "gadget=false,message=zero"]);
    env.slow_applies("700ms");
    for round in 1..=2u64 {
        let a = env.spawn(&["upgrade", "web", &c, "--set", "message=a"], "30s");
        let b = env.spawn(&["upgrade", "web", &c, "--set", "message=b"], "30s");
        let outs = [a.wait_with_output().unwrap(), b.wait_with_output().unwrap()];
        let winners: Vec<usize> = (0..2).filter(|i| outs[*i].status.success()).collect();
        assert_eq!(winners.len(), 1, "round {round}: {outs:?}");
        let loser = outs.into_iter().nth(1 - winners[0]).unwrap();
        let err = Run::of(loser).assert_error(&["upgrade"]).stderr;
        assert!(
            err.contains(&format!(
                "release \"web\" is locked: revision {} is pending-upgrade, held by ",
                round + 1
            )) && err.contains("another operation is in progress"),
            "round {round}: {err}"
        );
        assert_eq!(env.message(), ["a", "b"][winners[0]]);
        let statuses = env.statuses("web");
        assert_eq!(statuses.len() as u64, round + 1, "{statuses:?}");
        assert_eq!(statuses.last(), Some(&(round + 1, Status::Deployed)));
        assert_eq!(deployed_count(&statuses), 1, "{statuses:?}");
    }
}

#[test]
fn forced_recovery_is_not_clobbered_by_the_live_holder() {
    let env = start();
    let c = chart();
    env.ok(&["install", "web", &c, "--set", "gadget=false"]);
    env.slow_applies("2s");
    let child = env.spawn(&["upgrade", "web", &c, "--set", "message=late"], "30s");
    let locked = env.wait_locked("web", 2);
    let who = holder(&locked).unwrap();
    let out = env.ok(&["recover", "web", "--force"]);
    assert!(out.contains("recovered (forced)"), "{out}");
    let err = Run::of(child.wait_with_output().unwrap())
        .assert_error(&["upgrade"])
        .stderr;
    assert!(
        err.contains("lost the lock on release \"web\" revision 2") && err.contains("now failed"),
        "{err}"
    );
    let (_, stuck) = env.record("web", 2).unwrap();
    assert_eq!(
        stuck.info.description,
        format!(
            "recovered (forced): holder {who} still held the lease (renewed {})",
            stuck_renewed(&locked)
        )
    );
    assert_eq!(
        env.statuses("web"),
        vec![(1, Status::Deployed), (2, Status::Failed)]
    );
}

/// The renewal time of `object` as the recovery description prints it (seconds).
fn stuck_renewed(object: &Value) -> String {
    let t = annotation(object, "rudder.dev/lock-renewed").unwrap();
    chrono::DateTime::parse_from_rfc3339(&t)
        .unwrap()
        .with_timezone(&chrono::Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[test]
fn pending_release_left_by_helm_is_recovered_without_force() {
    let env = start();
    let c = chart();
    env.ok(&["install", "web", &c, "--set", "gadget=false"]);
    // a pending record as Helm leaves it: no lock annotations
    let (_, mut rel) = env.record("web", 1).unwrap();
    rel.version = 2;
    rel.info.status = Status::PendingRollback;
    let object = to_object(ObjectKind::Secret, &rel, Stamp::created_now());
    assert_eq!(
        env.send_json("POST", &format!("/api/v1/namespaces/{NS}/secrets"), &object),
        201
    );
    let err = env.fails(&["rollback", "web", "1"]);
    assert!(
        err.contains("revision 2 is pending-rollback but no lock holder is recorded")
            && err.contains("rudder recover web"),
        "{err}"
    );
    let err = env.fails(&["recover", "nope"]);
    assert!(
        err.contains("release \"nope\": release: not found"),
        "{err}"
    );
    // a dry run (or a diff) with --recover writes nothing
    env.ok(&["upgrade", "web", &c, "--dry-run", "--recover"]);
    env.ok(&["diff", "rollback", "web", "1", "--recover"]);
    assert_eq!(
        env.statuses("web"),
        vec![(1, Status::Deployed), (2, Status::PendingRollback)]
    );
    env.ok(&["rollback", "web", "1", "--recover"]);
    let (_, r2) = env.record("web", 2).unwrap();
    assert_eq!(
        r2.info.description,
        "recovered: pending-rollback was left with no lock holder recorded"
    );
    assert_eq!(
        env.statuses("web"),
        vec![
            (1, Status::Superseded),
            (2, Status::Failed),
            (3, Status::Deployed)
        ]
    );
}

#[test]
fn invalid_lease_setting_is_refused_before_anything_is_written() {
    let env = start();
    let out = env
        .command(&["install", "web", &chart()], "soon")
        .output()
        .unwrap();
    let err = Run::of(out).assert_error(&["install"]).stderr;
    assert!(err.contains("RUDDER_LOCK_LEASE=\"soon\""), "{err}");
    assert_eq!(env.statuses("web"), vec![]);
}

#[test]
fn an_upgrade_that_passed_its_check_yields_to_an_uninstall_that_locked_first() {
    let env = start();
    let c = chart();
    env.ok(&["install", "web", &c, "--set", "gadget=false,message=one"]);
    // The upgrade reads revision 1 deployed, then its pending record's create is held back;
    // meanwhile an uninstall locks revision 1 and (its deletions slowed) still holds it when
    // the upgrade's record lands.
    for rule in [
        format!("create:secrets:{NS}=1500ms"),
        format!("delete:configmaps:{NS}=3s"),
    ] {
        env.sandbox.delay(rule.parse::<DelayRule>().unwrap());
    }
    let upgrade = env.spawn(&["upgrade", "web", &c, "--set", "message=two"], "30s");
    // Half a second in, the upgrade has passed its check and waits on the create.
    std::thread::sleep(Duration::from_millis(500));
    let uninstall = env.spawn(&["uninstall", "web"], "30s");
    let up = upgrade.wait_with_output().unwrap();
    let un = uninstall.wait_with_output().unwrap();
    let err = Run::of(up).assert_error(&["upgrade"]).stderr;
    assert!(
        err.contains("another operation got there first")
            && err.contains("revision 1 is uninstalling"),
        "{err}"
    );
    assert!(
        un.status.success(),
        "uninstall: {}",
        String::from_utf8_lossy(&un.stderr)
    );
    // Nothing of the release is left: no record (the upgrade gave its own back), no objects.
    assert_eq!(env.statuses("web"), vec![]);
    assert!(
        env.get(&format!("/api/v1/namespaces/{NS}/configmaps/web-config"))
            .is_none()
    );
}
