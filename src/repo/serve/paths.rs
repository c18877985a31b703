//! Mapping request paths to files of the served directory, refusing everything that could leave
//! it: `..` and `.` segments (also percent-encoded), hidden names, backslashes, NUL, empty
//! segments, and symbolic links whose target is outside the directory. Only regular files are
//! ever returned.

use std::io;
use std::path::{Path, PathBuf};

/// Why a request path does not name a servable file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The path is malformed or tries to leave the directory (answered 400).
    BadPath,
    /// No regular file of that name inside the directory (answered 404).
    NotFound,
}

/// The served directory, canonicalised once so that every resolved file can be checked to lie
/// under it.
#[derive(Debug, Clone)]
pub struct SafeRoot {
    root: PathBuf,
}

impl SafeRoot {
    /// Canonicalises `dir`; fails if it does not exist or is not a directory.
    pub fn new(dir: &Path) -> io::Result<Self> {
        let root = dir.canonicalize()?;
        if !root.is_dir() {
            return Err(io::Error::new(
                io::ErrorKind::NotADirectory,
                "not a directory",
            ));
        }
        Ok(SafeRoot { root })
    }

    /// The canonical directory.
    pub fn path(&self) -> &Path {
        &self.root
    }

    /// The regular file a raw (percent-encoded) request path names, e.g. `/redis-1.0.0.tgz`.
    pub fn resolve_request(&self, raw_path: &str) -> Result<PathBuf, Refusal> {
        let rest = raw_path.strip_prefix('/').ok_or(Refusal::BadPath)?;
        let decoded = percent_decode(rest).ok_or(Refusal::BadPath)?;
        self.resolve_relative(&decoded)
    }

    /// The regular file a decoded relative path (`charts/redis-1.0.0.tgz`) names.
    pub fn resolve_relative(&self, relative: &str) -> Result<PathBuf, Refusal> {
        let segments = segments(relative).ok_or(Refusal::BadPath)?;
        let mut candidate = self.root.clone();
        candidate.extend(segments);
        // Symbolic links are followed, then the real path must still be inside the root.
        let real = candidate.canonicalize().map_err(|_| Refusal::NotFound)?;
        if !real.starts_with(&self.root) {
            return Err(Refusal::NotFound);
        }
        match std::fs::metadata(&real) {
            Ok(meta) if meta.is_file() => Ok(real),
            _ => Err(Refusal::NotFound),
        }
    }
}

/// The segments of a decoded relative path, or `None` when any segment is unsafe.
fn segments(relative: &str) -> Option<Vec<&str>> {
    if relative.is_empty() {
        return None;
    }
    relative
        .split('/')
        .map(|segment| {
            let unsafe_segment = segment.is_empty()
                || segment.starts_with('.')
                || segment.contains(['\\', '\0', ':']);
            (!unsafe_segment).then_some(segment)
        })
        .collect()
}

/// Decodes `%XX` escapes; `None` for a malformed escape or a result that is not UTF-8.
pub fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hex = std::str::from_utf8(hex).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `Content-Type` of a served file, by extension: `index.yaml` as chartmuseum sends it
/// (`application/x-yaml`), chart archives as gzip, provenance files as PGP signatures, icons as
/// images; anything else as bytes.
pub fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "yaml" | "yml" => "application/x-yaml",
        "tgz" | "gz" => "application/gzip",
        "prov" => "application/pgp-signature",
        "json" => "application/json",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> (tempfile::TempDir, SafeRoot) {
        let tmp = tempfile::tempdir().unwrap();
        let repo = tmp.path().join("repo");
        std::fs::create_dir_all(repo.join("sub")).unwrap();
        std::fs::write(repo.join("index.yaml"), "apiVersion: v1\n").unwrap();
        std::fs::write(repo.join("sub/a b.tgz"), "x").unwrap();
        std::fs::write(repo.join(".hidden"), "x").unwrap();
        std::fs::write(tmp.path().join("secret.txt"), "secret").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(tmp.path().join("secret.txt"), repo.join("out.txt"))
                .unwrap();
            std::os::unix::fs::symlink(repo.join("index.yaml"), repo.join("in.yaml")).unwrap();
        }
        let root = SafeRoot::new(&repo).unwrap();
        (tmp, root)
    }

    #[test]
    fn serves_regular_files_inside() {
        let (_tmp, root) = fixture();
        let p = root.resolve_request("/index.yaml").unwrap();
        assert!(p.ends_with("index.yaml"));
        let p = root.resolve_request("/sub/a%20b.tgz").unwrap();
        assert!(p.ends_with("sub/a b.tgz"));
        #[cfg(unix)]
        assert!(root.resolve_request("/in.yaml").is_ok());
    }

    #[test]
    fn refuses_traversal_in_every_spelling() {
        let (_tmp, root) = fixture();
        for path in [
            "/../secret.txt",
            "/sub/../../secret.txt",
            "/%2e%2e/secret.txt",
            "/%2E%2E%2Fsecret.txt",
            "/sub%2f..%2f..%2fsecret.txt",
            "/..%5csecret.txt",
            "//etc/passwd",
            "/%2fetc/passwd",
            "/.hidden",
            "/./index.yaml",
            "/index.yaml%00",
            "/%zz",
            "/C:/x",
            "index.yaml",
            "/",
        ] {
            assert_eq!(
                root.resolve_request(path),
                Err(Refusal::BadPath),
                "{path} must be refused"
            );
        }
    }

    #[test]
    fn missing_directories_and_outside_links_are_not_found() {
        let (_tmp, root) = fixture();
        assert_eq!(root.resolve_request("/nope.tgz"), Err(Refusal::NotFound));
        assert_eq!(root.resolve_request("/sub"), Err(Refusal::NotFound));
        #[cfg(unix)]
        assert_eq!(root.resolve_request("/out.txt"), Err(Refusal::NotFound));
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type(Path::new("index.yaml")), "application/x-yaml");
        assert_eq!(content_type(Path::new("a-1.0.0.TGZ")), "application/gzip");
        assert_eq!(
            content_type(Path::new("a-1.0.0.tgz.prov")),
            "application/pgp-signature"
        );
        assert_eq!(
            content_type(Path::new("x.html")),
            "application/octet-stream"
        );
    }
}
