//! The object store: every object keyed by (group, resource, namespace, name), one global
//! `resourceVersion` counter, server-set metadata (`uid`, `creationTimestamp`, `generation`,
//! `resourceVersion`), and an event log that feeds watches (a bounded history for watches that
//! start from a past resourceVersion, plus a broadcast channel for live ones).

use std::collections::{BTreeMap, VecDeque};

use serde_json::{Value, json};
use tokio::sync::broadcast;

/// Where an object lives.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct ObjectKey {
    /// API group (`""` for core).
    pub group: String,
    /// Plural resource name.
    pub resource: String,
    /// Namespace (`""` for cluster-scoped objects).
    pub namespace: String,
    /// Object name.
    pub name: String,
}

impl ObjectKey {
    /// A key from its parts.
    pub fn new(group: &str, resource: &str, namespace: &str, name: &str) -> Self {
        ObjectKey {
            group: group.into(),
            resource: resource.into(),
            namespace: namespace.into(),
            name: name.into(),
        }
    }
}

/// The type of a watch event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    /// The object was created.
    Added,
    /// The object was changed.
    Modified,
    /// The object was removed (the event carries its last state).
    Deleted,
}

impl EventType {
    /// The wire name (`ADDED`, `MODIFIED`, `DELETED`).
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

/// One change, as watches deliver it.
#[derive(Debug, Clone)]
pub struct Event {
    /// The resourceVersion the change produced.
    pub resource_version: u64,
    /// What happened.
    pub kind: EventType,
    /// Which object.
    pub key: ObjectKey,
    /// The object after the change (before it, for deletes).
    pub object: Value,
}

/// How many past events are kept for watches that start from an older resourceVersion.
const HISTORY: usize = 4096;

/// All objects and the change log.
#[derive(Debug)]
pub struct Store {
    objects: BTreeMap<ObjectKey, Value>,
    revision: u64,
    history: VecDeque<Event>,
    live: broadcast::Sender<Event>,
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

/// The current time as the API server writes timestamps (`2026-01-02T03:04:05Z`).
pub fn now_rfc3339() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Whether two objects differ beyond `metadata` and `status` (what bumps `generation`).
pub fn spec_changed(old: &Value, new: &Value) -> bool {
    let strip = |v: &Value| -> Value {
        let mut v = v.clone();
        if let Some(m) = v.as_object_mut() {
            m.remove("metadata");
            m.remove("status");
            m.remove("apiVersion");
            m.remove("kind");
        }
        v
    };
    strip(old) != strip(new)
}

impl Store {
    /// An empty store (resourceVersion starts at 1).
    pub fn new() -> Self {
        let (live, _) = broadcast::channel(1024);
        Store {
            objects: BTreeMap::new(),
            revision: 1,
            history: VecDeque::new(),
            live,
        }
    }

    /// The latest resourceVersion.
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// One object.
    pub fn get(&self, key: &ObjectKey) -> Option<&Value> {
        self.objects.get(key)
    }

    /// The objects of one resource, in one namespace or all (`None`), sorted by namespace and name.
    pub fn list(&self, group: &str, resource: &str, namespace: Option<&str>) -> Vec<&Value> {
        self.objects
            .iter()
            .filter(|(k, _)| {
                k.group == group
                    && k.resource == resource
                    && namespace.is_none_or(|ns| k.namespace == ns)
            })
            .map(|(_, v)| v)
            .collect()
    }

    /// Every key (for cascades such as a namespace delete).
    pub fn keys(&self) -> impl Iterator<Item = &ObjectKey> {
        self.objects.keys()
    }

    /// Every object with its key, in key order (scans that look at objects need no lookups).
    pub fn iter(&self) -> impl Iterator<Item = (&ObjectKey, &Value)> {
        self.objects.iter()
    }

