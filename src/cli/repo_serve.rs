//! `rudder repo serve DIR [--listen ADDR]`.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use crate::action::repo_serve::{DEFAULT_LISTEN, ServeRequest, serve};

/// Serve a directory as a chart repository, with an HTML catalog of its charts at `/`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// The repository directory (index.yaml and chart archives).
    pub dir: PathBuf,
    /// Address to listen on (host:port; port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_LISTEN)]
    pub listen: String,
}

/// Runs the server until Ctrl-C / SIGTERM, announcing its URL on stdout once it listens.
pub fn run(args: ServeArgs) -> anyhow::Result<()> {
    let request = ServeRequest {
        dir: args.dir,
        listen: args.listen,
    };
    serve(&request, |addr| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "Serving {} on http://{addr}/", request.dir.display());
        let _ = out.flush();
    })?;
    Ok(())
}
