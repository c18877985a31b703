//! Reading the files of a chart directory, as Helm's `LoadDir`: a walk in name order that
//! applies the root `.helmignore` (plus Helm's defaults), follows symbolic links that stay
//! inside the chart and refuses those that escape it, and refuses irregular files.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::chart::archive::{Budget, strip_bom};
use crate::chart::{ChartError, ChartFile, HelmIgnore};

/// The walk's fixed context.
struct Walk<'a> {
    /// The chart root, canonical (symlinks resolved), to decide what "inside" means.
    root: PathBuf,
    /// How the chart is named in errors (the path as given).
    source: &'a str,
    /// The root `.helmignore` with Helm's defaults.
    rules: HelmIgnore,
}

/// Reads every non-ignored file under `dir`, named relative to it with `/` separators, sorted.
pub(super) fn read_dir_files(
    dir: &Path,
    source: &str,
    budget: &mut Budget,
) -> Result<Vec<ChartFile>, ChartError> {
    let io_err = |path: &Path| {
        let path = path.display().to_string();
        move |source| ChartError::Io { path, source }
    };
    let root = fs::canonicalize(dir).map_err(io_err(dir))?;
    let mut rules = HelmIgnore::default();
    let ignore_file = dir.join(".helmignore");
    if fs::symlink_metadata(&ignore_file).is_ok() {
        let label = format!("{source}/.helmignore");
        let real = fs::canonicalize(&ignore_file).map_err(io_err(&ignore_file))?;
        if !real.starts_with(&root) {
            return Err(escaping_link(&label, &real));
        }
        let text = fs::read_to_string(&real).map_err(io_err(&ignore_file))?;
        rules = HelmIgnore::try_parse(&text, &label)?;
    }
    rules.add_defaults();
    let walk = Walk {
        root: root.clone(),
        source,
        rules,
    };
    let mut files = Vec::new();
    let mut stack = vec![root.clone()];
    walk.dir(&root, "", &mut stack, budget, &mut files)?;
    files.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(files)
}

impl Walk<'_> {
    /// Walks one directory (`real` on disk, `rel` inside the chart); `stack` holds the canonical
    /// directories being walked, to refuse a symbolic link loop.
    fn dir(
        &self,
        real: &Path,
        rel: &str,
        stack: &mut Vec<PathBuf>,
        budget: &mut Budget,
        files: &mut Vec<ChartFile>,
    ) -> Result<(), ChartError> {
        let label = |rel: &str| {
            if rel.is_empty() {
                self.source.to_string()
            } else {
                format!("{}/{rel}", self.source)
            }
        };
        let io = |rel: &str| {
            let path = label(rel);
            move |source| ChartError::Io { path, source }
        };
        let mut entries = fs::read_dir(real)
            .map_err(io(rel))?
            .collect::<Result<Vec<_>, _>>()
            .map_err(io(rel))?;
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            let name = entry.file_name();
            let Some(name) = name.to_str() else {
                return Err(ChartError::Invalid {
                    path: label(rel),
                    message: format!("file name {name:?} is not valid UTF-8"),
                });
            };
            let child_rel = if rel.is_empty() {
                name.to_string()
            } else {
                format!("{rel}/{name}")
            };
            let kind = entry.file_type().map_err(io(&child_rel))?;
            // Resolve symbolic links first: whether the target is a directory decides which
            // ignore rules apply, and an ignored link is skipped even if it escapes.
            let (path, is_dir, link_target) = if kind.is_symlink() {
                match fs::canonicalize(entry.path()) {
                    Ok(target) => {
                        let is_dir = target.is_dir();
                        (target.clone(), is_dir, Some(Ok(target)))
                    }
                    Err(e) => (entry.path(), false, Some(Err(e))),
                }
            } else {
                (entry.path(), kind.is_dir(), None)
            };
            if self.rules.is_ignored(&child_rel, is_dir) {
                continue;
            }
            match link_target {
                Some(Err(e)) => {
                    return Err(ChartError::Invalid {
                        path: label(&child_rel),
                        message: format!("symbolic link cannot be followed: {e}"),
                    });
                }
                Some(Ok(target)) if !target.starts_with(&self.root) => {
                    return Err(escaping_link(&label(&child_rel), &target));
                }
                _ => {}
            }
            if budget.entries_left == 0 {
                return Err(ChartError::Invalid {
                    path: label(&child_rel),
                    message: budget.too_many(),
                });
            }
            budget.entries_left -= 1;
            if is_dir {
                if stack.contains(&path) {
                    return Err(ChartError::Invalid {
                        path: label(&child_rel),
                        message: "symbolic link loop (points to a directory that contains it)"
                            .into(),
                    });
                }
                stack.push(path.clone());
                self.dir(&path, &child_rel, stack, budget, files)?;
                stack.pop();
                continue;
            }
            let meta = fs::metadata(&path).map_err(io(&child_rel))?;
            if !meta.is_file() {
                return Err(ChartError::Invalid {
                    path: label(&child_rel),
                    message: "cannot load an irregular file (device, socket or FIFO)".into(),
                });
            }
            if meta.len() > budget.bytes_left {
                return Err(ChartError::Invalid {
                    path: label(&child_rel),
                    message: budget.too_big(),
                });
            }
            let mut data = Vec::with_capacity(meta.len() as usize);
            fs::File::open(&path)
                .and_then(|f| f.take(budget.bytes_left + 1).read_to_end(&mut data))
                .map_err(io(&child_rel))?;
            if data.len() as u64 > budget.bytes_left {
                return Err(ChartError::Invalid {
                    path: label(&child_rel),
                    message: budget.too_big(),
                });
            }
            budget.bytes_left -= data.len() as u64;
            files.push(ChartFile {
                name: child_rel,
                data: strip_bom(data),
            });
        }
        Ok(())
    }
}

/// The error for a symbolic link whose target is outside the chart.
fn escaping_link(label: &str, target: &Path) -> ChartError {
    ChartError::Invalid {
        path: label.to_string(),
        message: format!(
            "symbolic link points outside the chart (to {}); refusing to follow it",
            target.display()
        ),
    }
}
