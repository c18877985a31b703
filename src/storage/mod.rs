//! Release storage, as Helm's `pkg/storage`: a [`Driver`] keeps release revisions (in memory,
//! or as Secrets/ConfigMaps through a [`ClusterObjects`] backend), and [`Storage`] adds the
//! history logic on top (history, last, deployed, `--history-max` pruning).

mod driver;
mod error;
mod kind;
mod memory;
mod objects;
#[allow(clippy::module_inception)]
mod storage;

pub use driver::{Driver, Labels, Listing, labels_match};
pub use error::StorageError;
pub use kind::{DRIVER_ENV, DriverKind, UnknownDriver};
pub use memory::MemoryDriver;
pub use objects::{ClusterObjects, ObjectDriver, ObjectsError, selector_text};
pub use storage::{DEFAULT_HISTORY_MAX, Storage};

#[cfg(test)]
mod tests;
