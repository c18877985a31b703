//! Build script: links the `rudder` binary as a position-dependent executable on Linux.
//!
//! A position-independent executable makes the dynamic loader apply ~45,000 relocations (and
//! copy the pages they land on) at every start, about 1.3 ms of a command that takes a few
//! milliseconds (`rudder --version`, a small `rudder template`). Go binaries, Helm's included,
//! are not position-independent either. The code is still compiled position-independent; only
//! the final link changes, and only for the binary (libraries, tests and proc-macros are not
//! affected).

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bin=rudder=-no-pie");
    }
    println!("cargo:rerun-if-changed=build.rs");
}
