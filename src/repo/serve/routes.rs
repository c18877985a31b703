//! What each request path answers: a file of the directory first, else the catalog (`/`) or a
//! chart's page (`/charts/NAME[/VERSION]`), else 404. Synchronous: it reads files.

use std::path::Path;

use axum::http::{Method, StatusCode, header};
use sha2::{Digest, Sha256};

use super::paths::{Refusal, SafeRoot, content_type, percent_decode};
use super::reply::Reply;
use crate::chart::{ArchiveLimits, read_archive};
use crate::repo::catalog::{self, ChartDetails};
use crate::repo::catalog_html::{is_data_image, is_relative, scheme};
use crate::repo::index::{ChartVersion, IndexFile};

const HTML: &str = "text/html; charset=utf-8";
const NOT_FOUND: &str = "404 page not found";

/// The answer to `method` on the raw (still percent-encoded) `path`.
pub fn route(root: &SafeRoot, display: &str, method: &Method, path: &str) -> Reply {
    if method != Method::GET && method != Method::HEAD {
        return Reply::error(StatusCode::METHOD_NOT_ALLOWED, "405 method not allowed")
            .with_header(header::ALLOW, "GET, HEAD");
    }
    if path == "/" {
        return catalog_index(root, display);
    }
    match root.resolve_request(path) {
        Ok(file) => match std::fs::read(&file) {
            Ok(bytes) => Reply::ok(content_type(&file), bytes).with_header(
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; sandbox",
            ),
            Err(_) => Reply::error(StatusCode::NOT_FOUND, NOT_FOUND),
        },
        Err(refusal) => {
            if let Some(reply) = chart_route(root, display, path) {
                return reply;
            }
            match refusal {
                Refusal::BadPath => {
                    Reply::error(StatusCode::BAD_REQUEST, "400 bad request: path refused")
                }
                Refusal::NotFound => Reply::error(StatusCode::NOT_FOUND, NOT_FOUND),
            }
        }
    }
}

fn html(status: StatusCode, page: String) -> Reply {
    Reply {
        status,
        content_type: HTML,
        body: page.into_bytes(),
        headers: Vec::new(),
    }
    .with_header(
        header::CONTENT_SECURITY_POLICY,
        catalog::content_security_policy(),
    )
}

/// `index.yaml` of the directory, read now; `Ok(None)` when there is none yet. The notice
/// lists entries Helm would skip too.
fn load_index(
    root: &SafeRoot,
    display: &str,
) -> Result<Option<(IndexFile, Option<String>)>, String> {
    let path = root.path().join("index.yaml");
    let source = Path::new(display).join("index.yaml").display().to_string();
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{source}: {e}")),
    };
    let (index, skipped) = IndexFile::parse(&bytes, &source).map_err(|e| e.to_string())?;
    let notice = (!skipped.is_empty()).then(|| {
        let list: Vec<String> = skipped
            .iter()
            .map(|s| format!("{} {} ({})", s.name, s.version, s.reason))
            .collect();
        format!("{source}: skipped invalid entries: {}", list.join(", "))
    });
    Ok(Some((index, notice)))
}

fn catalog_index(root: &SafeRoot, display: &str) -> Reply {
    let icons = |icon: &str| icon_src(root, icon);
    match load_index(root, display) {
        Ok(Some((index, notice))) => html(
            StatusCode::OK,
            catalog::index_page(&index, &icons, notice.as_deref()),
        ),
        Ok(None) => {
            let notice = format!(
                "{display} has no index.yaml yet: run `rudder repo index {display}` to list its charts."
            );
            html(
                StatusCode::OK,
                catalog::index_page(&IndexFile::default(), &icons, Some(&notice)),
            )
        }
        Err(message) => html(
            StatusCode::INTERNAL_SERVER_ERROR,
            catalog::message_page("Invalid index", &message),
        ),
    }
}

