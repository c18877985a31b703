//! Kubernetes' name rules (`k8s.io/apimachinery/pkg/util/validation`), with the API server's
//! own messages, so that `lint` reports what `kubectl apply` would refuse.
//!
//! Each function returns the list of problems (empty when the text is valid).

use std::sync::LazyLock;

use regex::Regex;

/// Longest DNS-1123 subdomain (object names of most kinds).
const DNS1123_SUBDOMAIN_MAX: usize = 253;
/// Longest DNS label (Service and Namespace names, label values, name parts of keys).
const LABEL_MAX: usize = 63;

fn anchored(pattern: &str) -> Regex {
    Regex::new(&format!("^(?:{pattern})$")).expect("static pattern")
}

const DNS1123_LABEL_FMT: &str = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const DNS1035_LABEL_FMT: &str = "[a-z]([-a-z0-9]*[a-z0-9])?";
const DNS1123_SUBDOMAIN_FMT: &str =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
const QUALIFIED_NAME_FMT: &str = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const LABEL_VALUE_FMT: &str = "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";

static DNS1123_LABEL: LazyLock<Regex> = LazyLock::new(|| anchored(DNS1123_LABEL_FMT));
static DNS1035_LABEL: LazyLock<Regex> = LazyLock::new(|| anchored(DNS1035_LABEL_FMT));
static DNS1123_SUBDOMAIN: LazyLock<Regex> = LazyLock::new(|| anchored(DNS1123_SUBDOMAIN_FMT));
static QUALIFIED_NAME: LazyLock<Regex> = LazyLock::new(|| anchored(QUALIFIED_NAME_FMT));
static LABEL_VALUE: LazyLock<Regex> = LazyLock::new(|| anchored(LABEL_VALUE_FMT));

fn too_long(max: usize) -> String {
    format!("must be no more than {max} characters")
}

/// A lowercase RFC 1123 subdomain: what most object names must be.
pub fn dns1123_subdomain(name: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if name.len() > DNS1123_SUBDOMAIN_MAX {
        errs.push(too_long(DNS1123_SUBDOMAIN_MAX));
    }
    if !DNS1123_SUBDOMAIN.is_match(name) {
        errs.push(format!(
            "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '{DNS1123_SUBDOMAIN_FMT}')"
        ));
    }
    errs
}

/// A lowercase RFC 1123 label: Namespace names.
pub fn dns1123_label(name: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if name.len() > LABEL_MAX {
        errs.push(too_long(LABEL_MAX));
    }
    if DNS1123_LABEL.is_match(name) {
        return errs;
    }
    if DNS1123_SUBDOMAIN.is_match(name) {
        // A valid subdomain: only the dots are wrong (the API server says so).
        errs.push("must not contain dots".into());
    } else {
        errs.push(format!(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '{DNS1123_LABEL_FMT}')"
        ));
    }
    errs
}

/// An RFC 1035 label: Service names (they become DNS names and must start with a letter).
pub fn dns1035_label(name: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if name.len() > LABEL_MAX {
        errs.push(too_long(LABEL_MAX));
    }
    if !DNS1035_LABEL.is_match(name) {
        errs.push(format!(
            "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '{DNS1035_LABEL_FMT}')"
        ));
    }
    errs
}

/// A name usable as one path segment: RBAC object names.
pub fn path_segment(name: &str) -> Vec<String> {
    for bad in [".", ".."] {
        if name == bad {
            return vec![format!("may not be '{bad}'")];
        }
    }
    let mut errs = Vec::new();
    for bad in ["/", "%"] {
        if name.contains(bad) {
            errs.push(format!("may not contain '{bad}'"));
        }
    }
    errs
}

/// A label or annotation key: `name` or `dns.prefix/name`.
pub fn qualified_name(key: &str) -> Vec<String> {
    let parts: Vec<&str> = key.split('/').collect();
    let name = match parts.as_slice() {
        [name] => *name,
        [prefix, name] => {
            if prefix.is_empty() {
                return vec!["prefix part must be non-empty".into()];
            }
            let errs: Vec<String> = dns1123_subdomain(prefix)
                .into_iter()
                .map(|e| format!("prefix part {e}"))
                .collect();
            if !errs.is_empty() {
                return errs;
            }
            *name
        }
        _ => {
            return vec![format!(
                "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '{QUALIFIED_NAME_FMT}') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
            )];
        }
    };
    let mut errs = Vec::new();
    if name.is_empty() {
        errs.push("name part must be non-empty".into());
    } else if name.len() > LABEL_MAX {
        errs.push(format!("name part {}", too_long(LABEL_MAX)));
    }
    if !QUALIFIED_NAME.is_match(name) {
        errs.push(format!(
            "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '{QUALIFIED_NAME_FMT}')"
        ));
    }
    errs
}

