//! The repository's HTML catalog, in the spirit of Monocular: a list of every chart (icon, name,
//! latest version, app version, description, keywords, every version with its archive link) with
//! a search box that filters as you type, and a page per chart with its README and default
//! values. Pages are self-contained (inline CSS and JS, no outside URL is ever loaded) and all
//! index and chart text is escaped. This module only builds HTML; `serve` does the I/O.

use std::sync::OnceLock;

use base64::Engine;
use sha2::{Digest, Sha256};

use super::catalog_html::{encode_segment, escape, is_relative, placeholder_icon, safe_link};
use super::index::{ChartVersion, IndexFile};

pub use super::catalog_markdown::render_readme;

const CSS: &str = include_str!("catalog.css");
const JS: &str = include_str!("catalog.js");

/// What the catalog shows of one chart version beyond the index: read from its archive in the
/// served directory.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ChartDetails {
    /// The README text (Markdown), if the archive has one.
    pub readme: Option<String>,
    /// The default `values.yaml` text as shipped, if any.
    pub values: Option<String>,
    /// Why the archive could not be shown (missing, digest mismatch, unreadable), if so.
    pub problem: Option<String>,
}

/// The `Content-Security-Policy` the catalog pages are served with: nothing but the page's own
/// script and style may run, images only from the repository or `data:`, and no connection,
/// frame or form anywhere. README text that slipped through escaping still could not run.
pub fn content_security_policy() -> &'static str {
    static CSP: OnceLock<String> = OnceLock::new();
    CSP.get_or_init(|| {
        let hash = |text: &str| {
            base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
        };
        format!(
            "default-src 'none'; script-src 'sha256-{}'; style-src 'sha256-{}'; img-src 'self' data:; \
             base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
            hash(JS),
            hash(CSS)
        )
    })
}

/// The version a chart is presented by: the newest stable one, or the newest of all when every
/// version is a pre-release (versions are sorted newest first). `None` for an empty list.
pub fn latest(versions: &[ChartVersion]) -> Option<&ChartVersion> {
    versions
        .iter()
        .find(|cv| semver::Version::parse(&cv.metadata.version).is_ok_and(|v| v.pre.is_empty()))
        .or_else(|| versions.first())
}

/// Where a browser downloads an archive listed in the index: relative URLs are relative to the
/// repository root (the catalog's `/`), absolute `http(s)` URLs stay as they are, anything else
/// gets no link.
pub fn archive_href(url: &str) -> Option<String> {
    if is_relative(url) {
        Some(format!(
            "/{}",
            url.trim_start_matches("./").trim_start_matches('/')
        ))
    } else if safe_link(url) != "#" && !url.trim_start().to_ascii_lowercase().starts_with("mailto:")
    {
        Some(url.to_string())
    } else {
        None
    }
}

/// The URL path of a chart's page (`/charts/NAME`), or of one version (`/charts/NAME/VERSION`).
pub fn chart_path(name: &str, version: Option<&str>) -> String {
    match version {
        Some(v) => format!("/charts/{}/{}", encode_segment(name), encode_segment(v)),
        None => format!("/charts/{}", encode_segment(name)),
    }
}

/// The catalog's front page: every chart of `index`, newest version first, with the search box.
/// `icon_src` turns a chart's `icon` field into an image URL the page may load (a `data:` URL or
/// a file served from the repository), or `None` for a generated placeholder. `notice` is shown
/// above the list (e.g. why there is no index yet).
pub fn index_page(
    index: &IndexFile,
    icon_src: &dyn Fn(&str) -> Option<String>,
    notice: Option<&str>,
) -> String {
    let mut html = head("Chart repository");
    html.push_str(
        "<header><h1><a href=\"/\">Chart repository</a></h1>\
         <input id=\"search\" type=\"search\" placeholder=\"Search charts by name, description, keyword\" \
         aria-label=\"Search charts\" autocomplete=\"off\" autofocus></header>\n<main>\n",
    );
    if let Some(notice) = notice {
        html.push_str(&format!("<p class=\"notice\">{}</p>\n", escape(notice)));
    }
    let total = index.entries.values().filter(|v| !v.is_empty()).count();
    html.push_str(&format!(
        "<p class=\"count\" id=\"count\">{total} {}</p>\n<ul class=\"charts\" id=\"charts\">\n",
        if total == 1 { "chart" } else { "charts" }
    ));
    for (name, versions) in &index.entries {
        if let Some(shown) = latest(versions) {
            html.push_str(&chart_card(name, versions, shown, icon_src));
        }
    }
    html.push_str(
        "</ul>\n<p class=\"empty\" id=\"empty\" hidden>No chart matches the search.</p>\n</main>\n",
    );
    html.push_str(&format!("<script>{JS}</script>\n</body>\n</html>\n"));
    html
}

