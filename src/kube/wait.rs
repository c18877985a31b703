//! Waiting for a set of objects to become ready (or to be gone), with AT MOST ONE WATCH PER
//! RESOURCE KIND AND NAMESPACE, not one per object, and no polling: each kind's objects are
//! followed by one watch (a streaming list, `sendInitialEvents`, where the server has it; else a
//! list then a watch from its resourceVersion), filtered to the wanted names client-side, and
//! re-established from the last resourceVersion seen when the server closes it. Waiting for
//! workloads also follows the Pods of their namespace (one more watch), so their reasons name
//! the first unready pod. A resource that reaches [`State::Failed`] ends the wait at once; at
//! the deadline the error names every resource not ready and why.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;
use kube::api::{Api, DynamicObject};
use kube::core::ApiResource;
use serde_json::Value;
use tokio::sync::mpsc;

use super::client::Cluster;
use super::discovery::Resource;
use super::error::KubeError;
use super::object::ObjectRef;
use super::readiness::{Readiness, ReadinessOptions, State, pods_reason, readiness, selects};
use super::watch::{Update, follow};

/// What to wait for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitFor {
    /// Every object ready by [`readiness`]'s rules.
    Ready(ReadinessOptions),
    /// Every object gone (uninstall `--wait`).
    Deleted,
}

/// How to wait.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WaitOptions {
    /// Ready, or gone.
    pub mode: WaitFor,
    /// How long at most.
    pub timeout: Duration,
    /// How long one watch request may stay open before it is re-established (the server may
    /// close it sooner); [`WaitOptions::new`] sets the API server's limit, tests shorten it.
    pub max_watch: Duration,
}

impl WaitOptions {
    /// Waits for `mode` at most `timeout`, each watch open as long as the server allows.
    pub fn new(mode: WaitFor, timeout: Duration) -> WaitOptions {
        WaitOptions {
            mode,
            timeout,
            max_watch: Duration::from_secs(MAX_WATCH_SECS),
        }
    }
}

/// Why a wait did not succeed.
#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    /// The deadline passed; every resource still not ready, with why.
    #[error("timed out after {after} waiting for {} resource(s): {}", pending.len(),
        pending.iter().map(|(r, m)| format!("{r}: {m}")).collect::<Vec<_>>().join("; "))]
    TimedOut {
        /// The timeout, as `5s`, `2m` or `1m30s`.
        after: String,
        /// `(resource, reason)` of each resource not ready, in the order given.
        pending: Vec<(String, String)>,
    },
    /// A resource reached a terminal failure.
    #[error("{resource} failed: {message}")]
    Failed {
        /// The resource, as `Kind/name`.
        resource: String,
        /// Why.
        message: String,
    },
    /// The cluster could not be asked.
    #[error(transparent)]
    Kube(#[from] KubeError),
}

/// How long one watch request stays open at most (the API server's limit is below 300s).
const MAX_WATCH_SECS: u64 = 290;

/// `Kind/name` for objects in `default_ns` or cluster-scoped ones, `Kind/namespace/name`
/// otherwise: how waiting names a resource in progress lines and errors.
pub fn label(id: &ObjectRef, default_ns: &str) -> String {
    match id.namespace.as_deref() {
        Some(ns) if ns != default_ns => format!("{}/{}/{}", id.kind, ns, id.name),
        _ => format!("{}/{}", id.kind, id.name),
    }
}

/// A duration as a person writes it: `500ms`, `5s`, `2m`, `1m30s`, `1h`.
pub fn human(d: Duration) -> String {
    let secs = d.as_secs();
    if d.subsec_millis() != 0 && secs < 60 {
        return format!("{}ms", d.as_millis());
    }
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut out = String::new();
    for (n, unit) in [(h, "h"), (m, "m"), (s, "s")] {
        if n != 0 {
            out.push_str(&format!("{n}{unit}"));
        }
    }
    if out.is_empty() { "0s".into() } else { out }
}

