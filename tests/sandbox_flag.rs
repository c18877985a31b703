//! `--sandbox DIR`: the README's main job. Each rudder process runs an in-process sandbox whose
//! state persists in DIR, so install → upgrade → rollback → history work across separate
//! commands with no cluster, and the state can be served again to kubectl afterwards.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;

fn rudder(dir: &std::path::Path, args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("rudder").unwrap();
    cmd.arg("--sandbox")
        .arg(dir)
        .args(args)
        .env_remove("KUBECONFIG")
        .env_remove("RUDDER_NAMESPACE")
        .env_remove("RUDDER_DRIVER");
    cmd
}

fn chart() -> String {
    format!("{}/charts/lobsters", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn install_upgrade_rollback_history_across_processes() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state");
    let chart = chart();
    rudder(
        &state,
        &[
            "install",
            "my-site",
            &chart,
            "-n",
            "web",
            "--create-namespace",
        ],
    )
    .assert()
    .success()
    .stdout(predicate::str::contains("STATUS: deployed"))
    .stdout(predicate::str::contains("REVISION: 1"));
    // The global flag may also follow the verb.
    let mut upgrade = Command::cargo_bin("rudder").unwrap();
    upgrade
        .args(["upgrade", "my-site", &chart])
        .args(["--set", "replicaCount=3", "-n", "web", "--sandbox"])
        .arg(&state)
        .env_remove("KUBECONFIG")
        .env_remove("RUDDER_DRIVER")
        .assert()
        .success()
        .stdout(predicate::str::contains("REVISION: 2"));
    rudder(&state, &["rollback", "my-site", "1", "-n", "web"])
        .assert()
        .success();
    let out = rudder(&state, &["history", "my-site", "-n", "web", "-o", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let history: Value = serde_json::from_slice(&out.stdout).unwrap();
    let rows: Vec<(u64, String, String)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["revision"].as_u64().unwrap(),
                h["status"].as_str().unwrap().to_string(),
                h["description"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            (1, "superseded".into(), "Install complete".into()),
            (2, "superseded".into(), "Upgrade complete".into()),
            (3, "deployed".into(), "Rollback to 1".into()),
        ]
    );
    // The rollback restored revision 1's replica count in the persisted cluster state.
    let served = rudder::sandbox::Sandbox::start(rudder::sandbox::SandboxOptions {
        state_dir: Some(state.clone()),
        ..Default::default()
    })
    .unwrap();
    let replicas = served.with_state(|s| {
        s.store
            .list("apps", "deployments", Some("web"))
            .iter()
            .map(|d| d["spec"]["replicas"].as_i64().unwrap_or(-1))
            .collect::<Vec<_>>()
    });
    served.stop();
    assert!(!replicas.is_empty(), "no deployments persisted");
    assert!(
        replicas.iter().all(|r| *r == 2),
        "replicas after rollback: {replicas:?}"
    );
}
