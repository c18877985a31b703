//! Shared helpers for integration tests: the real Helm engine as an oracle, release records
//! read from a cluster, and the sandbox environment the release tests run in (`sandbox_env`).
#![allow(dead_code)]

pub mod sandbox_env;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Python interpreter that has `helm_python` (the real Helm v4 engine).
///
/// `RUDDER_HELM_PYTHON` wins; else `.venv/bin/python` at the repository root (made by
/// `scripts/setup-helm-venv.sh`). Differential tests must not pass vacuously, so a missing
/// oracle is a test failure with the way to fix it.
pub fn helm_python() -> PathBuf {
    if let Ok(p) = std::env::var("RUDDER_HELM_PYTHON") {
        return PathBuf::from(p);
    }
    let venv = repo_root().join(".venv/bin/python");
    assert!(
        venv.exists(),
        "the Helm oracle is missing: run `bash scripts/setup-helm-venv.sh` (or set RUDDER_HELM_PYTHON)"
    );
    venv
}

/// Runs `tests/oracle/<script>` with the Helm oracle's Python, feeding `input` as JSON on stdin,
/// and returns its stdout parsed as JSON. Panics with the script's stderr on failure.
pub fn oracle(script: &str, input: &serde_json::Value) -> serde_json::Value {
    let path = repo_root().join("tests/oracle").join(script);
    let mut child = Command::new(helm_python())
        .arg(&path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the Helm oracle");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "oracle {script} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("oracle output is JSON")
}

/// Revision `v` of release `name` in `ns` as stored in its Secret (the object and the release
/// decoded from it), read through `get` (a GET of an API path on the test's sandbox).
pub fn release_record(
    get: impl Fn(&str) -> Option<serde_json::Value>,
    ns: &str,
    name: &str,
    v: u64,
) -> Option<(serde_json::Value, rudder::release::Release)> {
    let secret = get(&format!(
        "/api/v1/namespaces/{ns}/secrets/sh.helm.release.v1.{name}.v{v}"
    ))?;
    let release =
        rudder::release::from_object(rudder::release::ObjectKind::Secret, &secret).unwrap();
    Some((secret, release))
}

/// The status of every stored revision of release `name` in `ns`, by revision.
pub fn release_statuses(
    get: impl Fn(&str) -> Option<serde_json::Value>,
    ns: &str,
    name: &str,
) -> Vec<(u64, rudder::release::Status)> {
    let list = get(&format!(
        "/api/v1/namespaces/{ns}/secrets?labelSelector=owner%3Dhelm,name%3D{name}"
    ))
    .unwrap();
    let mut out: Vec<_> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let r = rudder::release::from_object(rudder::release::ObjectKind::Secret, s).unwrap();
            (r.version, r.info.status)
        })
        .collect();
    out.sort_by_key(|(v, _)| *v);
    out
}

/// Writes a chart named `name` under `dir` (`Chart.yaml` apiVersion v2, version 0.1.0) with
/// these templates (file name under `templates/`, text); returns its root.
pub fn write_chart(dir: &std::path::Path, name: &str, templates: &[(&str, String)]) -> PathBuf {
    let root = dir.join(name);
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(
        root.join("Chart.yaml"),
        format!("apiVersion: v2\nname: {name}\nversion: 0.1.0\n"),
    )
    .unwrap();
    for (file, text) in templates {
        std::fs::write(root.join("templates").join(file), text).unwrap();
    }
    root
}
