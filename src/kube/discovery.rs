//! apiVersion + kind → the REST resource serving it and whether it is namespaced, read from the
//! server's discovery documents one group-version at a time and cached for the run. The cache
//! is cleared after CRDs are installed, so kinds they add resolve.
//!
//! [`Cluster::served_apis`] is the other way in: one pass over everything the server serves
//! (aggregated discovery: two requests; legacy discovery when the server lacks it), for
//! `Capabilities.APIVersions`. It fills the per-apiVersion cache too, so later resolves are free.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::APIResourceList;
use kube::core::discovery::v2::{APIGroupDiscovery, APIGroupDiscoveryList};
use kube::core::{ApiResource, gvk::GroupVersion};

use super::client::Cluster;
use super::error::KubeError;

/// A kind the cluster serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource {
    /// Group, version, kind and plural, as `kube`'s dynamic API wants them.
    pub api_resource: ApiResource,
    /// Whether objects of this kind live in a namespace.
    pub namespaced: bool,
}

/// The discovery cache: per apiVersion, the kinds it serves (`None`: not served at all).
#[derive(Debug, Default)]
pub(crate) struct DiscoveryCache {
    by_version: HashMap<String, Option<Vec<Resource>>>,
    served: Option<Arc<ServedApis>>,
}

impl DiscoveryCache {
    /// Forgets everything (after CRDs are created).
    pub(crate) fn clear(&mut self) {
        self.by_version.clear();
        self.served = None;
    }

    /// The cached answer for an apiVersion, if it was fetched.
    pub(crate) fn cached(&self, api_version: &str) -> Option<&Option<Vec<Resource>>> {
        self.by_version.get(api_version)
    }

    /// Remembers what an apiVersion serves.
    pub(crate) fn insert(&mut self, api_version: &str, resources: Option<Vec<Resource>>) {
        self.by_version.insert(api_version.to_string(), resources);
    }
}

/// Finds `kind` in an apiVersion's resources, or the kubectl-worded "no matches" error.
pub(crate) fn pick(
    resources: Option<&Vec<Resource>>,
    api_version: &str,
    kind: &str,
) -> Result<Resource, KubeError> {
    resources
        .and_then(|rs| rs.iter().find(|r| r.api_resource.kind == kind))
        .cloned()
        .ok_or_else(|| KubeError::NoMatch {
            kind: kind.to_string(),
            api_version: api_version.to_string(),
        })
}

/// Asks the server for the resources of `api_version` (`/api/v1` or `/apis/GROUP/VERSION`):
/// the parsed group/version and the server's answer (its errors are the caller's to judge).
async fn resource_list(
    client: &kube::Client,
    api_version: &str,
) -> Result<(GroupVersion, Result<APIResourceList, kube::Error>), KubeError> {
    let gv: GroupVersion = api_version.parse().map_err(|_| KubeError::InvalidObject {
        object: format!("apiVersion {api_version:?}"),
        message: "is not GROUP/VERSION or VERSION".into(),
    })?;
    let answer = if gv.group.is_empty() {
        client.list_core_api_resources(&gv.version).await
    } else {
        client.list_api_group_resources(api_version).await
    };
    Ok((gv, answer))
}

/// Fetches the resource list of one apiVersion (`None` when the server does not serve it).
pub(crate) async fn fetch(
    client: &kube::Client,
    api_version: &str,
    server: &str,
) -> Result<Option<Vec<Resource>>, KubeError> {
    let (gv, answer) = resource_list(client, api_version).await?;
    let list = match answer {
        Ok(list) => list,
        Err(kube::Error::Api(status)) if status.code == 404 => return Ok(None),
        Err(e) => {
            return Err(KubeError::from_kube(
                e,
                &format!("discovery of {api_version}"),
                server,
            ));
        }
    };
    let resources = list
        .resources
        .into_iter()
        .filter(|r| !r.name.contains('/'))
        .map(|r| Resource {
            api_resource: ApiResource {
                group: gv.group.clone(),
                version: gv.version.clone(),
                api_version: gv.api_version(),
                kind: r.kind,
                plural: r.name,
            },
            namespaced: r.namespaced,
        })
        .collect();
    Ok(Some(resources))
}

/// Everything the server serves, from one discovery pass.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServedApis {
    /// Per apiVersion (`v1`, `apps/v1`), its top-level resources.
    pub resources: BTreeMap<String, Vec<Resource>>,
    /// Per apiVersion, the kinds its subresources answer with (`Scale`, `Eviction` ...), which
    /// Helm lists among the API versions too.
    pub subresource_kinds: BTreeMap<String, BTreeSet<String>>,
}

