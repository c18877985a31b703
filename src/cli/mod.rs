//! Command-line interface: clap definitions and output formatting only.

use std::process::ExitCode;

/// Runs the CLI with the process arguments and returns the exit code.
pub fn main() -> ExitCode {
    ExitCode::SUCCESS
}
