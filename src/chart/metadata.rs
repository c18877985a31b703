//! `Chart.yaml`: Helm's chart metadata, apiVersion v2 (v1 read too), with Helm's field names so
//! that our `Chart.yaml` stays valid for Helm tooling.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// A chart maintainer, as in Helm's `Chart.yaml`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Maintainer {
    /// The maintainer's name.
    #[serde(default)]
    pub name: String,
    /// Contact e-mail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Contact URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// A dependency entry of `Chart.yaml` (Helm's `chart.Dependency`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Dependency {
    /// The subchart's name (the `name` in its own Chart.yaml).
    pub name: String,
    /// A SemVer range the subchart version must satisfy.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version: String,
    /// Where to fetch it: an https URL, `@repo`, `alias:repo`, `file://path`, or empty.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub repository: String,
    /// Comma-separated values paths; the first one that resolves to a bool enables/disables it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// Tags: the dependency is disabled when all its tags are set false in `tags:`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Explicitly enabled or disabled (set during processing, rarely in Chart.yaml).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// Values to copy up from the child into the parent: strings or `{child, parent}` maps.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub import_values: Vec<Value>,
    /// The name the subchart takes in the parent (its values key and `Chart.Name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
}

/// `Chart.yaml`, field for field as Helm's `chart.Metadata`.
///
/// Unknown fields are ignored when loading, as Helm's loader does (an index entry carries the
/// metadata plus its own fields); `rudder lint` reports them through [`unknown_fields`], as
/// `helm lint`'s strict parse does.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metadata {
    /// `v2` for Helm 3+ charts, `v1` for legacy ones (read only).
    #[serde(default)]
    pub api_version: String,
    /// The chart's name.
    #[serde(default)]
    pub name: String,
    /// Strict SemVer 2 version of the chart.
    #[serde(default, deserialize_with = "lenient_string")]
    pub version: String,
    /// A SemVer constraint on the Kubernetes version, checked against `--kube-version`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kube_version: Option<String>,
    /// One-line description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// `application` (default) or `library`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub chart_type: Option<String>,
    /// Search keywords.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// Project home page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub home: Option<String>,
    /// Source code URLs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    /// Subcharts this chart depends on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<Dependency>,
    /// Maintainers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub maintainers: Vec<Maintainer>,
    /// Icon URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icon: Option<String>,
    /// Version of the packaged application (free form).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "lenient_opt_string"
    )]
    pub app_version: Option<String>,
    /// Whether the chart is deprecated.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deprecated: bool,
    /// Free-form annotations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    /// Legacy v1 field (ignored, accepted so v1 charts load).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub engine: Option<String>,
    /// Legacy v1 field (ignored, accepted so v1 charts load).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tiller_version: Option<String>,
}

const METADATA_FIELDS: &[&str] = &[
    "apiVersion",
    "name",
    "version",
    "kubeVersion",
    "description",
    "type",
    "keywords",
    "home",
    "sources",
    "dependencies",
    "maintainers",
    "icon",
    "appVersion",
    "deprecated",
    "annotations",
    "engine",
    "tillerVersion",
];
const MAINTAINER_FIELDS: &[&str] = &["name", "email", "url"];
const DEPENDENCY_FIELDS: &[&str] = &[
    "name",
    "version",
    "repository",
    "condition",
    "tags",
    "enabled",
    "import-values",
    "alias",
];

/// The fields of a parsed `Chart.yaml` document that Helm's `chart.Metadata` does not know, as
/// paths (`bogus`, `maintainers[0].phone`, `dependencies[1].repo`): what a strict parse refuses.
pub fn unknown_fields(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let Value::Object(map) = doc else {
        return out;
    };
    for (key, value) in map {
        if !METADATA_FIELDS.contains(&key.as_str()) {
            out.push(key.clone());
            continue;
        }
        let known = match key.as_str() {
            "maintainers" => MAINTAINER_FIELDS,
            "dependencies" => DEPENDENCY_FIELDS,
            _ => continue,
        };
        for (i, item) in value.as_array().into_iter().flatten().enumerate() {
            for k in item.as_object().into_iter().flat_map(|m| m.keys()) {
                if !known.contains(&k.as_str()) {
                    out.push(format!("{key}[{i}].{k}"));
                }
            }
        }
    }
    out
}

