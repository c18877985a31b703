//! One sandbox test environment for the release integration tests: an in-process API server
//! reached through an ordinary kubeconfig in a temporary directory, the `rudder` binary and
//! `kubectl` pointed at it, and direct HTTP access to its API to seed and inspect state.
//!
//! Every release test used to carry its own copy of this; one copy keeps them consistent (the
//! same hermetic environment for the binary, the same exit-code and `Error:` checks).

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use rudder::release::{Release, Status};
use rudder::sandbox::{Sandbox, SandboxOptions};
use serde_json::{Value, json};

/// A running sandbox with its kubeconfig, access log and a scratch directory.
pub struct SandboxEnv {
    /// The API server emulator (for `deny`, `delay`, `with_state`, `url`).
    pub sandbox: Sandbox,
    /// Scratch directory holding the kubeconfig, the access log, a HOME and test files.
    pub dir: tempfile::TempDir,
    /// The namespace `rudder` is pointed at with `-n` (none: the kubeconfig's default).
    namespace: Option<String>,
    /// Environment variables set (Some) or removed (None) on every `rudder` command.
    rudder_env: Vec<(String, Option<String>)>,
}

/// The outcome of one process run, its output decoded as text.
pub struct Run {
    /// Exit code; None when killed by a signal.
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    /// Decodes a finished process's output (lossily: a test asserts on text).
    pub fn of(output: Output) -> Run {
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Runs `cmd` to completion.
    pub fn command(mut cmd: Command) -> Run {
        Run::of(cmd.output().expect("start the process"))
    }

    /// Whether the process exited 0.
    pub fn success(&self) -> bool {
        self.code == Some(0)
    }

    /// (exit code or -1 when killed, stdout, stderr), for destructuring at call sites.
    pub fn parts(self) -> (i32, String, String) {
        (self.code.unwrap_or(-1), self.stdout, self.stderr)
    }

    /// Asserts the run failed as every rudder error must: exit 1, one `Error: ...` line, last
    /// on stderr, no panic. Lines before it may only be progress (`--wait`, hooks waited for).
    /// `what` names the command in the failure message.
    pub fn assert_error(self, what: &[&str]) -> Run {
        let stderr = &self.stderr;
        assert_eq!(self.code, Some(1), "rudder {what:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        let lines: Vec<&str> = stderr.trim_end().lines().collect();
        let (last, before) = lines.split_last().expect("an error on stderr");
        assert!(last.starts_with("Error: "), "{stderr}");
        for line in before {
            assert!(
                PROGRESS_LINES.iter().any(|p| line.starts_with(p)),
                "only progress may precede the error, not {line:?}: {stderr}"
            );
        }
        self
    }

    /// The `Error: ...` line of a failed run (the last line of stderr).
    pub fn error_line(&self) -> String {
        self.stderr
            .trim_end()
            .lines()
            .last()
            .unwrap_or_default()
            .to_string()
    }
}

/// How the lines of rudder's progress on stderr (without a terminal) begin.
const PROGRESS_LINES: [&str; 6] = [
    "waiting for ",
    "waiting: ",
    "ready: ",
    "failed: ",
    "deleted: ",
    "hook ",
];

impl SandboxEnv {
    /// Starts a sandbox and creates namespace `ns`, which every `rudder` run targets (`-n ns`).
    pub fn start(ns: &str) -> SandboxEnv {
        let env = SandboxEnv::start_bare(Some(ns));
        env.create(
            "/api/v1/namespaces",
            &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
        );
        env
    }

    /// Starts a sandbox with no namespace created and no `-n` added to `rudder` runs, for
    /// tests whose releases pick their own namespaces.
    pub fn start_without_namespace() -> SandboxEnv {
        SandboxEnv::start_bare(None)
    }

    fn start_bare(ns: Option<&str>) -> SandboxEnv {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("home")).unwrap();
        let sandbox = Sandbox::start(SandboxOptions {
            kubeconfig: Some(dir.path().join("kubeconfig")),
            access_log: Some(dir.path().join("access.log")),
            ..SandboxOptions::default()
        })
        .unwrap();
        SandboxEnv {
            sandbox,
            dir,
            namespace: ns.map(str::to_string),
            rudder_env: Vec::new(),
        }
    }

    /// Sets `key=value` in the environment of every later `rudder` run (a test-wide setting
    /// such as a short lock lease).
    pub fn with_rudder_env(mut self, key: &str, value: &str) -> SandboxEnv {
        self.rudder_env
            .push((key.to_string(), Some(value.to_string())));
        self
    }

    /// Removes `key` from the environment of every later `rudder` run.
    pub fn without_rudder_env(mut self, key: &str) -> SandboxEnv {
        self.rudder_env.push((key.to_string(), None));
        self
    }

    /// The namespace `rudder` runs target (panics for an environment started without one).
    pub fn ns(&self) -> &str {
        self.namespace
            .as_deref()
            .expect("environment started without a namespace")
    }

    /// `name` inside the scratch directory (for charts and files a test writes).
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The kubeconfig that reaches the sandbox.
    pub fn kubeconfig(&self) -> PathBuf {
        self.path("kubeconfig")
    }

    /// The sandbox's access log (one line per request).
    pub fn access_log(&self) -> PathBuf {
        self.path("access.log")
    }

    /// The access log's text so far.
    pub fn access_log_text(&self) -> String {
        std::fs::read_to_string(self.access_log()).unwrap()
    }

    /// Forgets the access log so far, so a test sees only the requests of the next step.
    pub fn clear_access_log(&self) {
        std::fs::write(self.access_log(), "").unwrap();
    }

    /// `rudder ARGS --kubeconfig K [-n NS]`, hermetic: KUBECONFIG, RUDDER_NAMESPACE and
    /// RUDDER_DRIVER removed, HOME in the scratch directory, no stdin.
    pub fn rudder(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_rudder"));
        cmd.args(args).arg("--kubeconfig").arg(self.kubeconfig());
        if let Some(ns) = &self.namespace {
            cmd.args(["-n", ns]);
        }
        cmd.env_remove("KUBECONFIG")
            .env_remove("RUDDER_NAMESPACE")
            .env_remove("RUDDER_DRIVER")
            .env("HOME", self.path("home"))
            .stdin(Stdio::null());
        for (key, value) in &self.rudder_env {
            match value {
                Some(v) => cmd.env(key, v),
                None => cmd.env_remove(key),
            };
        }
        cmd
    }

    /// Runs rudder to completion; asserts it did not panic.
    pub fn run(&self, args: &[&str]) -> Run {
        let run = Run::command(self.rudder(args));
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        run
    }

    /// Runs rudder and asserts success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args);
        assert!(run.success(), "rudder {args:?} failed: {}", run.stderr);
        run.stdout
    }

