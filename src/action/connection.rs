//! The cluster and release storage a release verb works against: the kube layer connected as
//! kubectl would connect (flags, `KUBECONFIG`, `RUDDER_NAMESPACE`), optionally to an in-process
//! sandbox persisted in a directory (`--sandbox DIR`, for trying rudder without a cluster), and
//! the storage driver chosen by `--driver` / `RUDDER_DRIVER`.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::Value;

use super::ActionError;
use crate::kube::{Cluster, KubeEnv, KubeError, KubeOptions, ObjectStore, StoreKind};
use crate::release::ObjectKind;
use crate::sandbox::{Sandbox, SandboxOptions};
use crate::storage::{
    ClusterObjects, DEFAULT_HISTORY_MAX, DriverKind, Labels, MemoryDriver, ObjectDriver,
    ObjectsError, Storage, selector_text,
};

/// Where to connect: the global flags of every release verb.
#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    /// `--kubeconfig`, `--kube-context`, `-n/--namespace`.
    pub kube: KubeOptions,
    /// `--driver` (else `RUDDER_DRIVER`, else `secret`).
    pub driver: Option<String>,
    /// `--sandbox DIR`: run an in-process sandbox API server persisted in DIR and talk to it.
    pub sandbox: Option<PathBuf>,
}

/// A connected cluster, the release namespace, and the storage driver kind.
#[derive(Debug)]
pub struct Connection {
    /// The cluster, shared with the storage backend.
    pub cluster: Arc<Cluster>,
    /// The driver kind chosen.
    pub driver: DriverKind,
    /// Kept alive while connected (with `--sandbox`); stopped when the connection drops.
    sandbox: Option<Sandbox>,
}

impl Drop for Connection {
    fn drop(&mut self) {
        if let Some(s) = self.sandbox.take() {
            s.stop();
        }
    }
}

/// The kubeconfig file name `--sandbox DIR` writes inside DIR.
pub const SANDBOX_KUBECONFIG: &str = "kubeconfig";

/// Connects as `opts` says. Nothing is requested from the server yet.
pub fn connect(opts: &ConnectOptions) -> Result<Connection, ActionError> {
    let driver = DriverKind::from_flag_or_env(opts.driver.as_deref())
        .map_err(|e| ActionError::Invalid(e.to_string()))?;
    let mut kube = opts.kube.clone();
    let mut env = KubeEnv::from_process();
    let sandbox = match &opts.sandbox {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| ActionError::io(dir, e))?;
            let kubeconfig = dir.join(SANDBOX_KUBECONFIG);
            let sandbox = Sandbox::start(SandboxOptions {
                state_dir: Some(dir.clone()),
                kubeconfig: Some(kubeconfig.clone()),
                ..SandboxOptions::default()
            })
            .map_err(|e| ActionError::Invalid(format!("sandbox {}: {e}", dir.display())))?;
            kube.kubeconfig = Some(kubeconfig);
            kube.context = None;
            env.kubeconfig = None;
            Some(sandbox)
        }
        None => None,
    };
    let cluster = Cluster::connect(&kube, &env)?;
    Ok(Connection {
        cluster: Arc::new(cluster),
        driver,
        sandbox,
    })
}

impl Connection {
    /// The namespace releases and objects go to unless they say otherwise.
    pub fn namespace(&self) -> &str {
        self.cluster.namespace()
    }

    /// Release storage for `namespace` (`""`: every namespace, for `list -A`).
    pub fn storage(&self, namespace: &str, history_max: usize) -> Storage {
        let records = ClusterRecords(self.cluster.clone());
        let driver: Box<dyn crate::storage::Driver> = match self.driver {
            DriverKind::Secret => {
                Box::new(ObjectDriver::new(records, ObjectKind::Secret, namespace))
            }
            DriverKind::ConfigMap => {
                Box::new(ObjectDriver::new(records, ObjectKind::ConfigMap, namespace))
            }
            DriverKind::Memory => Box::new(MemoryDriver::new(namespace)),
        };
        Storage::new(driver, history_max)
    }

    /// Release storage in the connection's namespace with the default history limit.
    pub fn default_storage(&self) -> Storage {
        self.storage(self.namespace(), DEFAULT_HISTORY_MAX)
    }
}

/// Release records as Secrets/ConfigMaps through the kube layer: the bridge between storage
/// (which knows the record layout) and the cluster (which knows the API).
#[derive(Debug, Clone)]
pub struct ClusterRecords(pub Arc<Cluster>);

fn store_kind(kind: ObjectKind) -> StoreKind {
    match kind {
        ObjectKind::Secret => StoreKind::Secret,
        ObjectKind::ConfigMap => StoreKind::ConfigMap,
    }
}

fn objects_error(e: KubeError) -> ObjectsError {
    if e.is_not_found() {
        ObjectsError::NotFound
    } else if e.is_already_exists() {
        ObjectsError::AlreadyExists
    } else {
        ObjectsError::Other(e.to_string())
    }
}

impl ClusterObjects for ClusterRecords {
    fn get(
        &self,
        kind: ObjectKind,
        namespace: &str,
        name: &str,
    ) -> Result<Option<Value>, ObjectsError> {
        self.0
            .store(store_kind(kind), namespace)
            .get(name)
            .map_err(objects_error)
    }

    fn list(
        &self,
        kind: ObjectKind,
        namespace: &str,
        selector: &Labels,
    ) -> Result<Vec<Value>, ObjectsError> {
        self.0
            .list("v1", kind.kind(), Some(namespace), &selector_text(selector))
            .map_err(|e| ObjectsError::Other(e.to_string()))
    }

    fn create(
        &self,
        kind: ObjectKind,
        namespace: &str,
        object: &Value,
    ) -> Result<(), ObjectsError> {
        self.0
            .store(store_kind(kind), namespace)
            .create(object)
            .map(|_| ())
            .map_err(objects_error)
    }

    fn update(
        &self,
        kind: ObjectKind,
        namespace: &str,
        object: &Value,
    ) -> Result<(), ObjectsError> {
        self.0
            .store(store_kind(kind), namespace)
            .update(object)
            .map(|_| ())
            .map_err(objects_error)
    }

    fn delete(&self, kind: ObjectKind, namespace: &str, name: &str) -> Result<(), ObjectsError> {
        self.0
            .store(store_kind(kind), namespace)
            .delete(name)
            .map_err(objects_error)
    }
}
