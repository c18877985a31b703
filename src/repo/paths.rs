//! Where the repository client keeps its files, as Helm's `helmpath` decides them: XDG base
//! directories (`~/.config/rudder`, `~/.cache/rudder`, `~/.local/share/rudder`), each overridable
//! by an environment variable, plus the two files Helm users look for: `repositories.yaml` and
//! the index cache directory (`NAME-index.yaml`, `NAME-charts.txt`).

use std::path::{Path, PathBuf};

/// The directories and files of one rudder installation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoPaths {
    /// `RUDDER_CONFIG_HOME`, else `$XDG_CONFIG_HOME/rudder`, else `~/.config/rudder`.
    pub config_home: PathBuf,
    /// `RUDDER_CACHE_HOME`, else `$XDG_CACHE_HOME/rudder`, else `~/.cache/rudder`.
    pub cache_home: PathBuf,
    /// `RUDDER_DATA_HOME`, else `$XDG_DATA_HOME/rudder`, else `~/.local/share/rudder`.
    pub data_home: PathBuf,
    /// `RUDDER_REPOSITORY_CONFIG`, else `CONFIG_HOME/repositories.yaml`.
    pub repository_config: PathBuf,
    /// `RUDDER_REPOSITORY_CACHE`, else `CACHE_HOME/repository`.
    pub repository_cache: PathBuf,
}

impl RepoPaths {
    /// The paths from the process environment.
    pub fn from_env() -> Self {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// The paths from an arbitrary variable lookup (empty values count as unset, as in Helm).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let var = |k: &str| lookup(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        let home = var("HOME").unwrap_or_else(|| PathBuf::from("."));
        let base = |rudder: &str, xdg: &str, fallback: &[&str]| {
            var(rudder).unwrap_or_else(|| {
                var(xdg)
                    .unwrap_or_else(|| fallback.iter().fold(home.clone(), |p, s| p.join(s)))
                    .join("rudder")
            })
        };
        let config_home = base("RUDDER_CONFIG_HOME", "XDG_CONFIG_HOME", &[".config"]);
        let cache_home = base("RUDDER_CACHE_HOME", "XDG_CACHE_HOME", &[".cache"]);
        let data_home = base("RUDDER_DATA_HOME", "XDG_DATA_HOME", &[".local", "share"]);
        RepoPaths {
            repository_config: var("RUDDER_REPOSITORY_CONFIG")
                .unwrap_or_else(|| config_home.join("repositories.yaml")),
            repository_cache: var("RUDDER_REPOSITORY_CACHE")
                .unwrap_or_else(|| cache_home.join("repository")),
            config_home,
            cache_home,
            data_home,
        }
    }

    /// The cached `index.yaml` of repository `name`, as Helm names it.
    pub fn index_file(&self, name: &str) -> PathBuf {
        self.repository_cache.join(format!("{name}-index.yaml"))
    }

    /// The cached list of chart names of repository `name` (Helm's `NAME-charts.txt`).
    pub fn charts_file(&self, name: &str) -> PathBuf {
        self.repository_cache.join(format!("{name}-charts.txt"))
    }

    /// rudder's compact form of the parsed index and its HTTP validators (rudder only).
    pub fn compact_file(&self, name: &str) -> PathBuf {
        self.repository_cache
            .join(format!("{name}-index.rudder.json"))
    }

    /// Where downloaded chart archives are kept, one file per sha256 digest.
    pub fn archive_dir(&self) -> PathBuf {
        self.cache_home.join("archives")
    }

    /// The cached archive with this sha256 digest (hex).
    pub fn archive_file(&self, digest: &str) -> PathBuf {
        self.archive_dir().join(format!("sha256-{digest}.tgz"))
    }
}

/// Writes `bytes` to `path` atomically with mode 0600 (see [`crate::atomic::write`]): the
/// client's files can hold credentials or reveal private repositories.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    crate::atomic::write(path, bytes, crate::atomic::Access::Private)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(vars: &[(&str, &str)]) -> RepoPaths {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        RepoPaths::from_lookup(move |k| vars.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
    }

    #[test]
    fn defaults_follow_xdg_under_home() {
        let p = paths(&[("HOME", "/h")]);
        assert_eq!(p.config_home, PathBuf::from("/h/.config/rudder"));
        assert_eq!(p.cache_home, PathBuf::from("/h/.cache/rudder"));
        assert_eq!(p.data_home, PathBuf::from("/h/.local/share/rudder"));
        assert_eq!(
            p.repository_config,
            PathBuf::from("/h/.config/rudder/repositories.yaml")
        );
        assert_eq!(
            p.index_file("x"),
            PathBuf::from("/h/.cache/rudder/repository/x-index.yaml")
        );
        assert_eq!(
            p.charts_file("x"),
            PathBuf::from("/h/.cache/rudder/repository/x-charts.txt")
        );
    }

    #[test]
    fn xdg_and_rudder_variables_override() {
        let p = paths(&[
            ("HOME", "/h"),
            ("XDG_CONFIG_HOME", "/xc"),
            ("XDG_CACHE_HOME", "/xk"),
            ("RUDDER_DATA_HOME", "/d"),
            ("RUDDER_REPOSITORY_CACHE", "/rc"),
            ("RUDDER_CONFIG_HOME", ""),
        ]);
        assert_eq!(p.config_home, PathBuf::from("/xc/rudder"));
        assert_eq!(p.cache_home, PathBuf::from("/xk/rudder"));
        assert_eq!(p.data_home, PathBuf::from("/d"));
        assert_eq!(p.index_file("x"), PathBuf::from("/rc/x-index.yaml"));
        let p = paths(&[("RUDDER_REPOSITORY_CONFIG", "/r.yaml")]);
        assert_eq!(p.repository_config, PathBuf::from("/r.yaml"));
    }

    #[test]
    fn write_atomic_replaces_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a/b.txt");
        write_atomic(&f, b"one").unwrap();
        write_atomic(&f, b"two").unwrap();
        assert_eq!(std::fs::read(&f).unwrap(), b"two");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&f).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(std::fs::read_dir(dir.path().join("a")).unwrap().count(), 1);
    }
}