/// Scalars (a YAML `1.0` or `2`) read as their text, as Helm's YAML-to-JSON step does.
fn scalar_to_string(v: Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        other => Some(other.to_string()),
    }
}

fn lenient_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(scalar_to_string(Value::deserialize(d)?).unwrap_or_default())
}

fn lenient_opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(scalar_to_string(Value::deserialize(d)?))
}

impl Metadata {
    /// Checks what Helm checks when loading (`chart.Metadata.Validate`): api version, name,
    /// strict SemVer version, type, dependency names. Returns a message for the first problem.
    pub fn validate(&self) -> Result<(), String> {
        match self.api_version.as_str() {
            "v1" | "v2" => {}
            "" => return Err("apiVersion is required (v2)".into()),
            other => return Err(format!("apiVersion {other:?} is not supported (use v2)")),
        }
        if self.name.is_empty() {
            return Err("name is required".into());
        }
        if self.name.contains('/') || self.name.contains('\\') || self.name.contains("..") {
            return Err(format!(
                "chart name {:?} must not contain a path",
                self.name
            ));
        }
        if self.version.is_empty() {
            return Err("version is required".into());
        }
        semver::Version::parse(&self.version).map_err(|e| {
            format!(
                "version {:?} is not a valid SemVer 2 version: {e}",
                self.version
            )
        })?;
        match self.chart_type.as_deref() {
            None | Some("") | Some("application") | Some("library") => {}
            Some(other) => {
                return Err(format!(
                    "type {other:?} is invalid (application or library)"
                ));
            }
        }
        if let Some(kv) = &self.kube_version {
            parse_constraint(kv)
                .map_err(|e| format!("kubeVersion {kv:?} is not a valid constraint: {e}"))?;
        }
        let mut seen = std::collections::BTreeSet::new();
        for dep in &self.dependencies {
            if dep.name.is_empty() {
                return Err("a dependency has no name".into());
            }
            let key = dep.alias.clone().unwrap_or_else(|| dep.name.clone());
            if !seen.insert(key.clone()) {
                return Err(format!("dependency {key:?} is listed twice"));
            }
        }
        Ok(())
    }
}

/// Parses a Helm/Masterminds SemVer constraint (`>=1.20.0-0`, `^1.2`, `~1.2.3`, `1.x`,
/// `>= 1.2, < 2`, `a || b`, `1.2 - 1.4`) into alternatives of `semver::VersionReq`.
pub fn parse_constraint(text: &str) -> Result<Vec<semver::VersionReq>, String> {
    let text = exact_bare_versions(text);
    let mut alternatives = Vec::new();
    for alt in text.split("||") {
        let alt = alt.trim();
        if alt.is_empty() {
            return Err("empty alternative".into());
        }
        // Hyphen ranges: `1.2 - 1.4` means `>=1.2, <=1.4`.
        let normalized = if let Some((lo, hi)) = alt.split_once(" - ") {
            format!(">={}, <={}", lo.trim(), hi.trim())
        } else {
            // Masterminds accepts space-separated comparators as AND; semver wants commas.
            let mut out = String::new();
            let mut prev_was_op = false;
            for token in alt.split_whitespace() {
                let is_op = token.chars().all(|c| "<>=!~^".contains(c));
                if !out.is_empty() && !prev_was_op && !token.starts_with(',') {
                    if !out.ends_with(',') {
                        out.push(',');
                    }
                    out.push(' ');
                }
                out.push_str(&pad_partial_version(token));
                prev_was_op = is_op;
            }
            out.replace(",,", ",")
        };
        let req = semver::VersionReq::parse(&normalized).map_err(|e| e.to_string())?;
        alternatives.push(req);
    }
    Ok(alternatives)
}

/// Masterminds accepts `1.19-0` (a partial version with a pre-release); semver wants `1.19.0-0`.
fn pad_partial_version(token: &str) -> String {
    let ops_len = token.len()
        - token
            .trim_start_matches(|c: char| "<>=!~^,".contains(c))
            .len();
    let (ops, version) = token.split_at(ops_len);
    let version = version.trim_start_matches('v');
    match version.split_once('-') {
        Some((core, pre))
            if core.split('.').count() < 3 && core.split('.').all(|p| p.parse::<u64>().is_ok()) =>
        {
            let mut parts: Vec<&str> = core.split('.').collect();
            while parts.len() < 3 {
                parts.push("0");
            }
            format!("{ops}{}-{pre}", parts.join("."))
        }
        _ => format!("{ops}{version}"),
    }
}

