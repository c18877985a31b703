//! The chart's CRDs (`crds/`) on install and upgrade. Helm's rule is the default: install
//! creates the CRDs that are missing and leaves existing ones alone; upgrade never touches them.
//! `--upgrade-crds` (rudder's opt-in) also applies the CRDs whose content changed, server-side,
//! leaving unchanged ones untouched — but first, before anything is written, refuses a change
//! that would stop serving a version still listed in `status.storedVersions` (objects stored in
//! it would become unreadable) or remove a field from a version's `openAPIV3Schema` (data in it
//! would be pruned), unless `--force-upgrade-crds`. Whatever was applied is waited for until
//! Established, and discovery is refreshed so the new kinds and versions resolve.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{DeployOptions, objects};
use crate::action::ActionError;
use crate::engine::CrdFile;
use crate::kube::{Cluster, ObjectRef};

const CRD_KIND: &str = "CustomResourceDefinition";

/// What [`sync`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CrdOutcome {
    /// CRDs created (they were missing).
    pub created: Vec<String>,
    /// Existing CRDs applied because their content changed (`--upgrade-crds`).
    pub updated: Vec<String>,
    /// Existing CRDs left alone (unchanged, or no `--upgrade-crds`).
    pub untouched: Vec<String>,
}

impl CrdOutcome {
    /// Whether the cluster now serves something it did not (capabilities must be read again).
    pub fn changed(&self) -> bool {
        !self.created.is_empty() || !self.updated.is_empty()
    }
}

/// Brings the chart's CRDs onto the cluster as the operation asks: `install` creates missing
/// ones (Helm); with `opts.upgrade_crds` (install or upgrade) changed ones are applied too,
/// after the safety checks. With a server dry run the checks run and nothing is written.
pub fn sync(
    cluster: &Cluster,
    files: &[CrdFile],
    opts: &DeployOptions,
    install: bool,
) -> Result<CrdOutcome, ActionError> {
    let mut outcome = CrdOutcome::default();
    if opts.skip_crds || files.is_empty() || !(install || opts.upgrade_crds) {
        return Ok(outcome);
    }
    let mut crds = Vec::new();
    for file in files {
        crds.extend(objects::from_manifest_text(&file.content, &file.source)?);
    }
    let mut names = Vec::with_capacity(crds.len());
    for crd in &crds {
        let id = ObjectRef::from_value(crd)?;
        if id.kind != CRD_KIND {
            return Err(ActionError::Invalid(format!(
                "{id}: only {CRD_KIND} objects belong in crds/"
            )));
        }
        names.push(id.name);
    }
    let live: Vec<Option<Value>> = cluster
        .get_concurrent(&crds, opts.concurrency)
        .into_iter()
        .collect::<Result<_, _>>()?;
    let apply = opts.apply_options();
    let mut missing = Vec::new();
    let mut existing = Vec::new();
    for ((crd, name), now) in crds.iter().zip(&names).zip(live) {
        match now {
            None => missing.push((crd.clone(), name.clone())),
            Some(now) if opts.upgrade_crds => existing.push((crd.clone(), name.clone(), now)),
            Some(_) => {
                tracing::info!(
                    "CRD {name} exists; leaving it as it is (Helm never upgrades CRDs; see --upgrade-crds)"
                );
                outcome.untouched.push(name.clone());
            }
        }
    }

    // What each existing CRD would become (the server's dry run: defaults applied as they
    // would be), to tell changed from unchanged and to check the change before any write.
    let mut changed = Vec::new();
    if !existing.is_empty() {
        let desired: Vec<Value> = existing.iter().map(|(c, _, _)| c.clone()).collect();
        let proposed = cluster.apply_concurrent(&desired, &apply, true, opts.concurrency);
        let mut refusals = Vec::new();
        for ((crd, name, now), proposed) in existing.into_iter().zip(proposed) {
            let proposed = proposed?;
            if same_content(&now, &proposed) {
                outcome.untouched.push(name);
                continue;
            }
            refusals.extend(
                unsafe_changes(&now, &proposed)
                    .into_iter()
                    .map(|why| format!("{CRD_KIND} {name}: {why}")),
            );
            changed.push((crd, name));
        }
        if !refusals.is_empty() && !opts.force_upgrade_crds {
            return Err(ActionError::Invalid(format!(
                "refusing to upgrade CRDs: {} (rerun with --force-upgrade-crds to apply anyway)",
                refusals.join("; ")
            )));
        }
        for r in &refusals {
            tracing::warn!("--force-upgrade-crds: applying anyway: {r}");
        }
    }
    if opts.dry_run.is_dry() {
        tracing::info!("dry run: the chart's CRDs are not written");
        return Ok(CrdOutcome {
            untouched: names,
            ..CrdOutcome::default()
        });
    }
    let mut to_apply: Vec<Value> = Vec::new();
    for (crd, name) in missing {
        to_apply.push(crd);
        outcome.created.push(name);
    }
    for (crd, name) in changed {
        to_apply.push(crd);
        outcome.updated.push(name);
    }
    if to_apply.is_empty() {
        return Ok(outcome);
    }
    tracing::info!(
        created = ?outcome.created,
        updated = ?outcome.updated,
        "applying {} CRD(s)",
        to_apply.len()
    );
    cluster.install_crds(&to_apply, &apply, opts.timeout)?;
    Ok(outcome)
}

