//! `rudder diff upgrade|rollback` and `rudder upgrade --dry-run --diff` driven through the binary
//! against an in-process sandbox: added / changed / removed objects, stored manifest vs `--live`
//! (server-defaulted fields are no noise, out-of-band drift is shown), Secret values masked
//! (neither plaintext nor base64 anywhere) unless `--show-secrets`, no colour off a terminal,
//! `-o json`, `--detailed-exitcode`, and that a diff never changes the release or its objects.

mod common;

use std::path::PathBuf;

use base64::Engine as _;
use common::sandbox_env::{Run, SandboxEnv};
use serde_json::{Value, json};

const NS: &str = "apps";

fn chart() -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/diff/web")
        .display()
        .to_string()
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// A sandbox with namespace `apps`; rudder runs with NO_COLOR unset (colour must be off
/// because stdout is not a terminal).
fn start() -> SandboxEnv {
    SandboxEnv::start(NS).without_rudder_env("NO_COLOR")
}

impl SandboxEnv {
    /// Runs rudder; asserts no colour reached stdout (it is not a terminal).
    fn run_plain(&self, args: &[&str]) -> Run {
        let out = self.run(args);
        assert!(
            !out.stdout.contains('\x1b'),
            "colour off a terminal: {}",
            out.stdout
        );
        out
    }

    /// Runs rudder, asserts exit 0 and no colour, returns stdout.
    fn ok_plain(&self, args: &[&str]) -> String {
        let out = self.run_plain(args);
        assert_eq!(out.code, Some(0), "rudder {args:?}: {}", out.stderr);
        out.stdout
    }

    /// GETs an object that must exist.
    fn object(&self, path: &str) -> Value {
        self.get(path)
            .unwrap_or_else(|| panic!("GET {path}: not found"))
    }

    /// Everything a diff must not change: the release records and the objects, without the
    /// fields that change on their own.
    fn snapshot(&self) -> Value {
        let strip = |mut v: Value| {
            if let Some(items) = v.get_mut("items").and_then(Value::as_array_mut) {
                for i in items {
                    if let Some(m) = i.get_mut("metadata").and_then(Value::as_object_mut) {
                        m.remove("managedFields");
                    }
                    if let Some(o) = i.as_object_mut() {
                        o.remove("status");
                    }
                }
            }
            v["items"].clone()
        };
        json!({
            "secrets": strip(self.object(&format!("/api/v1/namespaces/{NS}/secrets"))),
            "configmaps": strip(self.object(&format!("/api/v1/namespaces/{NS}/configmaps"))),
            "services": strip(self.object(&format!("/api/v1/namespaces/{NS}/services"))),
            "deployments": strip(self.object(&format!("/apis/apps/v1/namespaces/{NS}/deployments"))),
        })
    }
}

/// The secret-hiding contract: none of `secrets` (plaintext) nor their base64 in `out`.
fn assert_hidden(out: &Run, secrets: &[&str]) {
    for s in secrets {
        for text in [s.to_string(), b64(s)] {
            assert!(
                !out.stdout.contains(&text) && !out.stderr.contains(&text),
                "{text:?} leaked:\n{}\n{}",
                out.stdout,
                out.stderr
            );
        }
    }
}

