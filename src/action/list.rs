//! `list`: the latest revision of each release in the namespace (or every namespace), filtered
//! by state and name and sorted as Helm's `pkg/action/list.go` does. Objects that fail to decode
//! are reported by name rather than failing the listing.

use regex::Regex;

use super::ActionError;
use super::connection::{ConnectOptions, connect};
use crate::release::object::OWNER;
use crate::release::{Release, ReleaseError, Status};
use crate::storage::DEFAULT_HISTORY_MAX;

/// Which statuses a listing shows (Helm's `--deployed`, `--failed`, ... flags).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StateFilter {
    /// `--all`: every status.
    pub all: bool,
    /// `--deployed`.
    pub deployed: bool,
    /// `--failed`.
    pub failed: bool,
    /// `--pending`: pending-install, pending-upgrade and pending-rollback.
    pub pending: bool,
    /// `--superseded`.
    pub superseded: bool,
    /// `--uninstalled`.
    pub uninstalled: bool,
    /// `--uninstalling`.
    pub uninstalling: bool,
}

impl StateFilter {
    /// Whether a revision with `status` is shown. With no flag set, Helm's default applies:
    /// deployed and failed. `unknown` is only shown by no mask at all (as in Helm, whose
    /// `--all` mask leaves it out).
    pub fn admits(&self, status: Status) -> bool {
        if self.all {
            return status != Status::Unknown;
        }
        let none = !(self.deployed
            || self.failed
            || self.pending
            || self.superseded
            || self.uninstalled
            || self.uninstalling);
        match status {
            Status::Deployed => self.deployed || none,
            Status::Failed => self.failed || none,
            Status::PendingInstall | Status::PendingUpgrade | Status::PendingRollback => {
                self.pending
            }
            Status::Superseded => self.superseded,
            Status::Uninstalled => self.uninstalled,
            Status::Uninstalling => self.uninstalling,
            Status::Unknown => false,
        }
    }
}

/// The order of a listing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SortBy {
    /// By name (then namespace), Helm's default.
    #[default]
    Name,
    /// By last deployment, newest first (`--date`).
    Date,
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct ListRequest {
    /// Where to connect.
    pub connect: ConnectOptions,
    /// `-A`: every namespace.
    pub all_namespaces: bool,
    /// Statuses to show.
    pub states: StateFilter,
    /// `--filter`: a regular expression release names must match.
    pub filter: Option<String>,
    /// `-l/--selector`: a label query (`k=v`, `k==v`, `k!=v`, comma-separated) on the
    /// release's labels, its storage labels (`name`, `owner`, `status`, `version`) included.
    pub selector: Option<String>,
    /// Sort key.
    pub sort: SortBy,
    /// `-r`: reverse the order.
    pub reverse: bool,
    /// `--max`: at most this many (0: no limit).
    pub limit: usize,
    /// `--offset`: skip this many first.
    pub offset: usize,
}

/// What a listing found.
#[derive(Debug, Clone, Default)]
pub struct ListResult {
    /// The latest revision of each matching release, in the requested order.
    pub releases: Vec<Release>,
    /// Stored objects that could not be decoded (each error names its object).
    pub undecodable: Vec<ReleaseError>,
}

/// Lists releases as `req` says.
pub fn list(req: &ListRequest) -> Result<ListResult, ActionError> {
    let filter = match &req.filter {
        Some(f) if !f.is_empty() => {
            Some(Regex::new(f).map_err(|e| ActionError::Invalid(format!("--filter {f:?}: {e}")))?)
        }
        _ => None,
    };
    let selector = match &req.selector {
        Some(text) => parse_selector(text)?,
        None => Vec::new(),
    };
    let conn = connect(&req.connect)?;
    conn.cluster.server_version()?;
    let namespace = if req.all_namespaces {
        String::new()
    } else {
        conn.namespace().to_string()
    };
    let storage = conn.storage(&namespace, DEFAULT_HISTORY_MAX);
    let listing = storage.list_checked(&|r| {
        req.states.admits(r.info.status)
            && filter.as_ref().is_none_or(|re| re.is_match(&r.name))
            && selector.iter().all(|term| term.matches(r))
    })?;
    let mut releases = latest_only(listing.releases);
    sort(&mut releases, req.sort, req.reverse);
    let releases = page(releases, req.offset, req.limit);
    Ok(ListResult {
        releases,
        undecodable: listing.undecodable,
    })
}

/// One term of a label query.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Term {
    key: String,
    equal: bool,
    value: String,
}

impl Term {
    /// Whether the release's labels satisfy the term (`!=` holds for an absent label, as in
    /// Kubernetes).
    fn matches(&self, r: &Release) -> bool {
        let version = r.version.to_string();
        let found = match self.key.as_str() {
            "name" => Some(r.name.as_str()),
            "owner" => Some(OWNER),
            "status" => Some(r.info.status.as_str()),
            "version" => Some(version.as_str()),
            key => r.labels.get(key).map(String::as_str),
        };
        (found == Some(self.value.as_str())) == self.equal
    }
}

