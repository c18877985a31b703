//! Release benchmark: install, then upgrade, of a generated release of 3×APPS resources
//! (Deployment, Service, ConfigMap per app; `bench/gen_chart.py`) against the sandbox, for
//! `rudder` and for the real Helm engine (helm_python, Helm v4), side by side in one run.
//!
//! ```text
//! cargo build --release && target/release/bench-release [--apps 100] [--runs 3]
//! ```
//! Each run starts a fresh sandbox per tool (in this process, access log on), so both see the
//! same empty cluster. Measured per operation:
//! - API requests: lines the sandbox's access log gained during the operation;
//! - wall time: for rudder the whole `rudder install|upgrade` process; for Helm the in-process
//!   time of `Config.install|upgrade` (library load and Python start excluded, which favours
//!   Helm) and, for reference, the whole child process.
//!
//! The upgrade changes every Deployment's image (a second values file), the same for both.
//! It prints what it measured; nothing is assumed.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use rudder::sandbox::{Sandbox, SandboxOptions};

struct Args {
    apps: usize,
    runs: usize,
    python: PathBuf,
    helm_qps: Option<f64>,
}

fn parse_args() -> Args {
    let mut args = Args {
        apps: 100,
        runs: 3,
        python: std::env::var_os("RUDDER_HELM_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(".venv/bin/python")),
        helm_qps: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().unwrap_or_else(|| panic!("{name} needs a value"));
        match a.as_str() {
            "--apps" => args.apps = value("--apps").parse().expect("--apps N"),
            "--runs" => args.runs = value("--runs").parse().expect("--runs N"),
            "--python" => args.python = PathBuf::from(value("--python")),
            "--helm-qps" => {
                args.helm_qps = Some(value("--helm-qps").parse().expect("--helm-qps X"))
            }
            other => panic!("unknown argument {other}"),
        }
    }
    args
}

/// The Helm side: one operation in a child process; prints `{"seconds": ...}`.
const HELM_SCRIPT: &str = r#"
import json, sys, time
import helm_python as h
op, chart, kubeconfig, values_file, qps = sys.argv[1:6]
kw = {"kubeconfig_path": kubeconfig, "namespace": "bench"}
if qps != "default":
    kw["qps"] = float(qps)
    kw["burst_limit"] = int(float(qps) * 2)
cfg = h.Config(**kw)
values = json.load(open(values_file)) if values_file != "-" else None
start = time.monotonic()
if op == "install":
    cfg.install(chart, "bench", values, namespace="bench", create_namespace=True, timeout=600)
else:
    cfg.upgrade(chart, "bench", values, namespace="bench", timeout=600)
print(json.dumps({"seconds": time.monotonic() - start}))
"#;

struct Charts {
    tera: PathBuf,
    go: PathBuf,
    upgrade_values: PathBuf,
    upgrade_values_json: PathBuf,
}

fn generate(dir: &Path, apps: usize) -> Charts {
    let gen_chart = |dialect: &str| {
        let out = dir.join(dialect);
        let status = Command::new("python3")
            .arg("bench/gen_chart.py")
            .arg(apps.to_string())
            .arg(&out)
            .args(["--dialect", dialect])
            .stdout(Stdio::null())
            .status()
            .expect("run bench/gen_chart.py");
        assert!(status.success(), "gen_chart.py failed");
        out
    };
    let tera = gen_chart("tera");
    let go = gen_chart("go");
    // The upgrade: every app's image gets a new tag.
    let values = std::fs::read_to_string(tera.join("values.yaml")).unwrap();
    let mut doc: serde_json::Value = yaml_serde::from_str(&values).unwrap();
    for app in doc["apps"].as_array_mut().expect("values.yaml has apps") {
        let image = app["image"].as_str().unwrap_or("app").to_string();
        let base = image.split(':').next().unwrap_or("app").to_string();
        app["image"] = format!("{base}:upgraded").into();
    }
    let upgrade_values = dir.join("upgrade-values.yaml");
    std::fs::write(&upgrade_values, yaml_serde::to_string(&doc).unwrap()).unwrap();
    let upgrade_values_json = dir.join("upgrade-values.json");
    std::fs::write(&upgrade_values_json, doc.to_string()).unwrap();
    Charts {
        tera,
        go,
        upgrade_values,
        upgrade_values_json,
    }
}

struct Measured {
    seconds: f64,
    process_seconds: f64,
    requests: usize,
}

fn log_lines(log: &Path) -> usize {
    std::fs::read_to_string(log)
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

fn run(cmd: &mut Command, log: &Path) -> (f64, usize, String) {
    let before = log_lines(log);
    let start = Instant::now();
    let out = cmd.output().expect("spawn");
    let elapsed = start.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "command failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The access log is written as requests finish; the command has exited, so all are in.
    (
        elapsed,
        log_lines(log) - before,
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn start_sandbox(dir: &Path, name: &str) -> (Sandbox, PathBuf, PathBuf) {
    let kubeconfig = dir.join(format!("{name}.kubeconfig"));
    let log = dir.join(format!("{name}.access.log"));
    let _ = std::fs::remove_file(&log);
    let sandbox = Sandbox::start(SandboxOptions {
        kubeconfig: Some(kubeconfig.clone()),
        access_log: Some(log.clone()),
        ..SandboxOptions::default()
    })
    .expect("start sandbox");
    (sandbox, kubeconfig, log)
}

fn rudder_run(rudder: &Path, charts: &Charts, dir: &Path, run_no: usize) -> [Measured; 2] {
    let (sandbox, kubeconfig, log) = start_sandbox(dir, &format!("rudder-{run_no}"));
    let cmd = |args: &[&str]| {
        let mut c = Command::new(rudder);
        c.args(args)
            .arg("--kubeconfig")
            .arg(&kubeconfig)
            .args(["-n", "bench"])
            .env_remove("RUDDER_DRIVER")
            .env_remove("KUBECONFIG");
        c
    };
    let chart = charts.tera.to_str().unwrap();
    let (t1, r1, _) = run(
        &mut cmd(&["install", "bench", chart, "--create-namespace"]),
        &log,
    );
    let (t2, r2, _) = run(
        &mut cmd(&[
            "upgrade",
            "bench",
            chart,
            "-f",
            charts.upgrade_values.to_str().unwrap(),
        ]),
        &log,
    );
    sandbox.stop();
    [
        Measured {
            seconds: t1,
            process_seconds: t1,
            requests: r1,
        },
        Measured {
            seconds: t2,
            process_seconds: t2,
            requests: r2,
        },
    ]
}

fn helm_run(args: &Args, charts: &Charts, dir: &Path, run_no: usize) -> [Measured; 2] {
    let (sandbox, kubeconfig, log) = start_sandbox(dir, &format!("helm-{run_no}"));
    let qps = args
        .helm_qps
        .map(|q| q.to_string())
        .unwrap_or_else(|| "default".into());
    let values = charts.upgrade_values_json.to_str().unwrap();
    let op = |name: &str, values: &str| {
        let (t, r, out) = run(
            Command::new(&args.python)
                .args(["-c", HELM_SCRIPT, name])
                .arg(&charts.go)
                .arg(&kubeconfig)
                .args([values, &qps])
                .env_remove("HELM_DRIVER"),
            &log,
        );
        let v: serde_json::Value = serde_json::from_str(out.trim()).expect("helm script output");
        Measured {
            seconds: v["seconds"].as_f64().unwrap(),
            process_seconds: t,
            requests: r,
        }
    };
    let install = op("install", "-");
    let upgrade = op("upgrade", values);
    sandbox.stop();
    [install, upgrade]
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    let args = parse_args();
    let rudder = std::env::current_exe().unwrap().with_file_name("rudder");
    assert!(
        rudder.exists(),
        "build rudder first (cargo build --release)"
    );
    let dir = std::env::temp_dir().join(format!("rudder-bench-release-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let charts = generate(&dir, args.apps);
    let mut ours = Vec::new();
    let mut helms = Vec::new();
    for run_no in 0..args.runs {
        ours.push(rudder_run(&rudder, &charts, &dir, run_no));
        helms.push(helm_run(&args, &charts, &dir, run_no));
    }
    println!(
        "release benchmark: {} resources ({} apps × Deployment+Service+ConfigMap), {} runs, medians",
        args.apps * 3,
        args.apps,
        args.runs
    );
    println!(
        "Helm client QPS: {}",
        args.helm_qps
            .map(|q| format!("{q} (burst {})", (q * 2.0) as i64))
            .unwrap_or_else(|| "Helm's default".into())
    );
    println!(
        "{:<8} {:>14} {:>14} {:>16} {:>14} {:>16} {:>10}",
        "op", "rudder req", "helm req", "rudder ms", "helm ms", "helm process ms", "ratio"
    );
    for (i, op) in ["install", "upgrade"].iter().enumerate() {
        let r_req = median(ours.iter().map(|m| m[i].requests as f64).collect());
        let h_req = median(helms.iter().map(|m| m[i].requests as f64).collect());
        let r_ms = median(ours.iter().map(|m| m[i].seconds * 1000.0).collect());
        let h_ms = median(helms.iter().map(|m| m[i].seconds * 1000.0).collect());
        let h_proc = median(
            helms
                .iter()
                .map(|m| m[i].process_seconds * 1000.0)
                .collect(),
        );
        println!(
            "{op:<8} {r_req:>14} {h_req:>14} {r_ms:>16.0} {h_ms:>14.0} {h_proc:>16.0} {:>10.2}",
            r_ms / h_ms
        );
    }
    println!("(ratio = rudder wall time / Helm in-process time; process ms includes Python start)");
    let _ = std::fs::remove_dir_all(&dir);
}