#[test]
fn upgrade_diff_added_changed_removed_masked_json_exitcodes_and_nothing_written() {
    let env = start();
    let chart = chart();
    env.ok_plain(&["install", "web", &chart]);
    let before = env.snapshot();
    let history = env.ok_plain(&["history", "web", "-o", "json"]);
    let set = "message=bye,password=swordfish,extra=false,added=true";

    let out = env.run_plain(&["diff", "upgrade", "web", &chart, "--set", set]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let s = &out.stdout;
    assert!(
        s.contains("apps, web-config, ConfigMap (v1) has changed:\n"),
        "{s}"
    );
    assert!(s.contains("\n-  message: hello\n+  message: bye\n"), "{s}");
    assert!(
        s.contains("apps, web-extra, ConfigMap (v1) has been removed:\n"),
        "{s}"
    );
    assert!(s.contains("-  a: b\n"), "{s}");
    assert!(
        s.contains("apps, web-added, ConfigMap (v1) has been added:\n"),
        "{s}"
    );
    assert!(s.contains("+  c: d\n"), "{s}");
    assert!(
        s.contains("apps, web-secret, Secret (v1) has changed:\n"),
        "{s}"
    );
    assert!(
        s.contains("-  password: (masked, old value)\n+  password: (masked, changed)\n"),
        "{s}"
    );
    assert!(
        !s.contains("web-svc") && !s.contains("web-app"),
        "unchanged objects: {s}"
    );
    // The hook as it would be recorded (and run) changes too, marked as a hook.
    assert!(
        s.contains("apps, web-pre-upgrade, ConfigMap (v1) [hook pre-upgrade] has changed:\n"),
        "{s}"
    );
    assert_hidden(&out, &["hunter2", "swordfish"]);
    // With --no-hooks the hook would not run: not part of the plan.
    let no_hooks = env.ok(&["diff", "upgrade", "web", &chart, "--set", set, "--no-hooks"]);
    assert!(!no_hooks.contains("web-pre-upgrade"), "{no_hooks}");
    assert!(no_hooks.contains("web-config"), "{no_hooks}");

    // --show-secrets shows them (as the manifest has them: base64 in data).
    let shown = env.ok_plain(&[
        "diff",
        "upgrade",
        "web",
        &chart,
        "--set",
        set,
        "--show-secrets",
    ]);
    assert!(
        shown.contains(&format!("-  password: {}\n", b64("hunter2"))),
        "{shown}"
    );
    assert!(
        shown.contains(&format!("+  password: {}\n", b64("swordfish"))),
        "{shown}"
    );

    // -o json: one entry per changed object, masked too.
    let out = env.run_plain(&["diff", "upgrade", "web", &chart, "--set", set, "-o", "json"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_hidden(&out, &["hunter2", "swordfish"]);
    let rows: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
    let mut got: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            assert_eq!(r["namespace"], NS);
            (
                r["name"].as_str().unwrap().into(),
                r["change"].as_str().unwrap().into(),
            )
        })
        .collect();
    got.sort();
    let want = [
        ("web-added", "added"),
        ("web-config", "changed"),
        ("web-extra", "removed"),
        ("web-pre-upgrade", "changed"),
        ("web-secret", "changed"),
    ];
    assert_eq!(got, want.map(|(a, b)| (a.to_string(), b.to_string())));
    let secret = rows.iter().find(|r| r["kind"] == "Secret").unwrap();
    assert!(
        secret["diff"]
            .as_str()
            .unwrap()
            .contains("+  password: (masked, changed)")
    );

    // --detailed-exitcode: 2 with changes, 0 without (no values given: the last ones reused).
    let out = env.run_plain(&[
        "diff",
        "upgrade",
        "web",
        &chart,
        "--set",
        set,
        "--detailed-exitcode",
    ]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stdout.contains("web-config"));
    assert_eq!(out.stderr, "");
    let out = env.run_plain(&["diff", "upgrade", "web", &chart, "--detailed-exitcode"]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(out.stdout, "");

    // upgrade --dry-run=server --diff prints the diff instead of the manifest.
    let out = env.run_plain(&[
        "upgrade",
        "web",
        &chart,
        "--set",
        set,
        "--dry-run=server",
        "--diff",
    ]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stdout
            .contains("apps, web-config, ConfigMap (v1) has changed:\n")
    );
    assert!(!out.stdout.contains("MANIFEST:"));
    assert_hidden(&out, &["hunter2", "swordfish"]);
    let out = env.run_plain(&["upgrade", "web", &chart, "--diff"]);
    assert_eq!(out.code, Some(1));
    assert!(
        out.stderr.starts_with("Error: --diff needs --dry-run"),
        "{}",
        out.stderr
    );

    // A release that does not exist: with --install everything is added; without, an error.
    let out = env.run_plain(&[
        "diff",
        "upgrade",
        "fresh",
        &chart,
        "--install",
        "-o",
        "json",
    ]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let rows: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
    // The pre-upgrade hook does not run on an install: not part of its plan.
    assert_eq!(rows.len(), 5, "{}", out.stdout);
    assert!(
        rows.iter().all(|r| r["change"] == "added"),
        "{}",
        out.stdout
    );
    assert_hidden(&out, &["hunter2"]);
    let out = env.run_plain(&["diff", "upgrade", "fresh", &chart]);
    assert_eq!(out.code, Some(1));
    assert!(
        out.stderr.contains("\"fresh\" has no deployed releases"),
        "{}",
        out.stderr
    );
    assert!(env.run_plain(&["status", "fresh"]).code == Some(1));

    // Nothing of it changed the release or its objects.
    assert_eq!(env.ok_plain(&["history", "web", "-o", "json"]), history);
    assert_eq!(env.snapshot(), before);
}

#[test]
fn live_diff_shows_drift_not_server_defaults_and_masks_live_secrets() {
    let env = start();
    let chart = chart();
    env.ok_plain(&["install", "web", &chart]);
    // The server defaulted these on the live objects; the stored manifest has none of them.
    let svc = env.object(&format!("/api/v1/namespaces/{NS}/services/web-svc"));
    assert!(svc["spec"]["clusterIP"].is_string(), "{svc}");
    let app = env.object(&format!(
        "/apis/apps/v1/namespaces/{NS}/deployments/web-app"
    ));
    assert!(app["spec"]["strategy"].is_object(), "{app}");

    // Unchanged: neither mode shows anything, defaulted fields included.
    for live in [false, true] {
        let mut args = vec![
            "diff",
            "upgrade",
            "web",
            chart.as_str(),
            "--detailed-exitcode",
        ];
        if live {
            args.push("--live");
        }
        let out = env.run_plain(&args);
        assert_eq!(
            (out.code, out.stdout.as_str()),
            (Some(0), ""),
            "live={live}: {}",
            out.stderr
        );
    }

    // Out-of-band drift: only --live sees it.
    env.patch(
        &format!("/api/v1/namespaces/{NS}/configmaps/web-config"),
        &json!({"data": {"message": "drifted"}}),
    );
    env.patch(
        &format!("/api/v1/namespaces/{NS}/secrets/web-secret"),
        &json!({"data": {"password": b64("tampered")}}),
    );
    let before = env.snapshot();
    assert_eq!(env.ok_plain(&["diff", "upgrade", "web", &chart]), "");
    // The drift was written by another field manager: the upgrade would meet the conflict, so
    // the live diff (a server-side dry-run apply) reports it ...
    let set = "password=swordfish,replicas=2";
    let out = env.run_plain(&["diff", "upgrade", "web", &chart, "--live", "--set", set]);
    assert_eq!(out.code, Some(1));
    assert!(
        out.stderr.contains("Secret apps/web-secret") && out.stderr.contains("conflict"),
        "{}",
        out.stderr
    );
    assert_hidden(&out, &["hunter2", "tampered", "swordfish"]);
    // ... and with --force-conflicts, as the upgrade would take them over, shows the diff.
    let out = env.run_plain(&[
        "diff",
        "upgrade",
        "web",
        &chart,
        "--live",
        "--force-conflicts",
        "--set",
        set,
    ]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let s = &out.stdout;
    assert!(
        s.contains("apps, web-config, ConfigMap (v1) has changed:\n"),
        "{s}"
    );
    assert!(
        s.contains("-  message: drifted\n+  message: hello\n"),
        "{s}"
    );
    assert!(
        s.contains("apps, web-secret, Secret (v1) has changed:\n"),
        "{s}"
    );
    assert!(
        s.contains("-  password: (masked, old value)\n+  password: (masked, changed)\n"),
        "{s}"
    );
    assert!(
        s.contains("apps, web-app, Deployment (apps/v1) has changed:\n"),
        "{s}"
    );
    assert!(s.contains("-  replicas: 1\n+  replicas: 2\n"), "{s}");
    for noise in [
        "clusterIP",
        "strategy",
        "web-svc",
        "managedFields",
        "resourceVersion",
        "uid:",
    ] {
        assert!(!s.contains(noise), "{noise} in --live diff:\n{s}");
    }
    assert_hidden(&out, &["hunter2", "tampered", "swordfish"]);
    assert_eq!(env.snapshot(), before, "a --live diff changed objects");
}

#[test]
fn rollback_diff_and_its_faults() {
    let env = start();
    let chart = chart();
    env.ok_plain(&["install", "web", &chart]);
    env.ok_plain(&["upgrade", "web", &chart, "--set", "message=bye,extra=false"]);
    let history = env.ok_plain(&["history", "web", "-o", "json"]);
    let before = env.snapshot();
    for args in [
        vec!["diff", "rollback", "web"],
        vec!["diff", "rollback", "web", "1"],
    ] {
        let s = env.ok_plain(&args);
        assert!(
            s.contains("apps, web-config, ConfigMap (v1) has changed:\n"),
            "{s}"
        );
        assert!(s.contains("-  message: bye\n+  message: hello\n"), "{s}");
        assert!(
            s.contains("apps, web-extra, ConfigMap (v1) has been added:\n"),
            "{s}"
        );
        assert!(!s.contains("web-secret"), "{s}");
    }
    let live = env.ok_plain(&["diff", "rollback", "web", "1", "--live", "-o", "json"]);
    let rows: Vec<Value> = serde_json::from_str(&live).unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["web-config", "web-extra"], "{live}");
    let out = env.run_plain(&["diff", "rollback", "web", "9"]);
    assert_eq!(out.code, Some(1));
    assert!(
        out.stderr.starts_with("Error: ") && out.stderr.contains("no revision 9"),
        "{}",
        out.stderr
    );
    let out = env.run_plain(&["diff", "rollback", "nope"]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("\"nope\""), "{}", out.stderr);
    assert_eq!(env.ok_plain(&["history", "web", "-o", "json"]), history);
    assert_eq!(env.snapshot(), before);
}
