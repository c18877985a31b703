//! Which cluster, context and namespace a run talks to, resolved as kubectl does: the
//! kubeconfig from `--kubeconfig` (that file alone), else every file of `$KUBECONFIG` (`:`
//! separated, missing files skipped, the first file to set a value wins), else
//! `~/.kube/config`; the context from `--kube-context`, else `current-context`; the namespace
//! from `-n/--namespace`, else `$RUDDER_NAMESPACE`, else the context's, else `default`.

use std::path::{Path, PathBuf};

use kube::config::{KubeConfigOptions, Kubeconfig};

/// What the user asked for on the command line (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KubeOptions {
    /// `--kubeconfig`: use this file only.
    pub kubeconfig: Option<PathBuf>,
    /// `--kube-context`: use this context instead of the current one.
    pub context: Option<String>,
    /// `-n/--namespace`.
    pub namespace: Option<String>,
}

/// The environment resolution reads, injectable so the rules can be tested without touching the
/// process environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KubeEnv {
    /// `$KUBECONFIG`.
    pub kubeconfig: Option<String>,
    /// `$RUDDER_NAMESPACE`.
    pub namespace: Option<String>,
    /// The home directory (for `~/.kube/config`).
    pub home: Option<PathBuf>,
}

impl KubeEnv {
    /// Reads the process environment.
    pub fn from_process() -> KubeEnv {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        KubeEnv {
            kubeconfig: var("KUBECONFIG"),
            namespace: var("RUDDER_NAMESPACE"),
            home: var("HOME").map(PathBuf::from),
        }
    }
}

/// Why the kubeconfig could not be resolved; each message names the file(s).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// No kubeconfig file exists where we looked.
    #[error("no kubeconfig found: {0} (pass --kubeconfig or set KUBECONFIG)")]
    NotFound(String),
    /// A kubeconfig file cannot be read or parsed.
    #[error("kubeconfig {path}: {message}")]
    Unreadable {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The asked-for context is not defined.
    #[error("kubeconfig {source_files}: no context {context:?}")]
    NoContext {
        /// The file(s) the kubeconfig came from.
        source_files: String,
        /// The context name.
        context: String,
    },
    /// No context was asked for and the kubeconfig sets no current-context.
    #[error("kubeconfig {0}: no current-context is set (pass --kube-context)")]
    NoCurrentContext(String),
    /// The context names a cluster that is not defined, or one without a server.
    #[error("kubeconfig {source_files}: context {context:?}: {message}")]
    BadContext {
        /// The file(s) the kubeconfig came from.
        source_files: String,
        /// The context name.
        context: String,
        /// What is wrong with it.
        message: String,
    },
}

/// A resolved kubeconfig: what to connect to and which namespace is the default.
#[derive(Debug, Clone)]
pub struct ResolvedConfig {
    /// The file(s) it came from, `:`-joined (for messages).
    pub source: String,
    /// The merged kubeconfig.
    pub kubeconfig: Kubeconfig,
    /// The context in use.
    pub context: String,
    /// The namespace in use (flag > `$RUDDER_NAMESPACE` > context > `default`).
    pub namespace: String,
    /// The API server URL of the context's cluster.
    pub server: String,
}

/// Resolves options and environment to a kubeconfig, context, namespace and server.
pub fn resolve(opts: &KubeOptions, env: &KubeEnv) -> Result<ResolvedConfig, ConfigError> {
    let (kubeconfig, source) = load(opts, env)?;
    let context = match &opts.context {
        Some(c) => c.clone(),
        None => kubeconfig
            .current_context
            .clone()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| ConfigError::NoCurrentContext(source.clone()))?,
    };
    let ctx = kubeconfig
        .contexts
        .iter()
        .find(|c| c.name == context)
        .ok_or_else(|| ConfigError::NoContext {
            source_files: source.clone(),
            context: context.clone(),
        })?;
    let bad = |message: String| ConfigError::BadContext {
        source_files: source.clone(),
        context: context.clone(),
        message,
    };
    let ctx_body = ctx
        .context
        .as_ref()
        .ok_or_else(|| bad("the context is empty".into()))?;
    let cluster = kubeconfig
        .clusters
        .iter()
        .find(|c| c.name == ctx_body.cluster)
        .ok_or_else(|| bad(format!("no cluster {:?}", ctx_body.cluster)))?;
    let server = cluster
        .cluster
        .as_ref()
        .and_then(|c| c.server.clone())
        .filter(|s| !s.is_empty())
        .ok_or_else(|| bad(format!("cluster {:?} has no server", cluster.name)))?;
    let namespace = opts
        .namespace
        .clone()
        .filter(|n| !n.is_empty())
        .or_else(|| env.namespace.clone().filter(|n| !n.is_empty()))
        .or_else(|| ctx_body.namespace.clone().filter(|n| !n.is_empty()))
        .unwrap_or_else(|| "default".to_string());
    Ok(ResolvedConfig {
        source,
        kubeconfig,
        context,
        namespace,
        server,
    })
}

