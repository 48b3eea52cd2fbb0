//! `config`: stores global flag values (`--org`, `--host`, `--api-token`,
//! `--max-api-retries`, `--debug`, `--dry-run`) and any other flag
//! (`--set FLOW=web`) in the default config file, or removes keys (`--unset`).
//!
//! The file is `~/.custody.yml`, or `~/.kosli.yml` when only that one exists;
//! it is created readable by its owner only (0600), since it may hold the API
//! key, which is stored as given.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::Args;
use serde_json::Value;

use crate::context::{Ctx, DEFAULT_HOST};
use crate::defaults::{DEFAULT_CONFIG_FILES, existing_default_config};

const DEFAULT_RETRIES: u32 = 3;

#[derive(Debug, Args)]
pub struct ConfigArgs {
    /// KEY=VALUE pairs of other flags to store (comma-separated, repeatable);
    /// the key is the flag's long name, e.g. FLOW=web.
    #[arg(long, value_delimiter = ',')]
    set: Vec<String>,
    /// Keys to remove (comma-separated, repeatable).
    #[arg(long, value_delimiter = ',')]
    unset: Vec<String>,
}

impl ConfigArgs {
    pub fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        if ctx.globals.config_file.is_some() {
            bail!("cannot use --config-file with config command");
        }
        let home =
            std::env::var_os("HOME").context("HOME is not set: no place for the config file")?;
        let path = target(Path::new(&home));
        let mut values = read(&path)?;
        self.apply(ctx, &mut values)?;
        write(&path, &values)?;
        println!(
            "default config file [{}] updated successfully.",
            path.display()
        );
        Ok(())
    }

    fn apply(&self, ctx: &Ctx, values: &mut BTreeMap<String, Value>) -> anyhow::Result<()> {
        let g = &ctx.globals;
        if !g.org.is_empty() {
            values.insert("org".into(), g.org.clone().into());
        }
        if g.host != DEFAULT_HOST {
            values.insert("host".into(), g.host.clone().into());
        }
        if g.max_api_retries != DEFAULT_RETRIES {
            values.insert("max-api-retries".into(), g.max_api_retries.into());
        }
        if !g.api_token.is_empty() {
            values.insert("api-token".into(), g.api_token.clone().into());
        }
        values.insert("debug".into(), g.debug.into());
        values.insert("dry-run".into(), g.dry_run.into());
        for pair in &self.set {
            let Some((key, value)) = pair.split_once('=') else {
                bail!("--set {pair} must be in the form KEY=VALUE");
            };
            if key.trim().is_empty() {
                bail!("--set {pair} is missing a key before '='");
            }
            values.insert(key.trim().to_ascii_lowercase(), value.into());
        }
        for key in &self.unset {
            values.remove(&key.trim().to_ascii_lowercase());
        }
        Ok(())
    }
}

/// The default config file to update: the one read today, else a new one.
fn target(home: &Path) -> PathBuf {
    existing_default_config(home).unwrap_or_else(|| home.join(DEFAULT_CONFIG_FILES[0]))
}

fn read(path: &Path) -> anyhow::Result<BTreeMap<String, Value>> {
    if !path.exists() {
        return Ok(BTreeMap::new());
    }
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "setting default config failed: cannot read {}",
            path.display()
        )
    })?;
    if text.trim().is_empty() {
        return Ok(BTreeMap::new());
    }
    serde_norway::from_str(&text).with_context(|| {
        format!(
            "setting default config failed: {} is not a YAML map of flag names to values; fix or remove it",
            path.display()
        )
    })
}

/// Writes the file (created 0600), through a temporary file so a failure
/// leaves the old one intact.
fn write(path: &Path, values: &BTreeMap<String, Value>) -> anyhow::Result<()> {
    let text = serde_norway::to_string(values)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir).with_context(|| {
        format!(
            "setting default config failed: cannot write in {}",
            dir.display()
        )
    })?;
    std::io::Write::write_all(&mut file, text.as_bytes())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    file.persist(path).with_context(|| {
        format!(
            "setting default config failed: cannot replace {}",
            path.display()
        )
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_the_file_that_is_read_and_keeps_other_keys() {
        let home = tempfile::tempdir().unwrap();
        assert_eq!(target(home.path()), home.path().join(".custody.yml"));
        std::fs::write(home.path().join(".kosli.yml"), "flow: web\n").unwrap();
        let path = target(home.path());
        assert_eq!(
            path,
            home.path().join(".kosli.yml"),
            "the Kosli file is kept"
        );
        let mut values = read(&path).unwrap();
        values.insert("org".into(), "acme".into());
        write(&path, &values).unwrap();
        let back = read(&path).unwrap();
        assert_eq!(back.get("flow"), Some(&Value::from("web")));
        assert_eq!(back.get("org"), Some(&Value::from("acme")));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_broken_file_is_refused_and_left_alone() {
        let home = tempfile::tempdir().unwrap();
        let path = home.path().join(".custody.yml");
        std::fs::write(&path, "- a list\n").unwrap();
        let err = read(&path).unwrap_err().to_string();
        assert!(err.contains("is not a YAML map"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "- a list\n");
    }
}
