//! The flag groups the reporting commands share, with Kosli's checks:
//! `--commit`/`--redact-commit-info`/`--repo-root` (the commit to describe),
//! `--external-url`/`--external-fingerprint` (links) and the repository flags
//! that make `repo_info`.

use std::collections::BTreeMap;

use anyhow::bail;
use clap::Args;
use custody_api::GitCommitInfo;
use serde_json::{Value, json};

use crate::ci::{self, RepoOverrides};
use crate::context::Ctx;
use crate::flags::key_value;
use crate::git;

/// `--commit`, `--redact-commit-info`, `--repo-root`.
#[derive(Debug, Clone, Args)]
pub struct CommitFlags {
    /// The git commit (sha or revision such as HEAD~1) to associate [defaults to the CI's commit].
    #[arg(short = 'g', long)]
    pub commit: Option<String>,
    /// Parts of the commit to send as **REDACTED**: author, message, branch.
    #[arg(long, value_delimiter = ',')]
    pub redact_commit_info: Vec<String>,
    /// The directory of the git repository.
    #[arg(long, default_value = ".")]
    pub repo_root: String,
}

impl CommitFlags {
    pub fn check_redaction(&self) -> anyhow::Result<()> {
        match self
            .redact_commit_info
            .iter()
            .find(|v| !git::REDACTABLE.contains(&v.as_str()))
        {
            Some(bad) => bail!("{bad} is not an allowed value for --redact-commit-info"),
            None => Ok(()),
        }
    }

    /// The commit to report: the flag, else the CI's.
    pub fn reference(&self) -> Option<String> {
        self.commit.clone().or_else(|| ci::default("git-commit"))
    }

    pub fn info(&self, reference: &str) -> anyhow::Result<GitCommitInfo> {
        git::commit_info(&self.repo_root, reference, &self.redact_commit_info)
    }
}

/// `--external-url` and `--external-fingerprint`.
#[derive(Debug, Clone, Args)]
pub struct LinkFlags {
    /// A related link: label=url (repeatable).
    #[arg(long, value_parser = key_value, value_delimiter = ',')]
    pub external_url: Vec<(String, String)>,
    /// The fingerprint of a linked item: label=sha256 (label as in --external-url).
    #[arg(long, value_parser = key_value, value_delimiter = ',')]
    pub external_fingerprint: Vec<(String, String)>,
}

impl LinkFlags {
    /// `external_urls`: `{label: {href, fingerprint?}}`, `None` when empty.
    pub fn urls(&self) -> anyhow::Result<Option<Value>> {
        let mut urls: BTreeMap<&str, Value> = self
            .external_url
            .iter()
            .map(|(l, u)| (l.as_str(), json!({ "href": u })))
            .collect();
        let fingerprints: BTreeMap<&str, &str> = self
            .external_fingerprint
            .iter()
            .map(|(l, f)| (l.as_str(), f.as_str()))
            .collect();
        if fingerprints.len() > urls.len() {
            bail!("--external-fingerprints have labels that don't have a URL in --external-url");
        }
        for (label, fingerprint) in fingerprints {
            let Some(entry) = urls.get_mut(label) else {
                bail!(
                    "{label} in --external-fingerprint does not match any labels in --external-url"
                );
            };
            entry["fingerprint"] = json!(fingerprint);
        }
        Ok((!urls.is_empty()).then(|| json!(urls)))
    }
}

const REPO_PROVIDERS: &str = "github, gitlab, bitbucket, bitbucket_cloud, bitbucket_dc, azure-devops, azure_devops_services, azure_devops_server, git, subversion";

/// `--repo-id`, `--repository`, `--repo-url`, `--repo-provider` (CI defaults apply).
#[derive(Debug, Clone, Args)]
pub struct RepoFlags {
    /// The repository's id at its provider.
    #[arg(long)]
    pub repo_id: Option<String>,
    /// The repository's name.
    #[arg(long)]
    pub repository: Option<String>,
    /// The repository's URL.
    #[arg(long)]
    pub repo_url: Option<String>,
    /// The repository's provider.
    #[arg(long)]
    pub repo_provider: Option<String>,
}

impl RepoFlags {
    fn overrides(&self) -> RepoOverrides {
        let pick = |flag: &Option<String>, key: &str| {
            flag.clone()
                .or_else(|| ci::default(key))
                .unwrap_or_default()
        };
        RepoOverrides {
            id: pick(&self.repo_id, "repo-id"),
            name: pick(&self.repository, "repository"),
            url: pick(&self.repo_url, "repo-url"),
            provider: pick(&self.repo_provider, "repo-provider"),
            name_explicit: self.repository.is_some(),
        }
    }

    /// A typed `--repo-url` must be a URL; the provider must be a known one.
    pub fn check(&self) -> anyhow::Result<()> {
        if let Some(url) = &self.repo_url {
            let host = url.split_once("://").map(|(scheme, rest)| {
                (
                    scheme,
                    rest.split(['/', '?', '#']).next().unwrap_or_default(),
                )
            });
            if !matches!(host, Some((scheme, host)) if !scheme.is_empty() && !host.is_empty()) {
                bail!("--repo-url '{url}' is not a valid URL");
            }
        }
        let provider = self.overrides().provider;
        if !provider.is_empty() && !REPO_PROVIDERS.split(", ").any(|p| p == provider) {
            bail!("--repo-provider '{provider}' is not allowed. Must be one of: {REPO_PROVIDERS}");
        }
        Ok(())
    }

    /// `repo_info` from the CI and the flags; warns and gives `None` when incomplete.
    pub fn info(&self, ctx: &Ctx) -> anyhow::Result<Option<Value>> {
        match ci::merge_repo_info(ci::repo_info(), &self.overrides()) {
            Some(info) => Ok(Some(serde_json::to_value(info)?)),
            None => {
                ctx.warn("Repo information will not be reported as ID, Name and URL are required.");
                Ok(None)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::flags::key_value;

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn links_pair_urls_with_fingerprints() {
        let links = LinkFlags {
            external_url: vec![key_value("doc=https://x").unwrap()],
            external_fingerprint: vec![key_value("doc=ab").unwrap()],
        };
        assert_eq!(
            links.urls().unwrap(),
            Some(json!({"doc": {"href": "https://x", "fingerprint": "ab"}}))
        );
        let orphan = LinkFlags {
            external_url: vec![],
            external_fingerprint: links.external_fingerprint.clone(),
        };
        assert_eq!(
            orphan.urls().unwrap_err().to_string(),
            "--external-fingerprints have labels that don't have a URL in --external-url"
        );
    }

    #[test]
    fn redaction_and_repo_flags_are_validated() {
        let commit = CommitFlags {
            commit: None,
            redact_commit_info: strings(&["author", "bar"]),
            repo_root: ".".into(),
        };
        assert_eq!(
            commit.check_redaction().unwrap_err().to_string(),
            "bar is not an allowed value for --redact-commit-info"
        );
        let repo = RepoFlags {
            repo_id: None,
            repository: None,
            repo_url: None,
            repo_provider: Some("jenkins".into()),
        };
        assert_eq!(
            repo.check().unwrap_err().to_string(),
            format!("--repo-provider 'jenkins' is not allowed. Must be one of: {REPO_PROVIDERS}")
        );
        let repo = RepoFlags {
            repo_url: Some("example.com/x".into()),
            repo_provider: None,
            ..repo
        };
        assert_eq!(
            repo.check().unwrap_err().to_string(),
            "--repo-url 'example.com/x' is not a valid URL"
        );
    }
}
