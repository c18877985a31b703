//! `rudder repo serve DIR`: serve a directory as a static chart repository (with its HTML
//! catalog) until Ctrl-C or SIGTERM. Orchestration only: the server is `crate::repo::serve`.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::repo::serve::{RepoServer, ServeError};

/// The default address, Helm 2's `helm serve` default.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8879";

/// What to serve and where.
#[derive(Debug, Clone)]
pub struct ServeRequest {
    /// The repository directory (`index.yaml` and the archives).
    pub dir: PathBuf,
    /// `host:port` to listen on; port 0 picks a free one.
    pub listen: String,
}

/// Serves `request.dir` until the process is asked to stop (SIGINT / SIGTERM), then returns
/// `Ok(())`. `on_ready` is called once the address is bound and the stop signals are watched,
/// with the real address (so a caller can announce it, and a client can connect at once).
pub fn serve(request: &ServeRequest, on_ready: impl FnOnce(SocketAddr)) -> Result<(), ServeError> {
    let runtime_error = |source| ServeError::Runtime {
        dir: request.dir.display().to_string(),
        source,
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(runtime_error)?;
    runtime.block_on(async {
        let stop = super::signals::stop_signal().map_err(runtime_error)?;
        let server = RepoServer::bind(&request.dir, &request.listen).await?;
        on_ready(server.local_addr());
        server.run_until(stop).await
    })
}
