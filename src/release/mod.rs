//! Releases: the record of one installed revision of a chart (Helm's `release/v1.Release`), its
//! storage encoding and the Kubernetes object that holds it, byte-compatible with Helm 3/4 so
//! that each tool reads, upgrades and uninstalls the other's releases.
//!
//! [`model`] is the record, [`chart`] the chart as stored in it, [`codec`] the
//! base64(gzip(JSON)) encoding, [`object`] the Secret/ConfigMap around it, [`gotime`] Go's
//! timestamp format.

pub mod chart;
pub mod codec;
pub mod gotime;
pub mod model;
pub mod object;

pub use chart::{ReleaseChart, ReleaseFile};
pub use codec::{decode, decode_json, encode};
pub use model::{
    Hook, HookDeletePolicy, HookEvent, HookExecution, HookOutputLogPolicy, HookPhase, Info,
    Release, Status,
};
pub use object::{ObjectKind, Stamp, from_object, object_name, to_object};

/// Why a stored release could not be read or recorded; names the storage object (or file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{object}: {message}")]
pub struct ReleaseError {
    /// The object at fault: `secret apps/sh.helm.release.v1.rel.v1`, or a chart file.
    pub object: String,
    /// What is wrong with it.
    pub message: String,
}

impl ReleaseError {
    /// An error about `object`.
    pub fn new(object: impl Into<String>, message: impl Into<String>) -> ReleaseError {
        ReleaseError {
            object: object.into(),
            message: message.into(),
        }
    }
}

impl Release {
    /// The name of the object that stores this revision.
    pub fn object_name(&self) -> String {
        object_name(&self.name, self.version)
    }
}

#[cfg(test)]
mod tests;
