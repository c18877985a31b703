//! apiVersion + kind → the REST resource serving it and whether it is namespaced, read from the
//! server's discovery documents one group-version at a time and cached for the run. The cache
//! is cleared after CRDs are installed, so kinds they add resolve.

use std::collections::HashMap;

use kube::core::{ApiResource, gvk::GroupVersion};

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
}

impl DiscoveryCache {
    /// Forgets everything (after CRDs are created).
    pub(crate) fn clear(&mut self) {
        self.by_version.clear();
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

/// Fetches the resource list of one apiVersion (`None` when the server does not serve it).
pub(crate) async fn fetch(
    client: &kube::Client,
    api_version: &str,
    server: &str,
) -> Result<Option<Vec<Resource>>, KubeError> {
    let gv: GroupVersion = api_version.parse().map_err(|_| KubeError::InvalidObject {
        object: format!("apiVersion {api_version:?}"),
        message: "is not GROUP/VERSION or VERSION".into(),
    })?;
    let answer = if gv.group.is_empty() {
        client.list_core_api_resources(&gv.version).await
    } else {
        client.list_api_group_resources(api_version).await
    };
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
}
