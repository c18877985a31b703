//! The simulated controllers wired into the server: after every write the sandbox gives the
//! object the `status` [`simulate::simulate_status`] says it has, stores the objects its
//! controller would create ([`simulate::dependents_at`]: a Deployment's ReplicaSet, workload
//! Pods) and removes the ones it no longer would; a periodic [`tick`] recomputes statuses so
//! `delay=` simulations flip on time. Each status change is an ordinary store update, so
//! watches see it as a MODIFIED event. The clock of each object (when its spec or simulate
//! annotation last changed) lives in [`Clock`]; it is not persisted (a restarted sandbox
//! starts every delay again).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::gvk::Gvk;
use super::handlers::{State, remove};
use super::simulate::{SIMULATE_ANNOTATION, dependents_at, simulate_status};
use super::store::{ObjectKey, spec_changed};

/// How often [`tick`] runs in a served sandbox.
pub const TICK: Duration = Duration::from_millis(200);

/// When each simulated object last changed in a way that restarts its simulation.
#[derive(Debug, Default)]
pub struct Clock {
    changed: HashMap<ObjectKey, Instant>,
}

impl Clock {
    /// How long ago the object last changed (zero when unknown: it starts now).
    fn since(&mut self, key: &ObjectKey) -> Duration {
        self.changed
            .entry(key.clone())
            .or_insert_with(Instant::now)
            .elapsed()
    }
}

/// A `metadata` field (`Value::pointer` would parse a path and allocate on every call, and
/// these run for every object after every write).
fn meta<'a>(obj: &'a Value, field: &str) -> Option<&'a Value> {
    obj.get("metadata").and_then(|m| m.get(field))
}

/// The simulate annotation of an object, if any.
fn annotation(obj: &Value) -> Option<&Value> {
    meta(obj, "annotations").and_then(|a| a.get(SIMULATE_ANNOTATION))
}

/// Whether the sandbox simulates a controller for this kind.
fn simulated(obj: &Value) -> Option<Gvk> {
    let gvk = Gvk::of(obj)?;
    simulate_status(obj, &gvk, Duration::ZERO).map(|_| gvk)
}

/// Runs the simulated controllers after `key` was written (`before`: its previous state, or
/// `None` when it was created): restarts its clock if its spec or simulate annotation changed,
/// reconciles its dependents and sets its status.
pub fn after_write(state: &mut State, key: &ObjectKey, before: Option<&Value>) {
    let Some(obj) = state.store.get(key).cloned() else {
        return;
    };
    let Some(gvk) = simulated(&obj) else {
        return;
    };
    let restart = before.is_none_or(|b| spec_changed(b, &obj) || annotation(b) != annotation(&obj));
    if restart {
        state.clock.changed.insert(key.clone(), Instant::now());
    }
    let since = state.clock.since(key);
    reconcile_dependents(state, key, &obj, &gvk, since);
    sync_status(state, key, &gvk, since);
}

/// Recomputes every simulated object's status; returns whether anything changed.
pub fn tick(state: &mut State) -> bool {
    let before = state.store.revision();
    let keys: Vec<ObjectKey> = state.clock.changed.keys().cloned().collect();
    for key in keys {
        let Some(obj) = state.store.get(&key) else {
            state.clock.changed.remove(&key);
            continue;
        };
        let Some(gvk) = Gvk::of(obj) else {
            continue;
        };
        let since = state.clock.since(&key);
        sync_status(state, &key, &gvk, since);
    }
    state.store.revision() != before
}

/// Starts the clocks of a restored store's simulated objects and brings them up to date.
pub fn adopt(state: &mut State) {
    let keys: Vec<ObjectKey> = state.store.keys().cloned().collect();
    for key in keys {
        if let Some(obj) = state.store.get(&key).cloned() {
            after_write(state, &key, Some(&obj));
        }
    }
}

/// Writes the simulated status of `key` if it differs from the stored one.
fn sync_status(state: &mut State, key: &ObjectKey, gvk: &Gvk, since: Duration) {
    let Some(obj) = state.store.get(key) else {
        return;
    };
    let Some(status) = simulate_status(obj, gvk, since) else {
        return;
    };
    if obj.get("status") == Some(&status) {
        return;
    }
    let mut updated = obj.clone();
    updated["status"] = status;
    state.store.update(key.clone(), updated, false);
}

/// The uid of an object.
fn uid(obj: &Value) -> Option<&str> {
    meta(obj, "uid").and_then(Value::as_str)
}

/// Whether `obj` names `owner_uid` among its ownerReferences.
fn owned_by(obj: &Value, owner_uid: &str) -> bool {
    meta(obj, "ownerReferences")
        .and_then(Value::as_array)
        .is_some_and(|refs| refs.iter().any(|r| r["uid"] == owner_uid))
}

