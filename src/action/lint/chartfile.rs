//! Rules on `Chart.yaml` (Helm's `rules/chartfile.go`), read from the raw file so that they run
//! even when the chart cannot be loaded.

use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

use super::Linter;
use super::source::{Entry, Source};
use crate::chart::{Metadata, parse_constraint};

const FILE: &str = "Chart.yaml";

static CHART_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$").expect("static pattern"));
static URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$").expect("static pattern"));
static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[^@\s]+@[^@\s]+$").expect("static pattern"));

/// Why a chart name is refused, or `None` when it is valid (shared with `create`).
pub fn invalid_chart_name(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("name is required".into());
    }
    if name.contains('/') || name.contains('\\') || name == "." || name == ".." {
        return Some(format!("chart name {name:?} is invalid"));
    }
    if !CHART_NAME.is_match(name) {
        return Some(format!(
            "chart name {name:?} is invalid; chart names must contain lowercase letters, numbers, and dashes, and must start and end with a lowercase letter or number"
        ));
    }
    None
}

/// The YAML type of a value, in words.
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "list",
        Value::Object(_) => "map",
    }
}

/// Runs every `Chart.yaml` rule. Returns false when the file is missing or unreadable (the
/// chart is not a chart).
pub fn lint(src: &Source, l: &mut Linter) -> bool {
    let bytes = match src.entry(FILE) {
        Entry::File(b) => b,
        Entry::Dir => {
            l.error(FILE, "should be a file, not a directory");
            return false;
        }
        Entry::Missing => {
            l.error(FILE, "no chart found for linting (missing Chart.yaml)");
            return false;
        }
        Entry::Unreadable(e) => {
            l.error(FILE, e);
            return false;
        }
    };
    let Ok(text) = String::from_utf8(bytes) else {
        l.error(FILE, "not valid UTF-8 text");
        return true;
    };
    let doc: Value = match yaml_serde::from_str(&text) {
        Ok(Value::Object(m)) => Value::Object(m),
        Ok(other) => {
            l.error(
                FILE,
                format!("expected a YAML mapping, found {}", type_name(&other)),
            );
            return true;
        }
        Err(e) => {
            l.error(FILE, format!("unable to parse YAML: {}", one_line(&e)));
            return true;
        }
    };
    if let Err(e) = yaml_serde::from_str::<Metadata>(&text) {
        l.error(
            FILE,
            format!(
                "failed to strictly parse chart metadata file: {}",
                one_line(&e)
            ),
        );
    } else if let Some(field) = crate::chart::unknown_fields(&doc).first() {
        l.error(
            FILE,
            format!("failed to strictly parse chart metadata file: unknown field `{field}`"),
        );
    }
    let str_field = |key: &str| doc.get(key).and_then(Value::as_str).unwrap_or("");

    // apiVersion
    let api_version = str_field("apiVersion");
    match api_version {
        "" => l.error(
            FILE,
            "apiVersion is required. The value must be either \"v1\" or \"v2\"",
        ),
        "v2" => {}
        "v1" => l.info(
            FILE,
            "apiVersion \"v1\" is the legacy Helm 2 format; use \"v2\"",
        ),
        other => l.error(
            FILE,
            format!("apiVersion '{other}' is not valid. The value must be either \"v1\" or \"v2\""),
        ),
    }

    // name
    let name = str_field("name");
    if let Some(problem) = invalid_chart_name(name) {
        l.error(FILE, problem);
    } else if let Some(dir_name) = src
        .dir()
        .and_then(|d| std::fs::canonicalize(d).ok())
        .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
        .filter(|d| d != name)
    {
        l.info(
            FILE,
            format!("chart name {name:?} does not match its directory name {dir_name:?}"),
        );
    }

    // version and appVersion
    for key in ["version", "appVersion"] {
        if let Some(v) = doc.get(key).filter(|v| !v.is_string() && !v.is_null()) {
            l.error(
                FILE,
                format!(
                    "{key} should be of type string but it's of type {} (quote it)",
                    type_name(v)
                ),
            );
        }
    }
    let version = match doc.get("version") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    if version.is_empty() {
        l.error(FILE, "version is required");
    } else if let Err(e) = semver::Version::parse(&version) {
        l.error(
            FILE,
            format!("version '{version}' is not a valid SemVer 2 version (MAJOR.MINOR.PATCH, e.g. 1.2.0): {e}"),
        );
    }

    maintainers(doc.get("maintainers"), l);
    sources(doc.get("sources"), l);

    // icon
    match doc.get("icon").and_then(Value::as_str).unwrap_or("") {
        "" => l.info(FILE, "icon is recommended"),
        icon if !URL.is_match(icon) => l.error(FILE, format!("invalid icon URL '{icon}'")),
        _ => {}
    }

    // type
    let chart_type = str_field("type");
    if !chart_type.is_empty() && api_version != "v2" {
        l.error(
            FILE,
            format!("chart type is not valid in apiVersion '{api_version}'. It is valid in apiVersion 'v2'"),
        );
    }
    if !matches!(chart_type, "" | "application" | "library") {
        l.error(
            FILE,
            format!("chart type {chart_type:?} is invalid: it must be application or library"),
        );
    }

    // kubeVersion
    if let Some(kv) = doc.get("kubeVersion").and_then(Value::as_str)
        && let Err(e) = parse_constraint(kv)
    {
        l.error(
            FILE,
            format!("kubeVersion {kv:?} is not a valid SemVer constraint: {e}"),
        );
    }

    dependencies(doc.get("dependencies"), api_version, l);
    true
}

