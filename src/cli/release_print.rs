//! How a release is shown after install, upgrade, rollback and by `status`: Helm's text block
//! (NAME, LAST DEPLOYED, NAMESPACE, STATUS, REVISION, DESCRIPTION, NOTES) or, with `-o json|yaml`,
//! the release record with Helm's field names.

use std::fmt::Write as _;

use super::output::OutputFormat;
use crate::release::Release;
use crate::release::gotime::Time;

/// `Mon Jan _2 15:04:05 2006`, Go's `time.ANSIC`, which Helm prints LAST DEPLOYED with.
pub fn ansic(time: &Time) -> String {
    time.format("%a %b %e %H:%M:%S %Y").to_string()
}

/// Helm's status block for `release`. `extra` (e.g. a RESOURCES section) goes before NOTES.
pub fn status_text(release: &Release, extra: &str) -> String {
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
    out.push_str(extra);
    let notes = release.info.notes.trim_end();
    if !notes.is_empty() {
        let _ = writeln!(out, "NOTES:\n{notes}");
    }
    out
}

/// The release as `format` asks: the status block, or the record as JSON/YAML.
pub fn render(release: &Release, format: OutputFormat, extra: &str) -> anyhow::Result<String> {
    Ok(match super::output::structured(format, release)? {
        Some(text) => text,
        None => status_text(release, extra),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::{Info, Status, gotime};

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
            status_text(&release, ""),
            "NAME: web\nLAST DEPLOYED: Mon Nov  2 09:04:05 2026\nNAMESPACE: prod\n\
             STATUS: deployed\nREVISION: 3\nDESCRIPTION: Upgrade complete\n\
             NOTES:\nVisit http://web\n"
        );
        let json = render(&release, OutputFormat::Json, "").unwrap();
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["info"]["status"], "deployed");
        assert_eq!(v["version"], 3);
    }
}