impl ServedApis {
    /// Helm's `Capabilities.APIVersions` for this server: every `group/version` and every
    /// `group/version/Kind` (subresource kinds included), sorted, each once.
    pub fn api_versions(&self) -> Vec<String> {
        let mut all = BTreeSet::new();
        for (gv, resources) in &self.resources {
            all.insert(gv.clone());
            for r in resources {
                all.insert(format!("{gv}/{}", r.api_resource.kind));
            }
        }
        for (gv, kinds) in &self.subresource_kinds {
            all.insert(gv.clone());
            for k in kinds {
                all.insert(format!("{gv}/{k}"));
            }
        }
        all.into_iter().collect()
    }

    /// Adds one aggregated discovery group (`/api`'s core group or one of `/apis`).
    fn add_aggregated(&mut self, group: APIGroupDiscovery) {
        let name = group.metadata.and_then(|m| m.name).unwrap_or_default();
        for version in group.versions {
            let Some(v) = version.version else { continue };
            let gv = GroupVersion::gv(&name, &v);
            let api_version = gv.api_version();
            let mut resources = Vec::new();
            for r in version.resources {
                let (Some(plural), Some(kind)) = (r.resource, r.response_kind.and_then(|k| k.kind))
                else {
                    continue;
                };
                for sub in r.subresources {
                    if let Some(k) = sub.response_kind.and_then(|k| k.kind) {
                        self.subresource_kinds
                            .entry(api_version.clone())
                            .or_default()
                            .insert(k);
                    }
                }
                resources.push(Resource {
                    api_resource: ApiResource {
                        group: name.clone(),
                        version: v.clone(),
                        api_version: api_version.clone(),
                        kind,
                        plural,
                    },
                    namespaced: r.scope.as_deref() == Some("Namespaced"),
                });
            }
            self.resources.insert(api_version, resources);
        }
    }
}

impl Cluster {
    /// Everything the server serves (one discovery pass per run, cached until CRDs change it):
    /// the source of `Capabilities.APIVersions`.
    pub fn served_apis(&self) -> Result<Arc<ServedApis>, KubeError> {
        if let Some(served) = &self.lock_discovery().served {
            return Ok(served.clone());
        }
        let served = Arc::new(self.block_on(discover_all(self.client(), self.server()))?);
        let mut cache = self.lock_discovery();
        for (gv, resources) in &served.resources {
            cache.insert(gv, Some(resources.clone()));
        }
        cache.served = Some(served.clone());
        Ok(served)
    }
}

