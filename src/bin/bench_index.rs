//! Repository index benchmark: the whole `rudder repo update` and `rudder search repo`
//! processes against the real Helm engine's `repo_index` (fetch + parse), side by side in one
//! run, over the same generated index served by `python3 -m http.server` on 127.0.0.1.
//!
//! ```text
//! cargo build --release && target/release/bench-index [--count 20000] [--runs 5]
//! ```
//! It generates `index.yaml` with `bench/gen_index.py` (COUNT versions over COUNT/20 charts),
//! then measures wall time (median of `--runs`) and peak RSS (wait4's rusage) of:
//! - `rudder repo update` with a changed index each run (full download, parse, cache write);
//! - `rudder repo update` when the server answers 304 (conditional GET);
//! - `rudder search repo nginx` and `rudder search repo` (every chart), from the cache;
//! - a Python child calling `helm_python.repo_index(url)`: its in-process fetch-and-parse time
//!   and the child's peak RSS.
//!
//! It prints what it measured; nothing is assumed.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Instant;

struct Args {
    count: usize,
    runs: usize,
    python: PathBuf,
}

fn parse_args() -> Args {
    let mut args = Args {
        count: 20_000,
        runs: 5,
        python: std::env::var_os("RUDDER_HELM_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(".venv/bin/python")),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().unwrap_or_else(|| panic!("{name} needs a value"));
        match a.as_str() {
            "--count" => args.count = value("--count").parse().expect("--count N"),
            "--runs" => args.runs = value("--runs").parse().expect("--runs N"),
            "--python" => args.python = PathBuf::from(value("--python")),
            other => panic!("unknown argument {other}"),
        }
    }
    args
}

/// Runs `cmd` to completion and returns (wall seconds, peak RSS in KiB, stdout).
fn run_measured(cmd: &mut Command) -> (f64, i64, String) {
    let start = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut stdout = String::new();
    std::io::Read::read_to_string(child.stdout.as_mut().unwrap(), &mut stdout).unwrap();
    let mut stderr = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut stderr).unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 on our own child with valid out-pointers.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let elapsed = start.elapsed().as_secs_f64();
    assert_eq!(r, pid, "wait4 failed");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "command failed: {stderr}"
    );
    std::mem::forget(child);
    (elapsed, usage.ru_maxrss, stdout)
}