    /// Runs rudder and asserts it failed with one `Error: ...` line (exit 1); returns that
    /// line.
    pub fn fails(&self, args: &[&str]) -> String {
        self.fails_run(args).error_line()
    }

    /// As `fails`, returning the whole run (for what the failure printed on stdout).
    pub fn fails_run(&self, args: &[&str]) -> Run {
        self.run(args).assert_error(args)
    }

    /// `kubectl --kubeconfig K ARGS` (`$KUBECTL` or `kubectl` on PATH), HOME in the scratch
    /// directory, KUBECONFIG removed.
    pub fn kubectl(&self, args: &[&str]) -> Run {
        let kubectl =
            std::env::var_os("KUBECTL").map_or_else(|| PathBuf::from("kubectl"), PathBuf::from);
        let mut cmd = Command::new(kubectl);
        cmd.arg("--kubeconfig")
            .arg(self.kubeconfig())
            .args(args)
            .env("HOME", self.path("home"))
            .env_remove("KUBECONFIG")
            .stdin(Stdio::null());
        Run::command(cmd)
    }

    /// Runs kubectl and asserts success; returns stdout.
    pub fn kubectl_ok(&self, args: &[&str]) -> String {
        let run = self.kubectl(args);
        assert!(run.success(), "kubectl {args:?}: {}", run.stderr);
        run.stdout
    }

    /// Sends `body` to an API path; returns the status code and the response body.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: String,
    ) -> (u16, String) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let resp = reqwest::blocking::Client::new()
            .request(method, format!("{}{path}", self.sandbox.url()))
            .header("content-type", content_type)
            .body(body)
            .send()
            .unwrap();
        let code = resp.status().as_u16();
        (code, resp.text().unwrap())
    }

    /// Sends a request with a JSON or patch body; returns the status code.
    pub fn send(&self, method: &str, path: &str, content_type: &str, body: String) -> u16 {
        self.request(method, path, content_type, body).0
    }

    /// Sends a JSON object; returns the status code.
    pub fn send_json(&self, method: &str, path: &str, body: &Value) -> u16 {
        self.send(method, path, "application/json", body.to_string())
    }

    /// POSTs `object` to a collection path; asserts it was created.
    pub fn create(&self, collection: &str, object: &Value) {
        let (code, text) = self.request("POST", collection, "application/json", object.to_string());
        assert!(
            (200..300).contains(&code),
            "POST {collection}: {code} {text}"
        );
    }

    /// Merge-patches the object at `path`; asserts success.
    pub fn patch(&self, path: &str, body: &Value) {
        let (code, text) = self.request(
            "PATCH",
            path,
            "application/merge-patch+json",
            body.to_string(),
        );
        assert!((200..300).contains(&code), "PATCH {path}: {code} {text}");
    }

    /// GETs an API path: the status code and the JSON body (a Status object on errors).
    pub fn get_raw(&self, path: &str) -> (u16, Value) {
        let resp = reqwest::blocking::get(format!("{}{path}", self.sandbox.url())).unwrap();
        let code = resp.status().as_u16();
        let text = resp.text().unwrap();
        let body = serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!("GET {path}: {code} with a body that is not JSON ({e}): {text}")
        });
        (code, body)
    }

    /// GETs an API path: None on 404; asserts any other answer succeeded.
    pub fn get(&self, path: &str) -> Option<Value> {
        let (code, body) = self.get_raw(path);
        if code == 404 {
            return None;
        }
        assert!((200..300).contains(&code), "GET {path}: {code} {body}");
        Some(body)
    }

    /// Revision `v` of release `name` in the namespace as stored in its Secret.
    pub fn record(&self, name: &str, v: u64) -> Option<(Value, Release)> {
        super::release_record(|p| self.get(p), self.ns(), name, v)
    }

    /// Revision `v` of release `name` in the namespace; panics when it is not stored.
    pub fn release(&self, name: &str, v: u64) -> Release {
        self.record(name, v)
            .unwrap_or_else(|| panic!("no record of {name} revision {v}"))
            .1
    }

    /// The status of every stored revision of `name` in the namespace, by revision.
    pub fn statuses(&self, name: &str) -> Vec<(u64, Status)> {
        super::release_statuses(|p| self.get(p), self.ns(), name)
    }

    /// Makes the sandbox refuse (403) requests matching `rule` (`verb:resource:namespace`).
    pub fn deny(&self, rule: &str) {
        self.sandbox.deny(rule.parse().unwrap());
    }
}
