//! `attest snyk [ARG]`: reads a Snyk SARIF report and records its
//! vulnerabilities as `snyk_results`; the server judges the attestation
//! compliant when no run has any high, medium or low vulnerability. With
//! `--upload-results` (the default) the SARIF file is uploaded as evidence
//! along with any `--attachments`.

use anyhow::anyhow;
use clap::{ArgAction, Args};

use super::typed::CommonFlags;
use crate::context::Ctx;
use custody_evidence::sarif;

use crate::evidence;

#[derive(Debug, Args)]
pub struct AttestSnyk {
    #[command(flatten)]
    common: Box<CommonFlags>,
    /// The Snyk scan results, as a SARIF file.
    #[arg(short = 'R', long)]
    scan_results: String,
    /// Whether to upload the SARIF file as evidence.
    #[arg(id = "upload-results", long = "upload-results", value_name = "UPLOAD_RESULTS", action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", default_value = "true")]
    upload_results: bool,
}

impl AttestSnyk {
    pub async fn run(mut self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = self.common.check(ctx)?.to_string();
        let file = &self.scan_results;
        let results = evidence::load_sarif(file)
            .and_then(|doc| Ok(sarif::snyk_results(&doc)?))
            .map_err(|e| anyhow!("failed to parse Snyk sarif results file [{file}]: {e}"))?;
        if self.upload_results {
            self.common.attach([self.scan_results.clone()]);
        }
        let mut payload = self.common.payload(ctx)?;
        payload.insert("snyk_results".into(), results);
        self.common.post(ctx, &org, "snyk", "snyk", payload).await
    }
}