/// One chart in the list: its searchable text lives in `data-search` (lower case).
fn chart_card(
    name: &str,
    versions: &[ChartVersion],
    shown: &ChartVersion,
    icon_src: &dyn Fn(&str) -> Option<String>,
) -> String {
    let meta = &shown.metadata;
    let mut search = vec![name.to_string()];
    search.extend(meta.description.clone());
    search.extend(meta.keywords.iter().cloned());
    let search = search.join(" ").to_lowercase();
    let mut html = format!(
        "<li class=\"chart\" id=\"chart-{}\" data-chart=\"{}\" data-search=\"{}\">{}<div class=\"body\">\n",
        escape(name),
        escape(name),
        escape(&search),
        icon(name, meta.icon.as_deref(), icon_src)
    );
    html.push_str(&format!(
        "<h2><a href=\"{}\">{}</a>{}</h2>\n<p class=\"meta\">{}</p>\n",
        escape(&chart_path(name, None)),
        escape(name),
        if meta.deprecated {
            "<span class=\"badge\">deprecated</span>"
        } else {
            ""
        },
        version_line(shown)
    ));
    if let Some(desc) = &meta.description {
        html.push_str(&format!("<p class=\"desc\">{}</p>\n", escape(desc)));
    }
    if !meta.keywords.is_empty() {
        html.push_str("<p class=\"keywords\">");
        for kw in &meta.keywords {
            html.push_str(&format!("<span class=\"kw\">{}</span>", escape(kw)));
        }
        html.push_str("</p>\n");
    }
    html.push_str(&format!(
        "<details class=\"versions\"><summary>{} {}</summary><ul>\n",
        versions.len(),
        if versions.len() == 1 {
            "version"
        } else {
            "versions"
        }
    ));
    for cv in versions {
        html.push_str(&format!(
            "<li><a href=\"{}\">{}</a>{}{}</li>\n",
            escape(&chart_path(name, Some(&cv.metadata.version))),
            escape(&cv.metadata.version),
            cv.metadata
                .app_version
                .as_deref()
                .map(|a| format!(" · app {}", escape(a)))
                .unwrap_or_default(),
            download_link(cv)
                .map(|a| format!(" · {a}"))
                .unwrap_or_default()
        ));
    }
    html.push_str("</ul></details>\n</div></li>\n");
    html
}

/// A chart's own page for one of its versions (`shown`): facts from the index, every version,
/// the README rendered safely and the default values.
pub fn chart_page(
    name: &str,
    versions: &[ChartVersion],
    shown: &ChartVersion,
    details: &ChartDetails,
    icon_src: &dyn Fn(&str) -> Option<String>,
) -> String {
    let meta = &shown.metadata;
    let mut html = head(&format!("{name} {}", meta.version));
    html.push_str(
        "<header><h1><a href=\"/\">Chart repository</a></h1></header>\n<main>\n<p><a href=\"/\">← All charts</a></p>\n",
    );
    html.push_str(&format!(
        "<div class=\"detail-head\">{}<div><h2 id=\"chart-name\">{}{}</h2><p class=\"meta\">{}</p></div></div>\n",
        icon(name, meta.icon.as_deref(), icon_src),
        escape(name),
        if meta.deprecated {
            "<span class=\"badge\">deprecated</span>"
        } else {
            ""
        },
        version_line(shown)
    ));
    if let Some(desc) = &meta.description {
        html.push_str(&format!("<p class=\"desc\">{}</p>\n", escape(desc)));
    }
    html.push_str(&facts(shown));
    if let Some(problem) = &details.problem {
        html.push_str(&format!("<p class=\"notice\">{}</p>\n", escape(problem)));
    }
    html.push_str("<section id=\"readme\"><h3>README</h3>\n");
    match &details.readme {
        Some(text) => html.push_str(&format!(
            "<div class=\"readme\">{}</div>\n",
            render_readme(text)
        )),
        None => html.push_str("<p class=\"empty\">This chart has no README.</p>\n"),
    }
    html.push_str("</section>\n<section id=\"values\"><h3>Default values</h3>\n");
    match &details.values {
        Some(text) if !text.trim().is_empty() => html.push_str(&format!(
            "<pre><code class=\"language-yaml\">{}</code></pre>\n",
            escape(text)
        )),
        _ => html.push_str("<p class=\"empty\">This chart has no default values.</p>\n"),
    }
    html.push_str("</section>\n<section id=\"versions\"><h3>Versions</h3>\n<table><thead><tr><th>Version</th><th>App version</th><th>Created</th><th>Archive</th></tr></thead><tbody>\n");
    for cv in versions {
        let current = cv.metadata.version == meta.version;
        html.push_str(&format!(
            "<tr{}><td><a href=\"{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            if current { " class=\"current\"" } else { "" },
            escape(&chart_path(name, Some(&cv.metadata.version))),
            escape(&cv.metadata.version),
            escape(cv.metadata.app_version.as_deref().unwrap_or("")),
            escape(cv.created.as_deref().unwrap_or("")),
            download_link(cv).unwrap_or_default()
        ));
    }
    html.push_str("</tbody></table>\n</section>\n</main>\n</body>\n</html>\n");
    html
}

