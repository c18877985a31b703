//! Atomic file writes: whatever rudder writes (archives, indexes, `Chart.lock`,
//! `repositories.yaml`, caches) is either the old content or the new, never half of one.

use std::io::Write as _;
use std::path::Path;

/// Who may read the file written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// The process umask decides (archives, indexes, lock files).
    Default,
    /// Owner only, mode 0600 on Unix (credentials, caches of private repositories).
    Private,
}

/// Writes `bytes` to `path`: into a new temporary file in the same directory (created if
/// needed), synced, then renamed over `path`. On failure the temporary file is removed and
/// `path` is untouched.
pub fn write(path: &Path, bytes: &[u8], access: Access) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir)?;
    let file_name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(
        ".{file_name}.{}.{}.tmp",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    ));
    let result = (|| {
        let mut opts = std::fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        if access == Access::Private {
            std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
