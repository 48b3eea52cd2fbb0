//! Saving a download of the API to a file (`--download-evidence`,
//! `--download-audit-package`), with what was saved and its SHA-256.

use anyhow::Context;
use reqwest::Url;
use sha2::{Digest, Sha256};

use crate::context::Ctx;

/// Downloads `url` to `file` and says so: `<what> saved to FILE (N bytes, sha256 …)`.
pub async fn save(ctx: &Ctx, url: Url, file: &str, what: &str) -> anyhow::Result<()> {
    let bytes = ctx.client.get_bytes(url).await?;
    std::fs::write(file, &bytes).with_context(|| format!("failed to write {file}"))?;
    println!(
        "{what} saved to {file} ({} bytes, sha256 {})",
        bytes.len(),
        hex::encode(Sha256::digest(&bytes))
    );
    Ok(())
}