/// Parses `k=v,k==v,k!=v`; an empty query selects everything.
fn parse_selector(text: &str) -> Result<Vec<Term>, ActionError> {
    let bad = |why: &str| ActionError::Invalid(format!("--selector {text:?}: {why}"));
    let mut terms = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (key, equal, value) = if let Some((k, v)) = part.split_once("!=") {
            (k, false, v)
        } else if let Some((k, v)) = part.split_once("==") {
            (k, true, v)
        } else if let Some((k, v)) = part.split_once('=') {
            (k, true, v)
        } else {
            return Err(bad(&format!(
                "{part:?} is not key=value, key==value or key!=value"
            )));
        };
        let (key, value) = (key.trim(), value.trim());
        if key.is_empty() {
            return Err(bad(&format!("{part:?} has no label key")));
        }
        if value.contains(['=', '!']) {
            return Err(bad(&format!("{part:?} has more than one operator")));
        }
        terms.push(Term {
            key: key.to_string(),
            equal,
            value: value.to_string(),
        });
    }
    Ok(terms)
}

/// Keeps the highest revision of each (namespace, name) among those admitted (Helm filters by
/// state first, then keeps the latest of what is left).
fn latest_only(releases: Vec<Release>) -> Vec<Release> {
    let mut latest: std::collections::BTreeMap<(String, String), Release> = Default::default();
    for r in releases {
        let key = (r.namespace.clone(), r.name.clone());
        match latest.get(&key) {
            Some(have) if have.version >= r.version => {}
            _ => {
                latest.insert(key, r);
            }
        }
    }
    latest.into_values().collect()
}

fn sort(releases: &mut [Release], by: SortBy, reverse: bool) {
    match by {
        SortBy::Name => releases.sort_by(|a, b| {
            a.name
                .cmp(&b.name)
                .then_with(|| a.namespace.cmp(&b.namespace))
        }),
        // Newest first; `-r` gives oldest first.
        SortBy::Date => releases.sort_by_key(|r| std::cmp::Reverse(r.info.last_deployed)),
    }
    if reverse {
        releases.reverse();
    }
}

fn page(releases: Vec<Release>, offset: usize, limit: usize) -> Vec<Release> {
    let iter = releases.into_iter().skip(offset);
    if limit > 0 {
        iter.take(limit).collect()
    } else {
        iter.collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rel(ns: &str, name: &str, version: u64, status: Status) -> Release {
        let mut r = Release {
            name: name.into(),
            namespace: ns.into(),
            version,
            ..Release::default()
        };
        r.info.status = status;
        r
    }

    #[test]
    fn default_mask_is_deployed_and_failed() {
        let default = StateFilter::default();
        assert!(default.admits(Status::Deployed) && default.admits(Status::Failed));
        assert!(!default.admits(Status::Superseded) && !default.admits(Status::Uninstalled));
        assert!(!default.admits(Status::PendingInstall));
        let pending = StateFilter {
            pending: true,
            ..StateFilter::default()
        };
        assert!(pending.admits(Status::PendingRollback) && !pending.admits(Status::Deployed));
        let all = StateFilter {
            all: true,
            ..StateFilter::default()
        };
        assert!(Status::ALL[1..].iter().all(|s| all.admits(*s)));
    }

    #[test]
    fn selector_matches_user_and_storage_labels() {
        let mut r = rel("a", "web", 3, Status::Deployed);
        r.labels.insert("team".into(), "blue".into());
        let sel = |t: &str| {
            parse_selector(t)
                .unwrap()
                .iter()
                .all(|term| term.matches(&r))
        };
        assert!(sel(
            "team=blue,status==deployed,owner=helm,version=3,name=web"
        ));
        assert!(sel("team!=red,tier!=x"));
        assert!(!sel("team=red"));
        assert!(!sel("tier=x"));
        assert!(sel(""));
        for bad in ["team", "=x", "a=b=c"] {
            let e = parse_selector(bad).unwrap_err().to_string();
            assert!(e.starts_with(&format!("--selector {bad:?}: ")), "{e}");
        }
    }

    #[test]
    fn latest_per_namespace_and_name_sorted_and_paged() {
        let rs = vec![
            rel("b", "web", 1, Status::Superseded),
            rel("b", "web", 2, Status::Deployed),
            rel("a", "web", 1, Status::Deployed),
            rel("a", "db", 3, Status::Failed),
        ];
        let mut latest = latest_only(rs);
        sort(&mut latest, SortBy::Name, false);
        let got: Vec<_> = latest
            .iter()
            .map(|r| format!("{}/{}.{}", r.namespace, r.name, r.version))
            .collect();
        assert_eq!(got, ["a/db.3", "a/web.1", "b/web.2"]);
        let paged = page(latest, 1, 1);
        assert_eq!(paged[0].namespace, "a");
        assert_eq!(paged.len(), 1);
    }
}
