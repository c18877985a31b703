//! The flags every command that takes a chart reference shares (Helm's `ChartPathOptions`):
//! `--version`, `--devel`, `--repo` and the TLS/auth flags for downloads.

use clap::Args;

use crate::repo::RepoPaths;
use crate::repo::http::HttpOptions;
use crate::repo::reference::ResolveOptions;

/// Where a chart comes from when it is not a local path.
#[derive(Debug, Clone, Default, Args)]
pub struct ChartRefArgs {
    /// Version range of a repository chart (`1.2.3`, `^1.2`, `~1.2`, `>=1.0 <2`, `1.x`,
    /// `1.0 - 1.4`, `a || b`); the newest stable version when omitted.
    #[arg(long, value_name = "RANGE")]
    pub version: Option<String>,
    /// Consider pre-release versions too (ignored when --version is set).
    #[arg(long)]
    pub devel: bool,
    /// Chart repository URL to find the chart in (the chart argument is then a chart name).
    #[arg(long, value_name = "URL")]
    pub repo: Option<String>,
    /// Chart repository user (for --repo and URL downloads).
    #[arg(long)]
    pub username: Option<String>,
    /// Chart repository password.
    #[arg(long)]
    pub password: Option<String>,
    /// Send the credentials to every host, not only the repository's.
    #[arg(long)]
    pub pass_credentials: bool,
    /// Verify the server's certificate with this CA bundle.
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<String>,
    /// Client certificate for mutual TLS.
    #[arg(long, value_name = "FILE")]
    pub cert_file: Option<String>,
    /// Client key for mutual TLS.
    #[arg(long, value_name = "FILE")]
    pub key_file: Option<String>,
    /// Skip TLS certificate verification for the download.
    #[arg(long)]
    pub insecure_skip_tls_verify: bool,
}

impl ChartRefArgs {
    /// The resolver options these flags describe, with paths from the environment.
    pub fn to_options(&self) -> ResolveOptions {
        let version = self.version.clone().unwrap_or_default();
        ResolveOptions {
            // As Helm: --devel widens only the default range; an explicit range decides alone.
            devel: self.devel && version.is_empty(),
            version,
            repo_url: self.repo.clone(),
            http: HttpOptions {
                username: self.username.clone().unwrap_or_default(),
                password: self.password.clone().unwrap_or_default(),
                cert_file: self.cert_file.clone().unwrap_or_default(),
                key_file: self.key_file.clone().unwrap_or_default(),
                ca_file: self.ca_file.clone().unwrap_or_default(),
                insecure_skip_tls_verify: self.insecure_skip_tls_verify,
                pass_credentials_all: self.pass_credentials,
            },
            paths: RepoPaths::from_env(),
        }
    }
}
