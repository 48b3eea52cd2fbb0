//! The server's configuration, apart from the CLI's: [`Layer`]s from the
//! command line (each flag also read from a documented `CUSTODY_*` variable)
//! and an optional TOML file stack into one [`ServerConfig`], checked once at
//! start, so a wrong setting stops the server with a message that names it.
//! The database URL is a [`DatabaseUrl`], which never prints its password.

mod layer;
mod secret;

use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::time::Duration;

pub use layer::Layer;
pub use secret::DatabaseUrl;

use crate::client_address::TrustedProxies;
use crate::evidence::{DEFAULT_MAX_EVIDENCE_BYTES, MAX_EVIDENCE_LIMIT};
use crate::notify::guard::WebhookGuard;
use crate::settings::{DEFAULT_BIND, default_database_url, evidence_dir_for, signing_key_path_for};

/// A setting that cannot be used, said so that it can be fixed.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One human-readable line per event (the default).
    Text,
    /// One JSON object per event, for log collectors.
    Json,
}

/// The most connections a pool may be given.
const MAX_POOL_SIZE: u32 = 1000;
/// The longest wait for in-flight requests at shutdown.
const MAX_SHUTDOWN_SECONDS: u64 = 3600;
/// The wait for in-flight requests at shutdown unless configured.
const DEFAULT_SHUTDOWN_SECONDS: u64 = 30;

/// Where attachments are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Vault {
    /// A directory of this machine (the default).
    Dir(PathBuf),
    /// An S3-compatible bucket, `s3://BUCKET[/PREFIX]`, that replicas share.
    S3(String),
}

/// Everything `custody server` runs with, checked.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    pub bind: SocketAddr,
    pub database_url: DatabaseUrl,
    /// At most this many database connections (the store's default when unset).
    pub pool_size: Option<u32>,
    /// Where users reach the web UI; the bind address when unset.
    pub public_url: Option<String>,
    pub evidence: Vault,
    pub max_evidence_bytes: usize,
    pub signing_key: PathBuf,
    pub log_format: LogFormat,
    /// How long in-flight requests may run on after SIGTERM or SIGINT.
    pub shutdown_timeout: Duration,
    /// Load the demo organization before serving.
    pub demo: bool,
    /// Where actions' webhooks may go besides public addresses.
    pub webhooks: WebhookGuard,
    /// The load balancers or proxies in front, believed about client addresses.
    pub trusted_proxies: TrustedProxies,
}

impl ServerConfig {
    /// Checks the stacked settings and fills in the defaults.
    pub fn from_layer(layer: Layer) -> Result<ServerConfig, ConfigError> {
        let bind = bind_address(layer.bind.as_deref().unwrap_or(DEFAULT_BIND))?;
        let url = match layer.database_url {
            Some(url) => database_url(url)?,
            None => default_database_url().map_err(|e| {
                ConfigError(format!("cannot make the default database directory: {e}"))
            })?,
        };
        let pool_size = layer.pool_size.map(pool_size).transpose()?;
        let public_url = layer.public_url.map(public_url).transpose()?;
        let max_evidence_bytes = layer
            .max_evidence_bytes
            .unwrap_or(DEFAULT_MAX_EVIDENCE_BYTES);
        if max_evidence_bytes == 0 || max_evidence_bytes > MAX_EVIDENCE_LIMIT {
            return Err(ConfigError(format!(
                "max_evidence_bytes must be between 1 and {MAX_EVIDENCE_LIMIT} (16 GiB), not {max_evidence_bytes}"
            )));
        }
        let log_format = match layer.log_format.as_deref().unwrap_or("text") {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            other => {
                return Err(ConfigError(format!(
                    "log_format must be text or json, not '{other}'"
                )));
            }
        };
        let seconds = layer.shutdown_timeout.unwrap_or(DEFAULT_SHUTDOWN_SECONDS);
        if seconds > MAX_SHUTDOWN_SECONDS {
            return Err(ConfigError(format!(
                "shutdown_timeout is in seconds, at most {MAX_SHUTDOWN_SECONDS}, not {seconds}"
            )));
        }
        let evidence = match (layer.evidence_dir, layer.evidence_store) {
            (Some(_), Some(_)) => {
                return Err(ConfigError(
                    "evidence_dir and evidence_store both name an evidence vault: give one".into(),
                ));
            }
            (None, Some(store)) => Vault::S3(evidence_store(store)?),
            (dir, None) => Vault::Dir(dir.unwrap_or_else(|| evidence_dir_for(&url))),
        };
        Ok(ServerConfig {
            bind,
            evidence,
            signing_key: layer
                .signing_key
                .unwrap_or_else(|| signing_key_path_for(&url)),
            database_url: DatabaseUrl::new(url),
            pool_size,
            public_url,
            max_evidence_bytes,
            log_format,
            shutdown_timeout: Duration::from_secs(seconds),
            demo: layer.demo.unwrap_or(false),
            webhooks: WebhookGuard::allowing(&layer.webhook_allow.unwrap_or_default())
                .map_err(ConfigError)?,
            trusted_proxies: TrustedProxies::parse(&layer.trusted_proxies.unwrap_or_default())
                .map_err(ConfigError)?,
        })
    }
}

fn bind_address(text: &str) -> Result<SocketAddr, ConfigError> {
    let wrong = |why: String| {
        ConfigError(format!(
            "bind address '{text}' {why}: use HOST:PORT, such as 127.0.0.1:8080 or 0.0.0.0:8080"
        ))
    };
    text.to_socket_addrs()
        .map_err(|e| wrong(format!("cannot be used ({e})")))?
        .next()
        .ok_or_else(|| wrong("names no address".into()))
}

