//! Loading a chart from a directory or a `.tgz`. (Placeholder: filled by the loader work.)

use std::path::Path;

use super::{Chart, ChartError};

/// Loads a chart from a directory or a `.tgz` archive path.
pub fn load(path: &Path) -> Result<Chart, ChartError> {
    load_dir(path)
}

/// Loads a chart from a directory.
pub fn load_dir(path: &Path) -> Result<Chart, ChartError> {
    Err(ChartError::Invalid {
        path: path.display().to_string(),
        message: "not implemented".into(),
    })
}

/// Loads a chart from the bytes of a `.tgz` archive; `name` is used in errors.
pub fn load_archive_bytes(name: &str, _bytes: &[u8]) -> Result<Chart, ChartError> {
    Err(ChartError::Invalid {
        path: name.into(),
        message: "not implemented".into(),
    })
}
