//! The `memory` driver: revisions kept in this process, labelled as the Secret driver labels
//! its objects so that queries behave the same.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard};

use super::{Driver, Labels, StorageError, labels_match};
use crate::release::object::object_labels;
use crate::release::{Release, Stamp, object_name};

/// One stored revision with the labels its object would carry.
#[derive(Debug, Clone)]
struct Entry {
    release: Release,
    labels: Labels,
}

/// Releases in memory, keyed by namespace and object name (Helm's `memory` driver).
#[derive(Debug, Default)]
pub struct MemoryDriver {
    namespace: String,
    store: Mutex<BTreeMap<(String, String), Entry>>,
}

impl MemoryDriver {
    /// A driver for `namespace` (empty: list and query every namespace).
    pub fn new(namespace: impl Into<String>) -> MemoryDriver {
        MemoryDriver {
            namespace: namespace.into(),
            store: Mutex::default(),
        }
    }

    fn store(&self) -> MutexGuard<'_, BTreeMap<(String, String), Entry>> {
        // A panic elsewhere cannot leave a half-written entry: every write is one insert.
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn key(&self, name: &str, version: u64) -> (String, String) {
        (self.namespace.clone(), object_name(name, version))
    }

    /// Where a release is written: its own namespace, else the driver's.
    fn key_of(&self, release: &Release) -> (String, String) {
        let ns = if release.namespace.is_empty() {
            self.namespace.clone()
        } else {
            release.namespace.clone()
        };
        (ns, release.object_name())
    }

    fn in_scope(&self, namespace: &str) -> bool {
        self.namespace.is_empty() || self.namespace == namespace
    }

    fn describe((ns, name): &(String, String)) -> String {
        format!("memory {ns}/{name}")
    }
}

impl Driver for MemoryDriver {
    fn name(&self) -> &'static str {
        "Memory"
    }

    fn get(&self, name: &str, version: u64) -> Result<Release, StorageError> {
        let key = self.key(name, version);
        self.store()
            .get(&key)
            .map(|e| e.release.clone())
            .ok_or_else(|| StorageError::NotFound {
                object: Self::describe(&key),
            })
    }

    fn list(&self, filter: &dyn Fn(&Release) -> bool) -> Result<Vec<Release>, StorageError> {
        Ok(self
            .store()
            .iter()
            .filter(|((ns, _), e)| self.in_scope(ns) && filter(&e.release))
            .map(|(_, e)| e.release.clone())
            .collect())
    }

    fn query(&self, selector: &Labels) -> Result<Vec<Release>, StorageError> {
        let found: Vec<Release> = self
            .store()
            .iter()
            .filter(|((ns, _), e)| self.in_scope(ns) && labels_match(selector, &e.labels))
            .map(|(_, e)| e.release.clone())
            .collect();
        if found.is_empty() {
            return Err(StorageError::NotFound {
                object: format!("memory query {}", super::objects::selector_text(selector)),
            });
        }
        Ok(found)
    }

    fn create(&self, release: &Release) -> Result<(), StorageError> {
        let key = self.key_of(release);
        let mut store = self.store();
        if store.contains_key(&key) {
            return Err(StorageError::AlreadyExists {
                object: Self::describe(&key),
            });
        }
        let labels = object_labels(release, Stamp::created_now());
        store.insert(
            key,
            Entry {
                release: release.clone(),
                labels,
            },
        );
        Ok(())
    }

    fn update(&self, release: &Release) -> Result<(), StorageError> {
        let key = self.key_of(release);
        let mut store = self.store();
        if !store.contains_key(&key) {
            return Err(StorageError::NotFound {
                object: Self::describe(&key),
            });
        }
        let labels = object_labels(release, Stamp::modified_now());
        store.insert(
            key,
            Entry {
                release: release.clone(),
                labels,
            },
        );
        Ok(())
    }

    fn delete(&self, name: &str, version: u64) -> Result<Release, StorageError> {
        let key = self.key(name, version);
        self.store()
            .remove(&key)
            .map(|e| e.release)
            .ok_or_else(|| StorageError::NotFound {
                object: Self::describe(&key),
            })
    }
}
