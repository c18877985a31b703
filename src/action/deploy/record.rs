//! The release record of a new revision, as Helm writes it: the chart as stored
//! ([`ReleaseChart::from_chart`]), the user-supplied values as config, the manifest text in
//! install order (`---\n# Source: <template>\n<document>\n` each, hooks and CRDs excluded), the
//! hooks, the notes, user labels, times and `apply_method: ssa`.
//!
//! Hooks are recorded never run; [`super::hooks`] runs them and fills in their `last_run`.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::action::ActionError;
use crate::chart::Chart;
use crate::engine::Rendered;
use crate::engine::manifest::{Hook as RenderedHook, Manifest};
use crate::release::gotime::{self, Time};
use crate::release::{
    Hook, HookDeletePolicy, HookEvent, HookExecution, HookOutputLogPolicy, Info, Release,
    ReleaseChart, Status,
};
use crate::values::Values;

/// What a new revision is made of.
#[derive(Debug)]
pub struct NewRevision<'a> {
    /// Release name.
    pub name: &'a str,
    /// Release namespace.
    pub namespace: &'a str,
    /// Revision number.
    pub version: u64,
    /// The chart rendered.
    pub chart: &'a Chart,
    /// The user-supplied values.
    pub config: Values,
    /// The render.
    pub rendered: &'a Rendered,
    /// Initial status (a pending one).
    pub status: Status,
    /// Initial description.
    pub description: String,
    /// `--labels`.
    pub labels: BTreeMap<String, String>,
    /// When the release was first deployed (kept across upgrades); now when `None`.
    pub first_deployed: Option<Time>,
}

/// Builds the record of a new revision.
pub fn build(rev: NewRevision<'_>) -> Result<Release, ActionError> {
    let chart = ReleaseChart::from_chart(rev.chart)
        .map_err(|e| ActionError::Storage(crate::storage::StorageError::Release(e)))?;
    let now = gotime::now();
    Ok(Release {
        name: rev.name.to_string(),
        namespace: rev.namespace.to_string(),
        version: rev.version,
        info: Info {
            first_deployed: Some(rev.first_deployed.unwrap_or(now)),
            last_deployed: Some(now),
            description: rev.description,
            status: rev.status,
            notes: rev.rendered.notes.clone().unwrap_or_default(),
            ..Info::default()
        },
        chart: Some(chart),
        config: rev.config,
        manifest: manifest_text(&rev.rendered.manifests),
        hooks: hooks(&rev.rendered.hooks),
        apply_method: "ssa".into(),
        labels: rev.labels,
    })
}

/// The manifest text Helm records: every document as `---\n# Source: S\nCONTENT\n`.
pub fn manifest_text(manifests: &[Manifest]) -> String {
    let mut out = String::new();
    for m in manifests {
        out.push_str("---\n# Source: ");
        out.push_str(&m.source);
        out.push('\n');
        out.push_str(&m.content);
        out.push('\n');
    }
    out
}

/// The rendered hooks as the record keeps them (never run). Events and delete policies Helm
/// does not know are dropped, as Helm drops them.
pub fn hooks(rendered: &[RenderedHook]) -> Vec<Hook> {
    rendered
        .iter()
        .map(|h| Hook {
            name: h.manifest.name.clone(),
            kind: h.manifest.kind.clone(),
            path: h.manifest.source.clone(),
            manifest: h.manifest.content.clone(),
            events: h
                .events
                .iter()
                .filter_map(|e| {
                    let e = if e == "test-success" {
                        "test"
                    } else {
                        e.as_str()
                    };
                    serde_json::from_value::<HookEvent>(Value::String(e.to_string())).ok()
                })
                .collect(),
            last_run: HookExecution::default(),
            weight: h.weight,
            delete_policies: h
                .delete_policies
                .iter()
                .filter_map(|p| {
                    serde_json::from_value::<HookDeletePolicy>(Value::String(p.clone())).ok()
                })
                .collect(),
            output_log_policies: h
                .output_log_policies
                .iter()
                .filter_map(|p| {
                    serde_json::from_value::<HookOutputLogPolicy>(Value::String(p.clone())).ok()
                })
                .collect(),
        })
        .collect()
}

/// Marks `release` as `status` with `description`, stamping the deploy time.
pub fn set_status(release: &mut Release, status: Status, description: impl Into<String>) {
    release.info.status = status;
    release.info.description = description.into();
    release.info.last_deployed = Some(gotime::now());
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn manifest(source: &str, content: &str, kind: &str) -> Manifest {
        Manifest {
            source: source.into(),
            content: content.into(),
            api_version: "v1".into(),
            kind: kind.into(),
            name: "n".into(),
            namespace: None,
            labels: BTreeMap::new(),
            annotations: BTreeMap::new(),
        }
    }

    #[test]
    fn manifest_and_hooks_as_helm_records_them() {
        let ms = vec![
            manifest("c/templates/a.yaml", "kind: A", "A"),
            manifest("c/templates/b.yaml", "kind: B", "B"),
        ];
        assert_eq!(
            manifest_text(&ms),
            "---\n# Source: c/templates/a.yaml\nkind: A\n---\n# Source: c/templates/b.yaml\nkind: B\n"
        );
        let h = RenderedHook {
            manifest: manifest("c/templates/job.yaml", "kind: Job", "Job"),
            events: vec!["pre-install".into(), "bogus".into(), "test-success".into()],
            weight: -5,
            delete_policies: vec!["hook-succeeded".into()],
            output_log_policies: vec!["hook-failed".into(), "bogus".into()],
        };
        let recorded = hooks(&[h]);
        assert_eq!(
            recorded[0].events,
            vec![HookEvent::PreInstall, HookEvent::Test]
        );
        assert_eq!(recorded[0].weight, -5);
        assert_eq!(recorded[0].path, "c/templates/job.yaml");
        assert_eq!(
            recorded[0].delete_policies,
            vec![HookDeletePolicy::HookSucceeded]
        );
        assert_eq!(
            recorded[0].output_log_policies,
            vec![HookOutputLogPolicy::HookFailed]
        );
        assert_eq!(
            recorded[0].last_run.phase,
            crate::release::HookPhase::NotRun
        );
    }
}