/// A plain page for errors the browser should see as a page (bad index, unknown chart).
pub fn message_page(title: &str, message: &str) -> String {
    let mut html = head(title);
    html.push_str(&format!(
        "<header><h1><a href=\"/\">Chart repository</a></h1></header>\n<main>\n<h2>{}</h2>\n<p class=\"notice\">{}</p>\n<p><a href=\"/\">← All charts</a></p>\n</main>\n</body>\n</html>\n",
        escape(title),
        escape(message)
    ));
    html
}

fn head(title: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        escape(title)
    )
}

fn icon(name: &str, icon: Option<&str>, icon_src: &dyn Fn(&str) -> Option<String>) -> String {
    match icon.and_then(icon_src) {
        Some(src) => format!(
            "<img class=\"icon\" src=\"{}\" alt=\"\" loading=\"lazy\">",
            escape(&src)
        ),
        None => placeholder_icon(name),
    }
}

fn version_line(cv: &ChartVersion) -> String {
    let mut line = format!("Chart version {}", escape(&cv.metadata.version));
    if let Some(app) = &cv.metadata.app_version {
        line.push_str(&format!(" · App version {}", escape(app)));
    }
    line
}

fn download_link(cv: &ChartVersion) -> Option<String> {
    let url = cv.urls.first()?;
    let href = archive_href(url)?;
    let file = url.rsplit('/').next().unwrap_or(url);
    Some(format!(
        "<a class=\"download\" href=\"{}\" download>{}</a>",
        escape(&href),
        escape(file)
    ))
}

fn facts(cv: &ChartVersion) -> String {
    let meta = &cv.metadata;
    let mut rows: Vec<(&str, String)> = Vec::new();
    if let Some(home) = &meta.home {
        rows.push(("Home", link_or_text(home)));
    }
    if !meta.sources.is_empty() {
        let sources: Vec<String> = meta.sources.iter().map(|s| link_or_text(s)).collect();
        rows.push(("Sources", sources.join("<br>")));
    }
    if !meta.maintainers.is_empty() {
        let names: Vec<String> = meta
            .maintainers
            .iter()
            .map(|m| match (&m.email, &m.url) {
                (Some(email), _) => format!("{} &lt;{}&gt;", escape(&m.name), escape(email)),
                (None, Some(url)) => format!("{} ({})", escape(&m.name), link_or_text(url)),
                (None, None) => escape(&m.name),
            })
            .collect();
        rows.push(("Maintainers", names.join("<br>")));
    }
    if !meta.keywords.is_empty() {
        rows.push(("Keywords", escape(&meta.keywords.join(", "))));
    }
    if let Some(kube) = &meta.kube_version {
        rows.push(("Kubernetes", escape(kube)));
    }
    if let Some(kind) = &meta.chart_type {
        rows.push(("Type", escape(kind)));
    }
    if let Some(digest) = &cv.digest {
        rows.push(("Digest", format!("<code>sha256:{}</code>", escape(digest))));
    }
    if let Some(link) = download_link(cv) {
        rows.push(("Archive", link));
    }
    let mut html = String::from("<dl class=\"facts\">\n");
    for (term, value) in rows {
        html.push_str(&format!("<dt>{term}</dt><dd>{value}</dd>\n"));
    }
    html.push_str("</dl>\n");
    html
}

