//! The HTTP side: binds the loopback address, routes every request (version, discovery,
//! OpenAPI, resources, watches), writes `Status` errors, persists state after changes, ticks the
//! simulated controllers (so delayed readiness arrives on time), and logs each request when
//! asked. [`Sandbox::start`] runs it on its own thread, for `rudder sandbox
//! serve` and for tests in-process.

use std::collections::HashMap;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, State as AxumState};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::Response;
use serde_json::Value;

use super::delay::{self, DelayRule};
use super::deny::DenyRule;
use super::errors::ApiError;
use super::handlers::{self, State, attributes, is_true};
use super::request::{ApiPath, parse_path, parse_query};
use super::{controllers, discovery, kubeconfig, logs, openapi, persist, watch};

/// How to run a sandbox.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// `host:port` to listen on (port 0 picks a free one).
    pub listen: String,
    /// Persist state under this directory (else it lives in memory only).
    pub state_dir: Option<PathBuf>,
    /// Write a kubeconfig for the server here.
    pub kubeconfig: Option<PathBuf>,
    /// Append `METHOD PATH STATUS` for every request to this file.
    pub access_log: Option<PathBuf>,
    /// Requests to refuse with 403.
    pub deny: Vec<DenyRule>,
    /// The user named in 403 messages.
    pub user: String,
    /// Requests held for a while before they are served (tests catching a client mid-way).
    pub delay: Vec<DelayRule>,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            listen: "127.0.0.1:0".into(),
            state_dir: None,
            kubeconfig: None,
            access_log: None,
            deny: Vec::new(),
            user: "sandbox-user".into(),
            delay: Vec::new(),
        }
    }
}

/// Why the sandbox could not start. Each message names the address or file.
#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    /// The listen address cannot be bound.
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address as given.
        addr: String,
        /// The bind error.
        source: std::io::Error,
    },
    /// The persisted state cannot be read.
    #[error("{0}")]
    State(#[from] persist::PersistError),
    /// A file the sandbox writes (kubeconfig, access log) cannot be written.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The runtime could not be started.
    #[error("sandbox runtime: {0}")]
    Runtime(std::io::Error),
}

/// What request handlers share.
#[derive(Debug)]
struct Shared {
    state: Mutex<State>,
    state_dir: Option<PathBuf>,
    access_log: Option<Mutex<std::fs::File>>,
    address: String,
    delay: Mutex<Vec<DelayRule>>,
}

