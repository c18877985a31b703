//! The raw files of the chart being linted, from a directory or a `.tgz`, before (and apart
//! from) loading: the rules on `Chart.yaml` and `values.yaml` must run even when the chart
//! cannot be loaded.

use std::path::{Path, PathBuf};

use crate::chart::{self, ArchiveLimits, ChartFile};

/// What a path inside the chart is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// Nothing there.
    Missing,
    /// A directory.
    Dir,
    /// A file, with its bytes.
    File(Vec<u8>),
    /// Present but unreadable; the message says why.
    Unreadable(String),
}

/// A chart's files as stored, addressed by relative paths with `/` separators.
#[derive(Debug)]
pub enum Source {
    /// A chart directory on disk.
    Dir(PathBuf),
    /// The files of a chart archive, relative to its top directory.
    Archive(Vec<ChartFile>),
}

impl Source {
    /// Opens `path`: a directory as is, a file as a chart archive. `Err` says why neither works.
    pub fn open(path: &Path) -> Result<Source, String> {
        let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
        if meta.is_dir() {
            return Ok(Source::Dir(path.to_path_buf()));
        }
        let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let label = path.display().to_string();
        chart::read_archive(&label, &bytes, &ArchiveLimits::default())
            .map(Source::Archive)
            .map_err(|e| e.to_string())
    }

    /// The directory the chart lives in, when it is one.
    pub fn dir(&self) -> Option<&Path> {
        match self {
            Source::Dir(d) => Some(d),
            Source::Archive(_) => None,
        }
    }

    /// What `rel` (e.g. `Chart.yaml`, `templates`) is.
    pub fn entry(&self, rel: &str) -> Entry {
        match self {
            Source::Dir(root) => {
                let path = root.join(rel);
                match std::fs::metadata(&path) {
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => Entry::Missing,
                    Err(e) => Entry::Unreadable(e.to_string()),
                    Ok(m) if m.is_dir() => Entry::Dir,
                    Ok(_) => match std::fs::read(&path) {
                        Ok(bytes) => Entry::File(bytes),
                        Err(e) => Entry::Unreadable(e.to_string()),
                    },
                }
            }
            Source::Archive(files) => {
                if let Some(f) = files.iter().find(|f| f.name == rel) {
                    return Entry::File(f.data.clone());
                }
                let prefix = format!("{rel}/");
                if files.iter().any(|f| f.name.starts_with(&prefix)) {
                    Entry::Dir
                } else {
                    Entry::Missing
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_entries() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("templates")).unwrap();
        std::fs::write(dir.path().join("Chart.yaml"), "name: x\n").unwrap();
        let src = Source::open(dir.path()).unwrap();
        assert_eq!(src.entry("templates"), Entry::Dir);
        assert_eq!(src.entry("Chart.yaml"), Entry::File(b"name: x\n".to_vec()));
        assert_eq!(src.entry("values.yaml"), Entry::Missing);
        assert!(src.dir().is_some());
    }

    #[test]
    fn archive_entries() {
        let src = Source::Archive(vec![ChartFile {
            name: "templates/a.yaml".into(),
            data: b"a: 1".to_vec(),
        }]);
        assert_eq!(src.entry("templates"), Entry::Dir);
        assert_eq!(src.entry("templates/a.yaml"), Entry::File(b"a: 1".to_vec()));
        assert_eq!(src.entry("Chart.yaml"), Entry::Missing);
        assert!(src.dir().is_none());
    }

    #[test]
    fn missing_path_is_an_error() {
        let err = Source::open(Path::new("/nonexistent/chart")).unwrap_err();
        assert!(err.contains("/nonexistent/chart"), "{err}");
    }
}
