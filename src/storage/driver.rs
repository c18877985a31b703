//! The driver interface: where release revisions are kept. Helm's drivers address revisions by
//! name and version and select them by the labels of their storage objects (`name`, `owner`,
//! `status`, `version`, plus user labels).

use std::collections::BTreeMap;

use super::StorageError;
use crate::release::{Release, ReleaseError};

/// A label set or selector (equality only, as Helm's queries are).
pub type Labels = BTreeMap<String, String>;

/// Whether every `selector` entry is present with the same value in `labels`.
pub fn labels_match(selector: &Labels, labels: &Labels) -> bool {
    selector.iter().all(|(k, v)| labels.get(k) == Some(v))
}

/// What a listing found: the revisions that decoded (and passed the filter) and, for each
/// stored object that did not decode, the error naming it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Listing {
    /// The decoded revisions for which the filter held.
    pub releases: Vec<Release>,
    /// One error per undecodable object (`secret apps/sh.helm.release.v1.x.v1: ...`).
    pub undecodable: Vec<ReleaseError>,
}

/// A place release revisions are stored; one namespace, or all when the namespace is empty
/// (then only listing and querying make sense, as in Helm).
pub trait Driver: Send + Sync {
    /// The driver's name as Helm prints it (`Secret`, `ConfigMap`, `Memory`).
    fn name(&self) -> &'static str;

    /// Revision `version` of release `name`; [`StorageError::NotFound`] when absent.
    fn get(&self, name: &str, version: u64) -> Result<Release, StorageError>;

    /// Every stored revision for which `filter` holds (undecodable objects are skipped, as Helm
    /// does).
    fn list(&self, filter: &dyn Fn(&Release) -> bool) -> Result<Vec<Release>, StorageError>;

    /// [`Driver::list`] that also reports the stored objects that could not be decoded, so
    /// that `list` can warn about them by name while still showing the others.
    fn list_checked(&self, filter: &dyn Fn(&Release) -> bool) -> Result<Listing, StorageError> {
        Ok(Listing {
            releases: self.list(filter)?,
            undecodable: Vec::new(),
        })
    }

    /// The revisions whose object labels match `selector`; [`StorageError::NotFound`] when none.
    fn query(&self, selector: &Labels) -> Result<Vec<Release>, StorageError>;

    /// Stores a new revision; [`StorageError::AlreadyExists`] if it is already stored.
    fn create(&self, release: &Release) -> Result<(), StorageError>;

    /// Replaces a stored revision (its status changed ...).
    fn update(&self, release: &Release) -> Result<(), StorageError>;

    /// Removes a revision and returns what was stored.
    fn delete(&self, name: &str, version: u64) -> Result<Release, StorageError>;
}
