//! Deletion of a release's objects in reverse install order with Background propagation (as
//! Helm deletes). An object already gone, or whose kind the cluster no longer serves (its CRD was
//! removed), counts as deleted; other failures do not stop the rest and are reported together.

use kube::api::DeleteParams;
use serde_json::Value;

use super::client::{Cluster, describe};
use super::error::KubeError;
use super::object::ObjectRef;

/// What happened to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deletion {
    /// The server accepted the deletion.
    Deleted,
    /// It was not there (404, or its kind is not served any more).
    AlreadyGone,
}

impl Cluster {
    /// Deletes `objects` (given in install order) last-first; returns each object, namespace
    /// resolved, with what happened, in deletion order.
    pub fn delete(&self, objects: &[Value]) -> Result<Vec<(ObjectRef, Deletion)>, KubeError> {
        let mut done = Vec::new();
        let mut errors = Vec::new();
        for object in objects.iter().rev() {
            match self.delete_one(object) {
                Ok(outcome) => done.push(outcome),
                Err(e) => errors.push(e),
            }
        }
        match errors.len() {
            0 => Ok(done),
            1 => Err(errors.remove(0)),
            _ => Err(KubeError::Multiple(errors)),
        }
    }

    /// Deletes one object with Background propagation, in the default namespace unless it
    /// names its own.
    pub fn delete_one(&self, object: &Value) -> Result<(ObjectRef, Deletion), KubeError> {
        self.delete_with(object, None, &DeleteParams::background())
    }

    /// Deletes one object with `params` (its propagation policy), in `namespace` (else the
    /// default one) unless it names its own. An object already gone, or whose kind is no longer
    /// served, counts as [`Deletion::AlreadyGone`].
    pub fn delete_with(
        &self,
        object: &Value,
        namespace: Option<&str>,
        params: &DeleteParams,
    ) -> Result<(ObjectRef, Deletion), KubeError> {
        let mut id = ObjectRef::from_value(object)?;
        let resource = match self.resolve(&id.api_version, &id.kind) {
            Ok(r) => r,
            Err(KubeError::NoMatch { .. }) => return Ok((id, Deletion::AlreadyGone)),
            Err(e) => return Err(e),
        };
        id.namespace = self.scope(&resource, id.namespace.as_deref().or(namespace));
        let what = describe(&id.kind, id.namespace.as_deref(), &id.name);
        let api = self.api(&resource, id.namespace.as_deref());
        match self.block_on(api.delete(&id.name, params)) {
            Ok(_) => Ok((id, Deletion::Deleted)),
            Err(kube::Error::Api(status)) if status.code == 404 => Ok((id, Deletion::AlreadyGone)),
            Err(e) => Err(self.error(e, &what)),
        }
    }
}
