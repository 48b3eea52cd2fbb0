//! [`Layer`]: server settings as one source gives them, every one optional —
//! the command line (with its environment variables) or the TOML config file.
//! Layers stack, the nearer source winning, before [`super::ServerConfig`]
//! checks the result once.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::ConfigError;

/// Settings from one source. The config file uses these names as its keys.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    pub bind: Option<String>,
    pub database_url: Option<String>,
    pub pool_size: Option<u32>,
    pub public_url: Option<String>,
    pub evidence_dir: Option<PathBuf>,
    pub evidence_store: Option<String>,
    pub max_evidence_bytes: Option<usize>,
    pub signing_key: Option<PathBuf>,
    pub log_format: Option<String>,
    pub shutdown_timeout: Option<u64>,
    pub demo: Option<bool>,
    /// CIDRs and host names webhooks may reach although not public.
    pub webhook_allow: Option<Vec<String>>,
    /// Proxies (CIDRs) whose `X-Forwarded-For` names the client.
    pub trusted_proxies: Option<Vec<String>>,
}

impl Layer {
    /// Reads a TOML config file.
    pub fn from_file(path: &Path) -> Result<Layer, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError(format!(
                "cannot read the config file {}: {e}",
                path.display()
            ))
        })?;
        toml::from_str(&text).map_err(|e| {
            ConfigError(format!(
                "the config file {} is not valid: {}",
                path.display(),
                e.message()
            ))
        })
    }

    /// These settings, with `lower`'s wherever this layer has none.
    pub fn over(self, lower: Layer) -> Layer {
        Layer {
            bind: self.bind.or(lower.bind),
            database_url: self.database_url.or(lower.database_url),
            pool_size: self.pool_size.or(lower.pool_size),
            public_url: self.public_url.or(lower.public_url),
            evidence_dir: self.evidence_dir.or(lower.evidence_dir),
            evidence_store: self.evidence_store.or(lower.evidence_store),
            max_evidence_bytes: self.max_evidence_bytes.or(lower.max_evidence_bytes),
            signing_key: self.signing_key.or(lower.signing_key),
            log_format: self.log_format.or(lower.log_format),
            shutdown_timeout: self.shutdown_timeout.or(lower.shutdown_timeout),
            demo: self.demo.or(lower.demo),
            webhook_allow: self.webhook_allow.or(lower.webhook_allow),
            trusted_proxies: self.trusted_proxies.or(lower.trusted_proxies),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("custody.toml");
        std::fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn a_file_is_read_and_the_command_line_wins_over_it() {
        let (_dir, path) = file("bind = \"0.0.0.0:9000\"\npool_size = 20\nlog_format = \"json\"\n");
        let from_file = Layer::from_file(&path).unwrap();
        let typed = Layer {
            bind: Some("127.0.0.1:8081".into()),
            ..Layer::default()
        };
        let merged = typed.over(from_file);
        assert_eq!(merged.bind.as_deref(), Some("127.0.0.1:8081"));
        assert_eq!(merged.pool_size, Some(20));
        assert_eq!(merged.log_format.as_deref(), Some("json"));
    }

    #[test]
    fn unknown_keys_and_wrong_types_are_named() {
        let (_dir, path) = file("bnd = \"x\"\n");
        let e = Layer::from_file(&path).unwrap_err().to_string();
        assert!(e.contains("unknown field `bnd`"), "{e}");
        let (_dir, path) = file("pool_size = \"many\"\n");
        let e = Layer::from_file(&path).unwrap_err().to_string();
        assert!(e.contains("invalid type"), "{e}");
        let e = Layer::from_file(Path::new("/nonexistent/custody.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("cannot read the config file"), "{e}");
    }
}
