//! `attest pullrequest github|gitlab|bitbucket|azure` and `assert pullrequest
//! …`: look up the pull (merge) requests a commit belongs to at the git host
//! (reference §11.5), then record them as a `pull_request` attestation, or
//! just fail when there are none.

use anyhow::{anyhow, bail};
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use super::common::with_assertion;
use super::typed::CommonFlags;
use crate::ci;
use crate::context::Ctx;
use crate::providers::{azure, bitbucket, github, gitlab};

/// GitHub's flags.
#[derive(Debug, Args)]
pub struct GithubFlags {
    /// A GitHub token that can read the repository's pull requests.
    #[arg(long, required = true)]
    github_token: String,
    /// The GitHub organisation or user [defaults to the CI's repository owner].
    #[arg(long)]
    github_org: Option<String>,
    /// The GitHub Enterprise URL (the API is under /api/v3).
    #[arg(long)]
    github_base_url: Option<String>,
}

/// GitLab's flags.
#[derive(Debug, Args)]
pub struct GitlabFlags {
    /// A GitLab token that can read the project's merge requests.
    #[arg(long, required = true)]
    gitlab_token: String,
    /// The GitLab group or user [defaults to the CI's project namespace].
    #[arg(long)]
    gitlab_org: Option<String>,
    /// The URL of a self-hosted GitLab [default: https://gitlab.com].
    #[arg(long)]
    gitlab_base_url: Option<String>,
}

/// Bitbucket Cloud's flags.
#[derive(Debug, Args)]
pub struct BitbucketFlags {
    /// The Bitbucket workspace.
    #[arg(long, required = true)]
    bitbucket_workspace: String,
    /// A Bitbucket username (with --bitbucket-password).
    #[arg(long)]
    bitbucket_username: Option<String>,
    /// The app password of --bitbucket-username.
    #[arg(long, conflicts_with = "bitbucket_access_token")]
    bitbucket_password: Option<String>,
    /// A Bitbucket access token (instead of username and password).
    #[arg(long)]
    bitbucket_access_token: Option<String>,
    /// The Bitbucket API's URL, for self-hosted instances and tests [default: https://api.bitbucket.org].
    #[arg(long, hide = true)]
    bitbucket_base_url: Option<String>,
}

/// Azure DevOps' flags.
#[derive(Debug, Args)]
pub struct AzureFlags {
    /// An Azure DevOps personal access token.
    #[arg(long, required = true)]
    azure_token: String,
    /// The organisation's URL, e.g. https://dev.azure.com/acme.
    #[arg(long, required = true)]
    azure_org_url: String,
    /// The Azure DevOps project.
    #[arg(long, required = true)]
    project: String,
}

/// One git host and how to ask it.
#[derive(Debug)]
pub enum Host {
    Github(GithubFlags),
    Gitlab(GitlabFlags),
    Bitbucket(BitbucketFlags),
    Azure(AzureFlags),
}

/// A required flag that may come from the CI.
fn org(flag: &Option<String>, key: &str) -> anyhow::Result<String> {
    flag.clone()
        .or_else(|| ci::default(key))
        .ok_or_else(|| anyhow!("required flag(s) \"{key}\" not set"))
}

impl Host {
    /// `git_provider`, the request's name there, and the host's name in assert messages.
    fn names(&self) -> (&'static str, &'static str, &'static str) {
        match self {
            Host::Github(_) => ("github", "pull request", "Github"),
            Host::Gitlab(_) => ("gitlab", "merge request", "Gitlab"),
            Host::Bitbucket(_) => ("bitbucket", "pull request", "Bitbucket"),
            Host::Azure(_) => ("azure", "pull request", "Azure DevOps"),
        }
    }

    /// The pull requests of `sha` in `repo`, as `PREvidence` objects.
    async fn find(&self, repo: &str, sha: &str) -> anyhow::Result<Vec<Value>> {
        match self {
            Host::Github(f) => {
                let api = github::api(f.github_base_url.as_deref(), &f.github_token);
                github::pull_requests(&api, &org(&f.github_org, "github-org")?, repo, sha).await
            }
            Host::Gitlab(f) => {
                let api = gitlab::api(f.gitlab_base_url.as_deref(), &f.gitlab_token);
                gitlab::merge_requests(&api, &org(&f.gitlab_org, "gitlab-org")?, repo, sha).await
            }
            Host::Bitbucket(f) => {
                let api = bitbucket::api(
                    f.bitbucket_base_url.as_deref(),
                    f.bitbucket_username.as_deref(),
                    f.bitbucket_password.as_deref(),
                    f.bitbucket_access_token.as_deref(),
                )?;
                bitbucket::pull_requests(&api, &f.bitbucket_workspace, repo, sha).await
            }
            Host::Azure(f) => {
                let api = azure::api(&f.azure_org_url, &f.project, &f.azure_token);
                azure::pull_requests(&api, repo, sha).await
            }
        }
    }
}

/// What `attest pullrequest <host>` adds to the host's flags.
#[derive(Debug, Args)]
pub struct AttestFlags {
    #[command(flatten)]
    common: Box<CommonFlags>,
    /// Fail (after reporting) when the commit has no pull request.
    #[arg(long)]
    assert: bool,
}

