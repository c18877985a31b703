//! `rudder test NAME`: run a release's tests and print what Helm's `test` prints: the status
//! block without NOTES, each test's name, last started/completed and phase, then with `--logs`
//! the test Pods' logs (`POD LOGS: pod (container)`). A failed test exits 1 after the report.

use clap::Args;

use super::install::parse_duration;
use super::release_print::status_block;
use crate::action::connection::{ConnectOptions, connect};
use crate::action::test::{TestFilter, TestRequest, test};

/// Run the tests of a release.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// The release name.
    #[arg(value_name = "RELEASE")]
    pub name: String,
    /// Dump the logs of the test pods (after all tests ran, before any cleanup).
    #[arg(long)]
    pub logs: bool,
    /// Select tests by name: `name=X` runs only X, `!name=X` skips X (repeatable or
    /// comma-separated).
    #[arg(long, value_name = "ATTR=VALUE")]
    pub filter: Vec<String>,
    /// How long each test may take: 300s, 5m, 1h2m3s.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<std::time::Duration>,
}

/// Runs `test`.
pub fn run(args: TestArgs, connect_opts: &ConnectOptions) -> anyhow::Result<()> {
    let req = TestRequest {
        name: args.name,
        timeout: args.timeout,
        filter: TestFilter::parse(&args.filter)?,
        logs: args.logs,
        progress: Default::default(),
    };
    let conn = connect(connect_opts)?;
    let result = test(&conn, &req)?;
    print!("{}", status_block(&result.release, "", "", false));
    if args.logs {
        println!();
        for log in &result.logs {
            println!("POD LOGS: {} ({})", log.pod, log.container);
            print!("{}", log.text);
            println!();
        }
    }
    match result.failure {
        Some(reason) => anyhow::bail!("{reason}"),
        None => Ok(()),
    }
}
