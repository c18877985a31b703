//! `rudder repo remove NAME...`: forget repositories and delete their cached indexes (Helm's
//! `repo remove`). All names are checked before anything changes.

use super::ActionError;
use crate::repo::{RepoError, RepoFile, RepoPaths, cache};

/// Removes the repositories `names`; an unknown name is an error and nothing is removed.
pub fn run(paths: &RepoPaths, names: &[String]) -> Result<(), ActionError> {
    let config_path = &paths.repository_config;
    let mut file = match RepoFile::load(config_path) {
        Err(RepoError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            return Err(RepoError::Invalid("no repositories configured".into()).into());
        }
        other => other?,
    };
    for name in names {
        if file.get(name).is_none() {
            return Err(RepoError::Invalid(format!("no repo named {name:?} found")).into());
        }
    }
    for name in names {
        file.remove(name);
    }
    file.save(config_path)?;
    for name in names {
        cache::remove_index(paths, name)?;
    }
    Ok(())
}
