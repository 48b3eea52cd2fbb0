//! `attest jira [ARG]`: finds the Jira issue keys in the commit's message and
//! branch (reference §11.3), asks Jira whether each issue exists and records
//! them as `jira_results`; compliant when there are some and all exist.

use anyhow::anyhow;
use clap::Args;
use serde_json::{Value, json};

use super::common::with_assertion;
use super::typed::CommonFlags;
use crate::context::Ctx;
use crate::git;
use crate::providers::jira;

#[derive(Debug, Args)]
pub struct AttestJira {
    #[command(flatten)]
    common: Box<CommonFlags>,
    /// The Jira instance's URL, e.g. https://acme.atlassian.net.
    #[arg(long, required = true)]
    jira_base_url: String,
    /// A Jira username (with --jira-api-token).
    #[arg(long)]
    jira_username: Option<String>,
    /// The Jira API token of --jira-username.
    #[arg(long)]
    jira_api_token: Option<String>,
    /// A Jira personal access token (instead of username and API token).
    #[arg(long)]
    jira_pat: Option<String>,
    /// Only look for issues of these projects (repeatable).
    #[arg(long, value_delimiter = ',')]
    jira_project_key: Vec<String>,
    /// Issue fields to record with each issue, e.g. summary,status.
    #[arg(long)]
    jira_issue_fields: Option<String>,
    /// More text to search for issue keys, such as a pull request title.
    #[arg(long)]
    jira_secondary_source: Option<String>,
    /// Do not search the branch name.
    #[arg(long)]
    ignore_branch_match: bool,
    /// Fail (after reporting) when no issue is referenced or one does not exist.
    #[arg(long)]
    assert: bool,
}

impl AttestJira {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = self.common.check(ctx)?.to_string();
        let commit = self.common.commit_flags();
        let reference = commit
            .reference()
            .ok_or_else(|| anyhow!("required flag(s) \"commit\" not set"))?;
        let info = git::commit_info(&commit.repo_root, &reference, &[])
            .map_err(|e| anyhow!("failed to get commit info. {e}"))?;
        let mut text = info.message.clone();
        if !self.ignore_branch_match {
            text = format!("{text}\n{}", info.branch);
        }
        if let Some(more) = &self.jira_secondary_source {
            text = format!("{text}\n{more}");
        }
        let keys = jira::issue_keys(&text, &self.jira_project_key)?;
        let api = jira::api(
            &self.jira_base_url,
            self.jira_username.as_deref(),
            self.jira_api_token.as_deref(),
            self.jira_pat.as_deref(),
        )?;
        let mut results = Vec::new();
        for key in &keys {
            results.push(jira::issue(&api, key, self.jira_issue_fields.as_deref()).await?);
        }
        let mut payload = self.common.payload(ctx)?;
        payload.insert("jira_results".into(), json!(results));
        let reported = self.common.post(ctx, &org, "jira", "jira", payload).await;
        with_assertion(
            reported,
            self.assert.then(|| failure(&keys, &results)).flatten(),
        )
    }
}

/// Why `--assert` fails for these issue keys and what Jira said of them.
fn failure(keys: &[String], results: &[Value]) -> Option<String> {
    if keys.is_empty() {
        return Some("no Jira references are found in commit message or branch name".into());
    }
    let missing: Vec<String> = results
        .iter()
        .filter(|r| r["issue_exists"] != true)
        .map(|r| {
            format!(
                "\n\t{}: issue not found",
                r["issue_id"].as_str().unwrap_or_default()
            )
        })
        .collect();
    (!missing.is_empty()).then(|| {
        format!(
            "missing Jira issues from references found in commit message or branch name{}",
            missing.concat()
        )
    })
}