/// A running sandbox API server; stops when dropped.
#[derive(Debug)]
pub struct Sandbox {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Sandbox {
    /// Loads state, binds, writes the kubeconfig and starts serving on a background thread.
    pub fn start(opts: SandboxOptions) -> Result<Sandbox, SandboxError> {
        let store = match &opts.state_dir {
            Some(dir) => persist::load(dir)?,
            None => None,
        };
        let mut state = match store {
            Some(store) => State::from_store(store, &opts.user),
            None => State::new(&opts.user),
        };
        state.deny = opts.deny.clone();
        if let Some(dir) = &opts.state_dir {
            persist::save(dir, &state.store)?;
        }
        let target = if opts.listen.starts_with(':') {
            format!("127.0.0.1{}", opts.listen)
        } else {
            opts.listen.clone()
        };
        let listen_err = |source| SandboxError::Listen {
            addr: opts.listen.clone(),
            source,
        };
        let listener = std::net::TcpListener::bind(&target).map_err(listen_err)?;
        listener.set_nonblocking(true).map_err(listen_err)?;
        let addr = listener.local_addr().map_err(listen_err)?;
        let url = format!("http://{addr}");
        if let Some(path) = &opts.kubeconfig {
            kubeconfig::write(path, &url).map_err(|source| SandboxError::File {
                path: path.display().to_string(),
                source,
            })?;
        }
        let access_log = match &opts.access_log {
            Some(path) => Some(Mutex::new(
                std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)
                    .map_err(|source| SandboxError::File {
                        path: path.display().to_string(),
                        source,
                    })?,
            )),
            None => None,
        };
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            state_dir: opts.state_dir.clone(),
            access_log,
            address: addr.to_string(),
            delay: Mutex::new(opts.delay.clone()),
        });
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(SandboxError::Runtime)?;
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let app = Router::new()
            .fallback(route)
            .layer(DefaultBodyLimit::max(16 * 1024 * 1024))
            .with_state(shared.clone());
        let ticking = shared.clone();
        let thread = std::thread::Builder::new()
            .name("sandbox".into())
            .spawn(move || {
                runtime.block_on(async move {
                    tokio::spawn(simulate_controllers(ticking));
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                        return;
                    };
                    let _ = axum::serve(listener, app)
                        .with_graceful_shutdown(async {
                            let _ = stop_rx.await;
                        })
                        .await;
                });
                runtime.shutdown_background();
            })
            .map_err(SandboxError::Runtime)?;
        Ok(Sandbox {
            addr,
            shared,
            stop: Some(stop_tx),
            thread: Some(thread),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Adds a deny rule while running (tests).
    pub fn deny(&self, rule: DenyRule) {
        lock(&self.shared).deny.push(rule);
    }

    /// Adds a delay rule while running (tests).
    pub fn delay(&self, rule: DelayRule) {
        delay_rules(&self.shared).push(rule);
    }

    /// Removes every delay rule.
    pub fn clear_delay_rules(&self) {
        delay_rules(&self.shared).clear();
    }

    /// Removes every deny rule.
    pub fn clear_deny_rules(&self) {
        lock(&self.shared).deny.clear();
    }

    /// Runs `f` with the state locked (in-process inspection and seeding by tests and by the
    /// status simulation).
    pub fn with_state<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        f(&mut lock(&self.shared))
    }

    /// Stops serving (open watches end) and waits for the server thread.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Runs [`controllers::tick`] every [`controllers::TICK`] (so `delay=` simulations flip and
/// waiting clients see MODIFIED events), persisting what changed.
async fn simulate_controllers(shared: Arc<Shared>) {
    let mut interval = tokio::time::interval(controllers::TICK);
    loop {
        interval.tick().await;
        let state = &mut *lock(&shared);
        if controllers::tick(state)
            && let Some(dir) = &shared.state_dir
            && let Err(e) = persist::save(dir, &state.store)
        {
            tracing::warn!("sandbox: cannot persist simulated status: {e}");
        }
    }
}

fn delay_rules(shared: &Shared) -> std::sync::MutexGuard<'_, Vec<DelayRule>> {
    shared.delay.lock().unwrap_or_else(|p| p.into_inner())
}

/// How long a delay rule holds this request (`None` when no rule matches).
fn request_delay(
    shared: &Shared,
    method: &Method,
    path: &str,
    query: &HashMap<String, String>,
) -> Option<std::time::Duration> {
    let rules = delay_rules(shared).clone();
    if rules.is_empty() {
        return None;
    }
    let state = lock(shared);
    let Ok(Some(ApiPath::Resource(target))) = parse_path(&state.registry, path) else {
        return None;
    };
    let resource = match &target.subresource {
        Some(sub) => format!("{}/{sub}", target.rt.plural),
        None => target.rt.plural.clone(),
    };
    let verb = handlers::verb(method.as_str(), &target, query);
    delay::delay_for(&rules, &attributes(verb, &target, &resource))
}

fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, State> {
    // A panic while holding the lock would be a bug; the state itself stays usable.
    shared.state.lock().unwrap_or_else(|p| p.into_inner())
}

fn json_response(code: u16, body: &Value, content_type: &str) -> Response {
    let mut r = Response::new(Body::from(body.to_string()));
    *r.status_mut() = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(v) = content_type.parse() {
        r.headers_mut().insert(header::CONTENT_TYPE, v);
    }
    r
}

fn error_response(e: &ApiError) -> Response {
    json_response(e.code, &e.to_status(), "application/json")
}

async fn route(
    AxumState(shared): AxumState<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri.path().to_string();
    let query = parse_query(uri.query());
    if let Some(wait) = request_delay(&shared, &method, &path, &query) {
        tokio::time::sleep(wait).await;
    }
    let response = dispatch(&shared, &method, &path, &query, &headers, &body);
    if let Some(log) = &shared.access_log {
        let line = format!(
            "{} {} {}\n",
            method,
            uri.path_and_query().map_or(path.as_str(), |p| p.as_str()),
            response.status().as_u16()
        );
        if let Ok(mut f) = log.lock() {
            let _ = f.write_all(line.as_bytes());
        }
    }
    tracing::debug!(%method, %uri, status = %response.status(), "sandbox request");
    response
}

