//! Turning content into HTTP responses the same way for every route: a strong ETag (the
//! SHA-256 of the bytes), `304 Not Modified` for a matching `If-None-Match`, no body for `HEAD`
//! (but the same headers, `Content-Length` included), and plain-text error messages.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::Response;
use sha2::{Digest, Sha256};

/// What a route answers before the conditional and `HEAD` handling.
#[derive(Debug)]
pub struct Reply {
    /// The status of a full answer.
    pub status: StatusCode,
    /// `Content-Type` of the body.
    pub content_type: &'static str,
    /// The body (also hashed for the ETag of a `200`).
    pub body: Vec<u8>,
    /// Extra headers (e.g. the catalog's `Content-Security-Policy`).
    pub headers: Vec<(header::HeaderName, String)>,
}

impl Reply {
    /// A `200` with `body` of type `content_type`.
    pub fn ok(content_type: &'static str, body: Vec<u8>) -> Self {
        Reply {
            status: StatusCode::OK,
            content_type,
            body,
            headers: Vec::new(),
        }
    }

    /// A plain-text error: `status` and a one-line message.
    pub fn error(status: StatusCode, message: &str) -> Self {
        Reply {
            status,
            content_type: "text/plain; charset=utf-8",
            body: format!("{message}\n").into_bytes(),
            headers: Vec::new(),
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: header::HeaderName, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// The strong ETag of `body`: its SHA-256 in hex, quoted.
pub fn etag(body: &[u8]) -> String {
    let digest = Sha256::digest(body);
    let mut tag = String::with_capacity(66);
    tag.push('"');
    for b in digest {
        tag.push_str(&format!("{b:02x}"));
    }
    tag.push('"');
    tag
}

/// Whether an `If-None-Match` value matches `tag` (`*`, or any listed tag; the weak comparison
/// RFC 9110 prescribes for this header, so `W/"x"` matches `"x"`).
pub fn none_match(if_none_match: &str, tag: &str) -> bool {
    if_none_match.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == tag
    })
}

/// The final response for `reply` to a request with `method` and `request_headers`.
pub fn respond(reply: Reply, method: &Method, request_headers: &HeaderMap) -> Response {
    let mut builder = Response::builder()
        .header(header::X_CONTENT_TYPE_OPTIONS, "nosniff")
        .header(header::CACHE_CONTROL, "no-cache");
    for (name, value) in &reply.headers {
        if let Ok(value) = HeaderValue::from_str(value) {
            builder = builder.header(name, value);
        }
    }
    if reply.status == StatusCode::OK {
        let tag = etag(&reply.body);
        builder = builder.header(header::ETAG, &tag);
        let matched = request_headers
            .get_all(header::IF_NONE_MATCH)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .any(|v| none_match(v, &tag));
        if matched {
            return finish(builder.status(StatusCode::NOT_MODIFIED), Body::empty());
        }
    }
    let builder = builder
        .status(reply.status)
        .header(header::CONTENT_TYPE, reply.content_type)
        .header(header::CONTENT_LENGTH, reply.body.len());
    if method == Method::HEAD {
        finish(builder, Body::empty())
    } else {
        finish(builder, Body::from(reply.body))
    }
}

fn finish(builder: axum::http::response::Builder, body: Body) -> Response {
    builder.body(body).unwrap_or_else(|_| {
        let mut fallback = Response::new(Body::from("500 internal server error\n"));
        *fallback.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        fallback
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etag_is_quoted_sha256() {
        assert_eq!(
            etag(b"abc"),
            "\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\""
        );
    }

    #[test]
    fn if_none_match_lists_and_weak_tags() {
        assert!(none_match("\"a\"", "\"a\""));
        assert!(none_match("\"b\", W/\"a\"", "\"a\""));
        assert!(none_match("*", "\"a\""));
        assert!(!none_match("\"b\"", "\"a\""));
        assert!(!none_match("a", "\"a\""));
    }

    #[test]
    fn head_keeps_headers_without_body() {
        let reply = Reply::ok("application/x-yaml", b"apiVersion: v1\n".to_vec());
        let response = respond(reply, &Method::HEAD, &HeaderMap::new());
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(response.headers()[header::CONTENT_LENGTH], "15");
        assert!(response.headers().contains_key(header::ETAG));
    }

    #[test]
    fn matching_tag_is_not_modified() {
        let body = b"x".to_vec();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&etag(&body)).unwrap(),
        );
        let response = respond(Reply::ok("text/plain", body), &Method::GET, &headers);
        assert_eq!(response.status(), StatusCode::NOT_MODIFIED);
        let error = respond(
            Reply::error(StatusCode::NOT_FOUND, "404 page not found"),
            &Method::GET,
            &headers,
        );
        assert_eq!(error.status(), StatusCode::NOT_FOUND);
        assert!(!error.headers().contains_key(header::ETAG));
    }
}
