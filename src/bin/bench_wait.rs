//! Waiting benchmark: what `install --wait` costs in API requests for a release of N
//! Deployments that become ready after a delay (`sandbox.rudder.dev/simulate: delay=2s`), for
//! `rudder` and for the real Helm engine (helm_python, Helm v4, `wait="watcher"`).
//!
//! ```text
//! cargo build --release && target/release/bench-wait [--deployments 100] [--delay 2s] [--no-helm]
//! ```
//! Each tool installs the same chart (plain YAML, valid as Tera and as Go templates) twice, in a
//! fresh in-process sandbox each time (access log on): once without waiting and once with. The
//! requests the waiting install made beyond the plain one are the cost of waiting; the report
//! splits every request by verb (watch, list, get, apply/write, discovery) and, for reads, by
//! resource. It prints what it measured; nothing is assumed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use rudder::sandbox::{Sandbox, SandboxOptions};

struct Args {
    deployments: usize,
    delay: String,
    python: PathBuf,
    helm: bool,
}

fn parse_args() -> Args {
    let mut args = Args {
        deployments: 100,
        delay: "2s".into(),
        python: std::env::var_os("RUDDER_HELM_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(".venv/bin/python")),
        helm: true,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().unwrap_or_else(|| panic!("{name} needs a value"));
        match a.as_str() {
            "--deployments" => {
                args.deployments = value("--deployments").parse().expect("--deployments N")
            }
            "--delay" => args.delay = value("--delay"),
            "--python" => args.python = PathBuf::from(value("--python")),
            "--no-helm" => args.helm = false,
            other => panic!("unknown argument {other}"),
        }
    }
    args
}

/// The Helm side: one install in a child process; prints `{"seconds": ...}`.
const HELM_SCRIPT: &str = r#"
import json, sys, time
import helm_python as h
chart, kubeconfig, wait = sys.argv[1:4]
cfg = h.Config(kubeconfig_path=kubeconfig, namespace="bench")
start = time.monotonic()
cfg.install(chart, "bench", None, namespace="bench", create_namespace=True, timeout=600,
            wait=("watcher" if wait == "yes" else None))
print(json.dumps({"seconds": time.monotonic() - start}))
"#;

/// A chart of `n` Deployments that become ready `delay` after they are applied.
fn chart(dir: &Path, n: usize, delay: &str) -> PathBuf {
    let root = dir.join("waitbench");
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(
        root.join("Chart.yaml"),
        "apiVersion: v2\nname: waitbench\nversion: 0.1.0\n",
    )
    .unwrap();
    let mut text = String::new();
    for i in 0..n {
        text.push_str(&format!(
            "---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-{i}\n  annotations:\n    sandbox.rudder.dev/simulate: \"delay={delay}\"\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: app-{i}\n  template:\n    metadata:\n      labels:\n        app: app-{i}\n    spec:\n      containers:\n      - name: main\n        image: nginx:1.27\n"
        ));
    }
    std::fs::write(root.join("templates/deployments.yaml"), text).unwrap();
    root
}

/// One access-log request: what kind of request and on which resource.
fn classify(line: &str) -> (String, String) {
    let mut parts = line.split(' ');
    let method = parts.next().unwrap_or_default();
    let target = parts.next().unwrap_or_default();
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let rest = match segments.as_slice() {
        ["api", _v, rest @ ..] => rest,
        ["apis", _g, _v, rest @ ..] => rest,
        _ => return ("discovery".into(), "-".into()),
    };
    let (resource, named) = match rest {
        [] => return ("discovery".into(), "-".into()),
        ["namespaces", _ns, resource, tail @ ..] => (*resource, !tail.is_empty()),
        ["namespaces", tail @ ..] => ("namespaces", !tail.is_empty()),
        [resource, tail @ ..] => (*resource, !tail.is_empty()),
    };
    let verb = match method {
        "GET"
            if query
                .split('&')
                .any(|p| p == "watch=true" || p == "watch=1") =>
        {
            "watch"
        }
        "GET" if named => "get",
        "GET" => "list",
        "PATCH" => "apply/patch",
        other => other,
    };
    (verb.to_string(), resource.to_string())
}

/// Requests of one install, by verb and by (verb, resource).
#[derive(Default)]
struct Counts {
    total: usize,
    by_verb: BTreeMap<String, usize>,
    by_read: BTreeMap<(String, String), usize>,
    seconds: f64,
}

fn count(log: &Path, seconds: f64) -> Counts {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let mut c = Counts {
        seconds,
        ..Counts::default()
    };
    for line in text.lines().filter(|l| !l.is_empty()) {
        let (verb, resource) = classify(line);
        c.total += 1;
        *c.by_verb.entry(verb.clone()).or_insert(0) += 1;
        if matches!(verb.as_str(), "watch" | "list" | "get") {
            *c.by_read.entry((verb, resource)).or_insert(0) += 1;
        }
    }
    c
}

/// Installs the chart with one tool in a fresh sandbox; `wait` adds waiting.
fn install(tool: &str, args: &Args, chart: &Path, dir: &Path, wait: bool) -> Counts {
    let name = format!("{tool}-{}", if wait { "wait" } else { "plain" });
    let kubeconfig = dir.join(format!("{name}.kubeconfig"));
    let log = dir.join(format!("{name}.access.log"));
    let sandbox = Sandbox::start(SandboxOptions {
        kubeconfig: Some(kubeconfig.clone()),
        access_log: Some(log.clone()),
        ..SandboxOptions::default()
    })
    .expect("start sandbox");
    let mut cmd = if tool == "rudder" {
        let exe = std::env::current_exe().expect("own path");
        let mut c = Command::new(exe.with_file_name("rudder"));
        c.args(["install", "bench"])
            .arg(chart)
            .args(["--create-namespace", "--timeout", "10m", "-n", "bench"])
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .env_remove("RUDDER_DRIVER")
            .env_remove("KUBECONFIG");
        if wait {
            c.arg("--wait");
        }
        c
    } else {
        let mut c = Command::new(&args.python);
        c.args(["-c", HELM_SCRIPT])
            .arg(chart)
            .arg(&kubeconfig)
            .arg(if wait { "yes" } else { "no" })
            .env("HOME", dir);
        c
    };
    let start = Instant::now();
    let out = cmd.output().expect("spawn");
    let seconds = start.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{name} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    sandbox.stop();
    count(&log, seconds)
}

fn report(tool: &str, plain: &Counts, wait: &Counts) {
    println!("## {tool}");
    println!(
        "install without --wait: {} requests, {:.2}s; with --wait: {} requests, {:.2}s; \
         waiting cost: {} requests",
        plain.total,
        plain.seconds,
        wait.total,
        wait.seconds,
        wait.total as i64 - plain.total as i64
    );
    println!(
        "{:<14} {:>8} {:>8} {:>8}",
        "verb", "plain", "--wait", "extra"
    );
    let verbs: std::collections::BTreeSet<&String> =
        plain.by_verb.keys().chain(wait.by_verb.keys()).collect();
    for v in verbs {
        let p = plain.by_verb.get(v).copied().unwrap_or(0);
        let w = wait.by_verb.get(v).copied().unwrap_or(0);
        println!("{v:<14} {p:>8} {w:>8} {:>8}", w as i64 - p as i64);
    }
    println!("reads by resource (with --wait):");
    for ((verb, resource), n) in &wait.by_read {
        let p = plain
            .by_read
            .get(&(verb.clone(), resource.clone()))
            .copied()
            .unwrap_or(0);
        println!("  {verb:<6} {resource:<24} {n:>6} (plain {p})");
    }
    println!();
}

fn main() {
    let args = parse_args();
    let dir = tempfile::tempdir().expect("temp dir");
    let chart = chart(dir.path(), args.deployments, &args.delay);
    println!(
        "# waiting for {} Deployments (simulate delay={}), one install each way per tool\n",
        args.deployments, args.delay
    );
    let plain = install("rudder", &args, &chart, dir.path(), false);
    let wait = install("rudder", &args, &chart, dir.path(), true);
    report("rudder", &plain, &wait);
    if args.helm {
        let plain = install("helm", &args, &chart, dir.path(), false);
        let wait = install("helm", &args, &chart, dir.path(), true);
        report("helm (v4, wait=watcher)", &plain, &wait);
    }
}

#[cfg(test)]
mod tests {
    use super::classify;

    #[test]
    fn classifies_access_log_lines() {
        let c = |l: &str| {
            let (v, r) = classify(l);
            format!("{v} {r}")
        };
        assert_eq!(
            c("GET /apis/apps/v1/namespaces/b/deployments?watch=true&timeoutSeconds=9 200"),
            "watch deployments"
        );
        assert_eq!(
            c("GET /apis/apps/v1/namespaces/b/deployments/app-1 200"),
            "get deployments"
        );
        assert_eq!(
            c("GET /api/v1/namespaces/b/secrets?labelSelector=x 200"),
            "list secrets"
        );
        assert_eq!(
            c("PATCH /api/v1/namespaces/b 200"),
            "apply/patch namespaces"
        );
        assert_eq!(c("GET /apis/apps/v1 200"), "discovery -");
        assert_eq!(c("GET /version 200"), "discovery -");
    }
}
