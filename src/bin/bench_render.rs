//! Render benchmark: the whole `rudder template` process against the real Helm engine's
//! in-process render of the same chart, side by side in one run.
//!
//! ```text
//! cargo build --release && target/release/bench-render [--runs 15] [--sizes 10,100,1000]
//! ```
//! For each size N it generates the `scale` chart (N apps × Deployment + Service + ConfigMap) with
//! `bench/gen_chart.py` in both dialects, then measures:
//! - rudder: wall time (median and min of `--runs` process runs) and peak RSS of
//!   `rudder template bench <chart>`, output discarded;
//! - Helm: median and min in-process `Chart.render` time via `helm_python` (no process start
//!   counted), in one long-lived Python process.
//!
//! The runs alternate (a rudder process, a Helm render, and so on), so that both see the same
//! machine: on a shared machine a burst of load during one tool's block of runs would otherwise
//! move the ratio.
//!
//! It prints what it measured; nothing is assumed.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

struct Args {
    runs: usize,
    sizes: Vec<usize>,
    python: PathBuf,
}

fn parse_args() -> Args {
    let mut args = Args {
        runs: 15,
        sizes: vec![10, 100, 1000],
        python: std::env::var_os("RUDDER_HELM_PYTHON")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(".venv/bin/python")),
    };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--runs" => args.runs = it.next().and_then(|v| v.parse().ok()).expect("--runs N"),
            "--sizes" => {
                args.sizes = it
                    .next()
                    .expect("--sizes N,N")
                    .split(',')
                    .map(|s| s.parse().expect("a size"))
                    .collect()
            }
            "--python" => args.python = PathBuf::from(it.next().expect("--python PATH")),
            other => panic!("unknown argument {other}"),
        }
    }
    args
}

/// Runs `cmd` to completion and returns (wall seconds, peak RSS in KiB) from wait4's rusage.
fn run_measured(cmd: &mut Command) -> (f64, i64) {
    let start = Instant::now();
    let child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("spawn");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: wait4 on our own child with valid out-pointers.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let elapsed = start.elapsed().as_secs_f64();
    assert_eq!(r, pid, "wait4 failed");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "command failed"
    );
    std::mem::forget(child);
    (elapsed, usage.ru_maxrss)
}

fn generate(n: usize, dialect: &str, dir: &Path) {
    let status = Command::new("python3")
        .arg("bench/gen_chart.py")
        .arg(n.to_string())
        .arg(dir)
        .args(["--dialect", dialect])
        .stdout(Stdio::null())
        .status()
        .expect("run bench/gen_chart.py");
    assert!(status.success(), "gen_chart.py failed");
}

/// The Helm engine in a long-lived Python process with the Go chart loaded: each `render` line
/// on its stdin renders the chart once and answers with the milliseconds it took, so its runs
/// can be interleaved with rudder's (both see the same machine, whatever else it is doing).
struct HelmRenderer {
    child: std::process::Child,
    input: std::process::ChildStdin,
    output: std::io::BufReader<std::process::ChildStdout>,
}

impl HelmRenderer {
    fn start(python: &Path, chart: &Path) -> HelmRenderer {
        let script = format!(
            r#"
import sys, time, helm_python as h
c = h.Chart.load({chart:?})
c.render({{}}, name="bench", namespace="default")  # warm-up, not counted
print("ready", flush=True)
for line in sys.stdin:
    t = time.perf_counter(); c.render({{}}, name="bench", namespace="default")
    print((time.perf_counter() - t) * 1000, flush=True)
"#,
            chart = chart.display().to_string()
        );
        let mut child = Command::new(python)
            .arg("-c")
            .arg(script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("run the Helm engine");
        let input = child.stdin.take().unwrap();
        let output = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut helm = HelmRenderer {
            child,
            input,
            output,
        };
        assert_eq!(helm.read_line(), "ready", "the Helm engine did not start");
        helm
    }

    fn read_line(&mut self) -> String {
        use std::io::BufRead;
        let mut line = String::new();
        self.output
            .read_line(&mut line)
            .expect("read from the Helm engine");
        assert!(!line.is_empty(), "the Helm engine exited");
        line.trim().to_string()
    }

    /// One in-process render, in milliseconds.
    fn render_ms(&mut self) -> f64 {
        use std::io::Write;
        writeln!(self.input, "render").expect("write to the Helm engine");
        self.input.flush().unwrap();
        self.read_line().parse().expect("a time in milliseconds")
    }
}

impl Drop for HelmRenderer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn median(sorted: &[f64]) -> f64 {
    sorted[sorted.len() / 2]
}

/// The 1-, 5- and 15-minute load averages, to say how busy the machine was during a run.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

fn main() {
    let args = parse_args();
    println!("load average before: {}", load_average());
    let rudder = std::env::current_exe().unwrap().with_file_name("rudder");
    assert!(
        rudder.exists(),
        "build rudder first (cargo build --release)"
    );
    let tmp = std::env::temp_dir().join(format!("rudder-bench-{}", std::process::id()));
    println!(
        "rudder template (whole process) vs Helm v4 engine render (in-process), {} runs each, interleaved",
        args.runs
    );
    println!(
        "{:>6} {:>8} {:>12} {:>12} {:>12} {:>10} {:>12} {:>12} {:>8}",
        "apps",
        "objects",
        "rudder_med",
        "rudder_min",
        "rudder_rss",
        "out_bytes",
        "helm_med",
        "helm_min",
        "ratio"
    );
    for &n in &args.sizes {
        let tera_dir = tmp.join(format!("tera-{n}"));
        let go_dir = tmp.join(format!("go-{n}"));
        generate(n, "tera", &tera_dir);
        generate(n, "go", &go_dir);
        let out = Command::new(&rudder)
            .args(["template", "bench"])
            .arg(&tera_dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "rudder template failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out_bytes = out.stdout.len();
        let mut helm = HelmRenderer::start(&args.python, &go_dir);
        // Interleaved: one rudder process, then one Helm render, `runs` times.
        let (mut times, mut helm_times) = (Vec::new(), Vec::new());
        let mut rss = 0;
        for _ in 0..args.runs {
            let (t, r) = run_measured(
                Command::new(&rudder)
                    .args(["template", "bench"])
                    .arg(&tera_dir),
            );
            times.push(t * 1000.0);
            rss = rss.max(r);
            helm_times.push(helm.render_ms());
        }
        drop(helm);
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        helm_times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        let (rudder_ms, helm_ms) = (median(&times), median(&helm_times));
        println!(
            "{:>6} {:>8} {:>10.2}ms {:>10.2}ms {:>9.1}MiB {:>10} {:>10.2}ms {:>10.2}ms {:>7.2}x",
            n,
            3 * n,
            rudder_ms,
            times[0],
            rss as f64 / 1024.0,
            out_bytes,
            helm_ms,
            helm_times[0],
            helm_ms / rudder_ms
        );
    }
    println!("load average after: {}", load_average());
    let _ = std::fs::remove_dir_all(&tmp);
}
