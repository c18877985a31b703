//! Following objects of one resource in one namespace with ONE watch: their current state (a
//! streaming list, `sendInitialEvents`, where the server has it; else a list), then every change,
//! filtered to the wanted names on the client, the watch re-established from the last
//! resourceVersion seen when the server closes it (a fresh start when that is too old), with a
//! growing pause when it ends at once. What is seen goes to the waiter ([`super::wait`]) as
//! [`Update`]s.

use std::collections::HashSet;
use std::time::Duration;

use futures_util::StreamExt;
use kube::api::{Api, DynamicObject, ListParams, WatchEvent, WatchParams};
use serde_json::Value;
use tokio::sync::mpsc;

use super::client::to_value;

/// What a follower saw (tagged with the follower's `group`).
pub(crate) enum Update {
    /// The object as it is now.
    Seen(usize, String, Box<Value>),
    /// The object does not exist.
    Gone(usize, String),
}

/// The pause before re-establishing a watch that ended at once (no storm on a flapping server).
const MIN_RETRY: Duration = Duration::from_millis(250);
/// The longest such pause (it doubles from [`MIN_RETRY`] while watches keep ending at once).
const MAX_RETRY: Duration = Duration::from_secs(5);

/// Follows the objects `names` (`None`: every object) of the resource `api` addresses: their
/// current state, then every change, through one watch at a time (each open at most
/// `watch_secs`), until dropped. `streaming` tries a streaming list first (`Deleted` waits
/// list then watch). Returns only on an error the server gives for the list or watch itself.
pub(crate) async fn follow(
    group: usize,
    api: Api<DynamicObject>,
    names: Option<HashSet<String>>,
    mut streaming: bool,
    watch_secs: u32,
    tx: mpsc::UnboundedSender<Update>,
) -> Result<(), kube::Error> {
    let send_seen = |obj: DynamicObject| {
        let name = obj.metadata.name.clone().unwrap_or_default();
        let wanted = names.as_ref().is_none_or(|n| n.contains(&name));
        if wanted && let Ok(v) = to_value(obj) {
            let _ = tx.send(Update::Seen(group, name, Box::new(v)));
        }
    };
    // After the initial state: the wanted objects that were not in it do not exist.
    let gone = |seen: &HashSet<String>| {
        for n in names.iter().flatten().filter(|n| !seen.contains(*n)) {
            let _ = tx.send(Update::Gone(group, n.clone()));
        }
    };
    let mut resource_version: Option<String> = None;
    let mut retry = MIN_RETRY;
    loop {
        let opened = tokio::time::Instant::now();
        // Where to watch from: a streaming list starts from nothing; otherwise list first.
        let from = match &resource_version {
            Some(rv) => rv.clone(),
            None if streaming => String::new(),
            None => {
                let list = api.list(&ListParams::default()).await?;
                let mut seen = HashSet::new();
                let rv = list.metadata.resource_version.clone().unwrap_or_default();
                for obj in list.items {
                    if let Some(n) = obj.metadata.name.clone() {
                        seen.insert(n);
                    }
                    send_seen(obj);
                }
                gone(&seen);
                resource_version = Some(rv.clone());
                rv
            }
        };
        let initial = resource_version.is_none();
        let params = if initial {
            WatchParams::streaming_lists().timeout(watch_secs)
        } else {
            WatchParams::default().timeout(watch_secs)
        };
        let stream = match api.watch(&params, &from).await {
            Ok(s) => s,
            // No streaming lists here (WatchList off, or an older server): list, then watch.
            Err(kube::Error::Api(s)) if initial && matches!(s.code, 400 | 403 | 422) => {
                streaming = false;
                continue;
            }
            Err(kube::Error::Api(s)) if s.code == 410 => {
                resource_version = None;
                continue;
            }
            Err(e) => return Err(e),
        };
        let mut stream = std::pin::pin!(stream);
        let mut synced: Option<HashSet<String>> = initial.then(HashSet::new);
        while let Some(event) = stream.next().await {
            match event {
                Ok(WatchEvent::Added(obj) | WatchEvent::Modified(obj)) => {
                    if let Some(rv) = &obj.metadata.resource_version {
                        resource_version = Some(rv.clone()).filter(|_| synced.is_none());
                    }
                    if let (Some(seen), Some(n)) = (synced.as_mut(), &obj.metadata.name) {
                        seen.insert(n.clone());
                    }
                    send_seen(obj);
                }
                Ok(WatchEvent::Deleted(obj)) => {
                    if let Some(rv) = &obj.metadata.resource_version {
                        resource_version = Some(rv.clone()).filter(|_| synced.is_none());
                    }
                    let wanted = |n: &String| names.as_ref().is_none_or(|w| w.contains(n));
                    if let Some(n) = obj.metadata.name.filter(wanted) {
                        let _ = tx.send(Update::Gone(group, n));
                    }
                }
                Ok(WatchEvent::Bookmark(b)) => {
                    resource_version = Some(b.metadata.resource_version);
                    let end = b.metadata.annotations.get("k8s.io/initial-events-end");
                    if end.is_some_and(|v| v == "true")
                        && let Some(seen) = synced.take()
                    {
                        gone(&seen);
                    }
                }
                Ok(WatchEvent::Error(status)) if status.code == 410 => {
                    resource_version = None;
                    break;
                }
                Ok(WatchEvent::Error(status)) => return Err(kube::Error::Api(status)),
                // The server refused the watch (its answer arrives as the stream's first item).
                Err(kube::Error::Api(s)) if initial && matches!(s.code, 400 | 403 | 422) => {
                    streaming = false;
                    break;
                }
                Err(kube::Error::Api(s)) if s.code == 410 => {
                    resource_version = None;
                    break;
                }
                Err(kube::Error::Api(s)) => return Err(kube::Error::Api(s)),
                Err(e) => {
                    tracing::debug!("watch ended: {e}");
                    break;
                }
            }
        }
        if synced.is_some() {
            // The stream ended before its initial events did: start over.
            resource_version = None;
        }
        // The server closed the watch: re-establish it, pausing if it ended at once.
        if opened.elapsed() < Duration::from_secs(1) {
            tokio::time::sleep(retry).await;
            retry = (retry * 2).min(MAX_RETRY);
        } else {
            retry = MIN_RETRY;
        }
    }
}