fn one_line(e: &impl std::fmt::Display) -> String {
    crate::text::one_line(&e.to_string())
}

fn maintainers(list: Option<&Value>, l: &mut Linter) {
    let Some(list) = list.filter(|v| !v.is_null()) else {
        return;
    };
    let Some(items) = list.as_array() else {
        l.error(FILE, "maintainers must be a list");
        return;
    };
    for m in items {
        let Some(m) = m.as_object() else {
            l.error(FILE, "a maintainer entry is empty");
            continue;
        };
        let field = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("");
        let name = field("name");
        if name.is_empty() {
            l.error(FILE, "each maintainer requires a name");
            continue;
        }
        let email = field("email");
        if !email.is_empty() && !EMAIL.is_match(email) {
            l.error(
                FILE,
                format!("invalid email '{email}' for maintainer '{name}'"),
            );
        }
        let url = field("url");
        if !url.is_empty() && !URL.is_match(url) {
            l.error(FILE, format!("invalid url '{url}' for maintainer '{name}'"));
        }
    }
}

fn sources(list: Option<&Value>, l: &mut Linter) {
    let Some(list) = list.filter(|v| !v.is_null()) else {
        return;
    };
    let Some(items) = list.as_array() else {
        l.error(FILE, "sources must be a list of URLs");
        return;
    };
    for s in items {
        let text = s.as_str().unwrap_or("");
        if !URL.is_match(text) {
            l.error(FILE, format!("invalid source URL '{text}'"));
        }
    }
}

