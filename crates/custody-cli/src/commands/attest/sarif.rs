//! `attest sarif [ARG]` (a Custody extension): reads the SARIF 2.1.0 report of
//! any scanner (Trivy, Checkov, CodeQL, Semgrep…) and records its findings per
//! severity as `sarif_results`, with the threshold the server judges them by.
//! With `--upload-results` (the default) the SARIF file is uploaded as evidence
//! along with any `--attachments`.

use anyhow::anyhow;
use clap::builder::PossibleValuesParser;
use clap::{ArgAction, Args};
use custody_core::attestation::SEVERITIES;

use super::typed::CommonFlags;
use crate::context::Ctx;
use custody_evidence::sarif;

use crate::evidence;

#[derive(Debug, Args)]
pub struct AttestSarif {
    #[command(flatten)]
    common: Box<CommonFlags>,
    /// The scan results, as a SARIF 2.1.0 file.
    #[arg(short = 'R', long)]
    scan_results: String,
    /// The lowest severity that makes the attestation non-compliant: any
    /// finding of this severity or above fails it. A finding's severity is
    /// its security-severity score (>=9 critical, >=7 high, >=4 medium, >0
    /// low), else its level (error high, warning medium, note low, none
    /// none). Findings of severity none never fail, so `none` acts as `low`.
    #[arg(long, default_value = "low", value_parser = PossibleValuesParser::new(SEVERITIES))]
    severity_threshold: String,
    /// Whether to upload the SARIF file as evidence.
    #[arg(id = "upload-results", long = "upload-results", value_name = "UPLOAD_RESULTS", action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", default_value = "true")]
    upload_results: bool,
}

impl AttestSarif {
    pub async fn run(mut self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = self.common.check(ctx)?.to_string();
        let file = &self.scan_results;
        let doc = evidence::load_sarif(file)
            .map_err(|e| anyhow!("failed to parse sarif results file [{file}]: {e}"))?;
        if self.upload_results {
            self.common.attach([self.scan_results.clone()]);
        }
        let mut payload = self.common.payload(ctx)?;
        payload.insert(
            "sarif_results".into(),
            sarif::sarif_results(&doc, &self.severity_threshold),
        );
        self.common.post(ctx, &org, "sarif", "sarif", payload).await
    }
}