impl ResolvedConfig {
    /// The `kube` client configuration for the chosen context (credentials, TLS, proxy), with
    /// the resolved namespace as its default.
    pub async fn client_config(&self) -> Result<kube::Config, ConfigError> {
        let options = KubeConfigOptions {
            context: Some(self.context.clone()),
            ..KubeConfigOptions::default()
        };
        let mut config = kube::Config::from_custom_kubeconfig(self.kubeconfig.clone(), &options)
            .await
            .map_err(|e| ConfigError::BadContext {
                source_files: self.source.clone(),
                context: self.context.clone(),
                message: e.to_string(),
            })?;
        config.default_namespace = self.namespace.clone();
        Ok(config)
    }
}

/// Reads the kubeconfig file(s) the options and environment point at, merged.
fn load(opts: &KubeOptions, env: &KubeEnv) -> Result<(Kubeconfig, String), ConfigError> {
    if let Some(path) = &opts.kubeconfig {
        if !path.is_file() {
            return Err(ConfigError::Unreadable {
                path: path.display().to_string(),
                message: "no such file".into(),
            });
        }
        return Ok((read(path)?, path.display().to_string()));
    }
    let paths: Vec<PathBuf> = match &env.kubeconfig {
        Some(list) => std::env::split_paths(list)
            .filter(|p| !p.as_os_str().is_empty())
            .collect(),
        None => match &env.home {
            Some(home) => vec![home.join(".kube").join("config")],
            None => Vec::new(),
        },
    };
    let existing: Vec<&PathBuf> = paths.iter().filter(|p| p.is_file()).collect();
    if existing.is_empty() {
        let looked = if paths.is_empty() {
            "HOME is not set and KUBECONFIG is empty".to_string()
        } else {
            format!("looked in {}", join(&paths))
        };
        return Err(ConfigError::NotFound(looked));
    }
    let mut merged: Option<Kubeconfig> = None;
    for path in &existing {
        let next = read(path)?;
        merged = Some(match merged {
            None => next,
            Some(m) => m.merge(next).map_err(|e| ConfigError::Unreadable {
                path: path.display().to_string(),
                message: e.to_string(),
            })?,
        });
    }
    let source = join(&existing.into_iter().cloned().collect::<Vec<_>>());
    merged
        .map(|m| (m, source.clone()))
        .ok_or(ConfigError::NotFound(source))
}

fn read(path: &Path) -> Result<Kubeconfig, ConfigError> {
    Kubeconfig::read_from(path).map_err(|e| ConfigError::Unreadable {
        path: path.display().to_string(),
        message: innermost(&e),
    })
}

fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut last = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        last = s.to_string();
        cur = s.source();
    }
    last
}

