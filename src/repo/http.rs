//! HTTP(S) downloads for the repository client: reqwest (blocking, rustls) configured from a
//! repository entry (CA bundle, client certificate, insecure skip-verify, basic auth), with
//! timeouts, a redirect limit, a cap on body size, and conditional GET (ETag / Last-Modified).
//!
//! Credentials go only to the repository's own origin unless `pass_credentials_all` is set, as
//! Helm does, and never appear in messages: URLs are shown without user info.

use std::io::Read as _;
use std::time::Duration;

use reqwest::Url;
use reqwest::blocking::Client;
use reqwest::header;

use super::config::RepoEntry;
use super::error::RepoError;

/// Redirects followed before giving up with "too many redirects".
pub const MAX_REDIRECTS: usize = 10;
/// Default cap on a response body (1 GiB); `RUDDER_MAX_DOWNLOAD_BYTES` overrides it.
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;
/// Default whole-request timeout in seconds; `RUDDER_HTTP_TIMEOUT` overrides it.
pub const DEFAULT_TIMEOUT_SECS: u64 = 300;

/// TLS and authentication settings for one repository (or one `--repo`/URL download).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HttpOptions {
    /// Basic auth user (empty: no auth).
    pub username: String,
    /// Basic auth password.
    pub password: String,
    /// Client certificate (PEM) path, empty for none.
    pub cert_file: String,
    /// Client key (PEM) path, empty for none.
    pub key_file: String,
    /// CA bundle (PEM) path, empty for the system roots.
    pub ca_file: String,
    /// Accept any server certificate.
    pub insecure_skip_tls_verify: bool,
    /// Send credentials to every host, not only the repository's.
    pub pass_credentials_all: bool,
}

impl From<&RepoEntry> for HttpOptions {
    fn from(e: &RepoEntry) -> Self {
        HttpOptions {
            username: e.username.clone(),
            password: e.password.clone(),
            cert_file: e.cert_file.clone(),
            key_file: e.key_file.clone(),
            ca_file: e.ca_file.clone(),
            insecure_skip_tls_verify: e.insecure_skip_tls_verify,
            pass_credentials_all: e.pass_credentials_all,
        }
    }
}

/// The validators of a cached response, sent back as `If-None-Match` / `If-Modified-Since`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Validators {
    /// The `ETag` header of the cached response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    /// The `Last-Modified` header of the cached response.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

/// What a GET returned.
#[derive(Debug)]
pub enum Fetched {
    /// `304 Not Modified`: the cached copy is current.
    NotModified,
    /// A `2xx` body with its validators.
    Body {
        /// The whole body (at most the size cap).
        bytes: Vec<u8>,
        /// `ETag` / `Last-Modified` of the response.
        validators: Validators,
    },
}

/// A configured HTTP client bound to one repository origin (for credential scoping).
#[derive(Debug)]
pub struct HttpClient {
    client: Client,
    options: HttpOptions,
    origin: Option<Url>,
    max_bytes: u64,
}

