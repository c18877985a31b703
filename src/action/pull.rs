//! `rudder pull REF`: download a chart (verified against its repository's digest) into a
//! directory, as an archive or unpacked (`--untar`). Nothing is left half-written: the archive
//! is renamed into place, the unpacked chart is written to a temporary directory first.

use std::path::{Path, PathBuf};

use super::ActionError;
use crate::chart::ArchiveLimits;
use crate::repo::RepoError;
use crate::repo::paths::write_atomic;
use crate::repo::reference::{ChartRef, ResolveOptions, resolve};

/// What to pull and where.
#[derive(Debug, Clone)]
pub struct PullRequest {
    /// `REPO/NAME`, a chart name with `--repo`, or an http(s) URL.
    pub reference: String,
    /// Version range, devel, TLS/auth, paths.
    pub resolve: ResolveOptions,
    /// `-d/--destination` (default `.`).
    pub destination: PathBuf,
    /// `--untar`: unpack the chart instead of saving the archive.
    pub untar: bool,
    /// `--untardir` (default `.`), relative to the destination unless absolute.
    pub untar_dir: PathBuf,
}

/// Downloads the chart; returns the archive written or the directory unpacked.
pub fn run(req: &PullRequest) -> Result<PathBuf, ActionError> {
    if let ChartRef::Local(p) = ChartRef::parse(&req.reference, req.resolve.repo_url.as_deref())? {
        return Err(RepoError::Invalid(format!(
            "{}: pull takes REPO/NAME, a chart name with --repo, or an http(s) URL, not a local path",
            p.display()
        ))
        .into());
    }
    let resolved = resolve(&req.reference, &req.resolve)?;
    let bytes = std::fs::read(&resolved.path).map_err(|e| ActionError::io(&resolved.path, e))?;
    if req.untar {
        let dir = if req.untar_dir.is_absolute() {
            req.untar_dir.clone()
        } else {
            req.destination.join(&req.untar_dir)
        };
        return untar(&bytes, &req.reference, &dir);
    }
    let name = resolved.file_name.unwrap_or_else(|| "chart.tgz".into());
    let target = req.destination.join(&name);
    write_atomic(&target, &bytes).map_err(|e| ActionError::io(&target, e))?;
    set_mode(&target, 0o644);
    Ok(target)
}

/// Unpacks a chart archive into `dir/<chart>`: every entry is checked (no absolute paths, no
/// `..`, no links, size caps) before anything is written, into a temporary directory renamed
/// into place at the end.
fn untar(bytes: &[u8], source: &str, dir: &Path) -> Result<PathBuf, ActionError> {
    // `dest/.` → `dest`: creating a directory through a trailing `.` fails when it is new.
    let dir: PathBuf = dir.components().collect();
    let dir = dir.as_path();
    let mut budget = crate::chart::archive::Budget::new(&ArchiveLimits::default());
    let (top, files) = crate::chart::archive::read_archive_with(source, bytes, &mut budget)?;
    let target = dir.join(&top);
    if target.exists() {
        return Err(RepoError::Invalid(format!(
            "failed to untar: a file or directory with the name {} already exists",
            target.display()
        ))
        .into());
    }
    std::fs::create_dir_all(dir).map_err(|e| ActionError::io(dir, e))?;
    let tmp = dir.join(format!(".{top}.{}.tmp", uuid::Uuid::new_v4().simple()));
    let written = (|| {
        for f in &files {
            let path = tmp.join(&f.name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(|e| ActionError::io(parent, e))?;
            }
            std::fs::write(&path, &f.data).map_err(|e| ActionError::io(&path, e))?;
        }
        std::fs::create_dir_all(&tmp).map_err(|e| ActionError::io(&tmp, e))?;
        std::fs::rename(&tmp, &target).map_err(|e| ActionError::io(&target, e))
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&tmp);
        return Err(e);
    }
    Ok(target)
}

fn set_mode(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}