fn join(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kubeconfig(
        current: &str,
        contexts: &[(&str, &str, Option<&str>)],
        clusters: &[(&str, &str)],
    ) -> String {
        let mut s = String::from("apiVersion: v1\nkind: Config\nclusters:\n");
        for (name, server) in clusters {
            s += &format!("- name: {name}\n  cluster:\n    server: {server}\n");
        }
        s += "users:\n- name: u\n  user: {}\ncontexts:\n";
        for (name, cluster, ns) in contexts {
            s += &format!("- name: {name}\n  context:\n    cluster: {cluster}\n    user: u\n");
            if let Some(ns) = ns {
                s += &format!("    namespace: {ns}\n");
            }
        }
        if !current.is_empty() {
            s += &format!("current-context: {current}\n");
        }
        s
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn flag_file_current_context_and_namespace_order() {
        let dir = tempfile::tempdir().unwrap();
        let a = write(
            dir.path(),
            "a",
            &kubeconfig(
                "one",
                &[("one", "c1", Some("ctx-ns")), ("two", "c2", None)],
                &[("c1", "https://one:6443"), ("c2", "https://two:6443")],
            ),
        );
        let opts = KubeOptions {
            kubeconfig: Some(a.clone()),
            ..Default::default()
        };
        let env = KubeEnv::default();
        let r = resolve(&opts, &env).unwrap();
        assert_eq!(
            (r.context.as_str(), r.namespace.as_str(), r.server.as_str()),
            ("one", "ctx-ns", "https://one:6443")
        );
        let env_ns = KubeEnv {
            namespace: Some("env-ns".into()),
            ..Default::default()
        };
        assert_eq!(resolve(&opts, &env_ns).unwrap().namespace, "env-ns");
        let flag_ns = KubeOptions {
            namespace: Some("flag-ns".into()),
            ..opts.clone()
        };
        assert_eq!(resolve(&flag_ns, &env_ns).unwrap().namespace, "flag-ns");
        let two = KubeOptions {
            context: Some("two".into()),
            ..opts.clone()
        };
        let r = resolve(&two, &KubeEnv::default()).unwrap();
        assert_eq!(
            (r.namespace.as_str(), r.server.as_str()),
            ("default", "https://two:6443")
        );
        let missing = KubeOptions {
            context: Some("foo".into()),
            ..opts
        };
        assert_eq!(
            resolve(&missing, &env).unwrap_err().to_string(),
            format!("kubeconfig {}: no context \"foo\"", a.display())
        );
    }

    #[test]
    fn kubeconfig_env_merges_first_wins_and_skips_missing() {
        let dir = tempfile::tempdir().unwrap();
        let a = write(
            dir.path(),
            "a",
            &kubeconfig("", &[("one", "c1", None)], &[("c1", "https://a:1")]),
        );
        let b = write(
            dir.path(),
            "b",
            &kubeconfig(
                "two",
                &[("one", "c1", Some("ignored")), ("two", "c2", None)],
                &[("c1", "https://b:1"), ("c2", "https://b:2")],
            ),
        );
        let list = format!(
            "{}:{}:{}",
            a.display(),
            dir.path().join("missing").display(),
            b.display()
        );
        let env = KubeEnv {
            kubeconfig: Some(list),
            home: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        // current-context comes from b (a sets none); "one" keeps a's definition.
        let r = resolve(&KubeOptions::default(), &env).unwrap();
        assert_eq!(
            (r.context.as_str(), r.server.as_str()),
            ("two", "https://b:2")
        );
        assert_eq!(r.source, format!("{}:{}", a.display(), b.display()));
        let one = KubeOptions {
            context: Some("one".into()),
            ..Default::default()
        };
        let r = resolve(&one, &env).unwrap();
        assert_eq!(
            (r.server.as_str(), r.namespace.as_str()),
            ("https://a:1", "default")
        );
    }

    #[test]
    fn home_default_and_clear_errors() {
        let dir = tempfile::tempdir().unwrap();
        let env = KubeEnv {
            home: Some(dir.path().to_path_buf()),
            ..Default::default()
        };
        let err = resolve(&KubeOptions::default(), &env)
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("no kubeconfig found: looked in "), "{err}");
        assert!(err.contains(".kube/config"), "{err}");
        std::fs::create_dir_all(dir.path().join(".kube")).unwrap();
        let cfg = write(
            &dir.path().join(".kube"),
            "config",
            &kubeconfig("", &[("one", "c1", None)], &[("c1", "https://h:1")]),
        );
        assert_eq!(
            resolve(&KubeOptions::default(), &env)
                .unwrap_err()
                .to_string(),
            format!(
                "kubeconfig {}: no current-context is set (pass --kube-context)",
                cfg.display()
            )
        );
        let dangling = write(
            dir.path(),
            "d",
            &kubeconfig("x", &[("x", "nope", None)], &[("c1", "https://h:1")]),
        );
        let opts = KubeOptions {
            kubeconfig: Some(dangling.clone()),
            ..Default::default()
        };
        assert_eq!(
            resolve(&opts, &env).unwrap_err().to_string(),
            format!(
                "kubeconfig {}: context \"x\": no cluster \"nope\"",
                dangling.display()
            )
        );
        let broken = write(dir.path(), "broken", "clusters: [unclosed\n");
        let opts = KubeOptions {
            kubeconfig: Some(broken.clone()),
            ..Default::default()
        };
        let err = resolve(&opts, &env).unwrap_err().to_string();
        assert!(
            err.starts_with(&format!("kubeconfig {}: ", broken.display())),
            "{err}"
        );
        let opts = KubeOptions {
            kubeconfig: Some(dir.path().join("absent")),
            ..Default::default()
        };
        assert!(
            resolve(&opts, &env)
                .unwrap_err()
                .to_string()
                .ends_with("absent: no such file")
        );
    }
}
