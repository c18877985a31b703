//! rudder: a Helm-compatible package manager for Kubernetes.
//!
//! The library is layered as the binary uses it: `cli` parses and prints, `action` orchestrates one
//! verb each and returns data, and below it `engine` renders charts loaded by `chart` with values
//! computed by `values`. Nothing below `action` knows about the terminal.

pub mod action;
pub mod atomic;
pub mod chart;
pub mod cli;
pub mod engine;
pub mod kube;
pub mod release;
pub mod repo;
pub mod sandbox;
pub mod storage;
mod text;
pub mod values;