/// One followed object.
struct Entry {
    label: String,
    /// Its namespace (for its pods).
    namespace: Option<String>,
    now: Option<Readiness>,
    /// The object as last seen (`None`: not seen, or gone).
    last: Option<Box<Value>>,
}

/// What one follower (one watch) follows.
enum Followed {
    /// The release's objects of one resource in one namespace.
    Targets(Api<DynamicObject>, HashSet<String>),
    /// Every Pod of a namespace, to say why the workloads there are not ready.
    Pods(Api<DynamicObject>),
}

/// The state of a wait: every object's readiness, and the pods of their namespaces.
struct Tracker {
    mode: WaitFor,
    entries: HashMap<(usize, String), Entry>,
    order: Vec<(usize, String)>,
    /// Followers of Pods: group → namespace.
    pod_groups: HashMap<usize, String>,
    /// Pods by namespace, then name (ordered, so the pod a reason names does not flap).
    pods: HashMap<String, BTreeMap<String, Value>>,
    pending: usize,
}

impl Tracker {
    /// Takes in what a follower saw; `Some` when the wait is over.
    fn update(
        &mut self,
        update: Update,
        on_change: &mut dyn FnMut(&str, &Readiness),
    ) -> Option<Result<(), WaitError>> {
        let (g, name, obj) = match update {
            Update::Seen(g, name, obj) => (g, name, Some(obj)),
            Update::Gone(g, name) => (g, name, None),
        };
        let mut keys: Vec<(usize, String)> = Vec::new();
        if let Some(ns) = self.pod_groups.get(&g) {
            let pods = self.pods.entry(ns.clone()).or_default();
            let before = match &obj {
                Some(pod) => pods.insert(name.clone(), (**pod).clone()),
                None => pods.remove(&name),
            };
            let after = pods.get(&name);
            // Only the workloads this pod belongs (or belonged) to can change.
            keys = self
                .order
                .iter()
                .filter(|k| {
                    let e = &self.entries[*k];
                    e.namespace.as_deref() == Some(ns.as_str())
                        && e.last
                            .as_ref()
                            .is_some_and(|w| before.iter().chain(after).any(|p| selects(w, p)))
                })
                .cloned()
                .collect();
        }
        // The object itself, when the release has it (a release's Pod is also in the cache).
        let key = (g, name);
        if let Some(entry) = self.entries.get_mut(&key) {
            entry.last = obj;
            keys.push(key);
        }
        keys.into_iter().find_map(|k| self.evaluate(&k, on_change))
    }

    /// Recomputes one object's readiness, reports a change; `Some` when the wait is over.
    fn evaluate(
        &mut self,
        key: &(usize, String),
        on_change: &mut dyn FnMut(&str, &Readiness),
    ) -> Option<Result<(), WaitError>> {
        let entry = self.entries.get(key)?;
        let now = match (self.mode, &entry.last) {
            (WaitFor::Ready(opts), Some(obj)) => {
                let own = readiness(obj, opts);
                let pods = entry
                    .namespace
                    .as_ref()
                    .and_then(|ns| self.pods.get(ns))
                    .filter(|_| own.state == State::InProgress)
                    .and_then(|pods| pods_reason(obj, pods.values()));
                match pods {
                    Some(p) if p.state == State::Failed => {
                        Readiness::failed(format!("{}; {}", own.message, p.message))
                    }
                    Some(p) => Readiness::in_progress(format!("{} ({})", own.message, p.message)),
                    None => own,
                }
            }
            (WaitFor::Ready(_), None) => Readiness::in_progress("not found"),
            (WaitFor::Deleted, Some(obj))
                if obj.pointer("/metadata/deletionTimestamp").is_some() =>
            {
                Readiness::in_progress("being deleted")
            }
            (WaitFor::Deleted, Some(_)) => Readiness::in_progress("still exists"),
            (WaitFor::Deleted, None) => Readiness::ready("deleted"),
        };
        let entry = self.entries.get_mut(key)?;
        if entry.now.as_ref() == Some(&now) {
            return None;
        }
        on_change(&entry.label, &now);
        if now.state == State::Failed {
            return Some(Err(WaitError::Failed {
                resource: entry.label.clone(),
                message: now.message,
            }));
        }
        let was_ready = entry.now.as_ref().is_some_and(|r| r.state == State::Ready);
        let ready = now.state == State::Ready;
        entry.now = Some(now);
        match (was_ready, ready) {
            (false, true) => self.pending -= 1,
            (true, false) => self.pending += 1,
            _ => {}
        }
        (self.pending == 0).then_some(Ok(()))
    }

