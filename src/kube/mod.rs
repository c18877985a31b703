//! The kube layer: how rudder talks to a real cluster, over the `kube` crate. Config resolution
//! as kubectl does it, a [`Cluster`] handle with a blocking API, discovery cached for the run,
//! server-side apply as field manager `rudder`, deletion in reverse install order, CRD install
//! and wait, `--create-namespace`, and the Secret/ConfigMap store release storage uses. Nothing
//! here knows about the sandbox: tests point it at one through an ordinary kubeconfig.

pub mod apply;
pub mod apply_many;
pub mod client;
pub mod config;
pub mod crds;
pub mod delete;
pub mod discovery;
pub mod error;
pub mod object;
pub mod readiness;
pub mod store;
pub mod wait;
pub(crate) mod watch;

pub use apply::{ApplyOptions, FIELD_MANAGER};
pub use client::Cluster;
pub use config::{ConfigError, KubeEnv, KubeOptions, ResolvedConfig, resolve};
pub use delete::Deletion;
pub use discovery::Resource;
pub use error::KubeError;
pub use object::ObjectRef;
pub use store::{ClusterStore, ObjectStore, StoreKind};
pub use wait::{WaitError, WaitFor, WaitOptions};
