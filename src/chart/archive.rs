//! Safe reading of chart archives (`.tgz`). (Placeholder: filled by the loader work.)

use super::{ChartError, ChartFile};

/// Caps applied while reading an archive, so a hostile archive cannot exhaust memory or disk.
#[derive(Debug, Clone, Copy)]
pub struct ArchiveLimits {
    /// Maximum total decompressed size in bytes (default 100 MiB).
    pub max_bytes: u64,
    /// Maximum number of entries (default 10,000).
    pub max_entries: usize,
}

impl Default for ArchiveLimits {
    fn default() -> Self {
        ArchiveLimits {
            max_bytes: 100 * 1024 * 1024,
            max_entries: 10_000,
        }
    }
}

/// Reads every regular file of a gzip'd tar archive into memory, refusing unsafe entries.
pub fn read_archive(
    archive: &str,
    _bytes: &[u8],
    _limits: &ArchiveLimits,
) -> Result<Vec<ChartFile>, ChartError> {
    Err(ChartError::Invalid {
        path: archive.to_string(),
        message: "archive loading is not implemented yet".into(),
    })
}
