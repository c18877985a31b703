//! `rudder sandbox serve [--listen ADDR] [--state DIR] [--write-kubeconfig FILE]
//! [--access-log FILE] [--deny VERB:RESOURCE[:NAMESPACE]]... [--delay RULE=DURATION]...`.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Subcommand};

use crate::action::sandbox::{DEFAULT_LISTEN, serve};
use crate::sandbox::SandboxOptions;
use crate::sandbox::delay::DelayRule;
use crate::sandbox::deny::DenyRule;

/// Run a local Kubernetes API server emulator for trying charts without a cluster.
#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Serve the sandbox API over HTTP until Ctrl-C / SIGTERM.
    Serve(ServeArgs),
}

/// Flags of `rudder sandbox serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on (host:port; port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = DEFAULT_LISTEN)]
    pub listen: String,
    /// Keep the cluster state in this directory (reloaded on restart); else in memory only.
    #[arg(long, value_name = "DIR")]
    pub state: Option<PathBuf>,
    /// Write a kubeconfig pointing at the sandbox to this file.
    #[arg(long, value_name = "FILE")]
    pub write_kubeconfig: Option<PathBuf>,
    /// Append one line per request (method, path, status) to this file.
    #[arg(long, value_name = "FILE")]
    pub access_log: Option<PathBuf>,
    /// Refuse matching requests with 403 Forbidden (VERB:RESOURCE[:NAMESPACE], `*` matches any).
    #[arg(long, value_name = "RULE")]
    pub deny: Vec<DenyRule>,
    /// Hold matching requests before serving them (VERB:RESOURCE[:NAMESPACE]=DURATION), for
    /// tests that need an operation caught mid-way.
    #[arg(long, value_name = "RULE")]
    pub delay: Vec<DelayRule>,
}

/// Runs a sandbox command.
pub fn run(cmd: SandboxCommand) -> anyhow::Result<()> {
    match cmd {
        SandboxCommand::Serve(args) => {
            let opts = SandboxOptions {
                listen: args.listen,
                state_dir: args.state,
                kubeconfig: args.write_kubeconfig,
                access_log: args.access_log,
                deny: args.deny,
                delay: args.delay,
                ..SandboxOptions::default()
            };
            serve(opts, |addr| {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "Sandbox API server listening on http://{addr}");
                let _ = out.flush();
            })?;
            Ok(())
        }
    }
}
