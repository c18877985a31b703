//! Chart repositories: the `index.yaml` model (Helm's `repo.IndexFile`), and everything built on it:
//! generating an index, the repository client (repositories.yaml, HTTP, cache, version
//! resolution) and the static repository server.

pub mod cache;
pub mod catalog;
mod catalog_html;
mod catalog_markdown;
pub mod config;
pub mod error;
pub mod http;
pub mod index;
pub mod index_build;
pub mod paths;
pub mod reference;
pub mod search;
pub mod serve;
pub mod sync;

pub use config::{RepoEntry, RepoFile};
pub use error::RepoError;
pub use index::{ChartVersion, IndexError, IndexFile};
pub use paths::RepoPaths;
pub use serve::{RepoServer, ServeError};