impl HttpClient {
    /// A client with `options`; credentials are sent to `base_url`'s origin only (unless
    /// `pass_credentials_all`). Fails on unreadable or invalid certificate files.
    pub fn new(options: &HttpOptions, base_url: &str) -> Result<Self, RepoError> {
        let mut builder = Client::builder()
            .user_agent(concat!("rudder/", env!("CARGO_PKG_VERSION")))
            .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
            .connect_timeout(Duration::from_secs(30))
            .timeout(Duration::from_secs(env_u64(
                "RUDDER_HTTP_TIMEOUT",
                DEFAULT_TIMEOUT_SECS,
            )));
        if !options.ca_file.is_empty() {
            let pem = read_file(&options.ca_file)?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                RepoError::Invalid(format!(
                    "{}: invalid CA bundle: {}",
                    options.ca_file,
                    chain(&e)
                ))
            })?;
            builder = builder.tls_certs_merge(certs);
        }
        if !options.cert_file.is_empty() || !options.key_file.is_empty() {
            if options.cert_file.is_empty() || options.key_file.is_empty() {
                return Err(RepoError::Invalid(
                    "a client certificate needs both --cert-file and --key-file".into(),
                ));
            }
            let mut pem = read_file(&options.cert_file)?;
            pem.push(b'\n');
            pem.extend(read_file(&options.key_file)?);
            let id = reqwest::Identity::from_pem(&pem).map_err(|e| {
                RepoError::Invalid(format!(
                    "{} / {}: invalid client certificate or key: {}",
                    options.cert_file,
                    options.key_file,
                    chain(&e)
                ))
            })?;
            builder = builder.identity(id);
        }
        if options.insecure_skip_tls_verify {
            builder = builder.danger_accept_invalid_certs(true);
        }
        let client = builder
            .build()
            .map_err(|e| RepoError::Invalid(format!("HTTP client: {}", chain(&e))))?;
        Ok(HttpClient {
            client,
            options: options.clone(),
            origin: Url::parse(base_url).ok(),
            max_bytes: max_bytes(),
        })
    }

    /// GETs `url`, sending `validators` for a conditional request. Non-2xx statuses, transport
    /// errors, redirect loops and bodies over the cap are errors naming the URL.
    pub fn get(&self, url: &str, validators: Option<&Validators>) -> Result<Fetched, RepoError> {
        let shown = redact(url);
        let parsed = Url::parse(url).map_err(|e| RepoError::Http {
            url: shown.clone(),
            message: format!("invalid URL: {e}"),
        })?;
        let mut req = self.client.get(parsed.clone());
        if !self.options.username.is_empty() || !self.options.password.is_empty() {
            let same_origin = self
                .origin
                .as_ref()
                .is_some_and(|o| o.origin() == parsed.origin());
            if self.options.pass_credentials_all || same_origin {
                req = req.basic_auth(&self.options.username, Some(&self.options.password));
            }
        }
        if let Some(v) = validators {
            if let Some(etag) = &v.etag {
                req = req.header(header::IF_NONE_MATCH, etag);
            }
            if let Some(lm) = &v.last_modified {
                req = req.header(header::IF_MODIFIED_SINCE, lm);
            }
        }
        let http_err = |message: String| RepoError::Http {
            url: shown.clone(),
            message,
        };
        let resp = req.send().map_err(|e| {
            http_err(if e.is_redirect() {
                format!("too many redirects (more than {MAX_REDIRECTS})")
            } else if e.is_timeout() {
                "timed out".to_string()
            } else {
                chain(&e.without_url())
            })
        })?;
        let status = resp.status();
        if status == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Fetched::NotModified);
        }
        if !status.is_success() {
            return Err(http_err(format!("HTTP {status}")));
        }
        if let Some(len) = resp.content_length()
            && len > self.max_bytes
        {
            return Err(http_err(self.too_large()));
        }
        let header_text = |name: header::HeaderName| {
            resp.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let validators = Validators {
            etag: header_text(header::ETAG),
            last_modified: header_text(header::LAST_MODIFIED),
        };
        let capacity = resp.content_length().unwrap_or(0).min(self.max_bytes) as usize;
        let mut bytes = Vec::with_capacity(capacity);
        resp.take(self.max_bytes + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| http_err(format!("reading the body: {}", chain(&e))))?;
        if bytes.len() as u64 > self.max_bytes {
            return Err(http_err(self.too_large()));
        }
        Ok(Fetched::Body { bytes, validators })
    }

    fn too_large(&self) -> String {
        format!(
            "response is larger than the limit of {} bytes (RUDDER_MAX_DOWNLOAD_BYTES)",
            self.max_bytes
        )
    }
}

/// The body size cap in effect: `RUDDER_MAX_DOWNLOAD_BYTES` or [`DEFAULT_MAX_BYTES`].
pub fn max_bytes() -> u64 {
    env_u64("RUDDER_MAX_DOWNLOAD_BYTES", DEFAULT_MAX_BYTES)
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .filter(|v| *v > 0)
        .unwrap_or(default)
}

fn read_file(path: &str) -> Result<Vec<u8>, RepoError> {
    std::fs::read(path).map_err(|e| RepoError::io(path, e))
}

/// `url` without user info (`https://user:pw@host/x` → `https://host/x`), for messages.
pub fn redact(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        _ => url.to_string(),
    }
}

/// An error and its sources on one line, without repeats.
fn chain(e: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = s.source();
    }
    crate::text::one_line(&parts.join(": "))
}

/// Resolves a chart URL from an index against the repository URL, as Helm does: absolute URLs
/// stay, relative ones are taken relative to `repo_url` with a trailing `/`.
pub fn resolve_url(repo_url: &str, chart_url: &str) -> Result<String, RepoError> {
    if let Ok(u) = Url::parse(chart_url) {
        return Ok(u.to_string());
    }
    let base = format!("{}/", repo_url.trim_end_matches('/'));
    let base = Url::parse(&base).map_err(|e| {
        RepoError::Invalid(format!("invalid repository URL {}: {e}", redact(repo_url)))
    })?;
    base.join(chart_url)
        .map(|u| u.to_string())
        .map_err(|e| RepoError::Invalid(format!("invalid chart URL {chart_url:?}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_urls_resolve_against_the_repository() {
        let r = |a, b| resolve_url(a, b).unwrap();
        assert_eq!(
            r("https://h/charts", "web-1.0.0.tgz"),
            "https://h/charts/web-1.0.0.tgz"
        );
        assert_eq!(
            r("https://h/charts/", "sub/web.tgz"),
            "https://h/charts/sub/web.tgz"
        );
        assert_eq!(r("https://h/charts", "/web.tgz"), "https://h/web.tgz");
        assert_eq!(
            r("https://h/charts", "https://other/x.tgz"),
            "https://other/x.tgz"
        );
    }

    #[test]
    fn redact_strips_user_info() {
        assert_eq!(redact("https://u:secret@h/x"), "https://h/x");
        assert_eq!(redact("https://h/x"), "https://h/x");
    }
}
