//! The client verbs of `rudder repo`: add, list, update, remove (the `repo` group itself is in
//! `repo.rs`). Data goes to stdout; progress and notes to stderr.

use clap::Args;

use super::output::{OutputFormat, structured};
use crate::action::repo_add::{self, RepoAddOutcome, RepoAddRequest};
use crate::action::{repo_list, repo_remove, repo_update};
use crate::repo::sync::SyncOutcome;
use crate::repo::{RepoEntry, RepoPaths};

/// `repo add NAME URL`.
#[derive(Debug, Args)]
pub struct AddArgs {
    /// The repository name.
    pub name: String,
    /// The repository URL.
    pub url: String,
    /// Repository user.
    #[arg(long)]
    pub username: Option<String>,
    /// Repository password.
    #[arg(long)]
    pub password: Option<String>,
    /// Read the password from standard input.
    #[arg(long, conflicts_with = "password")]
    pub password_stdin: bool,
    /// Send the credentials to every host (chart URLs on other hosts too).
    #[arg(long)]
    pub pass_credentials: bool,
    /// Verify the server's certificate with this CA bundle.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<String>,
    /// Client certificate for mutual TLS.
    #[arg(long, value_name = "FILE")]
    pub cert_file: Option<String>,
    /// Client key for mutual TLS.
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<String>,
    /// Skip TLS certificate verification.
    #[arg(long)]
    pub insecure_skip_tls_verify: bool,
    /// Replace an existing repository of the same name.
    #[arg(long)]
    pub force_update: bool,
}

/// `repo list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Output format.
    #[arg(short = 'o', long, value_enum, default_value_t)]
    pub output: OutputFormat,
}

/// `repo update [NAME...]`.
#[derive(Debug, Args)]
pub struct UpdateArgs {
    /// Repositories to update (all when none given).
    pub names: Vec<String>,
}

/// `repo remove NAME...`.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// Repositories to remove.
    #[arg(required = true)]
    pub names: Vec<String>,
}

/// Runs `repo add`.
pub fn add(args: AddArgs) -> anyhow::Result<()> {
    let mut password = args.password.unwrap_or_default();
    if args.password_stdin {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line)?;
        password = line.trim_end_matches(['\r', '\n']).to_string();
    }
    let req = RepoAddRequest {
        entry: RepoEntry {
            name: args.name.clone(),
            url: args.url,
            username: args.username.unwrap_or_default(),
            password,
            cert_file: args.cert_file.unwrap_or_default(),
            key_file: args.key_file.unwrap_or_default(),
            ca_file: args.ca_file.unwrap_or_default(),
            insecure_skip_tls_verify: args.insecure_skip_tls_verify,
            pass_credentials_all: args.pass_credentials,
        },
        force_update: args.force_update,
        paths: RepoPaths::from_env(),
    };
    match repo_add::run(&req)? {
        RepoAddOutcome::Added => {
            eprintln!("{:?} has been added to your repositories", args.name)
        }
        RepoAddOutcome::Unchanged => eprintln!(
            "{:?} already exists with the same configuration, skipping",
            args.name
        ),
    }
    Ok(())
}

/// Runs `repo list`.
pub fn list(args: ListArgs) -> anyhow::Result<()> {
    let items = repo_list::run(&RepoPaths::from_env())?;
    if let Some(text) = structured(args.output, &items)? {
        print!("{text}");
        return Ok(());
    }
    let width = items.iter().map(|i| i.name.len()).max().unwrap_or(0).max(4);
    println!("{:<width$}\tURL", "NAME");
    for i in &items {
        println!("{:<width$}\t{}", i.name, i.url);
    }
    Ok(())
}

/// Runs `repo update`: one line per repository on stderr; any failure makes the command fail
/// (after every repository was tried), with the failed ones named.
pub fn update(args: UpdateArgs) -> anyhow::Result<()> {
    let paths = RepoPaths::from_env();
    eprintln!("Hang tight while we grab the latest from your chart repositories...");
    let reports = repo_update::run(&paths, &args.names)?;
    let mut failed = Vec::new();
    for r in &reports {
        match &r.result {
            Ok(SyncOutcome::Updated) => eprintln!(
                "...Successfully got an update from the {:?} chart repository",
                r.name
            ),
            Ok(SyncOutcome::NotModified) => eprintln!(
                "...Successfully got an update from the {:?} chart repository (not modified)",
                r.name
            ),
            Err(e) => {
                eprintln!(
                    "...Unable to get an update from the {:?} chart repository ({}):\n\t{e}",
                    r.name,
                    crate::repo::http::redact(&r.url)
                );
                failed.push(format!("{:?}: {e}", r.name));
            }
        }
    }
    if !failed.is_empty() {
        anyhow::bail!(
            "failed to update {} of {} repositories (their cached indexes are kept): {}",
            failed.len(),
            reports.len(),
            failed.join("; ")
        );
    }
    eprintln!("Update Complete. ⎈Happy Helming!⎈");
    Ok(())
}

/// Runs `repo remove`.
pub fn remove(args: RemoveArgs) -> anyhow::Result<()> {
    repo_remove::run(&RepoPaths::from_env(), &args.names)?;
    for name in &args.names {
        eprintln!("{name:?} has been removed from your repositories");
    }
    Ok(())
}
