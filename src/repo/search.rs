//! `search repo`: Helm's literal search over the cached indexes. Each chart version is matched
//! by `name`, `repo/name`, description and keywords (case-insensitive); a match in the name
//! ranks before one in the description, which ranks before one in the keywords. Results are
//! then filtered by a version range (stable versions only unless `devel`) and, unless all
//! versions are asked for, reduced to the newest matching version per chart.

use serde::Serialize;

use super::cache::{CachedIndex, CachedVersion};
use super::error::RepoError;
use super::index::VersionMatcher;

/// One search hit, serialised with Helm's field names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchResult {
    /// `repo/chart`.
    pub name: String,
    /// The chart version.
    pub version: String,
    /// The application version.
    pub app_version: String,
    /// The chart description.
    pub description: String,
}

/// What to look for.
#[derive(Debug, Clone, Default)]
pub struct SearchQuery {
    /// The keyword (empty: every chart).
    pub keyword: String,
    /// A version range (empty: any stable version, or any version with `devel`).
    pub version: String,
    /// Every matching version, not only the newest per chart.
    pub versions: bool,
    /// Let pre-releases match.
    pub devel: bool,
}

const SEP: char = '\u{b}';

/// Searches the indexes (`(repository name, index)` pairs).
pub fn search(
    indexes: &[(String, CachedIndex)],
    query: &SearchQuery,
) -> Result<Vec<SearchResult>, RepoError> {
    let matcher = VersionMatcher::new(&query.version, query.devel)?;
    let term = query.keyword.to_lowercase();
    // (score, name, parsed version, entry) for every matching version.
    let mut hits: Vec<(usize, String, Option<semver::Version>, &CachedVersion)> = Vec::new();
    let mut line = String::new();
    for (repo, index) in indexes {
        for (chart, versions) in &index.entries {
            let name = format!("{repo}/{chart}");
            for cv in versions {
                let score = if term.is_empty() {
                    0
                } else {
                    line.clear();
                    line.push_str(&cv.name);
                    line.push(SEP);
                    line.push_str(repo);
                    line.push('/');
                    line.push_str(&cv.name);
                    line.push(SEP);
                    line.push_str(cv.description.as_deref().unwrap_or(""));
                    line.push(SEP);
                    line.push_str(&cv.keywords.join(" "));
                    let lower = line.to_lowercase();
                    match lower.find(&term) {
                        Some(at) => lower[..at].matches(SEP).count(),
                        None => continue,
                    }
                };
                hits.push((
                    score,
                    name.clone(),
                    semver::Version::parse(&cv.version).ok(),
                    cv,
                ));
            }
        }
    }
    // Helm's scoreSorter: by score, then name, then newest version first.
    hits.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then_with(|| a.1.cmp(&b.1))
            .then_with(|| b.2.cmp(&a.2))
    });
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (_, name, _, cv) in hits {
        if seen.contains(&name) || !matcher.matches(&cv.version) {
            continue;
        }
        if !query.versions {
            seen.insert(name.clone());
        }
        out.push(SearchResult {
            name,
            version: cv.version.clone(),
            app_version: cv.app_version.clone().unwrap_or_default(),
            description: cv.description.clone().unwrap_or_default(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(name: &str, v: &str, desc: &str, keywords: &[&str]) -> CachedVersion {
        CachedVersion {
            name: name.into(),
            version: v.into(),
            app_version: Some(format!("app-{v}")),
            description: Some(desc.into()),
            keywords: keywords.iter().map(|s| s.to_string()).collect(),
            urls: vec![format!("{name}-{v}.tgz")],
            digest: "00".into(),
            deprecated: false,
        }
    }

    fn indexes() -> Vec<(String, CachedIndex)> {
        let mut index = CachedIndex::default();
        index.entries.insert(
            "web".into(),
            vec![
                version("web", "2.0.0-rc.1", "A web server", &["http"]),
                version("web", "1.1.0", "A web server", &["http"]),
                version("web", "1.0.0", "A web server", &["http"]),
            ],
        );
        index.entries.insert(
            "db".into(),
            vec![version("db", "3.0.0", "Stores web sessions", &["sql"])],
        );
        index.entries.insert(
            "cache".into(),
            vec![version("cache", "0.1.0", "Memory", &["web-cache"])],
        );
        vec![("r".into(), index)]
    }

    fn names(q: SearchQuery) -> Vec<String> {
        search(&indexes(), &q)
            .unwrap()
            .into_iter()
            .map(|r| format!("{} {}", r.name, r.version))
            .collect()
    }

    #[test]
    fn ranks_name_then_description_then_keywords() {
        let q = SearchQuery {
            keyword: "WEB".into(),
            ..SearchQuery::default()
        };
        assert_eq!(names(q), ["r/web 1.1.0", "r/db 3.0.0", "r/cache 0.1.0"]);
    }

    #[test]
    fn versions_devel_and_ranges() {
        let all = SearchQuery {
            versions: true,
            ..SearchQuery::default()
        };
        assert_eq!(
            names(all),
            ["r/cache 0.1.0", "r/db 3.0.0", "r/web 1.1.0", "r/web 1.0.0"]
        );
        let devel = SearchQuery {
            keyword: "web".into(),
            devel: true,
            ..SearchQuery::default()
        };
        assert_eq!(names(devel)[0], "r/web 2.0.0-rc.1");
        let range = SearchQuery {
            keyword: "r/web".into(),
            version: "~1.0".into(),
            ..SearchQuery::default()
        };
        assert_eq!(names(range), ["r/web 1.0.0"]);
        let none = SearchQuery {
            keyword: "nothing-like-this".into(),
            ..SearchQuery::default()
        };
        assert!(names(none).is_empty());
    }
}
