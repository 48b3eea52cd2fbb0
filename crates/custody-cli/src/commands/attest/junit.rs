//! `attest junit [ARG]`: reads the JUnit XML reports under `--results-dir` and
//! records their per-suite totals as `junit_results`; the server judges the
//! attestation compliant when no suite has failures or errors. With
//! `--upload-results` (the default) the XML files read are uploaded as evidence
//! along with any `--attachments`.

use clap::{ArgAction, Args};
use serde_json::json;

use super::typed::CommonFlags;
use crate::context::Ctx;
use crate::evidence;

#[derive(Debug, Args)]
pub struct AttestJunit {
    #[command(flatten)]
    common: Box<CommonFlags>,
    /// The directory searched (recursively) for JUnit XML files.
    #[arg(short = 'R', long, default_value = ".")]
    results_dir: String,
    /// Whether to upload the JUnit XML files read as evidence.
    #[arg(id = "upload-results", long = "upload-results", value_name = "UPLOAD_RESULTS", action = ArgAction::Set, num_args = 0..=1, default_missing_value = "true", default_value = "true")]
    upload_results: bool,
}

impl AttestJunit {
    pub async fn run(mut self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = self.common.check(ctx)?.to_string();
        let results = evidence::results_dir(&self.results_dir)?;
        if self.upload_results {
            let files = results.files.iter();
            self.common
                .attach(files.map(|f| f.to_string_lossy().into_owned()));
        }
        let mut payload = self.common.payload(ctx)?;
        payload.insert("junit_results".into(), json!(results.suites));
        self.common.post(ctx, &org, "junit", "junit", payload).await
    }
}
