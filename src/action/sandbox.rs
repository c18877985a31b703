//! `rudder sandbox serve`: run the sandbox API server until Ctrl-C or SIGTERM. Orchestration
//! only: the server is `crate::sandbox`.

use std::net::SocketAddr;

use crate::sandbox::{Sandbox, SandboxError, SandboxOptions};

/// The default listen address (a loopback port the Kubernetes API server uses on many setups).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8443";

/// Starts the sandbox with `opts`, calls `on_ready` with its address once it accepts
/// connections (and the kubeconfig, if asked, is written), and serves until SIGINT/SIGTERM.
pub fn serve(opts: SandboxOptions, on_ready: impl FnOnce(SocketAddr)) -> Result<(), SandboxError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(SandboxError::Runtime)?;
    runtime.block_on(async {
        let stop = super::signals::stop_signal().map_err(SandboxError::Runtime)?;
        let sandbox = Sandbox::start(opts)?;
        on_ready(sandbox.addr());
        stop.await;
        tokio::task::spawn_blocking(move || sandbox.stop())
            .await
            .map_err(|e| SandboxError::Runtime(std::io::Error::other(e)))?;
        Ok(())
    })
}
