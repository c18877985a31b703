//! The object store release storage builds on: Secrets or ConfigMaps in one namespace, as JSON,
//! with get, list by label selector, create, update and delete. A trait, so storage can also run
//! on an in-memory map; [`ClusterStore`] is the implementation over a [`Cluster`].

use kube::api::{DeleteParams, ListParams, PostParams};
use kube::core::{ApiResource, DynamicObject};
use serde_json::Value;

use super::client::{Cluster, describe, to_value};
use super::discovery::Resource;
use super::error::KubeError;

/// Which core kind holds the records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    /// `v1` `Secret` (Helm's default driver).
    Secret,
    /// `v1` `ConfigMap`.
    ConfigMap,
}

impl StoreKind {
    /// The kind's name.
    pub fn kind(self) -> &'static str {
        match self {
            StoreKind::Secret => "Secret",
            StoreKind::ConfigMap => "ConfigMap",
        }
    }

    fn resource(self) -> Resource {
        let plural = match self {
            StoreKind::Secret => "secrets",
            StoreKind::ConfigMap => "configmaps",
        };
        Resource {
            api_resource: ApiResource {
                group: String::new(),
                version: "v1".into(),
                api_version: "v1".into(),
                kind: self.kind().into(),
                plural: plural.into(),
            },
            namespaced: true,
        }
    }
}

/// Records in one namespace. Errors keep the API reason, so `is_not_found`,
/// `is_already_exists` and `is_conflict` tell storage what happened.
pub trait ObjectStore {
    /// One object by name, `None` if absent.
    fn get(&self, name: &str) -> Result<Option<Value>, KubeError>;
    /// Every object matching a label selector (`""` for all).
    fn list(&self, selector: &str) -> Result<Vec<Value>, KubeError>;
    /// Creates an object (its `metadata.name` names it); fails with AlreadyExists if present.
    fn create(&self, object: &Value) -> Result<Value, KubeError>;
    /// Replaces an object; a `metadata.resourceVersion` makes it conditional (409 if stale).
    fn update(&self, object: &Value) -> Result<Value, KubeError>;
    /// Deletes an object by name; fails with NotFound if absent.
    fn delete(&self, name: &str) -> Result<(), KubeError>;
}

/// An [`ObjectStore`] over Secrets or ConfigMaps of one namespace of a cluster.
#[derive(Debug)]
pub struct ClusterStore<'a> {
    cluster: &'a Cluster,
    kind: StoreKind,
    namespace: String,
}

impl Cluster {
    /// The record store of a kind in a namespace.
    pub fn store(&self, kind: StoreKind, namespace: &str) -> ClusterStore<'_> {
        ClusterStore {
            cluster: self,
            kind,
            namespace: namespace.to_string(),
        }
    }
}

impl ClusterStore<'_> {
    fn api(&self) -> kube::Api<DynamicObject> {
        self.cluster
            .api(&self.kind.resource(), Some(&self.namespace))
    }

    fn what(&self, name: &str) -> String {
        describe(self.kind.kind(), Some(&self.namespace), name)
    }

    /// The object as a `DynamicObject` in this store's namespace, with its name.
    fn prepare(&self, object: &Value) -> Result<(String, DynamicObject), KubeError> {
        let name = object
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
            .ok_or_else(|| KubeError::InvalidObject {
                object: format!("{} in {}", self.kind.kind(), self.namespace),
                message: "metadata.name is not set".into(),
            })?
            .to_string();
        let mut body = object.clone();
        body["apiVersion"] = "v1".into();
        body["kind"] = self.kind.kind().into();
        body["metadata"]["namespace"] = self.namespace.clone().into();
        let dynamic = serde_json::from_value(body).map_err(|e| KubeError::InvalidObject {
            object: self.what(&name),
            message: e.to_string(),
        })?;
        Ok((name, dynamic))
    }

    fn finish(
        &self,
        name: &str,
        r: Result<DynamicObject, kube::Error>,
    ) -> Result<Value, KubeError> {
        let stored = r.map_err(|e| self.cluster.error(e, &self.what(name)))?;
        to_value(stored).map_err(|message| KubeError::Client {
            object: self.what(name),
            message,
        })
    }
}

impl ObjectStore for ClusterStore<'_> {
    fn get(&self, name: &str) -> Result<Option<Value>, KubeError> {
        match self.cluster.block_on(self.api().get_opt(name)) {
            Ok(Some(o)) => self.finish(name, Ok(o)).map(Some),
            Ok(None) => Ok(None),
            Err(e) => Err(self.cluster.error(e, &self.what(name))),
        }
    }

    fn list(&self, selector: &str) -> Result<Vec<Value>, KubeError> {
        let what = format!("{} in {}", self.kind.kind(), self.namespace);
        let list = self
            .cluster
            .block_on(self.api().list(&ListParams::default().labels(selector)))
            .map_err(|e| self.cluster.error(e, &what))?;
        list.items
            .into_iter()
            .map(|o| {
                to_value(o).map_err(|message| KubeError::Client {
                    object: what.clone(),
                    message,
                })
            })
            .collect()
    }

    fn create(&self, object: &Value) -> Result<Value, KubeError> {
        let (name, body) = self.prepare(object)?;
        let r = self
            .cluster
            .block_on(self.api().create(&PostParams::default(), &body));
        self.finish(&name, r)
    }

    fn update(&self, object: &Value) -> Result<Value, KubeError> {
        let (name, body) = self.prepare(object)?;
        let r = self
            .cluster
            .block_on(self.api().replace(&name, &PostParams::default(), &body));
        self.finish(&name, r)
    }

    fn delete(&self, name: &str) -> Result<(), KubeError> {
        self.cluster
            .block_on(self.api().delete(name, &DeleteParams::default()))
            .map(|_| ())
            .map_err(|e| self.cluster.error(e, &self.what(name)))
    }
}
