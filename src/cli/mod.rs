//! Command-line interface: clap definitions and output formatting only. Each command group has
//! its own file; the work is done by `crate::action`.

mod chart_ref;
mod completion;
mod create;
mod dependency;
mod diff;
mod get;
mod go_time;
mod history;
mod install;
mod lint;
mod list;
mod output;
mod package;
mod progress;
mod pull;
mod recover;
mod release_print;
mod repo;
mod repo_client;
mod repo_index;
mod repo_serve;
mod sandbox;
mod search;
mod show;
mod status;
mod template;
mod test;
mod uninstall;
mod values_flags;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

/// rudder: a Helm-compatible package manager for Kubernetes.
///
/// Charts are Tera templates with Helm's names (Values, Release, Chart, toYaml, nindent, include,
/// ...). Releases and chart repositories use Helm's formats, so existing tooling keeps working.
#[derive(Debug, Parser)]
#[command(
    name = "rudder",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Verbose output: debug logs on stderr (RUST_LOG filters them further).
    #[arg(short = 'v', long = "debug", global = true)]
    pub debug: bool,

    /// Namespace scope for this request.
    #[arg(
        short = 'n',
        long,
        global = true,
        env = "RUDDER_NAMESPACE",
        value_name = "NAMESPACE"
    )]
    pub namespace: Option<String>,

    /// Path to the kubeconfig file (else KUBECONFIG, else ~/.kube/config).
    #[arg(long, global = true, value_name = "FILE")]
    pub kubeconfig: Option<std::path::PathBuf>,

    /// Name of the kubeconfig context to use.
    #[arg(long = "kube-context", global = true, value_name = "CONTEXT")]
    pub kube_context: Option<String>,

    /// Release storage driver: secret (default), configmap or memory [env: RUDDER_DRIVER].
    #[arg(long, global = true, value_name = "DRIVER")]
    pub driver: Option<String>,

    /// Run against an in-process sandbox API server whose state persists in DIR (no cluster
    /// needed; DIR/kubeconfig lets kubectl look at it afterwards).
    #[arg(long, global = true, value_name = "DIR")]
    pub sandbox: Option<std::path::PathBuf>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Render chart templates locally and print the manifests.
    Template(Box<template::TemplateArgs>),
    /// Examine charts for possible issues.
    Lint(lint::LintArgs),
    /// Create a new chart with the given name.
    Create(create::CreateArgs),
    /// Show information about a chart.
    #[command(subcommand)]
    Show(show::ShowCommand),
    /// Package chart directories into versioned chart archives.
    #[command(disable_version_flag = true)]
    Package(package::PackageArgs),
    /// Manage a chart's dependencies (list, update, build).
    #[command(subcommand, visible_alias = "dep")]
    Dependency(dependency::DependencyCommand),
    /// Add, list, update, remove, index and serve chart repositories.
    #[command(subcommand)]
    Repo(repo::RepoCommand),
    /// Run a local Kubernetes API server emulator (the sandbox).
    #[command(subcommand)]
    Sandbox(sandbox::SandboxCommand),
    /// Search for charts in the added repositories.
    #[command(subcommand)]
    Search(search::SearchCommand),
    /// Install a chart as a new release.
    Install(Box<install::InstallArgs>),
    /// Upgrade a release to a new chart version or new values.
    Upgrade(Box<install::UpgradeArgs>),
    /// Roll a release back to a previous revision.
    Rollback(install::RollbackArgs),
    /// Show what an upgrade or rollback would change, without changing anything.
    #[command(subcommand)]
    Diff(diff::DiffCommand),
    /// Download a chart from a repository (optionally unpacking it).
    Pull(pull::PullArgs),
    /// List releases.
    #[command(visible_alias = "ls")]
    List(list::ListArgs),
    /// Fetch release history.
    #[command(visible_alias = "hist")]
    History(history::HistoryArgs),
    /// Display the status of the named release.
    Status(status::StatusArgs),
    /// Download extended information of a named release.
    #[command(subcommand)]
    Get(get::GetCommand),
    /// Mark a release revision left pending by a dead operation failed, so the next one can run.
    Recover(recover::RecoverArgs),
    /// Run the tests of a release (its `test` hooks).
    Test(test::TestArgs),
    /// Uninstall releases.
    #[command(visible_aliases = ["un", "del", "delete"])]
    Uninstall(uninstall::UninstallArgs),
    /// Print the version of rudder.
    Version(completion::VersionArgs),
    /// Generate a shell completion script (bash, zsh, fish, elvish, powershell).
    Completion(completion::CompletionArgs),
}