/// One pass over the server's discovery: aggregated (`/api` and `/apis`), or when the server
/// does not speak it, the legacy documents group-version by group-version.
async fn discover_all(client: &kube::Client, server: &str) -> Result<ServedApis, KubeError> {
    let aggregated = async {
        let core = client.list_core_api_versions_aggregated().await?;
        let groups = client.list_api_groups_aggregated().await?;
        Ok::<(APIGroupDiscoveryList, APIGroupDiscoveryList), kube::Error>((core, groups))
    };
    match aggregated.await {
        Ok((core, groups)) if !core.items.is_empty() => {
            let mut served = ServedApis::default();
            for group in core.items.into_iter().chain(groups.items) {
                served.add_aggregated(group);
            }
            return Ok(served);
        }
        Ok(_) => tracing::debug!("aggregated discovery answered empty; using legacy discovery"),
        Err(e) => tracing::debug!("aggregated discovery failed ({e}); using legacy discovery"),
    }
    let mut versions: Vec<String> = client
        .list_core_api_versions()
        .await
        .map_err(|e| KubeError::from_kube(e, "discovery of /api", server))?
        .versions;
    let groups = client
        .list_api_groups()
        .await
        .map_err(|e| KubeError::from_kube(e, "discovery of /apis", server))?;
    versions.extend(
        groups
            .groups
            .into_iter()
            .flat_map(|g| g.versions.into_iter().map(|v| v.group_version)),
    );
    let mut served = ServedApis::default();
    for gv in versions {
        let (parsed, answer) = resource_list(client, &gv).await?;
        let list = match answer {
            Ok(list) => list,
            // Helm tolerates a group that fails discovery (an aggregated API server down).
            Err(e) => {
                tracing::debug!("discovery of {gv} failed: {e}");
                continue;
            }
        };
        let mut resources = Vec::new();
        for r in list.resources {
            if r.name.contains('/') {
                served
                    .subresource_kinds
                    .entry(gv.clone())
                    .or_default()
                    .insert(r.kind);
                continue;
            }
            resources.push(Resource {
                api_resource: ApiResource {
                    group: parsed.group.clone(),
                    version: parsed.version.clone(),
                    api_version: parsed.api_version(),
                    kind: r.kind,
                    plural: r.name,
                },
                namespaced: r.namespaced,
            });
        }
        served.resources.insert(gv, resources);
    }
    Ok(served)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_kind_or_says_no_match() {
        let r = Resource {
            api_resource: ApiResource {
                group: "apps".into(),
                version: "v1".into(),
                api_version: "apps/v1".into(),
                kind: "Deployment".into(),
                plural: "deployments".into(),
            },
            namespaced: true,
        };
        let list = vec![r.clone()];
        assert_eq!(pick(Some(&list), "apps/v1", "Deployment").unwrap(), r);
        assert_eq!(
            pick(Some(&list), "apps/v1", "Gadget")
                .unwrap_err()
                .to_string(),
            "no matches for kind \"Gadget\" in version \"apps/v1\" (the cluster does not serve it)"
        );
        assert!(pick(None, "x.io/v1", "Deployment").is_err());
    }

    #[test]
    fn api_versions_list_group_versions_and_kinds_once() {
        let res = |gv: &str, kind: &str| Resource {
            api_resource: ApiResource {
                group: String::new(),
                version: String::new(),
                api_version: gv.into(),
                kind: kind.into(),
                plural: kind.to_lowercase(),
            },
            namespaced: true,
        };
        let served = ServedApis {
            resources: BTreeMap::from([
                (
                    "v1".to_string(),
                    vec![res("v1", "Pod"), res("v1", "ConfigMap")],
                ),
                ("apps/v1".to_string(), vec![res("apps/v1", "Deployment")]),
                ("x.io/v1".to_string(), vec![]),
            ]),
            subresource_kinds: BTreeMap::from([(
                "apps/v1".to_string(),
                BTreeSet::from(["Scale".to_string(), "Deployment".to_string()]),
            )]),
        };
        assert_eq!(
            served.api_versions(),
            vec![
                "apps/v1",
                "apps/v1/Deployment",
                "apps/v1/Scale",
                "v1",
                "v1/ConfigMap",
                "v1/Pod",
                "x.io/v1"
            ]
        );
    }

    /// A server that speaks only legacy discovery (every reply plain JSON, whatever the
    /// `Accept`), on a thread; returns its URL.
    fn legacy_server() -> String {
        use std::io::{BufRead, BufReader, Write};
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut request = String::new();
                if reader.read_line(&mut request).is_err() {
                    continue;
                }
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                    line.clear();
                }
                let path = request.split(' ').nth(1).unwrap_or("");
                let (code, body) = match path {
                    "/api" => (200, r#"{"kind":"APIVersions","versions":["v1"]}"#),
                    "/apis" => (
                        200,
                        r#"{"kind":"APIGroupList","groups":[
                            {"name":"apps","versions":[{"groupVersion":"apps/v1","version":"v1"}]},
                            {"name":"broken.io","versions":[{"groupVersion":"broken.io/v1","version":"v1"}]}]}"#,
                    ),
                    "/api/v1" => (
                        200,
                        r#"{"kind":"APIResourceList","groupVersion":"v1","resources":[
                            {"name":"pods","namespaced":true,"kind":"Pod","verbs":[]},
                            {"name":"pods/eviction","namespaced":true,"kind":"Eviction","verbs":[]},
                            {"name":"namespaces","namespaced":false,"kind":"Namespace","verbs":[]}]}"#,
                    ),
                    "/apis/apps/v1" => (
                        200,
                        r#"{"kind":"APIResourceList","groupVersion":"apps/v1","resources":[
                            {"name":"deployments","namespaced":true,"kind":"Deployment","verbs":[]},
                            {"name":"deployments/scale","namespaced":true,"kind":"Scale","verbs":[]}]}"#,
                    ),
                    // (500, not 503: the kube client retries 503 with a long backoff.)
                    _ => (
                        500,
                        r#"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"broken","reason":"InternalError","code":500}"#,
                    ),
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {code} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
            }
        });
        url
    }

    #[test]
    fn served_apis_fall_back_to_legacy_discovery_and_skip_a_failing_group() {
        let url = legacy_server();
        let dir = tempfile::tempdir().unwrap();
        let kubeconfig = dir.path().join("kubeconfig");
        crate::sandbox::kubeconfig::write(&kubeconfig, &url).unwrap();
        let env = crate::kube::KubeEnv {
            kubeconfig: Some(kubeconfig.display().to_string()),
            namespace: None,
            home: None,
        };
        let cluster = Cluster::connect(&Default::default(), &env).unwrap();
        let served = cluster.served_apis().unwrap();
        assert_eq!(
            served.api_versions(),
            vec![
                "apps/v1",
                "apps/v1/Deployment",
                "apps/v1/Scale",
                "v1",
                "v1/Eviction",
                "v1/Namespace",
                "v1/Pod"
            ]
        );
        // The pass filled the resolve cache: no request for these any more.
        let ns = cluster.resolve("v1", "Namespace").unwrap();
        assert!(!ns.namespaced);
        assert_eq!(ns.api_resource.plural, "namespaces");
        assert!(
            cluster.resolve("apps/v1", "Scale").is_err(),
            "subresources do not resolve"
        );
    }
}