/// A link when `url` is `http(s)`, plain text otherwise.
fn link_or_text(url: &str) -> String {
    let lower = url.trim_start().to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        format!("<a href=\"{}\">{}</a>", escape(url), escape(url))
    } else {
        escape(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = "apiVersion: v1
entries:
  redis:
  - apiVersion: v2
    name: redis
    version: 1.1.0-rc.1
    appVersion: '8.0'
    description: In-memory store
    keywords: [cache, database]
    urls: [redis-1.1.0-rc.1.tgz]
    digest: aa
  - apiVersion: v2
    name: redis
    version: 1.0.0
    appVersion: '7.4'
    description: In-memory store
    keywords: [cache, database]
    icon: https://example.com/redis.png
    urls: [redis-1.0.0.tgz]
    digest: bb
  evil:
  - apiVersion: v2
    name: evil
    version: 0.1.0
    description: \"<script>alert('x')</script>\"
    keywords: ['\"><img src=x onerror=alert(1)>']
    icon: \"javascript:alert(1)\"
    urls: ['javascript:alert(1)']
    digest: cc
generated: '2026-01-01T00:00:00Z'
";

    fn index() -> IndexFile {
        IndexFile::parse(INDEX.as_bytes(), "index.yaml").unwrap().0
    }

    fn no_icons(_: &str) -> Option<String> {
        None
    }

    #[test]
    fn lists_every_chart_with_latest_stable_version() {
        let html = index_page(&index(), &no_icons, None);
        assert!(html.contains("id=\"chart-redis\""), "{html}");
        assert!(html.contains("id=\"chart-evil\""), "{html}");
        assert!(
            html.contains("Chart version 1.0.0 · App version 7.4"),
            "{html}"
        );
        assert!(html.contains("href=\"/redis-1.1.0-rc.1.tgz\""), "{html}");
        assert!(html.contains("href=\"/charts/redis/1.0.0\""), "{html}");
        assert!(html.contains("data-search=\"redis in-memory store cache database\""));
        assert!(html.contains("<p class=\"count\" id=\"count\">2 charts</p>"));
    }

    #[test]
    fn index_text_is_escaped_and_nothing_external_is_loaded() {
        let html = index_page(&index(), &no_icons, None);
        let body = html.split("<script>").next().unwrap();
        assert!(!body.contains("<script"), "{body}");
        assert!(!html.contains("<img src=x"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("example.com"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
        assert_eq!(html.matches("<script>").count(), 1);
    }

    #[test]
    fn icons_come_from_the_resolver_or_a_placeholder() {
        let resolver = |icon: &str| icon.contains("redis").then(|| "/icons/r.png".to_string());
        let html = index_page(&index(), &resolver, None);
        assert!(
            html.contains("<img class=\"icon\" src=\"/icons/r.png\""),
            "{html}"
        );
        assert!(html.contains("placeholder"), "{html}");
    }

    #[test]
    fn chart_page_shows_readme_values_and_versions() {
        let index = index();
        let versions = &index.entries["redis"];
        let details = ChartDetails {
            readme: Some("# Redis\n<script>alert(1)</script>\n".into()),
            values: Some("password: \"<secret>\"\n".into()),
            problem: None,
        };
        let html = chart_page("redis", versions, &versions[1], &details, &no_icons);
        assert!(html.contains("<h1>Redis</h1>"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(
            html.contains("password: &quot;&lt;secret&gt;&quot;"),
            "{html}"
        );
        assert!(html.contains("<tr class=\"current\"><td><a href=\"/charts/redis/1.0.0\">"));
        assert!(html.contains("href=\"/charts/redis/1.1.0-rc.1\""), "{html}");
        assert!(!html.contains("<script"), "{html}");
    }

    #[test]
    fn csp_hashes_the_inline_assets() {
        let csp = content_security_policy();
        assert!(
            csp.starts_with("default-src 'none'; script-src 'sha256-"),
            "{csp}"
        );
        assert!(!csp.contains("unsafe"), "{csp}");
    }

    #[test]
    fn archive_links() {
        assert_eq!(archive_href("a-1.tgz").as_deref(), Some("/a-1.tgz"));
        assert_eq!(archive_href("./c/a-1.tgz").as_deref(), Some("/c/a-1.tgz"));
        assert_eq!(
            archive_href("https://x/a-1.tgz").as_deref(),
            Some("https://x/a-1.tgz")
        );
        assert_eq!(archive_href("javascript:x"), None);
        assert_eq!(archive_href("mailto:x"), None);
    }
}
