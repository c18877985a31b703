//! Configurable 403 rules, so tests can see how clients report an RBAC denial. A rule
//! `VERB:RESOURCE[:NAMESPACE]` (each part may be `*`) refuses matching requests with a `Forbidden`
//! `Status` worded as the RBAC authorizer's.

use super::errors::{ApiError, go_quote, qualified};

/// One deny rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DenyRule {
    /// The verb (`create`, `get`, `list`, `watch`, `update`, `patch`, `delete`), or `*`.
    pub verb: String,
    /// The resource (`secrets`, `deployments`, or `deployments.apps`), or `*`.
    pub resource: String,
    /// The namespace it applies to; `None` means every namespace and the cluster scope.
    pub namespace: Option<String>,
}

/// Why a `--deny` value could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid deny rule {0:?}: expected VERB:RESOURCE[:NAMESPACE]")]
pub struct DenyRuleError(pub String);

impl std::str::FromStr for DenyRule {
    type Err = DenyRuleError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split(':').collect();
        let bad = || DenyRuleError(s.to_string());
        if !(2..=3).contains(&parts.len()) || parts.iter().any(|p| p.is_empty()) {
            return Err(bad());
        }
        Ok(DenyRule {
            verb: parts[0].to_string(),
            resource: parts[1].to_string(),
            namespace: parts.get(2).map(|n| n.to_string()),
        })
    }
}

/// What a request asks to do, as an authorizer sees it.
#[derive(Debug, Clone, Copy)]
pub struct Attributes<'a> {
    /// The Kubernetes verb.
    pub verb: &'a str,
    /// The API group.
    pub group: &'a str,
    /// The resource (plural, with `/subresource` if any).
    pub resource: &'a str,
    /// The namespace, if namespaced.
    pub namespace: Option<&'a str>,
    /// The object name, if the request names one.
    pub name: Option<&'a str>,
}

impl DenyRule {
    /// Whether the rule refuses the request.
    pub fn matches(&self, a: &Attributes<'_>) -> bool {
        let verb_ok = self.verb == "*" || self.verb == a.verb;
        let base = a.resource.split('/').next().unwrap_or(a.resource);
        let resource_ok = self.resource == "*"
            || self.resource == base
            || self.resource == qualified(a.group, base);
        let ns_ok = match &self.namespace {
            None => true,
            Some(ns) => ns == "*" || Some(ns.as_str()) == a.namespace,
        };
        verb_ok && resource_ok && ns_ok
    }
}

/// The 403 for a denied request, worded as RBAC's.
pub fn forbidden(user: &str, a: &Attributes<'_>) -> ApiError {
    let subject = match a.name {
        Some(n) if !n.is_empty() => format!("{} {}", qualified(a.group, a.resource), go_quote(n)),
        _ => qualified(a.group, a.resource),
    };
    let scope = match a.namespace {
        Some(ns) => format!("in the namespace {}", go_quote(ns)),
        None => "at the cluster scope".to_string(),
    };
    ApiError::forbidden(
        format!(
            "{subject} is forbidden: User {} cannot {} resource {} in API group {} {scope}",
            go_quote(user),
            a.verb,
            go_quote(a.resource),
            go_quote(a.group)
        ),
        a.group,
        a.resource,
        a.name.unwrap_or(""),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_matches() {
        let r: DenyRule = "create:secrets:ns".parse().unwrap();
        let a = Attributes {
            verb: "create",
            group: "",
            resource: "secrets",
            namespace: Some("ns"),
            name: None,
        };
        assert!(r.matches(&a));
        assert!(!r.matches(&Attributes {
            namespace: Some("other"),
            ..a
        }));
        assert!(!r.matches(&Attributes { verb: "get", ..a }));
        let any: DenyRule = "*:deployments.apps".parse().unwrap();
        assert!(any.matches(&Attributes {
            group: "apps",
            resource: "deployments",
            ..a
        }));
        assert!("create".parse::<DenyRule>().is_err());
        assert!("a:b:c:d".parse::<DenyRule>().is_err());
    }

    #[test]
    fn rbac_wording() {
        let a = Attributes {
            verb: "create",
            group: "",
            resource: "secrets",
            namespace: Some("ns"),
            name: None,
        };
        assert_eq!(
            forbidden("x", &a).message,
            r#"secrets is forbidden: User "x" cannot create resource "secrets" in API group "" in the namespace "ns""#
        );
        let g = Attributes {
            verb: "get",
            group: "rbac.authorization.k8s.io",
            resource: "clusterroles",
            namespace: None,
            name: Some("admin"),
        };
        assert_eq!(
            forbidden("x", &g).message,
            r#"clusterroles.rbac.authorization.k8s.io "admin" is forbidden: User "x" cannot get resource "clusterroles" in API group "rbac.authorization.k8s.io" at the cluster scope"#
        );
    }
}
