//! The sandbox: an in-process Kubernetes API server emulator, faithful to the REST contract a
//! package manager touches (discovery, CRUD, server-side apply, patches, selectors, watches,
//! conflicts, `Status` errors), with simulated workload status. It backs the tests and
//! `rudder sandbox serve`; the product talks to real clusters through `crate::kube`, never here.

pub mod controllers;
pub mod defaults;
pub mod delay;
pub mod deny;
pub mod discovery;
pub mod errors;
pub mod gvk;
pub mod handlers;
pub mod kubeconfig;
pub mod logs;
pub mod openapi;
pub mod patch;
pub mod patching;
pub mod persist;
pub mod proto;
pub mod registry;
pub mod request;
pub mod selector;
pub mod server;
pub mod simulate;
pub mod store;
pub mod validate;
pub mod watch;

pub use gvk::Gvk;
pub use server::{Sandbox, SandboxError, SandboxOptions};
