//! Unit tests: the memory driver, the object driver over a fake cluster, history, pruning and
//! driver names.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde_json::{Value, json};

use super::*;
use crate::release::{ObjectKind, Release, Status};

fn rel(name: &str, version: u64, status: Status) -> Release {
    let mut r = Release {
        name: name.into(),
        namespace: "apps".into(),
        version,
        manifest: format!("# {name} v{version}\n"),
        ..Release::default()
    };
    r.info.status = status;
    r
}

fn versions(rs: &[Release]) -> Vec<u64> {
    rs.iter().map(|r| r.version).collect()
}

/// An in-memory stand-in for the cluster's Secrets/ConfigMaps API.
#[derive(Default)]
struct FakeCluster {
    objects: Mutex<BTreeMap<(&'static str, String, String), Value>>,
    /// Refuse deletes, as an API server answering 403 would.
    refuse_deletes: bool,
}

fn meta(obj: &Value, key: &str) -> String {
    obj["metadata"][key]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

impl ClusterObjects for FakeCluster {
    fn get(&self, kind: ObjectKind, ns: &str, name: &str) -> Result<Option<Value>, ObjectsError> {
        let key = (kind.resource(), ns.to_string(), name.to_string());
        Ok(self.objects.lock().unwrap().get(&key).cloned())
    }
    fn list(&self, kind: ObjectKind, ns: &str, sel: &Labels) -> Result<Vec<Value>, ObjectsError> {
        Ok(self
            .objects
            .lock()
            .unwrap()
            .iter()
            .filter(|((k, n, _), _)| *k == kind.resource() && (ns.is_empty() || n == ns))
            .filter(|(_, o)| {
                let labels: Labels =
                    serde_json::from_value(o["metadata"]["labels"].clone()).unwrap();
                labels_match(sel, &labels)
            })
            .map(|(_, o)| o.clone())
            .collect())
    }
    fn create(&self, kind: ObjectKind, ns: &str, obj: &Value) -> Result<(), ObjectsError> {
        let key = (kind.resource(), ns.to_string(), meta(obj, "name"));
        let mut all = self.objects.lock().unwrap();
        if all.contains_key(&key) {
            return Err(ObjectsError::AlreadyExists);
        }
        all.insert(key, obj.clone());
        Ok(())
    }
    fn update(&self, kind: ObjectKind, ns: &str, obj: &Value) -> Result<(), ObjectsError> {
        let key = (kind.resource(), ns.to_string(), meta(obj, "name"));
        let mut all = self.objects.lock().unwrap();
        match all.get_mut(&key) {
            Some(o) => *o = obj.clone(),
            None => return Err(ObjectsError::NotFound),
        }
        Ok(())
    }
    fn delete(&self, kind: ObjectKind, ns: &str, name: &str) -> Result<(), ObjectsError> {
        if self.refuse_deletes {
            return Err(ObjectsError::Other("forbidden".into()));
        }
        let key = (kind.resource(), ns.to_string(), name.to_string());
        match self.objects.lock().unwrap().remove(&key) {
            Some(_) => Ok(()),
            None => Err(ObjectsError::NotFound),
        }
    }
}

fn drivers() -> Vec<Box<dyn Driver>> {
    vec![
        Box::new(MemoryDriver::new("apps")),
        Box::new(ObjectDriver::new(
            FakeCluster::default(),
            ObjectKind::Secret,
            "apps",
        )),
        Box::new(ObjectDriver::new(
            FakeCluster::default(),
            ObjectKind::ConfigMap,
            "apps",
        )),
    ]
}

#[test]
fn drivers_create_get_query_update_delete() {
    for d in drivers() {
        let n = d.name();
        d.create(&rel("a", 1, Status::Superseded)).unwrap();
        d.create(&rel("a", 2, Status::Deployed)).unwrap();
        d.create(&rel("b", 1, Status::Failed)).unwrap();
        let err = d.create(&rel("a", 1, Status::Deployed)).unwrap_err();
        assert!(
            matches!(err, StorageError::AlreadyExists { .. }),
            "{n}: {err}"
        );
        assert!(
            err.to_string().contains("sh.helm.release.v1.a.v1"),
            "{n}: {err}"
        );

        assert_eq!(d.get("a", 2).unwrap(), rel("a", 2, Status::Deployed), "{n}");
        let err = d.get("a", 9).unwrap_err();
        assert!(
            err.is_not_found() && err.to_string().contains("sh.helm.release.v1.a.v9"),
            "{n}: {err}"
        );

        let sel = |pairs: &[(&str, &str)]| -> Labels {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let mut q = d.query(&sel(&[("name", "a"), ("owner", "helm")])).unwrap();
        q.sort_by_key(|r| r.version);
        assert_eq!(versions(&q), [1, 2], "{n}");
        let q = d.query(&sel(&[("status", "failed")])).unwrap();
        assert_eq!(q[0].name, "b", "{n}");
        assert!(
            d.query(&sel(&[("name", "zzz")]))
                .unwrap_err()
                .is_not_found(),
            "{n}"
        );
        assert_eq!(
            d.list(&|r| r.info.status == Status::Deployed)
                .unwrap()
                .len(),
            1,
            "{n}"
        );

        d.update(&rel("a", 2, Status::Superseded)).unwrap();
        assert_eq!(
            d.query(&sel(&[("name", "a"), ("status", "superseded")]))
                .unwrap()
                .len(),
            2,
            "{n}"
        );
        assert!(d.update(&rel("c", 1, Status::Deployed)).is_err(), "{n}");

        assert_eq!(d.delete("b", 1).unwrap().name, "b", "{n}");
        assert!(d.get("b", 1).unwrap_err().is_not_found(), "{n}");
        assert!(d.delete("b", 1).unwrap_err().is_not_found(), "{n}");
    }
}

#[test]
fn user_labels_are_queryable_and_come_back() {
    for d in drivers() {
        let mut r = rel("a", 1, Status::Deployed);
        r.labels.insert("team".into(), "blue".into());
        d.create(&r).unwrap();
        let q = d
            .query(&Labels::from([("team".into(), "blue".into())]))
            .unwrap();
        assert_eq!(q.len(), 1, "{}", d.name());
        if d.name() != "Memory" {
            assert_eq!(d.get("a", 1).unwrap().labels, r.labels);
        }
    }
}

#[test]
fn object_driver_lists_past_undecodable_objects_and_names_them() {
    let cluster = FakeCluster::default();
    let d = ObjectDriver::new(cluster, ObjectKind::Secret, "apps");
    d.create(&rel("a", 1, Status::Deployed)).unwrap();
    let mut bad = crate::release::to_object(
        ObjectKind::Secret,
        &rel("a", 2, Status::Deployed),
        crate::release::Stamp::Created(1),
    );
    bad["data"]["release"] = json!("bm90IGpzb24=");
    d.objects()
        .create(ObjectKind::Secret, "apps", &bad)
        .unwrap();
    assert_eq!(versions(&d.list(&|_| true).unwrap()), [1]);
    let listing = d.list_checked(&|_| true).unwrap();
    assert_eq!(versions(&listing.releases), [1]);
    assert_eq!(listing.undecodable.len(), 1);
    assert_eq!(
        listing.undecodable[0].object,
        "secret apps/sh.helm.release.v1.a.v2"
    );
    // a query for the release fails naming the object, as Helm's drivers do
    let err = Storage::new(Box::new(d), 0).history("a").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("secret apps/sh.helm.release.v1.a.v2: "),
        "{err}"
    );
    let d = ObjectDriver::new(FakeCluster::default(), ObjectKind::Secret, "apps");
    d.create(&rel("a", 1, Status::Deployed)).unwrap();
    d.objects()
        .create(ObjectKind::Secret, "apps", &bad)
        .unwrap();
    let err = d.get("a", 2).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("secret apps/sh.helm.release.v1.a.v2: "),
        "{err}"
    );
}

#[test]
fn backend_failures_name_the_object_and_pruning_reports_them() {
    let cluster = FakeCluster {
        refuse_deletes: true,
        ..FakeCluster::default()
    };
    let d = ObjectDriver::new(cluster, ObjectKind::ConfigMap, "apps");
    d.create(&rel("a", 1, Status::Superseded)).unwrap();
    let err = d.delete("a", 1).unwrap_err();
    assert_eq!(
        err.to_string(),
        "configmap apps/sh.helm.release.v1.a.v1: forbidden"
    );
    let s = Storage::new(Box::new(d), 1);
    let err = s.create(&rel("a", 2, Status::Deployed)).unwrap_err();
    assert!(matches!(err, StorageError::Backend { .. }), "{err}");
    // nothing half-done: the new revision was not written after the failed prune
    assert!(s.get("a", 2).unwrap_err().is_not_found());
}

#[test]
fn memory_driver_scopes_by_namespace() {
    let all = MemoryDriver::new("");
    let mut r = rel("a", 1, Status::Deployed);
    all.create(&r).unwrap();
    r.namespace = "other".into();
    all.create(&r).unwrap();
    assert_eq!(all.list(&|_| true).unwrap().len(), 2);
    let apps = MemoryDriver::new("apps");
    apps.create(&rel("a", 1, Status::Deployed)).unwrap();
    r.namespace = String::new();
    apps.create(&rel("b", 1, Status::Deployed)).unwrap();
    assert_eq!(apps.list(&|_| true).unwrap().len(), 2);
}

fn storage(max: usize) -> Storage {
    Storage::new(Box::new(MemoryDriver::new("apps")), max)
}

#[test]
fn history_last_and_deployed() {
    let s = storage(0);
    for (v, st) in [
        (3, Status::Failed),
        (1, Status::Superseded),
        (2, Status::Deployed),
    ] {
        s.create(&rel("a", v, st)).unwrap();
    }
    assert_eq!(versions(&s.history("a").unwrap()), [1, 2, 3]);
    assert_eq!(s.last("a").unwrap().version, 3);
    assert_eq!(s.deployed("a").unwrap().version, 2);
    assert!(s.history("nope").unwrap_err().is_not_found());
    let err = s.deployed("nope").unwrap_err();
    assert_eq!(err.to_string(), "\"nope\" has no deployed releases");
    // two deployed after a crash: the latest wins
    s.create(&rel("a", 4, Status::Deployed)).unwrap();
    assert_eq!(versions(&s.deployed_all("a").unwrap()), [2, 4]);
    assert_eq!(s.deployed("a").unwrap().version, 4);
    assert_eq!(s.list_with_status(Status::Failed).unwrap().len(), 1);
}

#[test]
fn history_max_prunes_oldest_but_never_the_deployed_revision() {
    let s = storage(3);
    s.create(&rel("a", 1, Status::Deployed)).unwrap();
    for v in 2..=6 {
        s.create(&rel("a", v, Status::Failed)).unwrap();
    }
    // revision 1 stays deployed; the failed ones rotate
    assert_eq!(versions(&s.history("a").unwrap()), [1, 5, 6]);
    // other releases are untouched
    s.create(&rel("b", 1, Status::Deployed)).unwrap();
    assert_eq!(versions(&s.history("a").unwrap()), [1, 5, 6]);
}

#[test]
fn pruning_without_a_deployed_revision_removes_the_oldest() {
    let s = storage(2);
    for v in 1..=4 {
        s.create(&rel("a", v, Status::Superseded)).unwrap();
    }
    assert_eq!(versions(&s.history("a").unwrap()), [3, 4]);
    let unlimited = storage(0);
    for v in 1..=12 {
        unlimited.create(&rel("a", v, Status::Superseded)).unwrap();
    }
    assert_eq!(unlimited.history("a").unwrap().len(), 12);
    assert_eq!(DEFAULT_HISTORY_MAX, 10);
}

#[test]
fn driver_names_as_helm_spells_them() {
    assert_eq!(DriverKind::resolve(None, None).unwrap(), DriverKind::Secret);
    assert_eq!(
        DriverKind::resolve(Some(""), Some("")).unwrap(),
        DriverKind::Secret
    );
    assert_eq!(
        DriverKind::resolve(None, Some("configmaps")).unwrap(),
        DriverKind::ConfigMap
    );
    assert_eq!(
        DriverKind::resolve(Some("memory"), Some("secret")).unwrap(),
        DriverKind::Memory
    );
    assert_eq!(
        DriverKind::resolve(Some("secrets"), None).unwrap(),
        DriverKind::Secret
    );
    let err = DriverKind::resolve(None, Some("sql")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "RUDDER_DRIVER: unknown storage driver \"sql\" (expected secret, configmap or memory)"
    );
    let err = DriverKind::resolve(Some("Secret"), None).unwrap_err();
    assert!(err.to_string().starts_with("--driver: "), "{err}");
}
