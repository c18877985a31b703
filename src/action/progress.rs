//! What a long operation reports while it runs (waiting for resources, running hooks), so the
//! CLI can show it: a live table on a terminal, a line per change otherwise. Actions never
//! print; they hand [`ProgressEvent`]s to the [`ProgressSink`] their options carry.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Receives the events of a running operation (implemented by the CLI).
pub trait Progress: Send + Sync {
    /// One thing happened.
    fn report(&self, event: &ProgressEvent);
}

/// The events an operation reports, in the order they happen.
#[derive(Debug, Clone, PartialEq)]
pub enum ProgressEvent {
    /// Waiting starts for these resources (each as `Kind/name` or `Kind/namespace/name`).
    WaitStarted {
        /// What is waited for.
        resources: Vec<String>,
        /// How long at most.
        timeout: Duration,
    },
    /// A resource's state changed while waiting.
    ResourceState {
        /// The resource, as in [`ProgressEvent::WaitStarted`].
        resource: String,
        /// Whether it is ready (complete, for Jobs) now.
        ready: bool,
        /// Why not yet, or what it is now ("2/3 replicas available", "ImagePullBackOff").
        message: String,
    },
    /// A resource reached a terminal failure while waiting (the wait ends with an error).
    ResourceFailed {
        /// The resource, as in [`ProgressEvent::WaitStarted`].
        resource: String,
        /// Why ("BackoffLimitExceeded: ...", "container web: CrashLoopBackOff").
        message: String,
    },
    /// Waiting ended (successfully or not: the operation's result says which).
    WaitFinished,
    /// A hook starts.
    HookStarted {
        /// The hook's resource, as `Kind/name`.
        resource: String,
        /// The hook event it runs for (`pre-install`, `test` ...).
        event: String,
    },
    /// A hook ended.
    HookFinished {
        /// The hook's resource, as `Kind/name`.
        resource: String,
        /// Whether it succeeded.
        succeeded: bool,
        /// What happened ("Completed", the failure reason).
        message: String,
    },
    /// The log of one container of a hook's pods, copied because the hook's
    /// `helm.sh/hook-output-log-policy` asks for it when the hook succeeded or failed.
    HookLog {
        /// The hook's resource, as `Kind/name`.
        resource: String,
        /// The pod.
        pod: String,
        /// The container.
        container: String,
        /// What it wrote.
        text: String,
    },
}

/// Where an operation's progress goes: nowhere by default.
#[derive(Clone, Default)]
pub struct ProgressSink(Option<Arc<dyn Progress>>);

impl ProgressSink {
    /// A sink handing events to `progress`.
    pub fn new(progress: Arc<dyn Progress>) -> ProgressSink {
        ProgressSink(Some(progress))
    }

    /// Reports `event` (and logs it at debug level, so `--debug` shows it without a sink).
    pub fn report(&self, event: ProgressEvent) {
        tracing::debug!(?event, "progress");
        if let Some(p) = &self.0 {
            p.report(&event);
        }
    }
}

impl fmt::Debug for ProgressSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "ProgressSink(..)"
        } else {
            "ProgressSink(none)"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    struct Collect(Mutex<Vec<ProgressEvent>>);
    impl Progress for Collect {
        fn report(&self, event: &ProgressEvent) {
            self.0.lock().unwrap().push(event.clone());
        }
    }

    #[test]
    fn sink_forwards_events_and_default_drops_them() {
        let collect = Arc::new(Collect(Mutex::new(Vec::new())));
        let sink = ProgressSink::new(collect.clone());
        sink.report(ProgressEvent::WaitFinished);
        ProgressSink::default().report(ProgressEvent::WaitFinished);
        assert_eq!(
            *collect.0.lock().unwrap(),
            vec![ProgressEvent::WaitFinished]
        );
        assert_eq!(
            format!("{:?}", ProgressSink::default()),
            "ProgressSink(none)"
        );
    }
}