/// A database URL the store can open (the store checks the rest).
pub fn database_url(url: String) -> Result<String, ConfigError> {
    let known = ["sqlite:", "postgres:", "postgresql:"];
    if known.iter().any(|scheme| url.starts_with(scheme)) {
        Ok(url)
    } else {
        Err(ConfigError(format!(
            "database URL '{}' is not one Custody can open: use sqlite://PATH or postgres://USER@HOST/DB",
            DatabaseUrl::new(url.clone())
        )))
    }
}

fn evidence_store(url: String) -> Result<String, ConfigError> {
    let bucket = url
        .strip_prefix("s3://")
        .map(|r| r.split('/').next().unwrap_or(r));
    if bucket.is_some_and(|b| !b.is_empty()) {
        Ok(url)
    } else {
        Err(ConfigError(format!(
            "evidence_store '{url}' must be an s3://BUCKET[/PREFIX] address"
        )))
    }
}

fn pool_size(size: u32) -> Result<u32, ConfigError> {
    if (1..=MAX_POOL_SIZE).contains(&size) {
        Ok(size)
    } else {
        Err(ConfigError(format!(
            "pool_size must be between 1 and {MAX_POOL_SIZE}, not {size}"
        )))
    }
}

fn public_url(url: String) -> Result<String, ConfigError> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    let host = rest.and_then(|r| r.split('/').next()).unwrap_or_default();
    if host.is_empty() || url.contains(['?', '#', ' ']) {
        return Err(ConfigError(format!(
            "public URL '{url}' must be an http:// or https:// address with a host and no query, such as https://custody.example.com"
        )));
    }
    Ok(url.trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(layer: Layer) -> Result<ServerConfig, String> {
        ServerConfig::from_layer(layer).map_err(|e| e.to_string())
    }

    fn sqlite() -> Layer {
        Layer {
            database_url: Some("sqlite:///srv/custody/custody.db".into()),
            ..Layer::default()
        }
    }

    #[test]
    fn defaults_fill_what_is_not_set() {
        let c = config(sqlite()).unwrap();
        assert_eq!(c.bind, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(
            c.evidence,
            Vault::Dir(PathBuf::from("/srv/custody/evidence"))
        );
        assert_eq!(c.signing_key, PathBuf::from("/srv/custody/signing.key"));
        assert_eq!(c.log_format, LogFormat::Text);
        assert_eq!(c.shutdown_timeout, Duration::from_secs(30));
        assert_eq!(c.max_evidence_bytes, DEFAULT_MAX_EVIDENCE_BYTES);
        assert_eq!((c.pool_size, c.public_url, c.demo), (None, None, false));
    }

    #[test]
    fn every_wrong_setting_is_named_with_its_fix() {
        let both = Layer {
            evidence_dir: Some("/srv/e".into()),
            evidence_store: Some("s3://b".into()),
            ..sqlite()
        };
        let cases: [(Layer, &str); 10] = [
            (both, "give one"),
            (
                Layer {
                    evidence_store: Some("gs://b".into()),
                    ..sqlite()
                },
                "s3://BUCKET[/PREFIX]",
            ),
            (
                Layer {
                    bind: Some("8080".into()),
                    ..sqlite()
                },
                "bind address '8080'",
            ),
            (
                Layer {
                    database_url: Some("mysql://db".into()),
                    ..sqlite()
                },
                "use sqlite://PATH or postgres://",
            ),
            (
                Layer {
                    pool_size: Some(0),
                    ..sqlite()
                },
                "pool_size must be between 1 and 1000",
            ),
            (
                Layer {
                    public_url: Some("custody.example.com".into()),
                    ..sqlite()
                },
                "http:// or https://",
            ),
            (
                Layer {
                    max_evidence_bytes: Some(MAX_EVIDENCE_LIMIT + 1),
                    ..sqlite()
                },
                "max_evidence_bytes must be between",
            ),
            (
                Layer {
                    log_format: Some("xml".into()),
                    ..sqlite()
                },
                "log_format must be text or json",
            ),
            (
                Layer {
                    shutdown_timeout: Some(86_400),
                    ..sqlite()
                },
                "shutdown_timeout is in seconds",
            ),
            (
                Layer {
                    trusted_proxies: Some(vec!["lb.internal".into()]),
                    ..sqlite()
                },
                "trusted proxy 'lb.internal' is not an address or CIDR",
            ),
        ];
        for (layer, expected) in cases {
            let e = config(layer).unwrap_err();
            assert!(e.contains(expected), "{e}");
        }
    }

    #[test]
    fn a_wrong_database_url_keeps_its_password_out_of_the_message() {
        let e = config(Layer {
            database_url: Some("mysql://u:hunter2@db/x".into()),
            ..Layer::default()
        })
        .unwrap_err();
        assert!(!e.contains("hunter2"), "{e}");
    }

    #[test]
    fn a_public_url_loses_its_trailing_slash() {
        let c = config(Layer {
            public_url: Some("https://custody.example.com/".into()),
            pool_size: Some(25),
            ..sqlite()
        })
        .unwrap();
        assert_eq!(c.public_url.as_deref(), Some("https://custody.example.com"));
        let s3 = Layer {
            evidence_store: Some("s3://evidence/custody".into()),
            ..sqlite()
        };
        assert_eq!(
            config(s3).unwrap().evidence,
            Vault::S3("s3://evidence/custody".into())
        );
        assert_eq!(c.pool_size, Some(25));
    }
}
