//! `verify`: checks that no record of the org was edited, removed or
//! reordered since it was recorded. Online, it checks the server's signed
//! checkpoint (against the key it trusted the first time, or `--public-key`),
//! that the log extends the checkpoint verified last time, and every entry and
//! the record it describes; `--export FILE` keeps what it checked as an audit
//! package, and `--package FILE` checks such a package with no server at all.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, anyhow, bail};
use clap::Args;
use custody_api::{LogCheckpoint, LogEntry, LogKey, LogProof, UnloggedRecord};
use custody_core::ledger::audit::{Auditor, Finding, Received};
use custody_core::ledger::checkpoint::{Checkpoint, public_key};
use custody_core::ledger::facts::unhex;
use custody_core::ledger::merkle::{Hash, verify_consistency};
use serde::{Deserialize, Serialize};

use crate::context::Ctx;

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The server's public key (hex); default: the one trusted when this org
    /// was first verified from this machine.
    #[arg(long)]
    public_key: Option<String>,
    /// Also write what was checked to this file: an audit package.
    #[arg(long, value_name = "FILE")]
    export: Option<PathBuf>,
    /// Check an audit package instead of the server (no server needed).
    #[arg(long, value_name = "FILE", conflicts_with = "export")]
    package: Option<PathBuf>,
    /// Where verified checkpoints are kept between runs
    /// (default: ~/.custody/verified.json).
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
}

/// Everything a verification looked at.
#[derive(Debug, Serialize, Deserialize)]
struct Package {
    format: String,
    public_key: String,
    checkpoint: LogCheckpoint,
    entries: Vec<LogEntry>,
    unlogged: Vec<UnloggedRecord>,
}

const PACKAGE_FORMAT: &str = "custody-audit-package/1";

/// What was verified last, per server and org.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Trusted(BTreeMap<String, (String, LogCheckpoint)>);

fn core_checkpoint(c: &LogCheckpoint) -> Checkpoint {
    Checkpoint {
        org: c.org.clone(),
        size: c.size,
        root: c.root.clone(),
        timestamp: c.timestamp,
        key_id: c.key_id.clone(),
        signature: c.signature.clone(),
    }
}

fn hash(text: &str) -> anyhow::Result<Hash> {
    unhex(text)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| anyhow!("'{text}' is not a SHA-256 hash"))
}

/// Checks entries and the signed root; the findings, or none.
fn audit(package: &Package) -> anyhow::Result<Vec<Finding>> {
    let key = public_key(&package.public_key).map_err(|e| anyhow!(e))?;
    core_checkpoint(&package.checkpoint)
        .verify(&key)
        .map_err(|e| anyhow!("the checkpoint cannot be trusted: {e}"))?;
    let mut auditor = Auditor::default();
    for e in &package.entries {
        auditor.entry(&Received {
            seq: e.seq,
            body: e.body.clone(),
            leaf_hash: e.leaf_hash.clone(),
            current: e.current.as_ref().map(|c| c.record.clone()),
        });
    }
    let mut findings = auditor.finish(package.checkpoint.size, &package.checkpoint.root);
    findings.extend(package.unlogged.iter().map(|u| Finding::Unlogged {
        what: format!("{} #{}", u.kind, u.id),
    }));
    Ok(findings)
}

fn report(package: &Package, findings: &[Finding]) -> anyhow::Result<()> {
    let c = &package.checkpoint;
    if findings.is_empty() {
        println!(
            "Verified {} entries of organization '{}' against checkpoint {} (root {}, key {}): no record was edited, removed or reordered.",
            c.size, c.org, c.size, c.root, c.key_id
        );
        return Ok(());
    }
    for f in findings {
        println!("{f}");
    }
    bail!(
        "{} problem(s) in the log of organization '{}'",
        findings.len(),
        c.org
    )
}

fn default_state() -> PathBuf {
    let home = std::env::var_os("HOME")
        .map(PathBuf::from)
        .unwrap_or_default();
    home.join(".custody").join("verified.json")
}

fn read_trusted(path: &Path) -> anyhow::Result<Trusted> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text)
            .with_context(|| format!("{} is not a verification state file", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Trusted::default()),
        Err(e) => Err(anyhow!("cannot read {}: {e}", path.display())),
    }
}