    /// Stores a new object, setting `uid`, `creationTimestamp`, `generation` 1 (for objects
    /// with a `spec`, as the API server's strategies do) and a fresh `resourceVersion`. With `dry_run` nothing is stored or announced. The caller has checked
    /// the name is free.
    pub fn create(&mut self, key: ObjectKey, mut object: Value, dry_run: bool) -> Value {
        let rv = self.revision + 1;
        let has_spec = object.get("spec").is_some();
        let meta = metadata_mut(&mut object);
        meta.insert("uid".into(), json!(uuid::Uuid::new_v4().to_string()));
        meta.insert("creationTimestamp".into(), json!(now_rfc3339()));
        if has_spec {
            meta.insert("generation".into(), json!(1));
        } else {
            meta.remove("generation");
        }
        meta.insert("resourceVersion".into(), json!(rv.to_string()));
        meta.remove("deletionTimestamp");
        if dry_run {
            return object;
        }
        self.revision = rv;
        self.objects.insert(key.clone(), object.clone());
        self.announce(EventType::Added, key, object.clone());
        object
    }

    /// Replaces an existing object, keeping its `uid` and `creationTimestamp`, bumping
    /// `generation` when anything outside metadata/status changed and `resourceVersion` when
    /// anything changed at all (a no-op write keeps the old version, as the API server does).
    /// The caller has checked it exists and its preconditions.
    pub fn update(&mut self, key: ObjectKey, mut object: Value, dry_run: bool) -> Value {
        let Some(old) = self.objects.get(&key) else {
            return self.create(key, object, dry_run);
        };
        let old_meta = old.get("metadata").cloned().unwrap_or(json!({}));
        let generation = old_meta.get("generation").and_then(Value::as_i64);
        let bump = spec_changed(old, &object);
        {
            let meta = metadata_mut(&mut object);
            for k in ["uid", "creationTimestamp"] {
                match old_meta.get(k) {
                    Some(v) => meta.insert(k.into(), v.clone()),
                    None => meta.remove(k),
                };
            }
            match generation {
                Some(g) => meta.insert("generation".into(), json!(if bump { g + 1 } else { g })),
                None => meta.remove("generation"),
            };
            meta.insert(
                "resourceVersion".into(),
                old_meta["resourceVersion"].clone(),
            );
        }
        if &object == old {
            return object;
        }
        let rv = self.revision + 1;
        metadata_mut(&mut object).insert("resourceVersion".into(), json!(rv.to_string()));
        if dry_run {
            return object;
        }
        self.revision = rv;
        self.objects.insert(key.clone(), object.clone());
        self.announce(EventType::Modified, key, object.clone());
        object
    }

    /// Removes an object and returns its last state (with a new resourceVersion), or `None`.
    pub fn delete(&mut self, key: &ObjectKey, dry_run: bool) -> Option<Value> {
        if dry_run {
            return self.objects.get(key).cloned();
        }
        let mut object = self.objects.remove(key)?;
        self.revision += 1;
        metadata_mut(&mut object)
            .insert("resourceVersion".into(), json!(self.revision.to_string()));
        self.announce(EventType::Deleted, key.clone(), object.clone());
        Some(object)
    }

    fn announce(&mut self, kind: EventType, key: ObjectKey, object: Value) {
        let event = Event {
            resource_version: self.revision,
            kind,
            key,
            object,
        };
        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(event.clone());
        let _ = self.live.send(event);
    }

    /// The past events after `resource_version`, or `None` when the history no longer reaches
    /// back that far (the API server's 410 Gone).
    pub fn events_since(&self, resource_version: u64) -> Option<Vec<Event>> {
        if let Some(first) = self.history.front()
            && first.resource_version > resource_version + 1
        {
            return None;
        }
        Some(
            self.history
                .iter()
                .filter(|e| e.resource_version > resource_version)
                .cloned()
                .collect(),
        )
    }

    /// A receiver of every future event.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.live.subscribe()
    }

    /// Everything, for persisting: `{"resourceVersion": N, "objects": [{"key":..., "object":...}]}`.
    pub fn snapshot(&self) -> Value {
        let objects: Vec<Value> = self
            .objects
            .iter()
            .map(|(k, v)| json!({"key": k, "object": v}))
            .collect();
        json!({"resourceVersion": self.revision, "objects": objects})
    }

