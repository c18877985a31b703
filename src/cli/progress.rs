//! How the CLI shows a running operation's progress on stderr: on a terminal a live table
//! (indicatif) of every resource waited for with its state and reason; otherwise one line per
//! state change (`waiting: Deployment/web: 1/3 replicas available`, `ready: Deployment/web`),
//! which logs and CI keep. Hook events are lines in both.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::action::progress::{Progress, ProgressEvent, ProgressSink};
use crate::kube::wait::human;

/// The sink the CLI's deploying verbs report to: a live table when stderr is a terminal, lines
/// otherwise.
pub fn sink() -> ProgressSink {
    if std::io::stderr().is_terminal() {
        ProgressSink::new(Arc::new(TableProgress::default()))
    } else {
        ProgressSink::new(Arc::new(LineProgress::new(std::io::stderr())))
    }
}

/// The line for an event, if it makes one.
fn line(event: &ProgressEvent) -> Option<String> {
    Some(match event {
        ProgressEvent::WaitStarted { resources, timeout } => format!(
            "waiting for {} resource(s), at most {}",
            resources.len(),
            human(*timeout)
        ),
        ProgressEvent::ResourceState {
            resource,
            ready: true,
            message,
        } if message == "deleted" => format!("deleted: {resource}"),
        ProgressEvent::ResourceState {
            resource,
            ready: true,
            ..
        } => format!("ready: {resource}"),
        ProgressEvent::ResourceState {
            resource, message, ..
        } => format!("waiting: {resource}: {message}"),
        ProgressEvent::ResourceFailed { resource, message } => {
            format!("failed: {resource}: {message}")
        }
        ProgressEvent::WaitFinished => return None,
        ProgressEvent::HookStarted { resource, event } => {
            format!("hook {resource} ({event}): running")
        }
        ProgressEvent::HookFinished {
            resource,
            succeeded,
            message,
        } => {
            let outcome = if *succeeded { "succeeded" } else { "failed" };
            if message.is_empty() {
                format!("hook {resource}: {outcome}")
            } else {
                format!("hook {resource}: {outcome}: {message}")
            }
        }
        ProgressEvent::HookLog {
            resource,
            pod,
            container,
            text,
        } => format!(
            "hook {resource}: log of pod {pod}, container {container}:\n{}",
            text.trim_end_matches('\n')
        ),
    })
}

/// One line per state change, to a writer (stderr).
pub struct LineProgress<W: Write + Send> {
    out: Mutex<W>,
}

impl<W: Write + Send> LineProgress<W> {
    /// Lines to `out`.
    pub fn new(out: W) -> Self {
        LineProgress {
            out: Mutex::new(out),
        }
    }

    /// The writer back (tests read what was written).
    #[cfg(test)]
    pub fn into_inner(self) -> W {
        self.out.into_inner().unwrap_or_else(|p| p.into_inner())
    }
}

impl<W: Write + Send> Progress for LineProgress<W> {
    fn report(&self, event: &ProgressEvent) {
        if let Some(text) = line(event) {
            let mut out = self.out.lock().unwrap_or_else(|p| p.into_inner());
            // Progress is best effort: a closed stderr must not fail the operation.
            let _ = writeln!(out, "{text}");
        }
    }
}

/// The live table: a row per resource waited for (spinner, resource, state and reason).
#[derive(Default)]
pub struct TableProgress {
    state: Mutex<Table>,
}

#[derive(Default)]
struct Table {
    multi: Option<MultiProgress>,
    rows: HashMap<String, ProgressBar>,
}

impl Progress for TableProgress {
    fn report(&self, event: &ProgressEvent) {
        let mut table = self.state.lock().unwrap_or_else(|p| p.into_inner());
        match event {
            ProgressEvent::WaitStarted { resources, .. } => {
                let multi = MultiProgress::with_draw_target(ProgressDrawTarget::stderr());
                let width = resources.iter().map(String::len).max().unwrap_or(0);
                let style = ProgressStyle::with_template(&format!(
                    "{{spinner}} {{prefix:<{width}}}  {{wide_msg}}"
                ))
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
                let _ = multi.println(line(event).unwrap_or_default());
                for r in resources {
                    let bar = multi.add(ProgressBar::new_spinner());
                    bar.set_style(style.clone());
                    bar.set_prefix(r.clone());
                    bar.set_message("waiting for its status");
                    bar.enable_steady_tick(Duration::from_millis(120));
                    table.rows.insert(r.clone(), bar);
                }
                table.multi = Some(multi);
            }
            ProgressEvent::ResourceState {
                resource,
                ready,
                message,
            } => {
                if let Some(bar) = table.rows.get(resource) {
                    if *ready {
                        bar.finish_with_message(format!("ready  {message}"));
                    } else {
                        bar.set_message(format!("waiting  {message}"));
                    }
                }
            }
            ProgressEvent::ResourceFailed { resource, message } => {
                if let Some(bar) = table.rows.get(resource) {
                    bar.abandon_with_message(format!("FAILED  {message}"));
                }
            }
            ProgressEvent::WaitFinished => {
                for bar in table.rows.values() {
                    if !bar.is_finished() {
                        bar.abandon();
                    }
                }
                table.rows.clear();
                if table.multi.take().is_some() {
                    // indicatif leaves the cursor after the table's last row.
                    eprintln!();
                }
            }
            other => {
                let text = line(other).unwrap_or_default();
                match &table.multi {
                    Some(m) => {
                        let _ = m.println(text);
                    }
                    None => eprintln!("{text}"),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_per_change() {
        let p = LineProgress::new(Vec::new());
        for e in [
            ProgressEvent::WaitStarted {
                resources: vec!["Deployment/web".into()],
                timeout: Duration::from_secs(300),
            },
            ProgressEvent::ResourceState {
                resource: "Deployment/web".into(),
                ready: false,
                message: "1/3 replicas available".into(),
            },
            ProgressEvent::ResourceState {
                resource: "Deployment/web".into(),
                ready: true,
                message: "3/3 replicas available".into(),
            },
            ProgressEvent::ResourceFailed {
                resource: "Job/migrate".into(),
                message: "BackoffLimitExceeded".into(),
            },
            ProgressEvent::WaitFinished,
            ProgressEvent::HookStarted {
                resource: "Job/pre".into(),
                event: "pre-install".into(),
            },
            ProgressEvent::HookFinished {
                resource: "Job/pre".into(),
                succeeded: true,
                message: "Completed".into(),
            },
            ProgressEvent::HookLog {
                resource: "Job/pre".into(),
                pod: "pre-x1".into(),
                container: "main".into(),
                text: "one\ntwo\n".into(),
            },
        ] {
            p.report(&e);
        }
        let text = String::from_utf8(p.into_inner()).unwrap();
        assert_eq!(
            text,
            "waiting for 1 resource(s), at most 5m\n\
             waiting: Deployment/web: 1/3 replicas available\n\
             ready: Deployment/web\n\
             failed: Job/migrate: BackoffLimitExceeded\n\
             hook Job/pre (pre-install): running\n\
             hook Job/pre: succeeded: Completed\n\
             hook Job/pre: log of pod pre-x1, container main:\n\
             one\n\
             two\n"
        );
    }
}
