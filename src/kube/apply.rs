//! Server-side apply of manifest objects with field manager `rudder` (Helm 4 applies
//! server-side by default too). Namespaced kinds without a namespace get the cluster's default
//! one; cluster-scoped kinds lose any namespace they carry. A conflict with another field
//! manager is reported with the object and the server's list of managers and fields; `force`
//! takes ownership of them instead.

use kube::api::{Patch, PatchParams};
use serde_json::Value;

use super::client::Cluster;
use super::error::KubeError;

/// The field manager rudder applies as.
pub const FIELD_MANAGER: &str = "rudder";

/// How to apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApplyOptions {
    /// Take ownership of fields another manager owns (`--force-conflicts`).
    pub force_conflicts: bool,
    /// The field manager name.
    pub field_manager: String,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            force_conflicts: false,
            field_manager: FIELD_MANAGER.to_string(),
        }
    }
}

impl Cluster {
    /// Applies objects in the order given (the caller's install order), stopping at the first
    /// failure; returns the objects as the server stored them.
    pub fn apply(&self, objects: &[Value], opts: &ApplyOptions) -> Result<Vec<Value>, KubeError> {
        objects.iter().map(|o| self.apply_one(o, opts)).collect()
    }

    /// Applies one object and returns it as the server stored it.
    pub fn apply_one(&self, object: &Value, opts: &ApplyOptions) -> Result<Value, KubeError> {
        let p = self.prepare(object)?;
        let mut params = PatchParams::apply(&opts.field_manager);
        if opts.force_conflicts {
            params = params.force();
        }
        let r = self.block_on(p.api.patch(&p.name, &params, &Patch::Apply(&p.body)));
        self.applied(r, p.what)
    }

    /// Makes sure a namespace exists, as Helm's `--create-namespace` does: applies a
    /// `Namespace` labelled `name: <namespace>`; one that exists already is fine.
    pub fn create_namespace(&self, name: &str) -> Result<(), KubeError> {
        let ns = serde_json::json!({
            "apiVersion": "v1",
            "kind": "Namespace",
            "metadata": {"name": name, "labels": {"name": name}},
        });
        match self.apply_one(&ns, &ApplyOptions::default()) {
            Ok(_) => Ok(()),
            // Someone else manages the label: the namespace exists, which is all we need.
            Err(KubeError::ApplyConflict { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}
