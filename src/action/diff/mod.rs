//! `rudder diff upgrade`, `rudder diff rollback` and `rudder upgrade --dry-run --diff`: what an
//! upgrade or rollback would change, object by object (added, changed, removed, unchanged),
//! computed without writing anything. The old side is the release's current stored manifest,
//! the new side the manifest the operation would record (rendered by the upgrade's own code
//! path in client dry-run mode, or the rollback target's); with `--live` both sides come from
//! the cluster instead (see [`live`]). Secret values are masked here, before any text exists
//! (see [`mask`]), unless `show_secrets`.
//!
//! The hooks the operation would run (pre-/post-upgrade, -install or -rollback) are part of the
//! plan too, marked with their events, each against the same hook as the current revision
//! recorded it: hooks are created anew each time they run, so what changes is the hook as
//! recorded, whatever is live. With `--no-hooks` they would not run and are left out.

pub mod live;
pub mod mask;

use std::collections::HashSet;

use serde::Serialize;
use serde_json::{Map, Value};

use super::ActionError;
use super::connection::Connection;
use super::deploy::objects::ObjectKey;
use super::deploy::{self, DryRun};
use super::rollback::{RollbackRequest, rollback};
use super::upgrade::{UpgradeRequest, upgrade};
use crate::release::{Hook, HookEvent, Release, Status};
use crate::storage::StorageError;

/// Objects paired old side with new side (either may be missing).
pub type Sides = Vec<(Option<Value>, Option<Value>)>;

/// What happens to one object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// Only in the new revision: it would be created.
    Added,
    /// In both, with a different content: it would be updated.
    Changed,
    /// Only in the current revision: it would be deleted.
    Removed,
    /// In both, the same.
    Unchanged,
}

/// One object of the plan, with both sides as YAML text (empty for a missing side), keys
/// sorted, Secret values already masked unless asked otherwise.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectDiff {
    /// `apiVersion` (the new side's when both exist).
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// The namespace (the release's when the manifest leaves it out).
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// What would happen to it.
    pub change: Change,
    /// The current side as YAML (`""` when added).
    pub old: String,
    /// The new side as YAML (`""` when removed).
    pub new: String,
    /// For a hook, its events (`helm.sh/hook`, e.g. `pre-upgrade,post-upgrade`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hook: Option<String>,
}

/// Every object an operation touches, new revision's objects first (install order), then the
/// removed ones (in the current revision's order).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// The objects.
    pub objects: Vec<ObjectDiff>,
}

impl Plan {
    /// Whether anything would change (for `--detailed-exitcode`).
    pub fn has_changes(&self) -> bool {
        self.objects.iter().any(|o| o.change != Change::Unchanged)
    }
}

/// How to compute a diff.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DiffOptions {
    /// Compare against the live objects (server-side dry-run apply for the new side).
    pub live: bool,
    /// Show Secret values instead of masking them.
    pub show_secrets: bool,
}

/// What upgrading as `req` asks would change. Values, chart and rendering are the upgrade's
/// own (`upgrade` in client dry-run mode, or server dry-run when `req` asks for it without
/// `--live`); nothing is written.
pub fn diff_upgrade(
    conn: &Connection,
    req: &UpgradeRequest,
    opts: &DiffOptions,
    stdin: &mut dyn std::io::Read,
) -> Result<Plan, ActionError> {
    let namespace = conn.namespace().to_string();
    let current = current_revision(conn, &namespace, &req.name)?;
    let mut dry = req.clone();
    dry.deploy.dry_run = dry_mode(req.deploy.dry_run, opts);
    // The new side renders as the real upgrade would: `lookup` reads the live cluster.
    dry.deploy.render_live = true;
    let release = upgrade(conn, &dry, stdin)?;
    compare(conn, current.as_ref(), &release, &req.deploy, opts)
}

/// What rolling back as `req` asks would change (the target revision's manifest against the
/// last one's); nothing is written.
pub fn diff_rollback(
    conn: &Connection,
    req: &RollbackRequest,
    opts: &DiffOptions,
) -> Result<Plan, ActionError> {
    let mut dry = req.clone();
    dry.deploy.dry_run = dry_mode(req.deploy.dry_run, opts);
    let release = rollback(conn, &dry)?;
    let last = conn.storage(&release.namespace, 0).last(&req.name)?;
    compare(conn, Some(&last), &release, &req.deploy, opts)
}

/// The dry-run mode the operation runs in: server when asked (and `--live` does not do its own
/// server dry run), else client.
fn dry_mode(asked: DryRun, opts: &DiffOptions) -> DryRun {
    if asked == DryRun::Server && !opts.live {
        DryRun::Server
    } else {
        DryRun::Client
    }
}