fn dependencies(list: Option<&Value>, api_version: &str, l: &mut Linter) {
    let Some(list) = list.filter(|v| !v.is_null()) else {
        return;
    };
    let Some(items) = list.as_array() else {
        l.error(FILE, "dependencies must be a list");
        return;
    };
    if !items.is_empty() && api_version != "v2" {
        l.error(
            FILE,
            format!("dependencies are not valid in the Chart file with apiVersion '{api_version}'. They are valid in apiVersion 'v2'"),
        );
    }
    let mut seen = std::collections::BTreeSet::new();
    let mut shadowing = Vec::new();
    for d in items {
        let field = |k: &str| d.get(k).and_then(Value::as_str).unwrap_or("");
        let name = field("name");
        if name.is_empty() {
            l.error(FILE, "a dependency has no name");
            continue;
        }
        let key = match field("alias") {
            "" => name,
            alias => alias,
        };
        if !seen.insert(key.to_string()) {
            shadowing.push(key.to_string());
        }
        let range = field("version");
        if !range.is_empty()
            && let Err(e) = parse_constraint(range)
        {
            l.error(
                FILE,
                format!("dependency {name:?}: version {range:?} is not a valid SemVer range: {e}"),
            );
        }
    }
    if !shadowing.is_empty() {
        l.error(
            FILE,
            format!(
                "multiple dependencies with name or alias: {}",
                shadowing.join(",")
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lint_text(dir_name: &str, chart_yaml: &str) -> Vec<String> {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join(dir_name);
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("Chart.yaml"), chart_yaml).unwrap();
        let mut l = Linter::default();
        lint(&Source::open(&dir).unwrap(), &mut l);
        l.messages.iter().map(|m| m.to_string()).collect()
    }

    #[test]
    fn a_good_chart_file_only_gets_nothing() {
        let m = lint_text(
            "web",
            "apiVersion: v2\nname: web\nversion: 0.1.0\nappVersion: \"1.0\"\nicon: https://example.com/i.png\ntype: application\nkubeVersion: \">=1.20.0-0\"\nmaintainers:\n- name: me\n  email: me@example.com\n  url: https://me.example.com\nsources: [https://github.com/x/y]\n",
        );
        assert!(m.is_empty(), "{m:?}");
    }

    #[test]
    fn missing_name_and_version() {
        let m = lint_text("web", "apiVersion: v2\nicon: https://x/y.png\n");
        assert!(
            m.contains(&"[ERROR] Chart.yaml: name is required".to_string()),
            "{m:?}"
        );
        assert!(
            m.contains(&"[ERROR] Chart.yaml: version is required".to_string()),
            "{m:?}"
        );
    }

    #[test]
    fn versions_must_be_strict_semver_strings() {
        let m = lint_text(
            "web",
            "apiVersion: v2\nname: web\nversion: 1.2\nicon: https://x/y.png\n",
        );
        assert!(
            m.contains(&"[ERROR] Chart.yaml: version should be of type string but it's of type number (quote it)".to_string()),
            "{m:?}"
        );
        assert!(m.iter().any(|x| x.starts_with("[ERROR] Chart.yaml: version '1.2' is not a valid SemVer 2")), "{m:?}");
        let m = lint_text(
            "web",
            "apiVersion: v2\nname: web\nversion: v1.0.0\nicon: https://x/y.png\n",
        );
        assert!(
            m.iter()
                .any(|x| x.contains("version 'v1.0.0' is not a valid SemVer 2")),
            "{m:?}"
        );
    }

    #[test]
    fn names_apiversions_types() {
        let m = lint_text(
            "web",
            "apiVersion: v3\nname: Bad_Name\nversion: 1.0.0\ntype: foo\n",
        );
        assert!(m.contains(&"[ERROR] Chart.yaml: apiVersion 'v3' is not valid. The value must be either \"v1\" or \"v2\"".to_string()), "{m:?}");
        assert!(
            m.iter().any(|x| x.starts_with(
                "[ERROR] Chart.yaml: chart name \"Bad_Name\" is invalid; chart names must"
            )),
            "{m:?}"
        );
        assert!(
            m.iter()
                .any(|x| x.contains("chart type \"foo\" is invalid")),
            "{m:?}"
        );
        assert!(
            m.contains(&"[INFO] Chart.yaml: icon is recommended".to_string()),
            "{m:?}"
        );
    }

    #[test]
    fn directory_name_mismatch_is_info() {
        let m = lint_text(
            "other",
            "apiVersion: v2\nname: web\nversion: 1.0.0\nicon: https://x/y.png\n",
        );
        assert_eq!(
            m,
            vec![
                "[INFO] Chart.yaml: chart name \"web\" does not match its directory name \"other\""
            ]
        );
    }

    #[test]
    fn maintainers_sources_icon_dependencies() {
        let m = lint_text(
            "web",
            "apiVersion: v2\nname: web\nversion: 1.0.0\nicon: not a url\nmaintainers:\n- email: a@b.c\n- name: x\n  email: nope\nsources: [\"\"]\ndependencies:\n- name: db\n- name: db\n- name: cache\n  version: \"not a range!\"\n",
        );
        let expect = [
            "[ERROR] Chart.yaml: each maintainer requires a name",
            "[ERROR] Chart.yaml: invalid email 'nope' for maintainer 'x'",
            "[ERROR] Chart.yaml: invalid source URL ''",
            "[ERROR] Chart.yaml: invalid icon URL 'not a url'",
            "[ERROR] Chart.yaml: multiple dependencies with name or alias: db",
        ];
        for e in expect {
            assert!(m.contains(&e.to_string()), "missing {e}: {m:?}");
        }
        assert!(
            m.iter()
                .any(|x| x.contains("dependency \"cache\": version \"not a range!\"")),
            "{m:?}"
        );
    }

    #[test]
    fn unknown_fields_and_bad_yaml() {
        let m = lint_text(
            "web",
            "apiVersion: v2\nname: web\nversion: 1.0.0\nicon: https://x/y.png\nbogus: 1\n",
        );
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].starts_with("[ERROR] Chart.yaml: failed to strictly parse chart metadata file: unknown field `bogus`"), "{m:?}");
        let m = lint_text("web", "name: [\n");
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(
            m[0].starts_with("[ERROR] Chart.yaml: unable to parse YAML:"),
            "{m:?}"
        );
        assert!(!m[0].contains('\n'));
    }

    #[test]
    fn chart_names() {
        assert!(invalid_chart_name("my-chart2").is_none());
        assert!(invalid_chart_name("Bad_Name").is_some());
        assert!(invalid_chart_name("a/b").is_some());
        assert!(invalid_chart_name("-a").is_some());
        assert!(invalid_chart_name("").is_some());
    }
}
