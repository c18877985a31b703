//! Chart repositories: the `index.yaml` model (Helm's `repo.IndexFile`), and everything built on it:
//! generating an index, the repository client (repositories.yaml, HTTP, cache, version
//! resolution) and the static repository server.

pub mod catalog;
mod catalog_html;
mod catalog_markdown;
pub mod index;
pub mod index_build;
pub mod serve;

pub use index::{ChartVersion, IndexError, IndexFile};
pub use serve::{RepoServer, ServeError};