/// Stores the direct dependents the owner's controller would have now (creating or updating
/// them, then reconciling each in turn) and removes the ones it no longer has.
fn reconcile_dependents(
    state: &mut State,
    key: &ObjectKey,
    owner: &Value,
    gvk: &Gvk,
    since: Duration,
) {
    let Some(owner_uid) = uid(owner).map(String::from) else {
        return;
    };
    // `dependents_at` also lists grandchildren (a Deployment's Pods); those are made when
    // their own owner (the ReplicaSet) is reconciled with its real uid.
    let desired: Vec<Value> = dependents_at(owner, gvk, since)
        .into_iter()
        .filter(|d| owned_by(d, &owner_uid))
        .collect();
    let mut wanted: Vec<ObjectKey> = Vec::new();
    for mut dependent in desired {
        let Some(dep_key) = key_of(state, &dependent, &key.namespace) else {
            continue;
        };
        let before = state.store.get(&dep_key).cloned();
        if let Some(m) = dependent.as_object_mut() {
            match before.as_ref().and_then(|b| b.get("status")) {
                Some(s) => m.insert("status".into(), s.clone()),
                None => m.remove("status"),
            };
        }
        match &before {
            Some(_) => state.store.update(dep_key.clone(), dependent, false),
            None => state.store.create(dep_key.clone(), dependent, false),
        };
        after_write(state, &dep_key, before.as_ref());
        wanted.push(dep_key);
    }
    // One pass over the objects, the cheap ownership test first: this runs after every write
    // of a simulated object, so it must not look each object up again.
    let stale: Vec<ObjectKey> = state
        .store
        .iter()
        .filter(|(k, o)| {
            owned_by(o, &owner_uid)
                && k.namespace == key.namespace
                && is_controlled(o)
                && !wanted.contains(k)
        })
        .map(|(k, _)| k.clone())
        .collect();
    for k in stale {
        remove(state, &k, true, false);
    }
}

/// Whether an object's owner reference marks a controller (only those the sandbox made or a
/// client declared as controlled are garbage its simulated controller may collect).
fn is_controlled(obj: &Value) -> bool {
    meta(obj, "ownerReferences")
        .and_then(Value::as_array)
        .is_some_and(|refs| refs.iter().any(|r| r["controller"] == true))
}

/// Where a dependent is stored.
fn key_of(state: &State, obj: &Value, namespace: &str) -> Option<ObjectKey> {
    let gvk = Gvk::of(obj)?;
    let rt = state.registry.find_kind(&gvk)?;
    let name = meta(obj, "name").and_then(Value::as_str)?;
    let ns = if rt.namespaced { namespace } else { "" };
    Some(ObjectKey::new(&rt.group, &rt.plural, ns, name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn deployment(annotations: Value, replicas: i64, image: &str) -> Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "web", "namespace": "default", "annotations": annotations},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "web", "image": image}]}}}})
    }

    fn write(state: &mut State, obj: Value) -> ObjectKey {
        let key = ObjectKey::new("apps", "deployments", "default", "web");
        let before = state.store.get(&key).cloned();
        match &before {
            Some(_) => state.store.update(key.clone(), obj, false),
            None => state.store.create(key.clone(), obj, false),
        };
        after_write(state, &key, before.as_ref());
        key
    }

    fn names(state: &State, resource: &str) -> Vec<String> {
        state
            .store
            .list(if resource == "pods" { "" } else { "apps" }, resource, None)
            .iter()
            .map(|o| o["metadata"]["name"].as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn deployments_get_status_replicasets_and_pods() {
        let mut state = State::new("u");
        let key = write(&mut state, deployment(json!({}), 2, "a:1"));
        let d = state.store.get(&key).unwrap();
        assert_eq!(d["status"]["readyReplicas"], 2);
        assert_eq!(names(&state, "replicasets").len(), 1);
        assert_eq!(names(&state, "pods").len(), 2);
        let rs = state.store.list("apps", "replicasets", None)[0].clone();
        assert_eq!(rs["status"]["readyReplicas"], 2);
        let pod = state.store.list("", "pods", None)[0].clone();
        assert_eq!(
            pod["metadata"]["ownerReferences"][0]["uid"],
            rs["metadata"]["uid"]
        );
        assert_eq!(pod["status"]["phase"], "Running");

        // A new template replaces the ReplicaSet and its Pods; scaling down drops Pods.
        write(&mut state, deployment(json!({}), 1, "a:2"));
        let rs2 = names(&state, "replicasets");
        assert_eq!(rs2.len(), 1);
        assert_ne!(rs2[0], rs["metadata"]["name"]);
        assert_eq!(names(&state, "pods").len(), 1);
        remove(&mut state, &key, true, false);
        assert!(names(&state, "replicasets").is_empty());
        assert!(names(&state, "pods").is_empty());
    }

    #[test]
    fn delays_flip_on_tick_and_never_ready_stays() {
        let mut state = State::new("u");
        let key = write(
            &mut state,
            deployment(json!({SIMULATE_ANNOTATION: "delay=50ms"}), 1, "a:1"),
        );
        assert_eq!(state.store.get(&key).unwrap()["status"]["readyReplicas"], 0);
        assert!(!tick(&mut state));
        std::thread::sleep(Duration::from_millis(60));
        assert!(tick(&mut state));
        assert_eq!(state.store.get(&key).unwrap()["status"]["readyReplicas"], 1);
        assert!(!tick(&mut state));

        write(
            &mut state,
            deployment(json!({SIMULATE_ANNOTATION: "never-ready"}), 1, "a:1"),
        );
        std::thread::sleep(Duration::from_millis(10));
        tick(&mut state);
        let d = state.store.get(&key).unwrap();
        assert_eq!(d["status"]["readyReplicas"], 0);
        let pod = state.store.list("", "pods", None)[0].clone();
        assert_eq!(pod["status"]["conditions"][3]["status"], "False");
    }
}