    /// A store from a [`Store::snapshot`].
    pub fn restore(snapshot: &Value) -> Result<Self, String> {
        let mut store = Store::new();
        store.revision = snapshot
            .get("resourceVersion")
            .and_then(Value::as_u64)
            .ok_or("missing resourceVersion")?;
        let objects = snapshot
            .get("objects")
            .and_then(Value::as_array)
            .ok_or("missing objects")?;
        for (i, entry) in objects.iter().enumerate() {
            let key: ObjectKey = serde_json::from_value(entry["key"].clone())
                .map_err(|e| format!("objects[{i}].key: {e}"))?;
            let object = entry
                .get("object")
                .filter(|o| o.is_object())
                .ok_or_else(|| format!("objects[{i}].object: missing"))?;
            store.objects.insert(key, object.clone());
        }
        Ok(store)
    }
}

/// `metadata` of an object as a map, created if missing.
pub fn metadata_mut(object: &mut Value) -> &mut serde_json::Map<String, Value> {
    if !object.is_object() {
        *object = json!({});
    }
    let map = object.as_object_mut().expect("object");
    let meta = map.entry("metadata").or_insert_with(|| json!({}));
    if !meta.is_object() {
        *meta = json!({});
    }
    meta.as_object_mut().expect("metadata object")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str) -> ObjectKey {
        ObjectKey::new("apps", "deployments", "ns", name)
    }

    #[test]
    fn create_sets_server_metadata() {
        let mut s = Store::new();
        let o = s.create(
            key("a"),
            json!({"metadata": {"name": "a"}, "spec": {}}),
            false,
        );
        assert_eq!(o["metadata"]["generation"], 1);
        assert_eq!(o["metadata"]["resourceVersion"], "2");
        assert!(o["metadata"]["uid"].as_str().unwrap().len() > 30);
        assert!(
            o["metadata"]["creationTimestamp"]
                .as_str()
                .unwrap()
                .ends_with('Z')
        );
        let cm = s.create(
            key("cm"),
            json!({"metadata": {"name": "cm"}, "data": {}}),
            false,
        );
        assert!(cm["metadata"].get("generation").is_none());
        assert_eq!(s.list("apps", "deployments", Some("ns")).len(), 2);
        assert_eq!(s.list("apps", "deployments", Some("other")).len(), 0);
    }

    #[test]
    fn generation_bumps_on_spec_only() {
        let mut s = Store::new();
        let o = s.create(
            key("a"),
            json!({"metadata": {"name": "a"}, "spec": {"r": 1}}),
            false,
        );
        let uid = o["metadata"]["uid"].clone();
        let mut labels = o.clone();
        labels["metadata"]["labels"] = json!({"x": "y"});
        let o2 = s.update(key("a"), labels, false);
        assert_eq!(o2["metadata"]["generation"], 1);
        assert_eq!(o2["metadata"]["resourceVersion"], "3");
        let mut spec = o2.clone();
        spec["spec"]["r"] = json!(2);
        spec["metadata"]["uid"] = json!("forged");
        let o3 = s.update(key("a"), spec, false);
        assert_eq!(o3["metadata"]["generation"], 2);
        assert_eq!(o3["metadata"]["uid"], uid);
        let same = s.update(key("a"), o3.clone(), false);
        assert_eq!(
            same["metadata"]["resourceVersion"],
            o3["metadata"]["resourceVersion"]
        );
    }

    #[test]
    fn dry_run_stores_nothing_and_events_are_logged() {
        let mut s = Store::new();
        s.create(key("a"), json!({"metadata": {"name": "a"}}), true);
        assert!(s.get(&key("a")).is_none());
        let mut rx = s.subscribe();
        s.create(key("b"), json!({"metadata": {"name": "b"}}), false);
        s.delete(&key("b"), false).unwrap();
        assert_eq!(rx.try_recv().unwrap().kind, EventType::Added);
        assert_eq!(rx.try_recv().unwrap().kind, EventType::Deleted);
        let since = s.events_since(1).unwrap();
        assert_eq!(since.len(), 2);
        assert_eq!(s.events_since(2).unwrap().len(), 1);
    }

    #[test]
    fn snapshot_round_trip() {
        let mut s = Store::new();
        s.create(key("a"), json!({"metadata": {"name": "a"}}), false);
        let r = Store::restore(&s.snapshot()).unwrap();
        assert_eq!(r.revision(), s.revision());
        assert!(r.get(&key("a")).is_some());
        assert!(Store::restore(&json!({"objects": []})).is_err());
    }
}