/// Whether applying would leave the CRD as it is: the same spec, labels and annotations.
fn same_content(now: &Value, proposed: &Value) -> bool {
    ["/spec", "/metadata/labels", "/metadata/annotations"]
        .iter()
        .all(|p| now.pointer(p) == proposed.pointer(p))
}

/// Why going from `now` to `proposed` is unsafe, one reason per finding: a version still in
/// `status.storedVersions` that would no longer be served, or a field a version's schema would
/// lose.
pub fn unsafe_changes(now: &Value, proposed: &Value) -> Vec<String> {
    let mut reasons = Vec::new();
    let stored: BTreeSet<&str> = now
        .pointer("/status/storedVersions")
        .and_then(Value::as_array)
        .map(|vs| vs.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let new_versions = versions(proposed);
    for (name, old) in versions(now) {
        let new = new_versions
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| *v);
        let served_now = old["served"] != false;
        let served_after = new.is_some_and(|v| v["served"] != false);
        if served_now && !served_after && stored.contains(name) {
            let how = if new.is_some() {
                "would no longer be served"
            } else {
                "would be removed"
            };
            reasons.push(format!(
                "version {name} {how} but is still in status.storedVersions"
            ));
        }
        let Some(new) = new else { continue };
        let mut lost = Vec::new();
        removed_fields(
            &old["schema"]["openAPIV3Schema"],
            &new["schema"]["openAPIV3Schema"],
            "",
            &mut lost,
        );
        reasons.extend(
            lost.into_iter()
                .map(|path| format!("version {name} would remove field {path} from its schema")),
        );
    }
    reasons
}

/// The `spec.versions` of a CRD as (name, entry).
fn versions(crd: &Value) -> Vec<(&str, &Value)> {
    crd.pointer("/spec/versions")
        .and_then(Value::as_array)
        .map(|vs| {
            vs.iter()
                .filter_map(|v| v["name"].as_str().map(|n| (n, v)))
                .collect()
        })
        .unwrap_or_default()
}

