//! The kube layer's one error type. Every message is one line that names what it was about (the
//! kubeconfig file, the object as `Kind namespace/name`, or the server URL) followed by the API
//! server's own `Status` message, so a user can act on it without a debug flag.

use kube::core::Status;

use super::config::ConfigError;

/// Why a cluster operation failed.
#[derive(Debug, thiserror::Error)]
pub enum KubeError {
    /// The kubeconfig could not be resolved.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The API server could not be reached (connection refused, DNS, TLS handshake...).
    #[error("cannot reach the Kubernetes API server at {server}: {message}")]
    Unreachable {
        /// The server URL from the kubeconfig.
        server: String,
        /// The innermost transport error.
        message: String,
    },
    /// The cluster does not serve this apiVersion + kind (as kubectl's RESTMapper words it).
    #[error(
        "no matches for kind {kind:?} in version {api_version:?} (the cluster does not serve it)"
    )]
    NoMatch {
        /// The kind asked for.
        kind: String,
        /// The apiVersion asked for.
        api_version: String,
    },
    /// Server-side apply refused because another field manager owns some of the fields.
    #[error("{object}: {message} (rerun with --force-conflicts to take ownership)")]
    ApplyConflict {
        /// The object, as `Kind namespace/name`.
        object: String,
        /// The API server's message, naming the conflicting manager(s) and fields.
        message: String,
    },
    /// The API server answered with an error `Status` about one object or collection.
    #[error("{object}: {}", status.message)]
    Api {
        /// The object (`Kind namespace/name`) or collection (`Secret in demo`).
        object: String,
        /// The API server's `Status`.
        status: Box<Status>,
    },
    /// A manifest object lacks what the layer needs (`apiVersion`, `kind`, `metadata.name`).
    #[error("{object}: {message}")]
    InvalidObject {
        /// Where the object came from or what is known of it.
        object: String,
        /// What is wrong.
        message: String,
    },
    /// A wait did not finish in time.
    #[error("{object}: timed out after {after} waiting for {condition}")]
    Timeout {
        /// What was waited for.
        object: String,
        /// The condition.
        condition: String,
        /// The timeout, as `2s` or `500ms`.
        after: String,
    },
    /// Any other client-side failure talking to the server (decoding a response...).
    #[error("{object}: {message}")]
    Client {
        /// What the request was about.
        object: String,
        /// The client error.
        message: String,
    },
    /// The internal runtime could not start.
    #[error("kubernetes client runtime: {0}")]
    Runtime(std::io::Error),
    /// Several independent operations failed (deletion carries on past a failure, as Helm's does).
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Multiple(Vec<KubeError>),
}

impl KubeError {
    /// The API `Status` code, if the server answered with one.
    pub fn code(&self) -> Option<u16> {
        match self {
            KubeError::Api { status, .. } => Some(status.code),
            KubeError::ApplyConflict { .. } => Some(409),
            _ => None,
        }
    }

    /// The API `Status` reason (`NotFound`, `AlreadyExists`, `Forbidden`...), if any.
    pub fn reason(&self) -> Option<&str> {
        match self {
            KubeError::Api { status, .. } => Some(status.reason.as_str()),
            KubeError::ApplyConflict { .. } => Some("Conflict"),
            _ => None,
        }
    }

    /// Whether the object does not exist (404).
    pub fn is_not_found(&self) -> bool {
        self.code() == Some(404)
    }

    /// Whether a create found the object already there (release storage relies on this).
    pub fn is_already_exists(&self) -> bool {
        self.reason() == Some("AlreadyExists")
    }

    /// Whether the server refused the request for lack of permission (403).
    pub fn is_forbidden(&self) -> bool {
        self.code() == Some(403)
    }

    /// Whether an update lost a race or an apply met another manager (409).
    pub fn is_conflict(&self) -> bool {
        self.code() == Some(409)
    }

    /// Maps a `kube` client error about `object` to ours: `Status` answers keep the server's
    /// message, transport failures name the server URL.
    pub(crate) fn from_kube(err: kube::Error, object: &str, server: &str) -> KubeError {
        match err {
            kube::Error::Api(status) => KubeError::Api {
                object: object.to_string(),
                status,
            },
            kube::Error::HyperError(_) | kube::Error::Service(_) | kube::Error::RustlsTls(_) => {
                KubeError::Unreachable {
                    server: server.to_string(),
                    message: innermost(&err),
                }
            }
            other => KubeError::Client {
                object: object.to_string(),
                message: innermost(&other),
            },
        }
    }
}

/// The error chain flattened to its distinct messages, outermost first (hyper's and tower's
/// wrappers say little; the innermost says "Connection refused").
fn innermost(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        let text = e.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = e.source();
    }
    parts.last().cloned().unwrap_or_default()
}
