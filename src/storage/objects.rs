//! The `secret` and `configmap` drivers as a thin layer over [`ClusterObjects`]: whatever can
//! get, list by label, create, update and delete a JSON object in a namespace (the cluster's
//! API through the kube layer, or a fake in tests). Object layout and labels come from
//! [`crate::release::object`].

use serde_json::Value;

use super::{Driver, Labels, Listing, StorageError};
use crate::release::object::OWNER;
use crate::release::{
    ObjectKind, Release, ReleaseError, Stamp, from_object, object_name, to_object,
};

/// Why a cluster object operation failed, in the terms the drivers need.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ObjectsError {
    /// The object (or its namespace) does not exist (HTTP 404).
    #[error("not found")]
    NotFound,
    /// A create found the object already there (HTTP 409 AlreadyExists).
    #[error("already exists")]
    AlreadyExists,
    /// Anything else, with the server's or transport's message.
    #[error("{0}")]
    Other(String),
}

/// Access to `v1` Secrets and ConfigMaps of a cluster, as JSON objects.
pub trait ClusterObjects: Send + Sync {
    /// The object `name` in `namespace`, or `None` if it does not exist.
    fn get(
        &self,
        kind: ObjectKind,
        namespace: &str,
        name: &str,
    ) -> Result<Option<Value>, ObjectsError>;
    /// The objects whose labels match `selector`, in `namespace` (empty: all namespaces).
    fn list(
        &self,
        kind: ObjectKind,
        namespace: &str,
        selector: &Labels,
    ) -> Result<Vec<Value>, ObjectsError>;
    /// Creates `object` in `namespace`.
    fn create(&self, kind: ObjectKind, namespace: &str, object: &Value)
    -> Result<(), ObjectsError>;
    /// Replaces the object of the same name in `namespace` (unconditionally, as Helm does).
    fn update(&self, kind: ObjectKind, namespace: &str, object: &Value)
    -> Result<(), ObjectsError>;
    /// Deletes the object `name` in `namespace`.
    fn delete(&self, kind: ObjectKind, namespace: &str, name: &str) -> Result<(), ObjectsError>;
}

/// `a=b,c=d`, the selector as Kubernetes writes it (keys sorted).
pub fn selector_text(selector: &Labels) -> String {
    selector
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

/// Helm's `secret` (or `configmap`) driver over a [`ClusterObjects`] backend.
#[derive(Debug)]
pub struct ObjectDriver<C> {
    objects: C,
    kind: ObjectKind,
    namespace: String,
}

impl<C: ClusterObjects> ObjectDriver<C> {
    /// A driver storing releases as `kind` objects in `namespace` (empty: list across all).
    pub fn new(objects: C, kind: ObjectKind, namespace: impl Into<String>) -> Self {
        ObjectDriver {
            objects,
            kind,
            namespace: namespace.into(),
        }
    }

    /// The backend, for callers that share it.
    pub fn objects(&self) -> &C {
        &self.objects
    }

    fn describe(&self, namespace: &str, name: &str) -> String {
        self.kind.describe(namespace, name)
    }

    fn backend(&self, object: String, e: ObjectsError) -> StorageError {
        match e {
            ObjectsError::NotFound => StorageError::NotFound { object },
            ObjectsError::AlreadyExists => StorageError::AlreadyExists { object },
            ObjectsError::Other(message) => StorageError::Backend { object, message },
        }
    }

    fn namespace_of<'a>(&'a self, release: &'a Release) -> &'a str {
        if release.namespace.is_empty() {
            &self.namespace
        } else {
            &release.namespace
        }
    }

    /// Decodes listed objects: the releases, and an error naming each object that does not
    /// decode.
    fn decode_all(&self, items: Vec<Value>) -> (Vec<Release>, Vec<ReleaseError>) {
        let mut releases = Vec::with_capacity(items.len());
        let mut undecodable = Vec::new();
        for item in &items {
            match from_object(self.kind, item) {
                Ok(r) => releases.push(r),
                Err(e) => undecodable.push(e),
            }
        }
        (releases, undecodable)
    }
}

impl<C: ClusterObjects> Driver for ObjectDriver<C> {
    fn name(&self) -> &'static str {
        self.kind.kind()
    }

    fn get(&self, name: &str, version: u64) -> Result<Release, StorageError> {
        let key = object_name(name, version);
        let object = self.describe(&self.namespace, &key);
        match self.objects.get(self.kind, &self.namespace, &key) {
            Ok(Some(obj)) => Ok(from_object(self.kind, &obj)?),
            Ok(None) => Err(StorageError::NotFound { object }),
            Err(e) => Err(self.backend(object, e)),
        }
    }

    fn list(&self, filter: &dyn Fn(&Release) -> bool) -> Result<Vec<Release>, StorageError> {
        let listing = self.list_checked(filter)?;
        for e in &listing.undecodable {
            tracing::warn!("skipping undecodable release: {e}");
        }
        Ok(listing.releases)
    }

    fn list_checked(&self, filter: &dyn Fn(&Release) -> bool) -> Result<Listing, StorageError> {
        let selector = Labels::from([("owner".to_string(), OWNER.to_string())]);
        let items = self
            .objects
            .list(self.kind, &self.namespace, &selector)
            .map_err(|e| self.backend(self.list_name(&selector), e))?;
        let (releases, undecodable) = self.decode_all(items);
        Ok(Listing {
            releases: releases.into_iter().filter(|r| filter(r)).collect(),
            undecodable,
        })
    }

    /// As Helm's drivers: an object of the release that does not decode fails the query,
    /// naming it (a listing skips it instead).
    fn query(&self, selector: &Labels) -> Result<Vec<Release>, StorageError> {
        let object = self.list_name(selector);
        let items = self
            .objects
            .list(self.kind, &self.namespace, selector)
            .map_err(|e| self.backend(object.clone(), e))?;
        if items.is_empty() {
            return Err(StorageError::NotFound { object });
        }
        let (releases, mut undecodable) = self.decode_all(items);
        if undecodable.is_empty() {
            Ok(releases)
        } else {
            Err(StorageError::Release(undecodable.swap_remove(0)))
        }
    }

    fn create(&self, release: &Release) -> Result<(), StorageError> {
        let ns = self.namespace_of(release);
        let obj = to_object(self.kind, release, Stamp::created_now());
        self.objects
            .create(self.kind, ns, &obj)
            .map_err(|e| self.backend(self.describe(ns, &release.object_name()), e))
    }

    fn update(&self, release: &Release) -> Result<(), StorageError> {
        let ns = self.namespace_of(release);
        let obj = to_object(self.kind, release, Stamp::modified_now());
        self.objects
            .update(self.kind, ns, &obj)
            .map_err(|e| self.backend(self.describe(ns, &release.object_name()), e))
    }

    fn delete(&self, name: &str, version: u64) -> Result<Release, StorageError> {
        let release = self.get(name, version)?;
        let key = object_name(name, version);
        self.objects
            .delete(self.kind, &self.namespace, &key)
            .map_err(|e| self.backend(self.describe(&self.namespace, &key), e))?;
        Ok(release)
    }
}

impl<C> ObjectDriver<C> {
    fn list_name(&self, selector: &Labels) -> String {
        let ns = if self.namespace.is_empty() {
            "all namespaces".to_string()
        } else {
            self.namespace.clone()
        };
        format!(
            "{} in {ns} labelled {}",
            self.kind.resource(),
            selector_text(selector)
        )
    }
}