/// Runs the CLI with the process arguments and returns the exit code.
pub fn main() -> ExitCode {
    let matches = match Cli::command().try_get_matches() {
        Ok(m) => m,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(1);
        }
    };
    init_tracing(cli.debug);
    let sub_matches = matches.subcommand().map(|(_, m)| m.clone());
    match run(cli, sub_matches.as_ref()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.downcast_ref::<diff::ChangesFound>().is_some() => ExitCode::from(2),
        Err(e) => {
            eprintln!("Error: {}", error_line(&e));
            ExitCode::from(1)
        }
    }
}

/// The error and its causes on one line, each cause once: library errors already name their
/// cause (`path: No such file or directory`), so a cause whose text is already there is skipped.
fn error_line(e: &anyhow::Error) -> String {
    let mut line = e.to_string();
    for cause in e.chain().skip(1) {
        let text = cause.to_string();
        if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
    }
    line
}

fn init_tracing(debug: bool) {
    let default = if debug { "rudder=debug" } else { "rudder=warn" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .without_time()
        .try_init();
}

impl Cli {
    /// The connection the global flags describe, for the release verbs.
    pub fn connect_options(&self) -> crate::action::connection::ConnectOptions {
        crate::action::connection::ConnectOptions {
            kube: crate::kube::KubeOptions {
                kubeconfig: self.kubeconfig.clone(),
                context: self.kube_context.clone(),
                namespace: self.namespace.clone(),
            },
            driver: self.driver.clone(),
            sandbox: self.sandbox.clone(),
        }
    }
}

fn run(cli: Cli, sub: Option<&clap::ArgMatches>) -> anyhow::Result<()> {
    let namespace = cli.namespace.clone();
    let connect = cli.connect_options();
    match cli.command {
        Command::Install(args) => {
            install::run_install(&connect, *args, sub.expect("subcommand matches"))
        }
        Command::Upgrade(args) => {
            install::run_upgrade(&connect, *args, sub.expect("subcommand matches"))
        }
        Command::Rollback(args) => install::run_rollback(&connect, args),
        Command::Diff(cmd) => diff::run(
            cmd,
            &connect,
            sub.and_then(|m| m.subcommand()).map(|(_, m)| m),
        ),
        Command::Template(args) => {
            template::run(*args, namespace, sub.expect("subcommand matches"))
        }
        Command::Lint(args) => lint::run(args, namespace, sub.expect("subcommand matches")),
        Command::Create(args) => create::run(args),
        Command::Show(cmd) => show::run(cmd),
        Command::Package(args) => package::run(args),
        Command::Dependency(cmd) => dependency::run(cmd),
        Command::Repo(cmd) => repo::run(cmd),
        Command::Sandbox(cmd) => sandbox::run(cmd),
        Command::Search(cmd) => search::run(cmd),
        Command::Pull(args) => pull::run(args),
        Command::List(args) => list::run(args, connect),
        Command::History(args) => history::run(args, connect),
        Command::Status(args) => status::run(args, connect),
        Command::Get(cmd) => get::run(cmd, connect),
        Command::Test(args) => test::run(args, &connect),
        Command::Uninstall(args) => uninstall::run(args, connect),
        Command::Recover(args) => recover::run(args, &connect),
        Command::Version(args) => completion::version(args),
        Command::Completion(args) => completion::completion(args),
    }
}
