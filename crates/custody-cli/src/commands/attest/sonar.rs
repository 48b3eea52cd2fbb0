//! `attest sonar [ARG]`: reads a SonarQube/SonarCloud analysis and its quality
//! gate (reference §11.4) and records them as `sonar_results`; compliant when
//! the quality gate passed.

use std::time::Duration;

use clap::Args;

use super::typed::CommonFlags;
use crate::context::Ctx;
use crate::providers::sonar;

#[derive(Debug, Args)]
pub struct AttestSonar {
    #[command(flatten)]
    common: Box<CommonFlags>,
    /// A Sonar token that can read the project's analyses.
    #[arg(long, required = true)]
    sonar_api_token: String,
    /// The scanner's working directory, holding report-task.txt.
    #[arg(long, default_value = ".scannerwork")]
    sonar_working_dir: String,
    /// The project key (when there is no report-task.txt).
    #[arg(long)]
    sonar_project_key: Option<String>,
    /// The Sonar server (when there is no report-task.txt).
    #[arg(long, default_value = "https://sonarcloud.io")]
    sonar_server_url: String,
    /// The analysed revision (when there is no report-task.txt) [defaults to --commit].
    #[arg(long)]
    sonar_revision: Option<String>,
    /// The analysed pull request (when there is no report-task.txt).
    #[arg(long, conflicts_with_all = ["sonar_branch", "sonar_revision"])]
    pull_request: Option<String>,
    /// The analysed branch (when there is no report-task.txt).
    #[arg(long)]
    sonar_branch: Option<String>,
    /// The compute-engine task URL of the analysis (instead of report-task.txt).
    #[arg(long)]
    sonar_ce_task_url: Option<String>,
    /// How long to wait for the analysis to finish, in seconds.
    #[arg(long, default_value_t = 30)]
    max_wait: u64,
}

impl AttestSonar {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = self.common.check(ctx)?.to_string();
        let lookup = sonar::Lookup {
            working_dir: self.sonar_working_dir.clone(),
            ce_task_url: self.sonar_ce_task_url.clone(),
            server_url: self.sonar_server_url.clone(),
            project_key: self.sonar_project_key.clone(),
            revision: self
                .sonar_revision
                .clone()
                .or_else(|| self.common.commit_flags().reference()),
            branch: self.sonar_branch.clone(),
            pull_request: self.pull_request.clone(),
            max_wait: Duration::from_secs(self.max_wait),
        };
        let mut payload = self.common.payload(ctx)?;
        let results = sonar::results(&self.sonar_api_token, &lookup).await?;
        payload.insert("sonar_results".into(), results);
        self.common.post(ctx, &org, "sonar", "sonar", payload).await
    }
}
