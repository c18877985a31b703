//! The `rudder` binary: parse the command line, run the command, map errors to exit codes.

use std::process::ExitCode;

/// mimalloc instead of the system allocator: a render makes hundreds of thousands of small
/// allocations (values, Tera values, documents), and mimalloc makes a large render about a tenth
/// faster (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    rudder::cli::main()
}
