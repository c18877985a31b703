//! [`Cluster`]: one connection to one cluster for the run, with a small blocking API (the CLI is
//! synchronous). It owns a single-threaded tokio runtime that drives the async `kube` client,
//! the resolved kubeconfig, and the discovery cache; get and list by label selector live here,
//! the other operations in their own files as more `impl Cluster` blocks.

use std::sync::Mutex;

use kube::api::{Api, DynamicObject, ListParams};
use serde_json::Value;

use super::config::{KubeEnv, KubeOptions, ResolvedConfig, resolve};
use super::discovery::{self, DiscoveryCache, Resource};
use super::error::KubeError;

/// A connected cluster (connection is lazy: the first request reaches the server).
pub struct Cluster {
    runtime: tokio::runtime::Runtime,
    client: kube::Client,
    config: ResolvedConfig,
    discovery: Mutex<DiscoveryCache>,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("server", &self.config.server)
            .field("context", &self.config.context)
            .field("namespace", &self.config.namespace)
            .finish()
    }
}

impl Cluster {
    /// Resolves the kubeconfig from flags and environment and builds a client for it.
    pub fn connect(opts: &KubeOptions, env: &KubeEnv) -> Result<Cluster, KubeError> {
        Cluster::from_config(resolve(opts, env)?)
    }

    /// Builds a client for an already resolved kubeconfig.
    pub fn from_config(config: ResolvedConfig) -> Result<Cluster, KubeError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(KubeError::Runtime)?;
        let server = config.server.clone();
        let client = runtime.block_on(async {
            let kube_config = config.client_config().await?;
            kube::Client::try_from(kube_config)
                .map_err(|e| KubeError::from_kube(e, "client", &server))
        })?;
        Ok(Cluster {
            runtime,
            client,
            config,
            discovery: Mutex::new(DiscoveryCache::default()),
        })
    }

    /// The namespace objects and release records go to unless they say otherwise.
    pub fn namespace(&self) -> &str {
        &self.config.namespace
    }

    /// The API server URL (for messages).
    pub fn server(&self) -> &str {
        &self.config.server
    }

    /// The kubeconfig context in use.
    pub fn context(&self) -> &str {
        &self.config.context
    }

    /// The server's `gitVersion`; also a cheap check that it is reachable.
    pub fn server_version(&self) -> Result<String, KubeError> {
        self.block_on(self.client.apiserver_version())
            .map(|info| info.git_version)
            .map_err(|e| self.error(e, "server version"))
    }

    /// Resolves apiVersion + kind to the resource serving it, from the run's discovery cache
    /// (fetching the group-version on first use).
    pub fn resolve(&self, api_version: &str, kind: &str) -> Result<Resource, KubeError> {
        {
            let cache = self.lock_discovery();
            if let Some(found) = cache.cached(api_version) {
                return discovery::pick(found.as_ref(), api_version, kind);
            }
        }
        let fetched = self.block_on(discovery::fetch(&self.client, api_version, self.server()))?;
        let mut cache = self.lock_discovery();
        cache.insert(api_version, fetched);
        discovery::pick(
            cache.cached(api_version).and_then(Option::as_ref),
            api_version,
            kind,
        )
    }

    /// Forgets what discovery found, so kinds added since (by CRDs) resolve.
    pub fn refresh_discovery(&self) {
        self.lock_discovery().clear();
    }

    /// One object, or `None` if it does not exist. `namespace` is ignored for cluster-scoped
    /// kinds and defaults to [`Cluster::namespace`] for namespaced ones.
    pub fn get(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<Option<Value>, KubeError> {
        let resource = self.resolve(api_version, kind)?;
        let ns = self.scope(&resource, namespace);
        let api = self.api(&resource, ns.as_deref());
        let what = describe(kind, ns.as_deref(), name);
        match self.block_on(api.get_opt(name)) {
            Ok(found) => found
                .map(to_value)
                .transpose()
                .map_err(|m| KubeError::Client {
                    object: what,
                    message: m,
                }),
            Err(e) => Err(self.error(e, &what)),
        }
    }

    /// Objects of a kind matching a label selector (`""` for all). For namespaced kinds,
    /// `namespace` `None` means [`Cluster::namespace`] and `Some("")` every namespace.
    pub fn list(
        &self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        selector: &str,
    ) -> Result<Vec<Value>, KubeError> {
        let resource = self.resolve(api_version, kind)?;
        let ns = self.scope(&resource, namespace).filter(|n| !n.is_empty());
        let api = self.api(&resource, ns.as_deref());
        let what = match &ns {
            Some(n) => format!("{kind} in {n}"),
            None => kind.to_string(),
        };
        let params = ListParams::default().labels(selector);
        let list = self
            .block_on(api.list(&params))
            .map_err(|e| self.error(e, &what))?;
        list.items
            .into_iter()
            .map(to_value)
            .collect::<Result<_, _>>()
            .map_err(|m| KubeError::Client {
                object: what,
                message: m,
            })
    }

    /// The namespace a request for this resource uses: none for cluster-scoped kinds, the given
    /// one or the default for namespaced ones.
    pub(crate) fn scope(&self, resource: &Resource, namespace: Option<&str>) -> Option<String> {
        resource
            .namespaced
            .then(|| namespace.unwrap_or(self.namespace()).to_string())
    }

    /// The dynamic API for a resource in a namespace (or cluster-wide).
    pub(crate) fn api(&self, resource: &Resource, namespace: Option<&str>) -> Api<DynamicObject> {
        match namespace {
            Some(ns) => Api::namespaced_with(self.client.clone(), ns, &resource.api_resource),
            None => Api::all_with(self.client.clone(), &resource.api_resource),
        }
    }

    /// Runs a future on the owned runtime.
    pub(crate) fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// Maps a client error about `object` to ours.
    pub(crate) fn error(&self, e: kube::Error, object: &str) -> KubeError {
        KubeError::from_kube(e, object, self.server())
    }

    /// The underlying `kube` client (for the other `impl Cluster` blocks of this layer).
    pub(super) fn client(&self) -> &kube::Client {
        &self.client
    }

    pub(super) fn lock_discovery(&self) -> std::sync::MutexGuard<'_, DiscoveryCache> {
        // The cache holds plain data; a panic elsewhere leaves it usable.
        self.discovery.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// `Kind ns/name` or `Kind name`.
pub(crate) fn describe(kind: &str, namespace: Option<&str>, name: &str) -> String {
    match namespace {
        Some(ns) => format!("{kind} {ns}/{name}"),
        None => format!("{kind} {name}"),
    }
}

/// A dynamic object back to plain JSON.
pub(crate) fn to_value(object: DynamicObject) -> Result<Value, String> {
    serde_json::to_value(object).map_err(|e| e.to_string())
}
