//! `attest artifact ARG`: reports that an artifact was built — its fingerprint
//! (typed or computed), display name, template name, trail, commit, build and
//! commit URLs — as a JSON `ArtifactReport` to `POST /artifacts/{org}/{flow}`.

use clap::Args;
use custody_api::{ArtifactReport, GitCommitInfo};
use custody_client::Body;
use reqwest::Method;
use serde_json::Value;

use super::common::{annotations, wire};
use super::flags::{CommitFlags, LinkFlags, RepoFlags};
use crate::ci;
use crate::commands::fingerprint::{FingerprintFlags, compute};
use crate::context::Ctx;
use crate::flags::{at_most_one, key_value};
use crate::git;

#[derive(Debug, Args)]
pub struct AttestArtifact {
    /// The artifact: a file or directory path, or a name when --fingerprint is given.
    #[arg(value_name = "IMAGE-NAME | FILE-PATH | DIR-PATH")]
    args: Vec<String>,
    /// The flow.
    #[arg(short = 'f', long)]
    flow: String,
    /// The trail.
    #[arg(short = 'T', long)]
    trail: String,
    /// The artifact's name in the flow template.
    #[arg(short = 'n', long)]
    name: String,
    /// The artifact's SHA-256 fingerprint, instead of computing it.
    #[arg(short = 'F', long)]
    fingerprint: Option<String>,
    /// The name shown for the artifact [default: the file or directory name].
    #[arg(short = 'N', long)]
    display_name: Option<String>,
    /// The URL of the CI build [default: the CI's].
    #[arg(short = 'b', long)]
    build_url: Option<String>,
    /// The URL of the commit [default: the CI's].
    #[arg(short = 'u', long)]
    commit_url: Option<String>,
    /// Annotations: key=value (repeatable).
    #[arg(long, value_parser = key_value, value_delimiter = ',')]
    annotate: Vec<(String, String)>,
    #[command(flatten)]
    fingerprint_flags: FingerprintFlags,
    #[command(flatten)]
    commit: CommitFlags,
    #[command(flatten)]
    links: LinkFlags,
    #[command(flatten)]
    repo: RepoFlags,
}

/// Go's `filepath.Base`: the last element of a path.
fn base_name(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    match trimmed.rsplit('/').next() {
        _ if path.is_empty() => ".".to_string(),
        _ if trimmed.is_empty() => "/".to_string(),
        Some(last) => last.to_string(),
        None => trimmed.to_string(),
    }
}

impl AttestArtifact {
    /// The name the artifact is shown by.
    fn filename(&self, arg: &str) -> String {
        match (
            &self.display_name,
            self.fingerprint_flags.artifact_type.as_deref(),
        ) {
            (Some(name), _) => name.clone(),
            (None, Some("file" | "dir")) => base_name(arg),
            (None, _) => arg.to_string(),
        }
    }

    fn report(
        &self,
        arg: &str,
        fingerprint: String,
        commit: GitCommitInfo,
        repo_info: Option<Value>,
        repo_url: String,
    ) -> anyhow::Result<ArtifactReport> {
        Ok(ArtifactReport {
            fingerprint,
            filename: self.filename(arg),
            git_commit: Some(commit.sha1.clone()),
            git_commit_info: Some(commit),
            repo_info,
            build_url: self
                .build_url
                .clone()
                .or_else(|| ci::default("build-url"))
                .unwrap_or_default(),
            commit_url: self
                .commit_url
                .clone()
                .or_else(|| ci::default("commit-url"))
                .unwrap_or_default(),
            repo_url: Some(repo_url),
            template_reference_name: Some(self.name.clone()),
            trail_name: Some(self.trail.clone()),
            description: None,
            external_urls: self.links.urls()?,
            annotations: annotations(&self.annotate)?,
            user_data: None,
        })
    }

    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let arg = at_most_one(&self.args)?;
        let org = ctx.require_login()?.to_string();
        self.commit.check_redaction()?;
        self.fingerprint_flags
            .check_artifact(arg.as_deref(), self.fingerprint.as_deref(), true)?;
        self.repo.check()?;
        let arg = arg.unwrap_or_default();
        // Checked before the slower fingerprint and git work, in Kosli's order.
        self.links.urls()?;
        annotations(&self.annotate)?;
        let fingerprint = match &self.fingerprint {
            Some(fp) => fp.clone(),
            None => {
                let kind = self
                    .fingerprint_flags
                    .artifact_type
                    .as_deref()
                    .unwrap_or_default();
                compute(
                    kind,
                    &arg,
                    &self.fingerprint_flags.exclude,
                    &self.fingerprint_flags.registry,
                )?
            }
        };
        let reference = self
            .commit
            .reference()
            .unwrap_or_else(|| "HEAD".to_string());
        let commit = self.commit.info(&reference)?;
        let repo_info = self.repo.info(ctx)?;
        let repo_url = git::repo_url(&self.commit.repo_root).unwrap_or_else(|e| {
            ctx.warn(&format!("Repo URL will not be reported, {e}"));
            String::new()
        });
        let report = self.report(&arg, fingerprint, commit, repo_info, repo_url)?;
        let body = Body::Json(wire(&report)?);
        if ctx
            .send(Method::POST, &["artifacts", &org, &self.flow], body)
            .await?
            .is_some()
        {
            println!(
                "artifact {} was attested with fingerprint: {}",
                report.filename, report.fingerprint
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;
    use serde_json::json;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        attest: AttestArtifact,
    }

    fn parse(args: &[&str]) -> AttestArtifact {
        let base = [
            "attest",
            "-f",
            "flow",
            "-T",
            "trail",
            "-n",
            "app",
            "-b",
            "https://ci/1",
            "-u",
            "https://git/c",
        ];
        Cli::try_parse_from(base.iter().chain(args)).unwrap().attest
    }

    #[test]
    fn base_names_follow_go() {
        let cases = [
            ("dist/app.tgz", "app.tgz"),
            ("dist/", "dist"),
            ("app", "app"),
            ("/", "/"),
            ("", "."),
        ];
        for (path, want) in cases {
            assert_eq!(base_name(path), want, "{path}");
        }
    }

    #[test]
    fn the_report_names_the_artifact_and_its_commit() {
        let attest = parse(&["-t", "file", "dist/app.tgz", "--annotate", "team=web"]);
        let commit = GitCommitInfo {
            sha1: "c0ffee".into(),
            timestamp: 1.0,
            ..Default::default()
        };
        let report = attest
            .report("dist/app.tgz", "ab".into(), commit, None, String::new())
            .unwrap();
        let value = wire(&report).unwrap();
        assert_eq!(value["filename"], "app.tgz");
        assert_eq!(value["git_commit"], "c0ffee");
        assert_eq!(value["git_commit_info"]["timestamp"], json!(1));
        assert_eq!(value["template_reference_name"], "app");
        assert_eq!(value["trail_name"], "trail");
        assert_eq!(value["build_url"], "https://ci/1");
        assert_eq!(value["repo_url"], "");
        assert_eq!(value["annotations"], json!({"team": "web"}));
        assert!(value.get("repo_info").is_none() && value.get("description").is_none());
    }

    #[test]
    fn display_name_and_non_path_arguments_are_kept() {
        assert_eq!(
            parse(&["-N", "shown", "-t", "dir", "x/y"]).filename("x/y"),
            "shown"
        );
        assert_eq!(
            parse(&["-F", &"a".repeat(64), "registry/app:1"]).filename("registry/app:1"),
            "registry/app:1"
        );
    }
}