/// A label value: empty, or up to 63 alphanumerics with `-`, `_`, `.` inside.
pub fn label_value(value: &str) -> Vec<String> {
    let mut errs = Vec::new();
    if value.len() > LABEL_MAX {
        errs.push(too_long(LABEL_MAX));
    }
    if !LABEL_VALUE.is_match(value) {
        errs.push(format!(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '{LABEL_VALUE_FMT}')"
        ));
    }
    errs
}

/// The rule Kubernetes applies to `metadata.name` of an object of `kind` (as Helm's lint maps
/// them; kinds not listed are DNS-1123 subdomains). `None` for kinds whose names are free.
pub fn name_rule(kind: &str) -> Option<fn(&str) -> Vec<String>> {
    match kind.to_ascii_lowercase().as_str() {
        "service" => Some(dns1035_label),
        "namespace" => Some(dns1123_label),
        "certificatesigningrequest" => None,
        "role" | "clusterrole" | "rolebinding" | "clusterrolebinding" => Some(path_segment),
        _ => Some(dns1123_subdomain),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subdomains() {
        assert!(dns1123_subdomain("my-app.example.com").is_empty());
        assert!(dns1123_subdomain("a").is_empty());
        assert_eq!(dns1123_subdomain("My_Name").len(), 1);
        assert_eq!(dns1123_subdomain("").len(), 1);
        assert_eq!(dns1123_subdomain("-a").len(), 1);
        assert!(dns1123_subdomain(&"a".repeat(253)).is_empty());
        assert_eq!(
            dns1123_subdomain(&"a".repeat(254)),
            vec!["must be no more than 253 characters".to_string()]
        );
    }

    #[test]
    fn labels_and_service_names() {
        assert!(dns1123_label("123-abc").is_empty());
        assert_eq!(
            dns1123_label("a.b"),
            vec!["must not contain dots".to_string()]
        );
        assert!(dns1123_label("a.B")[0].starts_with("a lowercase RFC 1123 label"));
        assert_eq!(dns1123_label(&format!("a.{}", "b".repeat(64))).len(), 2);
        assert!(dns1035_label("abc-123").is_empty());
        assert!(!dns1035_label("1abc").is_empty());
        assert_eq!(dns1035_label(&"a".repeat(64)).len(), 1);
    }

    #[test]
    fn rbac_names_are_path_segments() {
        assert!(path_segment("system:controller:x").is_empty());
        assert_eq!(path_segment(".."), vec!["may not be '..'".to_string()]);
        assert_eq!(path_segment("a/b%").len(), 2);
    }

    #[test]
    fn qualified_names() {
        assert!(qualified_name("app.kubernetes.io/name").is_empty());
        assert!(qualified_name("MyName").is_empty());
        assert!(qualified_name("helm.sh/chart").is_empty());
        assert_eq!(
            qualified_name("/x"),
            vec!["prefix part must be non-empty".to_string()]
        );
        assert!(qualified_name("Example.com/x")[0].starts_with("prefix part a lowercase"));
        assert!(qualified_name("a/b/c")[0].starts_with("a qualified name must"));
        assert!(qualified_name("bad key")[0].starts_with("name part must consist"));
        assert_eq!(
            qualified_name(&"k".repeat(64)),
            vec!["name part must be no more than 63 characters".to_string()]
        );
        assert_eq!(qualified_name("x/").len(), 2);
    }

    #[test]
    fn label_values() {
        assert!(label_value("").is_empty());
        assert!(label_value("1.16.0").is_empty());
        assert!(label_value("my_value-1").is_empty());
        assert_eq!(label_value("-x-").len(), 1);
        assert_eq!(label_value("a b").len(), 1);
        assert_eq!(label_value(&"v".repeat(64)).len(), 1);
        assert!(label_value(&"v".repeat(63)).is_empty());
    }

    #[test]
    fn rules_by_kind() {
        let rule = |k: &str, n: &str| name_rule(k).map(|f| f(n).is_empty());
        assert_eq!(rule("Service", "1abc"), Some(false));
        assert_eq!(rule("Deployment", "1abc"), Some(true));
        assert_eq!(rule("ClusterRole", "system:x"), Some(true));
        assert_eq!(rule("certificatesigningrequest", "ANY"), None);
        assert_eq!(rule("Namespace", "a.b"), Some(false));
        assert_eq!(rule("Widget", "a.b"), Some(true));
    }
}