impl VerifyArgs {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        if let Some(path) = &self.package {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the audit package {}", path.display()))?;
            let package: Package = serde_json::from_str(&text)
                .with_context(|| format!("{} is not an audit package", path.display()))?;
            if package.format != PACKAGE_FORMAT {
                bail!(
                    "{} is a '{}' package; this version reads {PACKAGE_FORMAT}",
                    path.display(),
                    package.format
                );
            }
            if let Some(key) = &self.public_key
                && key.trim() != package.public_key
            {
                bail!(
                    "the package was signed with key {}, not with the given --public-key",
                    package.public_key
                );
            }
            return report(&package, &audit(&package)?);
        }
        let org = ctx.require_login()?.to_string();
        let key: LogKey = ctx.get(&["log", &org, "public-key"], &[]).await?.json()?;
        let state_path = self.state.clone().unwrap_or_else(default_state);
        let mut trusted = read_trusted(&state_path)?;
        let place = format!("{} {org}", ctx.globals.host);
        let expected = self
            .public_key
            .clone()
            .or_else(|| trusted.0.get(&place).map(|(k, _)| k.clone()));
        if let Some(expected) = expected
            && expected.trim() != key.public_key
        {
            bail!(
                "the server signs with key {} ({}), not with the trusted key {}: if the key was changed on purpose, pass --public-key",
                key.public_key,
                key.key_id,
                expected.trim()
            );
        }
        let checkpoint: LogCheckpoint = ctx.get(&["log", &org, "checkpoint"], &[]).await?.json()?;
        let mut findings = Vec::new();
        if let Some((_, before)) = trusted.0.get(&place) {
            findings.extend(self.extends(ctx, &org, before, &checkpoint).await?);
        }
        let mut entries = Vec::new();
        while (entries.len() as u64) < checkpoint.size {
            let from = entries.len() as u64;
            let to = checkpoint.size.min(from + 1000);
            let query = [("from", from.to_string()), ("to", to.to_string())];
            let page: Vec<LogEntry> = ctx.get(&["log", &org, "entries"], &query).await?.json()?;
            if page.is_empty() {
                break;
            }
            entries.extend(page);
        }
        let unlogged: Vec<UnloggedRecord> =
            ctx.get(&["log", &org, "unlogged"], &[]).await?.json()?;
        let package = Package {
            format: PACKAGE_FORMAT.into(),
            public_key: key.public_key.clone(),
            checkpoint,
            entries,
            unlogged,
        };
        findings.extend(audit(&package)?);
        if let Some(path) = &self.export {
            let text = serde_json::to_string_pretty(&package)?;
            std::fs::write(path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        if findings.is_empty() {
            trusted
                .0
                .insert(place, (key.public_key, package.checkpoint.clone()));
            if let Some(dir) = state_path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            std::fs::write(&state_path, serde_json::to_string_pretty(&trusted)?)
                .with_context(|| format!("cannot write {}", state_path.display()))?;
        }
        report(&package, &findings)
    }

    /// Whether the log now extends the checkpoint verified last time.
    async fn extends(
        &self,
        ctx: &Ctx,
        org: &str,
        before: &LogCheckpoint,
        now: &LogCheckpoint,
    ) -> anyhow::Result<Vec<Finding>> {
        let rewritten = || Finding::Rewritten {
            size: before.size,
            root: before.root.clone(),
        };
        if now.size < before.size {
            return Ok(vec![rewritten()]);
        }
        let query = [
            ("from", before.size.to_string()),
            ("to", now.size.to_string()),
        ];
        let proof: LogProof = ctx
            .get(&["log", org, "proofs", "consistency"], &query)
            .await?
            .json()?;
        let proof: Vec<Hash> = proof
            .proof
            .iter()
            .map(|h| hash(h))
            .collect::<anyhow::Result<_>>()?;
        let consistent = verify_consistency(
            before.size,
            now.size,
            &hash(&before.root)?,
            &hash(&now.root)?,
            &proof,
        );
        Ok(if consistent {
            Vec::new()
        } else {
            vec![rewritten()]
        })
    }
}