    /// The error at the deadline: every object not ready, with why.
    fn timed_out(&self, timeout: Duration) -> WaitError {
        let pending = self
            .order
            .iter()
            .map(|k| &self.entries[k])
            .filter_map(|e| match &e.now {
                Some(r) if r.state == State::Ready => None,
                Some(r) => Some((e.label.clone(), r.message.clone())),
                None => Some((e.label.clone(), "no status seen yet".to_string())),
            })
            .collect();
        WaitError::TimedOut {
            after: human(timeout),
            pending,
        }
    }
}

/// The Pod resource (core, always served).
fn pods_resource() -> Resource {
    Resource {
        api_resource: ApiResource {
            group: String::new(),
            version: "v1".into(),
            api_version: "v1".into(),
            kind: "Pod".into(),
            plural: "pods".into(),
        },
        namespaced: true,
    }
}

/// Kinds whose pods say why they are not ready (see [`pods_reason`]).
fn has_pods(id: &ObjectRef) -> bool {
    matches!(
        (id.api_version.as_str(), id.kind.as_str()),
        (
            "apps/v1",
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet"
        ) | ("v1", "ReplicationController")
            | ("batch/v1", "Job")
    )
}

impl Cluster {
    /// Waits until every object of `targets` is ready (or gone), at most `opts.timeout`, calling
    /// `on_change` with each object's label (see [`label`]; namespaces default to
    /// `default_ns`) and readiness whenever either changes. Objects of a kind the cluster does
    /// not serve count as gone when waiting for deletion and fail the wait otherwise. When
    /// waiting for workloads to be ready, the Pods of their namespaces are followed too (one
    /// more watch per namespace), so a workload's reason names its first unready pod and why
    /// ("ImagePullBackOff"), and a pod crash-looping past its threshold fails it at once.
    pub fn wait_for(
        &self,
        targets: &[ObjectRef],
        opts: &WaitOptions,
        default_ns: &str,
        on_change: &mut dyn FnMut(&str, &Readiness),
    ) -> Result<(), WaitError> {
        let (mode, timeout) = (opts.mode, opts.timeout);
        // Group the objects by resource and namespace: one follower (one watch) per group.
        let mut groups: Vec<Followed> = Vec::new();
        let mut group_names: Vec<String> = Vec::new();
        let mut group_of: HashMap<(String, String, Option<String>), usize> = HashMap::new();
        let mut tracker = Tracker {
            mode,
            entries: HashMap::new(),
            order: Vec::new(),
            pod_groups: HashMap::new(),
            pods: HashMap::new(),
            pending: 0,
        };
        let mut pod_namespaces: Vec<String> = Vec::new();
        for id in targets {
            let resource = match self.resolve(&id.api_version, &id.kind) {
                Ok(r) => r,
                Err(KubeError::NoMatch { .. }) if mode == WaitFor::Deleted => continue,
                Err(e) => return Err(e.into()),
            };
            let ns = self.scope(&resource, id.namespace.as_deref().or(Some(default_ns)));
            let mut resolved = id.clone();
            resolved.namespace = ns.clone();
            let key = (
                resource.api_resource.api_version.clone(),
                resource.api_resource.plural.clone(),
                ns.clone(),
            );
            let g = *group_of.entry(key).or_insert_with(|| {
                let api = self.api(&resource, ns.as_deref());
                groups.push(Followed::Targets(api, HashSet::new()));
                group_names.push(match &ns {
                    Some(ns) => format!("watching {} in {ns}", id.kind),
                    None => format!("watching {}", id.kind),
                });
                groups.len() - 1
            });
            let Followed::Targets(_, names) = &mut groups[g] else {
                continue;
            };
            if names.insert(id.name.clone()) {
                if let (WaitFor::Ready(_), Some(ns), true) = (mode, &ns, has_pods(id))
                    && !pod_namespaces.contains(ns)
                {
                    pod_namespaces.push(ns.clone());
                }
                tracker.order.push((g, id.name.clone()));
                tracker.entries.insert(
                    (g, id.name.clone()),
                    Entry {
                        label: label(&resolved, default_ns),
                        namespace: ns,
                        now: None,
                        last: None,
                    },
                );
            }
        }
        if tracker.order.is_empty() {
            return Ok(());
        }
        tracker.pending = tracker.order.len();
        for ns in pod_namespaces {
            let api = self.api(&pods_resource(), Some(&ns));
            let pods_key = ("v1".to_string(), "pods".to_string(), Some(ns.clone()));
            if let Some(&g) = group_of.get(&pods_key) {
                // The release's own Pods there: that watch follows every Pod instead.
                tracker.pod_groups.insert(g, ns.clone());
                groups[g] = Followed::Pods(api);
                continue;
            }
            tracker.pod_groups.insert(groups.len(), ns.clone());
            groups.push(Followed::Pods(api));
            group_names.push(format!("watching Pod in {ns}"));
        }
        let watch_secs = (timeout.as_secs() + 1)
            .min(opts.max_watch.as_secs())
            .clamp(1, MAX_WATCH_SECS) as u32;
        let streaming = mode != WaitFor::Deleted;
        let server = self.server().to_string();
        self.block_on(async move {
            let (tx, mut rx) = mpsc::unbounded_channel();
            let mut followers: FuturesUnordered<_> = groups
                .into_iter()
                .enumerate()
                .map(|(g, followed)| {
                    let tx = tx.clone();
                    async move {
                        let (api, names) = match followed {
                            Followed::Targets(api, names) => (api, Some(names)),
                            Followed::Pods(api) => (api, None),
                        };
                        follow(g, api, names, streaming, watch_secs, tx)
                            .await
                            .map_err(|e| (g, e))
                    }
                })
                .collect();
            drop(tx);
            let deadline = tokio::time::Instant::now() + timeout;
            loop {
                tokio::select! {
                    update = rx.recv() => {
                        let Some(update) = update else { continue };
                        if let Some(done) = tracker.update(update, on_change) {
                            return done;
                        }
                    }
                    Some(ended) = followers.next(), if !followers.is_empty() => {
                        if let Err((g, e)) = ended {
                            return Err(KubeError::from_kube(e, &group_names[g], &server).into());
                        }
                    }
                    _ = tokio::time::sleep_until(deadline) => {
                        return Err(tracker.timed_out(timeout));
                    }
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_durations() {
        let id = |ns: Option<&str>| ObjectRef {
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            namespace: ns.map(str::to_string),
            name: "web".into(),
        };
        assert_eq!(label(&id(Some("demo")), "demo"), "Deployment/web");
        assert_eq!(label(&id(None), "demo"), "Deployment/web");
        assert_eq!(label(&id(Some("other")), "demo"), "Deployment/other/web");
        assert_eq!(human(Duration::from_secs(5)), "5s");
        assert_eq!(human(Duration::from_secs(300)), "5m");
        assert_eq!(human(Duration::from_secs(90)), "1m30s");
        assert_eq!(human(Duration::from_millis(500)), "500ms");
        let e = WaitError::TimedOut {
            after: "5s".into(),
            pending: vec![("Deployment/web".into(), "0/1 replicas available".into())],
        };
        assert_eq!(
            e.to_string(),
            "timed out after 5s waiting for 1 resource(s): Deployment/web: 0/1 replicas available"
        );
    }
}