/// Whether `version` satisfies a constraint parsed by [`parse_constraint`]. Pre-release versions
/// are compared as Helm's `kubeVersion` check does: `1.29.0-gke.1` matches `>=1.20.0-0`.
pub fn constraint_matches(alternatives: &[semver::VersionReq], version: &semver::Version) -> bool {
    alternatives.iter().any(|req| {
        req.matches(version) || {
            // Masterminds ignores pre-release tags when the constraint has none only for
            // comparisons with `-0`; semver crate is stricter, so retry on the release part.
            let mut plain = version.clone();
            plain.pre = semver::Prerelease::EMPTY;
            !version.pre.is_empty() && req.matches(&plain)
        }
    })
}

/// Helm (Masterminds semver) reads a bare version (`1.2.0`, `1.2`) as `=`, the `semver` crate as
/// `^`: prefix bare versions (not wildcards, not hyphen-range bounds) with `=`.
fn exact_bare_versions(constraint: &str) -> String {
    constraint
        .split("||")
        .map(|alt| {
            if alt.contains(" - ") {
                return alt.to_string();
            }
            let mut out = String::new();
            let mut after_op = false;
            for token in alt.split_inclusive([' ', ',']) {
                let t = token.trim_matches([' ', ',']);
                let bare = t
                    .trim_start_matches('v')
                    .starts_with(|c: char| c.is_ascii_digit())
                    && !t.contains(['x', 'X', '*']);
                if bare && !after_op {
                    out.push('=');
                }
                out.push_str(token);
                if !t.is_empty() {
                    after_op = t.chars().all(|c| "<>=!~^".contains(c));
                }
            }
            out
        })
        .collect::<Vec<_>>()
        .join("||")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_versions_are_exact_as_in_masterminds() {
        let m = |c: &str, v: &str| {
            constraint_matches(
                &parse_constraint(c).unwrap(),
                &semver::Version::parse(v).unwrap(),
            )
        };
        assert!(m("1.2.0", "1.2.0"));
        assert!(!m("1.2.0", "1.3.0"));
        assert!(m("1.2", "1.2.7") && !m("1.2", "1.3.0"));
        assert!(m("^1.2.0", "1.3.0"));
        assert!(m(">= 1.2.0, < 2", "1.9.0") && !m(">= 1.2.0, < 2", "2.0.0"));
        assert!(m("1.0.0 || 2.0.0", "2.0.0") && !m("1.0.0 || 2.0.0", "1.5.0"));
        assert!(m("1.0 - 1.4", "1.3.9"));
    }

    fn meta(yaml: &str) -> Metadata {
        yaml_serde::from_str(yaml).unwrap()
    }

    #[test]
    fn reads_v2_fields_with_helm_names() {
        let m = meta(
            "apiVersion: v2\nname: web\nversion: 1.2.3\nappVersion: 1.0\ntype: application\nkubeVersion: '>=1.20.0-0'\ndependencies:\n- name: redis\n  version: ~1.2\n  repository: file://../redis\n  import-values: [data]\n",
        );
        assert_eq!(m.app_version.as_deref(), Some("1.0"));
        assert_eq!(m.dependencies[0].import_values.len(), 1);
        m.validate().unwrap();
    }

    #[test]
    fn rejects_non_semver_version() {
        let m = meta("apiVersion: v2\nname: web\nversion: '1.2'\n");
        assert!(m.validate().unwrap_err().contains("SemVer"));
    }

    #[test]
    fn constraint_forms() {
        let v = |s: &str| semver::Version::parse(s).unwrap();
        let c = parse_constraint(">=1.20.0-0").unwrap();
        assert!(constraint_matches(&c, &v("1.29.3")));
        assert!(!constraint_matches(&c, &v("1.19.0")));
        let c = parse_constraint(">= 1.2, < 2 || 3.x").unwrap();
        assert!(constraint_matches(&c, &v("1.5.0")));
        assert!(constraint_matches(&c, &v("3.1.0")));
        assert!(!constraint_matches(&c, &v("2.0.0")));
        let c = parse_constraint("1.2 - 1.4").unwrap();
        assert!(constraint_matches(&c, &v("1.3.9")));
        assert!(!constraint_matches(&c, &v("1.5.0")));
    }
}
