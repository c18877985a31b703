//! `rudder repo serve`: a static chart repository over HTTP. Files of the served directory
//! (`index.yaml`, archives, provenance files, icons) are sent byte for byte with their content
//! type, a strong ETag and `HEAD`/`If-None-Match` support; nothing outside the directory is ever
//! served. `/` is an HTML catalog of the charts (see [`super::catalog`]) and `/charts/NAME[/VERSION]`
//! a page per chart. `index.yaml` is read on every request, so `repo index` while serving is
//! picked up at once.

mod paths;
mod reply;
mod routes;

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::Response;
use tokio::net::TcpListener;

pub use paths::{Refusal, SafeRoot, content_type, percent_decode};
pub use reply::{etag, none_match};

/// Why the repository server could not start or stopped with an error. Each message names the
/// directory or the address.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The directory to serve cannot be used.
    #[error("{path}: {source}")]
    Dir {
        /// The directory as given.
        path: String,
        /// Why it cannot be served (missing, not a directory, unreadable).
        source: std::io::Error,
    },
    /// The listen address cannot be bound.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address as given.
        addr: String,
        /// The bind or resolution error.
        source: std::io::Error,
    },
    /// The server runtime or signal handling could not be set up, or accepting failed.
    #[error("serving {dir}: {source}")]
    Runtime {
        /// The directory being served.
        dir: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// What every request needs: the served directory, checked once at start.
#[derive(Debug)]
struct ServeState {
    root: SafeRoot,
    /// The directory as the user named it, for messages.
    display: String,
}

/// The HTTP application serving `dir` (without a listener), for embedding and tests.
pub fn router(dir: &Path) -> Result<Router, ServeError> {
    let root = SafeRoot::new(dir).map_err(|source| ServeError::Dir {
        path: dir.display().to_string(),
        source,
    })?;
    let state = Arc::new(ServeState {
        root,
        display: dir.display().to_string(),
    });
    Ok(Router::new().fallback(handle).with_state(state))
}

/// A repository server bound to its address, ready to run.
#[derive(Debug)]
pub struct RepoServer {
    listener: TcpListener,
    app: Router,
    addr: SocketAddr,
    display: String,
}

impl RepoServer {
    /// Checks `dir` and binds `listen` (`host:port`; `:port` means every interface, as in Go;
    /// port 0 picks a free port, see [`RepoServer::local_addr`]).
    pub async fn bind(dir: &Path, listen: &str) -> Result<Self, ServeError> {
        let app = router(dir)?;
        let target = if listen.starts_with(':') {
            format!("0.0.0.0{listen}")
        } else {
            listen.to_string()
        };
        let listen_error = |source| ServeError::Listen {
            addr: listen.to_string(),
            source,
        };
        let listener = TcpListener::bind(&target).await.map_err(listen_error)?;
        let addr = listener.local_addr().map_err(listen_error)?;
        Ok(RepoServer {
            listener,
            app,
            addr,
            display: dir.display().to_string(),
        })
    }

    /// The address actually bound (with the real port when 0 was asked for).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until `shutdown` completes, then lets open requests finish.
    pub async fn run_until<F>(self, shutdown: F) -> Result<(), ServeError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        let display = self.display;
        axum::serve(self.listener, self.app)
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(|source| ServeError::Runtime {
                dir: display,
                source,
            })
    }
}

/// Every request goes through here: the synchronous routing (file reads, archive decoding, page
/// building) runs on the blocking pool.
async fn handle(
    State(state): State<Arc<ServeState>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let path = uri.path().to_string();
    let route_method = method.clone();
    let task = tokio::task::spawn_blocking(move || {
        routes::route(&state.root, &state.display, &route_method, &path)
    });
    let reply = match task.await {
        Ok(reply) => reply,
        Err(_) => reply::Reply::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "500 internal server error",
        ),
    };
    tracing::debug!(%method, uri = %uri, status = %reply.status, "request");
    reply::respond(reply, &method, &headers)
}
