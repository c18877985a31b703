//! `rudder version` and `rudder completion SHELL`.

use clap::{Args, CommandFactory};
use clap_complete::Shell;
use serde::Serialize;

use super::output::{OutputFormat, structured};

/// Print the version of rudder.
#[derive(Debug, Args)]
pub struct VersionArgs {
    /// Print only the version number.
    #[arg(long)]
    pub short: bool,
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

/// Generate a shell completion script.
#[derive(Debug, Args)]
pub struct CompletionArgs {
    /// The shell to generate for.
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Serialize)]
struct VersionInfo {
    version: String,
    git_commit: String,
    rust_version: String,
}

pub fn version(args: VersionArgs) -> anyhow::Result<()> {
    let version = format!("v{}", env!("CARGO_PKG_VERSION"));
    if args.short {
        println!("{version}");
        return Ok(());
    }
    let info = VersionInfo {
        version: version.clone(),
        git_commit: option_env!("RUDDER_GIT_COMMIT")
            .unwrap_or("unknown")
            .to_string(),
        rust_version: option_env!("RUDDER_RUSTC_VERSION")
            .unwrap_or("unknown")
            .to_string(),
    };
    match structured(args.output, &info)? {
        Some(text) => print!("{text}"),
        None => println!(
            "version.BuildInfo{{Version:\"{version}\", GitCommit:\"{}\"}}",
            info.git_commit
        ),
    }
    Ok(())
}

pub fn completion(args: CompletionArgs) -> anyhow::Result<()> {
    let mut cmd = super::Cli::command();
    clap_complete::generate(args.shell, &mut cmd, "rudder", &mut std::io::stdout());
    Ok(())
}
