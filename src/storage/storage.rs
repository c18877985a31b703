//! Helm's `Storage`: release history on top of a [`Driver`]: revisions sorted, the last one,
//! the deployed one, and `--history-max` pruning that never removes the deployed revision.

use super::{Driver, Labels, Listing, StorageError};
use crate::release::object::OWNER;
use crate::release::{Release, Status};

/// `--history-max` when not given (Helm's default).
pub const DEFAULT_HISTORY_MAX: usize = 10;

/// Release storage with history rules.
pub struct Storage {
    driver: Box<dyn Driver>,
    /// Revisions kept per release, including the new one; 0 keeps all.
    pub max_history: usize,
}

impl Storage {
    /// Storage over `driver`, keeping at most `max_history` revisions per release (0: no limit).
    pub fn new(driver: Box<dyn Driver>, max_history: usize) -> Storage {
        Storage {
            driver,
            max_history,
        }
    }

    /// The driver underneath.
    pub fn driver(&self) -> &dyn Driver {
        self.driver.as_ref()
    }

    /// Revision `version` of `name`.
    pub fn get(&self, name: &str, version: u64) -> Result<Release, StorageError> {
        self.driver.get(name, version)
    }

    /// Stores a new revision, first pruning the history to make room for it.
    pub fn create(&self, release: &Release) -> Result<(), StorageError> {
        if self.max_history > 0 {
            match self.prune(&release.name, self.max_history - 1) {
                Ok(()) | Err(StorageError::NotFound { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        self.driver.create(release)
    }

    /// Replaces a stored revision.
    pub fn update(&self, release: &Release) -> Result<(), StorageError> {
        self.driver.update(release)
    }

    /// Removes a revision, returning it.
    pub fn delete(&self, name: &str, version: u64) -> Result<Release, StorageError> {
        self.driver.delete(name, version)
    }

    /// Every revision of every release in scope.
    pub fn list_releases(&self) -> Result<Vec<Release>, StorageError> {
        self.driver.list(&|_| true)
    }

    /// Every revision for which `filter` holds, with the stored objects that did not decode.
    pub fn list_checked(&self, filter: &dyn Fn(&Release) -> bool) -> Result<Listing, StorageError> {
        self.driver.list_checked(filter)
    }

    /// Every revision whose status is `status`.
    pub fn list_with_status(&self, status: Status) -> Result<Vec<Release>, StorageError> {
        self.driver.list(&|r| r.info.status == status)
    }

    /// The revisions of `name`, oldest first; [`StorageError::NotFound`] when it has none.
    pub fn history(&self, name: &str) -> Result<Vec<Release>, StorageError> {
        let mut h = self.driver.query(&selector(name, None))?;
        h.sort_by_key(|r| r.version);
        Ok(h)
    }

    /// The latest revision of `name`, whatever its status.
    pub fn last(&self, name: &str) -> Result<Release, StorageError> {
        self.history(name)?
            .pop()
            .ok_or_else(|| StorageError::NotFound {
                object: format!("release {name:?}"),
            })
    }

    /// Every deployed revision of `name`, oldest first (more than one only after a crash).
    pub fn deployed_all(&self, name: &str) -> Result<Vec<Release>, StorageError> {
        match self.driver.query(&selector(name, Some(Status::Deployed))) {
            Ok(mut ls) => {
                ls.sort_by_key(|r| r.version);
                Ok(ls)
            }
            Err(StorageError::NotFound { .. }) => Err(StorageError::NoDeployedReleases {
                name: name.to_string(),
            }),
            Err(e) => Err(e),
        }
    }

    /// The deployed revision of `name` (the latest, if several claim to be).
    pub fn deployed(&self, name: &str) -> Result<Release, StorageError> {
        self.deployed_all(name)?
            .pop()
            .ok_or_else(|| StorageError::NoDeployedReleases {
                name: name.to_string(),
            })
    }

    /// Deletes the oldest revisions of `name` until at most `keep` remain, never the deployed
    /// one. Every deletion is attempted; the first failure is reported.
    pub fn prune(&self, name: &str, keep: usize) -> Result<(), StorageError> {
        let history = self.history(name)?;
        if history.len() <= keep {
            return Ok(());
        }
        let deployed = match self.deployed(name) {
            Ok(r) => Some(r.version),
            Err(StorageError::NoDeployedReleases { .. }) => None,
            Err(e) => return Err(e),
        };
        let excess = history.len() - keep;
        let doomed: Vec<u64> = history
            .iter()
            .map(|r| r.version)
            .filter(|v| Some(*v) != deployed)
            .take(excess)
            .collect();
        let mut first_error = None;
        let mut failures = 0;
        for version in &doomed {
            if let Err(e) = self.driver.delete(name, *version) {
                tracing::warn!("pruning {name} revision {version}: {e}");
                failures += 1;
                first_error.get_or_insert(e);
            }
        }
        tracing::debug!(
            "pruned {} record(s) of {name} with {failures} error(s)",
            doomed.len()
        );
        first_error.map_or(Ok(()), Err)
    }
}

fn selector(name: &str, status: Option<Status>) -> Labels {
    let mut labels = Labels::from([
        ("name".to_string(), name.to_string()),
        ("owner".to_string(), OWNER.to_string()),
    ]);
    if let Some(s) = status {
        labels.insert("status".into(), s.as_str().into());
    }
    labels
}
