//! Many independent requests at once: server-side apply and GET of a batch of objects, at most
//! `limit` in flight, on the cluster's own runtime. Installing a few hundred objects one round
//! trip at a time is what makes a release slow; objects of one install-order group do not depend
//! on each other, so the deploy pipeline sends each group through here.
//!
//! Kinds are resolved (discovery, cached) before anything is sent, so the concurrent part is only
//! the object requests themselves. Results come back in the order of the input.

use futures_util::StreamExt as _;
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::Value;

use super::apply::ApplyOptions;
use super::client::{Cluster, describe, to_value};
use super::error::KubeError;
use super::object::ObjectRef;

/// One object ready to send: its API, name, body (namespace resolved) and how messages name it.
pub(super) struct Prepared {
    pub(super) api: Api<DynamicObject>,
    pub(super) name: String,
    pub(super) body: Value,
    pub(super) what: String,
}

impl Cluster {
    /// Applies `objects` server-side, at most `limit` at a time (`dry_run`: the server validates
    /// and answers without storing, `dryRun=All`). One result per object, in input order; a
    /// failure does not stop the others (they were independent).
    pub fn apply_concurrent(
        &self,
        objects: &[Value],
        opts: &ApplyOptions,
        dry_run: bool,
        limit: usize,
    ) -> Vec<Result<Value, KubeError>> {
        let mut params = PatchParams::apply(&opts.field_manager);
        params.force = opts.force_conflicts;
        params.dry_run = dry_run;
        let prepared: Vec<_> = objects.iter().map(|o| self.prepare(o)).collect();
        let requests = prepared.into_iter().map(|p| {
            let params = params.clone();
            async move {
                let p = p?;
                let r = p.api.patch(&p.name, &params, &Patch::Apply(&p.body)).await;
                self.applied(r, p.what)
            }
        });
        self.block_on(
            futures_util::stream::iter(requests)
                .buffered(limit.max(1))
                .collect(),
        )
    }

    /// Reads the live version of each of `objects` (`None`: it does not exist), at most `limit`
    /// requests at a time, in input order. A kind the cluster does not serve reads as absent.
    pub fn get_concurrent(
        &self,
        objects: &[Value],
        limit: usize,
    ) -> Vec<Result<Option<Value>, KubeError>> {
        let prepared: Vec<_> = objects.iter().map(|o| self.prepare(o)).collect();
        let requests = prepared.into_iter().map(|p| async move {
            let p = match p {
                Ok(p) => p,
                Err(KubeError::NoMatch { .. }) => return Ok(None),
                Err(e) => return Err(e),
            };
            match p.api.get_opt(&p.name).await {
                Ok(found) => found
                    .map(to_value)
                    .transpose()
                    .map_err(|message| KubeError::Client {
                        object: p.what,
                        message,
                    }),
                Err(e) => Err(self.error(e, &p.what)),
            }
        });
        self.block_on(
            futures_util::stream::iter(requests)
                .buffered(limit.max(1))
                .collect(),
        )
    }

    /// The answer to a server-side apply of the object described as `what`: the object as
    /// stored, or a conflict with other field managers, or the API error.
    pub(super) fn applied(
        &self,
        r: Result<DynamicObject, kube::Error>,
        what: String,
    ) -> Result<Value, KubeError> {
        match r {
            Ok(stored) => to_value(stored).map_err(|message| KubeError::Client {
                object: what,
                message,
            }),
            Err(kube::Error::Api(status)) if status.code == 409 && status.reason == "Conflict" => {
                Err(KubeError::ApplyConflict {
                    object: what,
                    message: status.message,
                })
            }
            Err(e) => Err(self.error(e, &what)),
        }
    }

    /// Resolves an object's kind and namespace (namespaced kinds without one get the default,
    /// cluster-scoped kinds lose theirs) and builds its request target.
    pub(super) fn prepare(&self, object: &Value) -> Result<Prepared, KubeError> {
        let id = ObjectRef::from_value(object)?;
        let resource = self.resolve(&id.api_version, &id.kind)?;
        let ns = self.scope(&resource, id.namespace.as_deref());
        let mut body = object.clone();
        if let Some(meta) = body.get_mut("metadata").and_then(Value::as_object_mut) {
            match &ns {
                Some(n) => {
                    meta.insert("namespace".into(), Value::String(n.clone()));
                }
                None => {
                    meta.remove("namespace");
                }
            }
        }
        Ok(Prepared {
            api: self.api(&resource, ns.as_deref()),
            what: describe(&id.kind, ns.as_deref(), &id.name),
            name: id.name,
            body,
        })
    }
}