/// Collects the paths (`spec.ports[].name`, `spec.labels.*.value`) of properties `old`
/// declares and `new` does not, walking `properties`, array `items` and `additionalProperties`.
fn removed_fields(old: &Value, new: &Value, path: &str, out: &mut Vec<String>) {
    if let Some(props) = old.get("properties").and_then(Value::as_object) {
        for (key, old_prop) in props {
            let p = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            match new.get("properties").and_then(|n| n.get(key)) {
                Some(new_prop) => removed_fields(old_prop, new_prop, &p, out),
                None => out.push(p),
            }
        }
    }
    if let Some(items) = old.get("items").filter(|i| i.is_object()) {
        removed_fields(
            items,
            new.get("items").unwrap_or(&Value::Null),
            &format!("{path}[]"),
            out,
        );
    }
    if let Some(extra) = old.get("additionalProperties").filter(|i| i.is_object()) {
        removed_fields(
            extra,
            new.get("additionalProperties").unwrap_or(&Value::Null),
            &format!("{path}.*"),
            out,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn crd(versions: Value, stored: &[&str]) -> Value {
        json!({
            "apiVersion": "apiextensions.k8s.io/v1", "kind": CRD_KIND,
            "metadata": {"name": "gadgets.example.com"},
            "spec": {"group": "example.com", "versions": versions},
            "status": {"storedVersions": stored},
        })
    }

    fn version(name: &str, served: bool, props: Value) -> Value {
        json!({"name": name, "served": served, "storage": true,
               "schema": {"openAPIV3Schema": {"type": "object", "properties": props}}})
    }

    #[test]
    fn adding_versions_and_fields_is_safe() {
        let now = crd(
            json!([version("v1", true, json!({"spec": {"type": "object"}}))]),
            &["v1"],
        );
        let next = crd(
            json!([
                version(
                    "v1",
                    true,
                    json!({"spec": {"type": "object", "properties": {"size": {}}}})
                ),
                version("v2", true, json!({}))
            ]),
            &[],
        );
        assert_eq!(unsafe_changes(&now, &next), Vec::<String>::new());
    }

    #[test]
    fn dropping_a_stored_version_is_unsafe_an_unstored_one_is_not() {
        let now = crd(
            json!([
                version("v1", true, json!({})),
                version("v2", true, json!({}))
            ]),
            &["v1"],
        );
        let dropped = crd(json!([version("v2", true, json!({}))]), &[]);
        assert_eq!(
            unsafe_changes(&now, &dropped),
            vec!["version v1 would be removed but is still in status.storedVersions"]
        );
        let unserved = crd(
            json!([
                version("v1", false, json!({})),
                version("v2", true, json!({}))
            ]),
            &[],
        );
        assert_eq!(
            unsafe_changes(&now, &unserved),
            vec!["version v1 would no longer be served but is still in status.storedVersions"]
        );
        let v2_gone = crd(json!([version("v1", true, json!({}))]), &[]);
        assert_eq!(unsafe_changes(&now, &v2_gone), Vec::<String>::new());
    }

    #[test]
    fn removed_fields_are_named_by_path() {
        let old = json!({"spec": {"type": "object", "properties": {
            "size": {"type": "integer"},
            "ports": {"type": "array", "items": {"type": "object", "properties": {
                "name": {"type": "string"}, "port": {"type": "integer"}}}},
            "labels": {"type": "object", "additionalProperties": {"type": "object",
                "properties": {"value": {"type": "string"}}}}
        }}});
        let new = json!({"spec": {"type": "object", "properties": {
            "ports": {"type": "array", "items": {"type": "object", "properties": {
                "port": {"type": "integer"}}}},
            "labels": {"type": "object", "additionalProperties": {"type": "object"}}
        }}});
        let now = crd(json!([version("v1", true, old)]), &["v1"]);
        let next = crd(json!([version("v1", true, new)]), &["v1"]);
        assert_eq!(
            unsafe_changes(&now, &next),
            vec![
                "version v1 would remove field spec.labels.*.value from its schema",
                "version v1 would remove field spec.ports[].name from its schema",
                "version v1 would remove field spec.size from its schema",
            ]
        );
    }

    #[test]
    fn content_comparison_ignores_status_and_bookkeeping() {
        let a = crd(json!([version("v1", true, json!({}))]), &["v1"]);
        let mut b = a.clone();
        b["metadata"]["resourceVersion"] = json!("7");
        b["status"] = json!({});
        assert!(same_content(&a, &b));
        b["spec"]["versions"][0]["served"] = json!(false);
        assert!(!same_content(&a, &b));
    }
}
