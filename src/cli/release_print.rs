//! How a release is shown after install, upgrade, rollback, test and by `status`: Helm's text
//! block (NAME, LAST DEPLOYED, NAMESPACE, STATUS, REVISION, DESCRIPTION, TEST SUITE, NOTES) or,
//! with `-o json|yaml`, the release record with Helm's field names.

use std::fmt::Write as _;

use super::output::OutputFormat;
use crate::release::gotime::Time;
use crate::release::{HookEvent, Release};

/// `Mon Jan _2 15:04:05 2006`, Go's `time.ANSIC`, which Helm prints LAST DEPLOYED with.
pub fn ansic(time: &Time) -> String {
    time.format("%a %b %e %H:%M:%S %Y").to_string()
}

/// The test hooks' last runs as Helm's status shows them: `TEST SUITE: None` without test
/// hooks, else a block per test that has run (name, last started/completed, phase).
pub fn test_suite(release: &Release) -> String {
    let tests: Vec<_> = release
        .hooks
        .iter()
        .filter(|h| h.events.contains(&HookEvent::Test))
        .collect();
    if tests.is_empty() {
        return "TEST SUITE: None\n".to_string();
    }
    let mut out = String::new();
    for h in tests {
        let Some(started) = &h.last_run.started_at else {
            continue;
        };
        let completed = h
            .last_run
            .completed_at
            .as_ref()
            .map(ansic)
            .unwrap_or_else(|| GO_ZERO_TIME_ANSIC.to_string());
        let phase = serde_json::to_value(h.last_run.phase)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let _ = writeln!(out, "TEST SUITE:     {}", h.name);
        let _ = writeln!(out, "Last Started:   {}", ansic(started));
        let _ = writeln!(out, "Last Completed: {completed}");
        let _ = writeln!(out, "Phase:          {phase}");
    }
    out
}

/// Go's zero time in `time.ANSIC`, what Helm prints for a test that never completed.
const GO_ZERO_TIME_ANSIC: &str = "Mon Jan  1 00:00:00 0001";

/// The status block: `before_tests` (RESOURCES) goes before the test suite, `after_tests`
/// (a dry run's HOOKS and MANIFEST) after it, both before NOTES; `notes: false` hides them
/// (`rudder test`, as Helm's `test`).
pub fn status_block(
    release: &Release,
    before_tests: &str,
    after_tests: &str,
    notes: bool,
) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "NAME: {}", release.name);
    if let Some(t) = &release.info.last_deployed {
        let _ = writeln!(out, "LAST DEPLOYED: {}", ansic(t));
    }
    let _ = writeln!(out, "NAMESPACE: {}", release.namespace);
    let _ = writeln!(out, "STATUS: {}", release.info.status.as_str());
    let _ = writeln!(out, "REVISION: {}", release.version);
    if !release.info.description.is_empty() {
        let _ = writeln!(out, "DESCRIPTION: {}", release.info.description);
    }
    out.push_str(before_tests);
    out.push_str(&test_suite(release));
    out.push_str(after_tests);
    let notes = if notes {
        release.info.notes.trim_end()
    } else {
        ""
    };
    if !notes.is_empty() {
        let _ = writeln!(out, "NOTES:\n{notes}");
    }
    out
}

/// The release as `format` asks: the status block, or the record as JSON/YAML.
pub fn render(release: &Release, format: OutputFormat, extra: &str) -> anyhow::Result<String> {
    render_sections(release, format, extra, "")
}

/// [`render`] with sections before and after the test suite (see [`status_block`]).
pub fn render_sections(
    release: &Release,
    format: OutputFormat,
    before_tests: &str,
    after_tests: &str,
) -> anyhow::Result<String> {
    Ok(match super::output::structured(format, release)? {
        Some(text) => text,
        None => status_block(release, before_tests, after_tests, true),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::{Hook, HookExecution, HookPhase, Info, Status, gotime};

    #[test]
    fn status_block_reads_like_helm() {
        let release = Release {
            name: "web".into(),
            namespace: "prod".into(),
            version: 3,
            info: Info {
                last_deployed: Some(gotime::parse("2026-11-02T09:04:05Z").unwrap()),
                status: Status::Deployed,
                description: "Upgrade complete".into(),
                notes: "Visit http://web\n".into(),
                ..Info::default()
            },
            ..Release::default()
        };
        assert_eq!(
            status_block(&release, "", "", true),
            "NAME: web\nLAST DEPLOYED: Mon Nov  2 09:04:05 2026\nNAMESPACE: prod\n\
             STATUS: deployed\nREVISION: 3\nDESCRIPTION: Upgrade complete\n\
             TEST SUITE: None\nNOTES:\nVisit http://web\n"
        );
        let mut tested = release.clone();
        tested.hooks = vec![
            Hook {
                name: "web-test".into(),
                events: vec![HookEvent::Test],
                last_run: HookExecution {
                    started_at: Some(gotime::parse("2026-11-02T09:05:00Z").unwrap()),
                    completed_at: Some(gotime::parse("2026-11-02T09:05:03Z").unwrap()),
                    phase: HookPhase::Succeeded,
                },
                ..Hook::default()
            },
            Hook {
                name: "never-ran".into(),
                events: vec![HookEvent::Test],
                ..Hook::default()
            },
        ];
        assert_eq!(
            status_block(&tested, "", "", false),
            "NAME: web\nLAST DEPLOYED: Mon Nov  2 09:04:05 2026\nNAMESPACE: prod\n\
             STATUS: deployed\nREVISION: 3\nDESCRIPTION: Upgrade complete\n\
             TEST SUITE:     web-test\nLast Started:   Mon Nov  2 09:05:00 2026\n\
             Last Completed: Mon Nov  2 09:05:03 2026\nPhase:          Succeeded\n"
        );
        let json = render(&release, OutputFormat::Json, "").unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["info"]["status"], "deployed");
        assert_eq!(v["version"], 3);
    }
}