struct Served {
    child: Child,
    url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(dir: &Path) -> Served {
    let mut child = Command::new("python3")
        .args([
            "-u",
            "-m",
            "http.server",
            "0",
            "--bind",
            "127.0.0.1",
            "--directory",
        ])
        .arg(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start python3 -m http.server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .split_whitespace()
        .skip_while(|w| *w != "port")
        .nth(1)
        .expect("http.server banner")
        .to_string();
    Served {
        child,
        url: format!("http://127.0.0.1:{port}"),
    }
}

struct Stats {
    median_ms: f64,
    min_ms: f64,
    rss_mib: f64,
}

fn measure(runs: usize, mut before: impl FnMut(), mut cmd: impl FnMut() -> Command) -> Stats {
    let mut times = Vec::new();
    let mut rss = 0;
    for _ in 0..runs {
        before();
        let (t, r, _) = run_measured(&mut cmd());
        times.push(t * 1000.0);
        rss = rss.max(r);
    }
    times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    Stats {
        median_ms: times[times.len() / 2],
        min_ms: times[0],
        rss_mib: rss as f64 / 1024.0,
    }
}

fn main() {
    let args = parse_args();
    let rudder = std::env::current_exe().unwrap().with_file_name("rudder");
    assert!(
        rudder.exists(),
        "build rudder first (cargo build --release)"
    );
    let tmp = std::env::temp_dir().join(format!("rudder-bench-index-{}", std::process::id()));
    let repo = tmp.join("repo");
    let home = tmp.join("home");
    std::fs::create_dir_all(&repo).unwrap();
    let index = repo.join("index.yaml");
    let status = Command::new("python3")
        .arg("bench/gen_index.py")
        .arg(args.count.to_string())
        .arg(&index)
        .stdout(Stdio::null())
        .status()
        .expect("run bench/gen_index.py");
    assert!(status.success(), "gen_index.py failed");
    let size = std::fs::metadata(&index).unwrap().len();
    let server = serve(&repo);
    let rudder_cmd = |args: &[&str]| {
        let mut c = Command::new(&rudder);
        c.args(args)
            .env("RUDDER_CONFIG_HOME", home.join("config"))
            .env("RUDDER_CACHE_HOME", home.join("cache"))
            .env("RUDDER_DATA_HOME", home.join("data"))
            .env_remove("RUDDER_REPOSITORY_CONFIG")
            .env_remove("RUDDER_REPOSITORY_CACHE");
        c
    };
    run_measured(&mut rudder_cmd(&["repo", "add", "bench", &server.url]));
    // A new modification time makes the static host send the whole index again.
    let mut bump = 0u64;
    let mut touch = || {
        bump += 1;
        let t = std::time::SystemTime::now() + std::time::Duration::from_secs(bump);
        std::fs::File::options()
            .write(true)
            .open(&index)
            .unwrap()
            .set_modified(t)
            .unwrap();
    };
    let update = measure(args.runs, &mut touch, || rudder_cmd(&["repo", "update"]));
    let update_304 = measure(args.runs, || {}, || rudder_cmd(&["repo", "update"]));
    let search_kw = measure(
        args.runs,
        || {},
        || rudder_cmd(&["search", "repo", "nginx"]),
    );
    let search_all = measure(args.runs, || {}, || rudder_cmd(&["search", "repo"]));
    let (_, _, hits) = run_measured(&mut rudder_cmd(&["search", "repo", "nginx", "-o", "json"]));
    let hits: serde_json::Value = serde_json::from_str(&hits).unwrap();

    let script = format!(
        "import time, helm_python as h\nt = time.perf_counter()\nidx = h.repo_index({url:?})\nprint((time.perf_counter() - t) * 1000, sum(len(v) for v in idx['entries'].values()))\n",
        url = server.url
    );
    let mut helm_times = Vec::new();
    let mut helm_proc = Vec::new();
    let mut helm_rss = 0;
    let mut helm_versions = 0usize;
    for _ in 0..args.runs {
        let (wall, rss, out) = run_measured(Command::new(&args.python).arg("-c").arg(&script));
        let mut parts = out.split_whitespace();
        helm_times.push(parts.next().unwrap().parse::<f64>().unwrap());
        helm_versions = parts.next().unwrap().parse().unwrap();
        helm_proc.push(wall * 1000.0);
        helm_rss = helm_rss.max(rss);
    }
    helm_times.sort_by(|a, b| a.partial_cmp(b).unwrap());
    helm_proc.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let helm_ms = helm_times[helm_times.len() / 2];
    let helm_rss_mib = helm_rss as f64 / 1024.0;

    println!(
        "index: {} versions over {} charts, {:.1} MiB; {} runs each; Helm parsed {} versions",
        args.count,
        args.count.div_ceil(20).max(1),
        size as f64 / (1024.0 * 1024.0),
        args.runs,
        helm_versions
    );
    println!(
        "{:<34} {:>10} {:>10} {:>10} {:>10} {:>10}",
        "measure", "median", "min", "peak_rss", "time/helm", "rss/helm"
    );
    let row = |name: &str, s: &Stats| {
        println!(
            "{:<34} {:>8.0}ms {:>8.0}ms {:>7.1}MiB {:>10.3} {:>10.3}",
            name,
            s.median_ms,
            s.min_ms,
            s.rss_mib,
            s.median_ms / helm_ms,
            s.rss_mib / helm_rss_mib
        );
    };
    row("rudder repo update (changed)", &update);
    row("rudder repo update (304)", &update_304);
    row(
        &format!(
            "rudder search repo nginx ({} hits)",
            hits.as_array().map_or(0, Vec::len)
        ),
        &search_kw,
    );
    row("rudder search repo (all charts)", &search_all);
    println!(
        "{:<34} {:>8.0}ms {:>8.0}ms {:>7.1}MiB   (process median {:.0}ms)",
        "helm_python.repo_index (in-process)",
        helm_ms,
        helm_times[0],
        helm_rss_mib,
        helm_proc[helm_proc.len() / 2]
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&tmp);
}
