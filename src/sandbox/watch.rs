//! Watches (`?watch=true`): newline-delimited `{"type","object"}` events streamed until
//! `timeoutSeconds`. Existing objects come first as ADDED (for `sendInitialEvents=true` or a watch
//! without a resourceVersion), `sendInitialEvents` ends them with a BOOKMARK carrying the
//! `k8s.io/initial-events-end` annotation (what Helm's wait needs), a watch from a past
//! resourceVersion replays the event log, then live events follow. A client that hangs up just
//! ends its stream.

use std::collections::HashMap;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::broadcast;

use super::errors::ApiError;
use super::handlers::{State, is_true, select};
use super::request::Target;
use super::selector::{FieldSelector, LabelSelector, extra_fields};
use super::store::Event;

/// The longest a watch stays open when the client sets no `timeoutSeconds`.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1800);

/// Which events a watch passes on.
#[derive(Debug, Clone)]
struct Filter {
    group: String,
    resource: String,
    namespace: Option<String>,
    labels: LabelSelector,
    fields: FieldSelector,
}

impl Filter {
    fn passes(&self, e: &Event) -> bool {
        e.key.group == self.group
            && e.key.resource == self.resource
            && self
                .namespace
                .as_ref()
                .is_none_or(|ns| &e.key.namespace == ns)
            && self.labels.matches(&e.object)
            && self.fields.matches(&e.object)
    }
}

/// A watch ready to stream: what to send first, then the live feed.
#[derive(Debug)]
pub struct WatchPlan {
    /// Lines to send before live events (each one JSON event).
    pub initial: Vec<String>,
    live: broadcast::Receiver<Event>,
    after: u64,
    filter: Filter,
    timeout: Duration,
    api_version: String,
    kind: String,
}

fn line(kind: &str, object: &Value) -> String {
    let mut s = json!({"type": kind, "object": object}).to_string();
    s.push('\n');
    s
}

fn with_type(api_version: &str, kind: &str, mut obj: Value) -> Value {
    if let Some(m) = obj.as_object_mut() {
        m.insert("apiVersion".into(), json!(api_version));
        m.insert("kind".into(), json!(kind));
    }
    obj
}

/// Plans a watch under the state lock (so no event falls between the snapshot and the feed).
pub fn plan(
    state: &State,
    t: &Target,
    query: &HashMap<String, String>,
) -> Result<WatchPlan, ApiError> {
    let labels = LabelSelector::parse(query.get("labelSelector").map_or("", String::as_str))
        .map_err(|e| ApiError::bad_request(e.0))?;
    let fields = FieldSelector::parse(
        query.get("fieldSelector").map_or("", String::as_str),
        extra_fields(&t.rt.kind),
    )
    .map_err(|e| ApiError::bad_request(e.0))?;
    let filter = Filter {
        group: t.rt.group.clone(),
        resource: t.rt.plural.clone(),
        namespace: t.namespace.clone().filter(|_| t.rt.namespaced),
        labels,
        fields,
    };
    let api_version = t.rt.api_version();
    let kind = t.rt.kind.clone();
    let now = state.store.revision();
    let rv = query.get("resourceVersion").map_or("", String::as_str);
    let mut initial = Vec::new();
    let send_initial = is_true(query.get("sendInitialEvents"));
    if send_initial || rv.is_empty() || rv == "0" {
        for obj in select(state, t, query)? {
            initial.push(line("ADDED", &obj));
        }
        if send_initial {
            let bookmark = json!({
                "kind": kind,
                "apiVersion": api_version,
                "metadata": {
                    "resourceVersion": now.to_string(),
                    "annotations": {"k8s.io/initial-events-end": "true"},
                },
            });
            initial.push(line("BOOKMARK", &bookmark));
        }
    } else {
        let from: u64 = rv
            .parse()
            .map_err(|_| ApiError::bad_request(format!("invalid resource version: {rv:?}")))?;
        let past = state.store.events_since(from).ok_or_else(|| ApiError {
            code: 410,
            reason: "Expired".into(),
            message: format!("too old resource version: {from} ({now})"),
            details: None,
        })?;
        for e in past.iter().filter(|e| filter.passes(e)) {
            initial.push(line(
                e.kind.as_str(),
                &with_type(&api_version, &kind, e.object.clone()),
            ));
        }
    }
    let timeout = query
        .get("timeoutSeconds")
        .and_then(|s| s.parse::<u64>().ok())
        .map_or(DEFAULT_TIMEOUT, Duration::from_secs);
    Ok(WatchPlan {
        initial,
        live: state.store.subscribe(),
        after: now,
        filter,
        timeout,
        api_version,
        kind,
    })
}

/// The event stream of a plan: its initial lines, then live events until the timeout.
pub fn stream(
    plan: WatchPlan,
) -> impl futures_util::Stream<Item = Result<axum::body::Bytes, std::convert::Infallible>> + Send + 'static
{
    let deadline = tokio::time::Instant::now() + plan.timeout;
    let initial: std::collections::VecDeque<String> = plan.initial.into();
    let state = (
        initial,
        plan.live,
        plan.filter,
        plan.after,
        plan.api_version,
        plan.kind,
    );
    futures_util::stream::unfold(
        state,
        move |(mut initial, mut live, filter, after, av, kind)| async move {
            if let Some(l) = initial.pop_front() {
                return Some((
                    Ok(axum::body::Bytes::from(l)),
                    (initial, live, filter, after, av, kind),
                ));
            }
            loop {
                let next = tokio::time::timeout_at(deadline, live.recv()).await;
                match next {
                    Ok(Ok(e)) if e.resource_version > after && filter.passes(&e) => {
                        let obj = with_type(&av, &kind, e.object.clone());
                        let l = line(e.kind.as_str(), &obj);
                        return Some((
                            Ok(axum::body::Bytes::from(l)),
                            (initial, live, filter, after, av, kind),
                        ));
                    }
                    Ok(Ok(_)) => continue,
                    // Lagged, closed or timed out: the watch ends and the client re-lists.
                    _ => return None,
                }
            }
        },
    )
}
