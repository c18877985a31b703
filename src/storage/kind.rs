//! Choosing the driver: `--driver`, else `RUDDER_DRIVER`, else `secret`, with the names Helm's
//! `HELM_DRIVER` accepts.

use std::fmt;
use std::str::FromStr;

/// The environment variable naming the driver when `--driver` is not given.
pub const DRIVER_ENV: &str = "RUDDER_DRIVER";

/// The storage backends rudder offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DriverKind {
    /// Secrets in the release namespace (Helm's default).
    #[default]
    Secret,
    /// ConfigMaps in the release namespace.
    ConfigMap,
    /// In-process memory (nothing persists; for dry runs and tests).
    Memory,
}

/// A driver name that is not one of ours.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}: unknown storage driver {name:?} (expected secret, configmap or memory)")]
pub struct UnknownDriver {
    /// Where the name came from: `--driver` or `RUDDER_DRIVER`.
    pub source_name: String,
    /// The name given.
    pub name: String,
}

impl DriverKind {
    /// The canonical name (`secret`, `configmap`, `memory`).
    pub fn as_str(self) -> &'static str {
        match self {
            DriverKind::Secret => "secret",
            DriverKind::ConfigMap => "configmap",
            DriverKind::Memory => "memory",
        }
    }

    /// The driver from the flag, else from `env` (the value of [`DRIVER_ENV`]), else the
    /// default; an empty value counts as unset, as Helm's does.
    pub fn resolve(flag: Option<&str>, env: Option<&str>) -> Result<DriverKind, UnknownDriver> {
        let (source, name) = match (flag, env) {
            (Some(f), _) if !f.is_empty() => ("--driver", f),
            (_, Some(e)) if !e.is_empty() => (DRIVER_ENV, e),
            _ => return Ok(DriverKind::default()),
        };
        name.parse().map_err(|_| UnknownDriver {
            source_name: source.to_string(),
            name: name.to_string(),
        })
    }

    /// [`DriverKind::resolve`] with the process environment.
    pub fn from_flag_or_env(flag: Option<&str>) -> Result<DriverKind, UnknownDriver> {
        let env = std::env::var(DRIVER_ENV).ok();
        DriverKind::resolve(flag, env.as_deref())
    }
}

impl FromStr for DriverKind {
    type Err = UnknownDriver;

    /// Helm's spellings: `secret`/`secrets`, `configmap`/`configmaps`, `memory`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "secret" | "secrets" => Ok(DriverKind::Secret),
            "configmap" | "configmaps" => Ok(DriverKind::ConfigMap),
            "memory" => Ok(DriverKind::Memory),
            other => Err(UnknownDriver {
                source_name: "driver".into(),
                name: other.into(),
            }),
        }
    }
}

impl fmt::Display for DriverKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
