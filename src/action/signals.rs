//! Stopping long-running verbs (`repo serve`, `sandbox serve`) cleanly on Ctrl-C or SIGTERM.

/// A future that completes on SIGINT (Ctrl-C) or SIGTERM. The handlers are installed before it
/// is returned, so a signal arriving right after a server announced itself is not lost.
#[cfg(unix)]
pub fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

/// A future that completes on Ctrl-C.
#[cfg(not(unix))]
pub fn stop_signal() -> std::io::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
