//! `Chart.lock`: the exact versions `dependency update` resolved, in Helm's format, so that
//! `dependency build` (ours or Helm's) reproduces `charts/` from it.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Dependency;

/// The file name, next to `Chart.yaml`.
pub const LOCK_FILE: &str = "Chart.lock";

/// One locked dependency: the name, the repository it came from and the exact version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockedDependency {
    /// The chart name.
    pub name: String,
    /// Where it came from, as written in `Chart.yaml` (may be empty for charts/ subfolders).
    #[serde(default)]
    pub repository: String,
    /// The exact version resolved (for `file://` and subfolder dependencies, what Helm records).
    #[serde(default)]
    pub version: String,
}

/// `Chart.lock` (Helm's `chart.Lock`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lock {
    /// The locked dependencies, in `Chart.yaml` order.
    pub dependencies: Vec<LockedDependency>,
    /// `sha256:<hex>` of the requirements and the lock ([`requirements_digest`]): tells whether
    /// `Chart.yaml` changed since the lock was written.
    pub digest: String,
    /// When the lock was written (RFC 3339).
    pub generated: String,
}

/// The digest Helm stores in `Chart.lock` (`resolver.HashReq`): sha256 of the JSON array
/// `[requirements, locked]`, each dependency serialised as Go's `chart.Dependency` is (field order
/// name, version, repository, condition, tags, enabled, import-values, alias; `repository`
/// always present, the others omitted when empty).
pub fn requirements_digest(requirements: &[Dependency], locked: &[LockedDependency]) -> String {
    let reqs: Vec<String> = requirements.iter().map(go_json).collect();
    let locks: Vec<String> = locked
        .iter()
        .map(|l| {
            go_json(&Dependency {
                name: l.name.clone(),
                version: l.version.clone(),
                repository: l.repository.clone(),
                ..Dependency::default()
            })
        })
        .collect();
    let text = format!("[[{}],[{}]]", reqs.join(","), locks.join(","));
    let text = if requirements.is_empty() && locked.is_empty() {
        // Go marshals nil slices as `null`.
        "[null,null]".to_string()
    } else {
        text
    };
    format!("sha256:{}", hex(&Sha256::digest(text.as_bytes())))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A JSON string as Go's `encoding/json` writes it (HTML-escaping `<`, `>`, `&`).
fn go_string(s: &str) -> String {
    let json = serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into());
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

fn go_json(d: &Dependency) -> String {
    let mut fields = vec![format!("\"name\":{}", go_string(&d.name))];
    if !d.version.is_empty() {
        fields.push(format!("\"version\":{}", go_string(&d.version)));
    }
    fields.push(format!("\"repository\":{}", go_string(&d.repository)));
    if let Some(c) = d.condition.as_deref().filter(|c| !c.is_empty()) {
        fields.push(format!("\"condition\":{}", go_string(c)));
    }
    if !d.tags.is_empty() {
        let tags: Vec<String> = d.tags.iter().map(|t| go_string(t)).collect();
        fields.push(format!("\"tags\":[{}]", tags.join(",")));
    }
    if d.enabled == Some(true) {
        fields.push("\"enabled\":true".to_string());
    }
    if !d.import_values.is_empty() {
        let iv = serde_json::to_string(&d.import_values).unwrap_or_default();
        fields.push(format!("\"import-values\":{iv}"));
    }
    if let Some(a) = d.alias.as_deref().filter(|a| !a.is_empty()) {
        fields.push(format!("\"alias\":{}", go_string(a)));
    }
    format!("{{{}}}", fields.join(","))
}

impl Lock {
    /// Parses `Chart.lock` text; `path` names the file in errors (with the line).
    pub fn parse(text: &str, path: &str) -> Result<Lock, super::ChartError> {
        yaml_serde::from_str(text).map_err(|e| super::ChartError::Invalid {
            path: match e.location() {
                Some(l) => format!("{path}:{}", l.line()),
                None => path.to_string(),
            },
            message: crate::text::one_line(&e.to_string()),
        })
    }

    /// The file's text as Helm writes it (sigs.k8s.io/yaml: keys sorted, `generated` quoted).
    pub fn to_yaml(&self) -> String {
        let value = serde_json::to_value(self).unwrap_or_default();
        super::to_helm_yaml(&value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_json_matches_go_field_order_and_omission() {
        let d = Dependency {
            name: "web".into(),
            version: "^1.0".into(),
            repository: String::new(),
            condition: Some("web.enabled".into()),
            tags: vec!["front".into()],
            alias: Some("site".into()),
            ..Dependency::default()
        };
        assert_eq!(
            go_json(&d),
            r#"{"name":"web","version":"^1.0","repository":"","condition":"web.enabled","tags":["front"],"alias":"site"}"#
        );
        assert_eq!(go_string("a<b>&"), r#""a\u003cb\u003e\u0026""#);
    }

    #[test]
    fn lock_round_trips() {
        let lock = Lock {
            dependencies: vec![LockedDependency {
                name: "redis".into(),
                repository: "https://charts.example.com".into(),
                version: "1.2.3".into(),
            }],
            digest: "sha256:00".into(),
            generated: "2026-11-22T00:00:00Z".into(),
        };
        let text = lock.to_yaml();
        assert_eq!(Lock::parse(&text, "Chart.lock").unwrap(), lock);
        assert!(
            text.contains("  repository: https://charts.example.com\n"),
            "{text}"
        );
        let err = Lock::parse("dependencies: [\n", "x/Chart.lock").unwrap_err();
        assert!(err.to_string().starts_with("x/Chart.lock:"), "{err}");
    }
}