fn dispatch(
    shared: &Arc<Shared>,
    method: &Method,
    path: &str,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
    body: &[u8],
) -> Response {
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let get = *method == Method::GET || *method == Method::HEAD;
    match path.trim_end_matches('/') {
        "/version" if get => return json_response(200, &discovery::version(), "application/json"),
        "/healthz" | "/livez" | "/readyz" if get => {
            let mut r = Response::new(Body::from("ok"));
            r.headers_mut().insert(
                header::CONTENT_TYPE,
                header::HeaderValue::from_static("text/plain"),
            );
            return r;
        }
        "/openapi/v3" if get => {
            let doc = openapi::index(&lock(shared).registry);
            return json_response(200, &doc, "application/json");
        }
        p if get && p.starts_with("/openapi/v3/") => {
            let key = &p["/openapi/v3/".len()..];
            return match openapi::group_version_document(&lock(shared).registry, key) {
                Some(doc) => json_response(200, &doc, "application/json"),
                None => error_response(&ApiError::no_route()),
            };
        }
        _ => {}
    }
    if let Some((ns, name)) = logs::log_path(path) {
        if !get {
            return error_response(&ApiError::method_not_allowed(method.as_str()));
        }
        return match logs::serve(&lock(shared), &ns, &name, query) {
            Ok(text) => {
                let mut r = Response::new(Body::from(text));
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    header::HeaderValue::from_static("text/plain"),
                );
                r
            }
            Err(e) => error_response(&e),
        };
    }
    let state = lock(shared);
    let parsed = match parse_path(&state.registry, path) {
        Ok(Some(p)) => p,
        Ok(None) => return error_response(&ApiError::no_route()),
        Err(e) => return error_response(&e),
    };
    let target = match parsed {
        ApiPath::Root { legacy } => {
            if !get {
                return error_response(&ApiError::method_not_allowed(method.as_str()));
            }
            return match discovery::aggregated_version(accept) {
                Some(v) => json_response(
                    200,
                    &discovery::aggregated(&state.registry, legacy, v),
                    &discovery::aggregated_content_type(v),
                ),
                None if legacy => json_response(
                    200,
                    &discovery::api_versions(&shared.address),
                    "application/json",
                ),
                None => json_response(
                    200,
                    &discovery::api_group_list(&state.registry),
                    "application/json",
                ),
            };
        }
        ApiPath::Group(g) => {
            return match discovery::api_group(&state.registry, &g) {
                Some(doc) if get => json_response(200, &doc, "application/json"),
                _ => error_response(&ApiError::no_route()),
            };
        }
        ApiPath::GroupVersion(g, v) => {
            if !get {
                return error_response(&ApiError::method_not_allowed(method.as_str()));
            }
            return json_response(
                200,
                &discovery::api_resource_list(&state.registry, &g, &v),
                "application/json",
            );
        }
        ApiPath::Resource(t) => t,
    };
    if get && target.name.is_none() && is_true(query.get("watch")) {
        let attrs = attributes("watch", &target, &target.rt.plural);
        if let Err(e) = state.authorize(&attrs) {
            return error_response(&e);
        }
        return match watch::plan(&state, &target, query) {
            Ok(plan) => {
                drop(state);
                let mut r = Response::new(Body::from_stream(watch::stream(plan)));
                r.headers_mut().insert(
                    header::CONTENT_TYPE,
                    header::HeaderValue::from_static("application/json"),
                );
                r
            }
            Err(e) => error_response(&e),
        };
    }
    let mut state = state;
    let req = handlers::Request {
        method: method.as_str(),
        target: &target,
        query,
        content_type,
        body,
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(""),
    };
    match handlers::handle(&mut state, &req) {
        Ok(reply) => {
            if reply.changed
                && let Some(dir) = &shared.state_dir
                && let Err(e) = persist::save(dir, &state.store)
            {
                return error_response(&ApiError::internal(e.to_string()));
            }
            json_response(reply.code, &reply.body, "application/json")
        }
        Err(e) => error_response(&e),
    }
}