/// `/charts/NAME` or `/charts/NAME/VERSION`; `None` when `path` is not of that shape.
fn chart_route(root: &SafeRoot, display: &str, path: &str) -> Option<Reply> {
    let rest = path.strip_prefix("/charts/")?;
    let parts: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
    let (name, version) = match parts.as_slice() {
        [name] => (percent_decode(name)?, None),
        [name, version] => (percent_decode(name)?, Some(percent_decode(version)?)),
        _ => return None,
    };
    let not_found = |what: String| {
        html(
            StatusCode::NOT_FOUND,
            catalog::message_page("Not found", &what),
        )
    };
    let index = match load_index(root, display) {
        Ok(Some((index, _))) => index,
        Ok(None) => return Some(not_found(format!("{display} has no index.yaml"))),
        Err(message) => {
            return Some(html(
                StatusCode::INTERNAL_SERVER_ERROR,
                catalog::message_page("Invalid index", &message),
            ));
        }
    };
    let Some(versions) = index.entries.get(&name) else {
        return Some(not_found(format!("no chart {name:?} in this repository")));
    };
    let shown = match &version {
        Some(v) => versions.iter().find(|cv| &cv.metadata.version == v),
        None => catalog::latest(versions),
    };
    let Some(shown) = shown else {
        return Some(not_found(format!(
            "chart {name:?} has no version {:?}",
            version.unwrap_or_default()
        )));
    };
    let details = chart_details(root, shown);
    let icons = |icon: &str| icon_src(root, icon);
    Some(html(
        StatusCode::OK,
        catalog::chart_page(&name, versions, shown, &details, &icons),
    ))
}

/// The image URL for a chart's `icon`: `data:image/...` as is, a file of the directory by its
/// path; anything else (an outside URL) is not loaded.
fn icon_src(root: &SafeRoot, icon: &str) -> Option<String> {
    let icon = icon.trim();
    if is_data_image(icon) {
        return Some(icon.to_string());
    }
    if !is_relative(icon) {
        return None;
    }
    let path = icon.split(['?', '#']).next()?;
    let path = path.trim_start_matches("./").trim_start_matches('/');
    let decoded = percent_decode(path)?;
    root.resolve_relative(&decoded).ok()?;
    Some(format!("/{path}"))
}

/// The README and default values of `cv`, read from its archive in the directory (located by
/// its first URL: relative to the directory, or by file name for an absolute URL) after checking
/// the archive against the index's digest.
fn chart_details(root: &SafeRoot, cv: &ChartVersion) -> ChartDetails {
    match read_details(root, cv) {
        Ok(details) => details,
        Err(problem) => ChartDetails {
            problem: Some(problem),
            ..ChartDetails::default()
        },
    }
}

fn read_details(root: &SafeRoot, cv: &ChartVersion) -> Result<ChartDetails, String> {
    let url = cv
        .urls
        .first()
        .ok_or_else(|| "this version lists no archive URL".to_string())?;
    let relative = if is_relative(url) {
        let path = url.split(['?', '#']).next().unwrap_or("");
        percent_decode(path.trim_start_matches("./").trim_start_matches('/'))
    } else if matches!(scheme(url).as_deref(), Some("http" | "https")) {
        let path = url.split(['?', '#']).next().unwrap_or("");
        path.rsplit('/').next().and_then(percent_decode)
    } else {
        None
    };
    let unavailable = || format!("{url}: archive not found in the served directory");
    let relative = relative.ok_or_else(unavailable)?;
    let file = root
        .resolve_relative(&relative)
        .map_err(|_| unavailable())?;
    let bytes = std::fs::read(&file).map_err(|e| format!("{relative}: {e}"))?;
    let actual: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let expected = cv.digest.as_deref().unwrap_or("");
    let expected = expected.strip_prefix("sha256:").unwrap_or(expected);
    if !actual.eq_ignore_ascii_case(expected) {
        return Err(format!(
            "{relative}: sha256 {actual} does not match the index digest {expected}"
        ));
    }
    let files =
        read_archive(&relative, &bytes, &ArchiveLimits::default()).map_err(|e| e.to_string())?;
    let text = |data: &[u8]| {
        String::from_utf8_lossy(data)
            .trim_start_matches('\u{feff}')
            .to_string()
    };
    let readme = files
        .iter()
        .find(|f| {
            let lower = f.name.to_ascii_lowercase();
            lower == "readme.md" || lower == "readme.txt" || lower == "readme"
        })
        .map(|f| text(&f.data));
    let values = files
        .iter()
        .find(|f| f.name == "values.yaml")
        .map(|f| text(&f.data));
    Ok(ChartDetails {
        readme,
        values,
        problem: None,
    })
}
