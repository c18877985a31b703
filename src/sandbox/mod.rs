//! The sandbox: an in-process Kubernetes API server emulator, faithful to the REST contract a
//! package manager touches (discovery, CRUD, server-side apply, patches, selectors, watches,
//! conflicts, `Status` errors), with simulated workload status. It backs the tests and
//! `rudder sandbox serve`; the product talks to real clusters through `crate::kube`, never here.

pub mod gvk;
pub mod patch;
pub mod simulate;

pub use gvk::Gvk;