#[derive(Debug, Subcommand)]
pub enum AttestPullRequest {
    /// Report the GitHub pull requests of a commit.
    #[command(visible_alias = "gh")]
    Github {
        #[command(flatten)]
        host: GithubFlags,
        #[command(flatten)]
        attest: AttestFlags,
    },
    /// Report the GitLab merge requests of a commit.
    #[command(visible_alias = "gl")]
    Gitlab {
        #[command(flatten)]
        host: GitlabFlags,
        #[command(flatten)]
        attest: AttestFlags,
    },
    /// Report the Bitbucket pull requests of a commit.
    #[command(visible_alias = "bb")]
    Bitbucket {
        #[command(flatten)]
        host: BitbucketFlags,
        #[command(flatten)]
        attest: AttestFlags,
    },
    /// Report the Azure DevOps pull requests of a commit.
    #[command(visible_alias = "az")]
    Azure {
        #[command(flatten)]
        host: AzureFlags,
        #[command(flatten)]
        attest: AttestFlags,
    },
}

impl AttestPullRequest {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let (host, flags) = match self {
            AttestPullRequest::Github { host: h, attest: a } => (Host::Github(h), a),
            AttestPullRequest::Gitlab { host: h, attest: a } => (Host::Gitlab(h), a),
            AttestPullRequest::Bitbucket { host: h, attest: a } => (Host::Bitbucket(h), a),
            AttestPullRequest::Azure { host: h, attest: a } => (Host::Azure(h), a),
        };
        let common = &flags.common;
        let org = common.check(ctx)?.to_string();
        if common.commit_flags().reference().is_none() {
            bail!("required flag(s) \"commit\" not set");
        }
        let repo = common
            .repository()
            .ok_or_else(|| anyhow!("required flag(s) \"repository\" not set"))?;
        let mut payload = common.payload(ctx)?;
        let sha = payload["git_commit_info"]["sha1"]
            .as_str()
            .map(str::to_string)
            .or_else(|| common.commit_flags().reference())
            .unwrap_or_default();
        let (provider, label, _) = host.names();
        let prs = host.find(&repo, &sha).await?;
        println!("found {} {label}(s) for commit: {sha}", prs.len());
        let none = prs.is_empty();
        payload.insert("git_provider".into(), json!(provider));
        payload.insert("pull_requests".into(), json!(prs));
        let reported = format!("{provider} {label}");
        let posted = common
            .post(ctx, &org, "pull_request", &reported, payload)
            .await;
        let failed = (flags.assert && none)
            .then(|| format!("assert failed: no {label} found for the given commit: {sha}"));
        with_assertion(posted, failed)
    }
}

/// What `assert pullrequest <host>` adds to the host's flags. Both are
/// required unless the CI gives them ([`crate::ci::required`]).
#[derive(Debug, Args)]
pub struct Target {
    /// The repository's name [defaults to the CI's repository].
    #[arg(long)]
    repository: Option<String>,
    /// The commit to look up, as the host knows it [defaults to the CI's commit].
    #[arg(short = 'g', long)]
    commit: Option<String>,
}

impl Target {
    /// The flag's value, else the CI's default, else the cobra-style error
    /// for a required flag left unset.
    fn value(given: Option<String>, flag: &str, ci_key: &str) -> anyhow::Result<String> {
        given
            .or_else(|| ci::default(ci_key))
            .ok_or_else(|| anyhow!("required flag(s) \"{flag}\" not set"))
    }
}

#[derive(Debug, Subcommand)]
pub enum AssertPullRequest {
    /// Fail unless the commit belongs to a GitHub pull request.
    #[command(visible_alias = "gh")]
    Github {
        #[command(flatten)]
        host: GithubFlags,
        #[command(flatten)]
        target: Target,
    },
    /// Fail unless the commit belongs to a GitLab merge request.
    #[command(visible_alias = "gl")]
    Gitlab {
        #[command(flatten)]
        host: GitlabFlags,
        #[command(flatten)]
        target: Target,
    },
    /// Fail unless the commit belongs to a Bitbucket pull request.
    #[command(visible_alias = "bb")]
    Bitbucket {
        #[command(flatten)]
        host: BitbucketFlags,
        #[command(flatten)]
        target: Target,
    },
    /// Fail unless the commit belongs to an Azure DevOps pull request.
    #[command(visible_alias = "az")]
    Azure {
        #[command(flatten)]
        host: AzureFlags,
        #[command(flatten)]
        target: Target,
    },
}

impl AssertPullRequest {
    pub async fn run(self) -> anyhow::Result<()> {
        let (host, target) = match self {
            AssertPullRequest::Github { host: h, target: t } => (Host::Github(h), t),
            AssertPullRequest::Gitlab { host: h, target: t } => (Host::Gitlab(h), t),
            AssertPullRequest::Bitbucket { host: h, target: t } => (Host::Bitbucket(h), t),
            AssertPullRequest::Azure { host: h, target: t } => (Host::Azure(h), t),
        };
        let sha = Target::value(target.commit, "commit", "git-commit")?;
        let repository = Target::value(target.repository, "repository", "repository")?;
        let repo = repository.rsplit('/').next().unwrap_or_default();
        let (_, label, name) = host.names();
        let prs = host.find(repo, &sha).await?;
        if prs.is_empty() {
            bail!("assert failed: found no {label}(s) in {name} for commit: {sha}");
        }
        println!(
            "found [{}] {label}(s) in {name} for commit: {sha}",
            prs.len()
        );
        Ok(())
    }
}
