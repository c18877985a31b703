//! Charts: the in-memory model, loading from a directory or a `.tgz` (safely), `.helmignore`.
//!
//! A [`Chart`] is what every verb works on: `template`, `lint`, `show`, and later `install` and
//! `package`. It keeps the raw files so that the engine can render templates and expose the other
//! files through the `Files` functions exactly as Helm does.

pub(crate) mod archive;
mod digest;
mod helm_yaml;
mod helmignore;
mod load;
mod lock;
mod metadata;
mod model;
mod save;

pub use archive::{ArchiveLimits, read_archive};
pub use digest::{digest_bytes, digest_file};
pub use helm_yaml::to_yaml as to_helm_yaml;
pub use helmignore::HelmIgnore;
pub use load::{
    load, load_archive_bytes, load_archive_bytes_with_limits, load_dir, load_with_limits,
};
pub use lock::{LOCK_FILE, Lock, LockedDependency, requirements_digest};
pub use metadata::{
    Dependency, Maintainer, Metadata, constraint_matches, parse_constraint, unknown_fields,
};
pub use model::{Chart, ChartFile};
pub use save::{
    DEFAULT_EPOCH, archive_bytes, archive_name, chart_yaml, metadata_value, save,
    source_date_epoch, write_atomic,
};

/// Why a chart could not be loaded: always names the file (and line, or archive entry) at fault.
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// An I/O failure reading a chart file or directory.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory that failed.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A file that is present but malformed (YAML error, bad field, bad SemVer ...).
    #[error("{path}: {message}")]
    Invalid {
        /// The file at fault, with `:line` or `:line:column` when known.
        path: String,
        /// What is wrong with it.
        message: String,
    },
    /// An archive entry that is refused (traversal, link, device, size cap ...).
    #[error("{archive}: entry {entry:?}: {message}")]
    Archive {
        /// The archive being read.
        archive: String,
        /// The offending entry's name as stored in the archive.
        entry: String,
        /// Why it is refused.
        message: String,
    },
}
