//! A chart's CRDs (its `crds/` directory) go in before anything else: applied, then waited for
//! until the API server reports them `Established` (so their kinds are served), then discovery
//! is refreshed so the chart's custom resources resolve.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::apply::ApplyOptions;
use super::client::Cluster;
use super::error::KubeError;
use super::object::ObjectRef;

const CRD_API_VERSION: &str = "apiextensions.k8s.io/v1";
const CRD_KIND: &str = "CustomResourceDefinition";
const POLL: Duration = Duration::from_millis(100);

impl Cluster {
    /// Applies CRDs, waits until each is Established (at most `timeout` overall) and refreshes
    /// discovery. Returns the CRDs as stored.
    pub fn install_crds(
        &self,
        crds: &[Value],
        opts: &ApplyOptions,
        timeout: Duration,
    ) -> Result<Vec<Value>, KubeError> {
        let mut names = Vec::new();
        for crd in crds {
            let id = ObjectRef::from_value(crd)?;
            if id.kind != CRD_KIND {
                return Err(KubeError::InvalidObject {
                    object: id.to_string(),
                    message: format!("is not a {CRD_KIND}"),
                });
            }
            names.push(id.name);
        }
        let stored = self.apply(crds, opts)?;
        self.wait_established(&names, timeout)?;
        Ok(stored)
    }

    /// Waits until every named CRD has condition `Established=True`, failing early when one
    /// reports `NamesAccepted=False`; refreshes discovery when they are.
    pub fn wait_established(&self, names: &[String], timeout: Duration) -> Result<(), KubeError> {
        let deadline = Instant::now() + timeout;
        for name in names {
            let what = format!("{CRD_KIND} {name}");
            loop {
                let crd = self.get(CRD_API_VERSION, CRD_KIND, None, name)?;
                let condition = |kind: &str| {
                    crd.as_ref()
                        .and_then(|c| c.pointer("/status/conditions"))
                        .and_then(Value::as_array)
                        .and_then(|cs| cs.iter().find(|c| c["type"] == kind))
                        .cloned()
                };
                if condition("Established").is_some_and(|c| c["status"] == "True") {
                    break;
                }
                if let Some(c) = condition("NamesAccepted").filter(|c| c["status"] == "False") {
                    return Err(KubeError::InvalidObject {
                        object: what,
                        message: format!(
                            "names not accepted: {}",
                            c["message"].as_str().unwrap_or("no message")
                        ),
                    });
                }
                if Instant::now() >= deadline {
                    return Err(KubeError::Timeout {
                        object: what,
                        condition: "condition Established".into(),
                        after: format!("{timeout:?}"),
                    });
                }
                std::thread::sleep(POLL);
            }
        }
        self.refresh_discovery();
        Ok(())
    }
}
