//! The sandbox: an in-process Kubernetes API server emulator, faithful to the REST contract a
//! package manager touches (discovery, CRUD, server-side apply, patches, selectors, watches,
//! conflicts, `Status` errors), with simulated workload status. It backs the tests and
//! `rudder sandbox serve`; the product talks to real clusters through `crate::kube`, never here.

pub mod deny;
pub mod errors;
pub mod gvk;
pub mod proto;
pub mod registry;
pub mod selector;
pub mod store;
pub mod validate;

pub use gvk::Gvk;