/// The revision an upgrade builds on (as `upgrade` picks it): the last deployed one, else the
/// last; `None` when there is none or only uninstalled ones.
fn current_revision(
    conn: &Connection,
    namespace: &str,
    name: &str,
) -> Result<Option<Release>, ActionError> {
    let storage = conn.storage(namespace, 0);
    let history = match storage.history(name) {
        Ok(h) => h,
        Err(StorageError::NotFound { .. }) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if history.iter().all(|r| r.info.status == Status::Uninstalled) {
        return Ok(None);
    }
    let deployed = deploy::deployed_revisions(&storage, name)?;
    Ok(deployed.last().or(history.last()).cloned())
}

/// The plan from the `current` revision (none: an install) to the revision `release` would
/// record.
fn compare(
    conn: &Connection,
    current: Option<&Release>,
    release: &Release,
    deploy_opts: &deploy::DeployOptions,
    opts: &DiffOptions,
) -> Result<Plan, ActionError> {
    let namespace = &release.namespace;
    let old = match current {
        Some(c) => deploy::release_objects(c)?,
        None => Vec::new(),
    };
    let new = deploy::release_objects(release)?;
    let hooks = match deploy::hooks::events_for(release.info.status) {
        Some((pre, post)) if !deploy_opts.no_hooks => {
            hook_sides(current, release, &[pre, post], namespace)?
        }
        _ => Vec::new(),
    };
    if !opts.live {
        let mut sides = pairs(old, new, namespace);
        sides.extend(hooks);
        return Ok(plan(sides, namespace, opts.show_secrets));
    }
    let cluster = &conn.cluster;
    let stamped = deploy::stamped(new, &release.name, namespace);
    let proposed = live::proposed(
        cluster,
        &stamped,
        &old,
        &release.name,
        namespace,
        deploy_opts,
    )?;
    let now = live::current(cluster, &stamped, deploy_opts.concurrency)?;
    let new_keys = deploy::keys(&stamped, namespace);
    let gone: Vec<Value> = old
        .into_iter()
        .filter(|o| !new_keys.contains(&ObjectKey::of(o, namespace)))
        .collect();
    let gone_now = live::current(cluster, &gone, deploy_opts.concurrency)?;
    let mut sides: Vec<(Option<Value>, Option<Value>)> = now
        .into_iter()
        .zip(proposed.into_iter().map(Some))
        .collect();
    // A removed object that is no longer on the cluster: deleting it changes nothing.
    sides.extend(gone_now.into_iter().flatten().map(|o| (Some(o), None)));
    sides.extend(hooks);
    Ok(plan(sides, namespace, opts.show_secrets))
}

/// The hooks of `release` that the operation runs (one of `events`), each paired with the
/// same hook of the `current` revision if it has one. Hooks are not pruned, so a hook only
/// the current revision has is not part of the plan.
fn hook_sides(
    current: Option<&Release>,
    release: &Release,
    events: &[HookEvent],
    namespace: &str,
) -> Result<Sides, ActionError> {
    let objects = |hooks: &mut dyn Iterator<Item = &Hook>| -> Result<Vec<Value>, ActionError> {
        let mut out = Vec::new();
        for hook in hooks {
            out.extend(deploy::objects::from_manifest_text(
                &hook.manifest,
                &hook.path,
            )?);
        }
        Ok(out)
    };
    let new = objects(
        &mut release
            .hooks
            .iter()
            .filter(|h| h.events.iter().any(|e| events.contains(e))),
    )?;
    let old = match current {
        Some(c) => objects(&mut c.hooks.iter())?,
        None => Vec::new(),
    };
    Ok(pairs(old, new, namespace)
        .into_iter()
        .filter(|(_, new)| new.is_some())
        .collect())
}

/// `old` and `new` paired by [`ObjectKey`]: each new object with its old counterpart (if any),
/// in new order, then the old objects that have none.
pub fn pairs(
    old: Vec<Value>,
    new: Vec<Value>,
    namespace: &str,
) -> Vec<(Option<Value>, Option<Value>)> {
    let mut old: Vec<Option<Value>> = old.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(new.len() + old.len());
    for n in new {
        let key = ObjectKey::of(&n, namespace);
        let found = old
            .iter_mut()
            .find(|o| {
                o.as_ref()
                    .is_some_and(|o| ObjectKey::of(o, namespace) == key)
            })
            .and_then(Option::take);
        out.push((found, Some(n)));
    }
    let mut seen = HashSet::new();
    for o in old.into_iter().flatten() {
        // A key twice in the old manifest is removed once.
        if seen.insert(ObjectKey::of(&o, namespace)) {
            out.push((Some(o), None));
        }
    }
    out
}

/// The plan for paired sides: each pair's change (decided on the unmasked objects), then Secret
/// values masked unless `show_secrets`, then both sides as canonical YAML.
pub fn plan(
    sides: Vec<(Option<Value>, Option<Value>)>,
    namespace: &str,
    show_secrets: bool,
) -> Plan {
    let objects = sides
        .into_iter()
        .filter_map(|(mut old, mut new)| {
            let change = match (&old, &new) {
                (None, None) => return None,
                (None, Some(_)) => Change::Added,
                (Some(_), None) => Change::Removed,
                (Some(a), Some(b)) if a == b => Change::Unchanged,
                (Some(_), Some(_)) => Change::Changed,
            };
            let either = new.as_ref().or(old.as_ref())?;
            let text = |ptr: &str| {
                either
                    .pointer(ptr)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let key = ObjectKey::of(either, namespace);
            let (api_version, kind, name) = (text("/apiVersion"), key.kind, key.name);
            let hook = either
                .pointer("/metadata/annotations/helm.sh~1hook")
                .and_then(Value::as_str)
                .map(str::to_string);
            let secret = old.as_ref().is_some_and(mask::is_secret)
                || new.as_ref().is_some_and(mask::is_secret);
            if secret && !show_secrets {
                mask::mask_pair(old.as_mut(), new.as_mut());
            }
            Some(ObjectDiff {
                api_version,
                kind,
                namespace: key.namespace,
                name,
                change,
                old: old.as_ref().map(yaml_text).unwrap_or_default(),
                new: new.as_ref().map(yaml_text).unwrap_or_default(),
                hook,
            })
        })
        .collect();
    Plan { objects }
}

/// `object` as YAML with every mapping's keys sorted, so two sides with the same content read
/// the same whatever order the template or the server wrote them in.
fn yaml_text(object: &Value) -> String {
    yaml_serde::to_string(&sorted(object)).unwrap_or_else(|e| format!("# not printable: {e}\n"))
}

/// `value` with mapping keys in sorted order.
fn sorted(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            let mut out = Map::new();
            for k in keys {
                out.insert(k.clone(), sorted(&map[k]));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cm(name: &str, v: &str) -> Value {
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
               "data": {"k": v}})
    }

    #[test]
    fn added_changed_removed_unchanged() {
        let old = vec![cm("a", "1"), cm("b", "1"), cm("c", "1")];
        let new = vec![cm("a", "1"), cm("b", "2"), cm("d", "1")];
        let p = plan(pairs(old, new, "ns"), "ns", false);
        let got: Vec<(&str, Change)> = p
            .objects
            .iter()
            .map(|o| (o.name.as_str(), o.change))
            .collect();
        assert_eq!(
            got,
            vec![
                ("a", Change::Unchanged),
                ("b", Change::Changed),
                ("d", Change::Added),
                ("c", Change::Removed),
            ]
        );
        assert!(p.has_changes());
        assert_eq!(p.objects[2].old, "");
        assert!(p.objects[1].new.contains("k: '2'") || p.objects[1].new.contains("k: \"2\""));
        assert_eq!(p.objects[0].namespace, "ns");
        let same = plan(
            pairs(vec![cm("a", "1")], vec![cm("a", "1")], "ns"),
            "ns",
            false,
        );
        assert!(!same.has_changes());
    }

    #[test]
    fn secret_change_is_masked_but_still_a_change() {
        let s = |pw: &str| {
            json!({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
                   "stringData": {"pw": pw}})
        };
        let p = plan(
            pairs(vec![s("hunter2")], vec![s("swordfish")], "ns"),
            "ns",
            false,
        );
        let o = &p.objects[0];
        assert_eq!(o.change, Change::Changed);
        assert_ne!(o.old, o.new);
        let all = format!("{}{}", o.old, o.new);
        assert!(
            !all.contains("hunter2") && !all.contains("swordfish"),
            "{all}"
        );
        let shown = plan(
            pairs(vec![s("hunter2")], vec![s("swordfish")], "ns"),
            "ns",
            true,
        );
        assert!(shown.objects[0].new.contains("swordfish"));
    }

    #[test]
    fn key_order_does_not_matter() {
        let a = json!({"kind": "ConfigMap", "apiVersion": "v1", "metadata": {"name": "a"}});
        let b = json!({"apiVersion": "v1", "metadata": {"name": "a"}, "kind": "ConfigMap"});
        assert_eq!(yaml_text(&a), yaml_text(&b));
        assert!(yaml_text(&a).starts_with("apiVersion"));
    }
}
