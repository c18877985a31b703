//! Persisting the store under `--state DIR`: one snapshot file, `DIR/state.json`, rewritten
//! atomically (temp file in the same directory, then rename) after every change, and read back
//! at start.

use std::path::{Path, PathBuf};

use super::store::Store;

/// The snapshot file inside a state directory.
pub fn state_file(dir: &Path) -> PathBuf {
    dir.join("state.json")
}

/// Why the state could not be read or written; names the file.
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    /// Reading, writing or renaming failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or directory.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The snapshot is not one the sandbox wrote.
    #[error("{path}: not a sandbox state snapshot: {message}")]
    Malformed {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// Reads the store saved in `dir`, or `None` when there is none yet.
pub fn load(dir: &Path) -> Result<Option<Store>, PersistError> {
    let file = state_file(dir);
    let path = file.display().to_string();
    let bytes = match std::fs::read(&file) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => return Err(PersistError::Io { path, source }),
    };
    let value: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| PersistError::Malformed {
            path: path.clone(),
            message: e.to_string(),
        })?;
    Store::restore(&value)
        .map(Some)
        .map_err(|message| PersistError::Malformed { path, message })
}

/// Writes the store to `dir` atomically (creating `dir` if needed).
pub fn save(dir: &Path, store: &Store) -> Result<(), PersistError> {
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| PersistError::Io { path, source }
    };
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let file = state_file(dir);
    let text = serde_json::to_vec(&store.snapshot()).expect("JSON values serialize");
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io(dir))?;
    std::io::Write::write_all(&mut tmp, &text).map_err(io(&file))?;
    tmp.persist(&file).map_err(|e| PersistError::Io {
        path: file.display().to_string(),
        source: e.error,
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sandbox::store::ObjectKey;
    use serde_json::json;

    #[test]
    fn round_trip_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        assert!(load(dir.path()).unwrap().is_none());
        let mut s = Store::new();
        s.create(
            ObjectKey::new("", "configmaps", "d", "a"),
            json!({"metadata": {"name": "a"}}),
            false,
        );
        save(dir.path(), &s).unwrap();
        let back = load(dir.path()).unwrap().unwrap();
        assert_eq!(back.revision(), s.revision());
        std::fs::write(state_file(dir.path()), "{").unwrap();
        let e = load(dir.path()).unwrap_err().to_string();
        assert!(
            e.contains("state.json: not a sandbox state snapshot"),
            "{e}"
        );
    }
}
