//! What the typed attestations (`junit`, `snyk`, `sarif`, `decision`,
//! `override`) share: Kosli's attest-common flags, the common payload they
//! make, and the multipart `data_json` post to
//! `/attestations/{org}/{flow}/trail/{trail}/{type}`.

use anyhow::{anyhow, bail};
use clap::Args;
use custody_api::AttestationPayload;
use custody_client::{Body, FormBody};
use reqwest::Method;
use serde_json::{Map, Value, json};

use super::attachments::AttachmentFlags;
use super::common::{annotations, load_json, non_empty, split_name, wire};
use super::flags::{CommitFlags, LinkFlags, RepoFlags};
use crate::ci;
use crate::commands::fingerprint::{FingerprintFlags, compute};
use crate::context::{Ctx, OutputArg};
use crate::flags::{at_most_one, key_value};

/// The server's wording when an attestation names neither artifact nor commit…
const NEEDS_TARGET: &str = "requires at least one of: artifact_fingerprint or git_commit_info.";
/// …and what it means in terms of flags.
const NEEDS_TARGET_FLAGS: &str = "requires at least one of: specifying the fingerprint (either by calculating it using the artifact name/path and --artifact-type, or by providing it using --fingerprint) or providing --commit (requires an available git repo to access commit details)";

/// Kosli's attest-common flags.
#[derive(Debug, Args)]
pub struct CommonFlags {
    /// The artifact to fingerprint with --artifact-type.
    #[arg(value_name = "IMAGE-NAME | FILE-PATH | DIR-PATH")]
    args: Vec<String>,
    /// The flow.
    #[arg(short = 'f', long)]
    pub flow: String,
    /// The trail.
    #[arg(short = 'T', long)]
    pub trail: String,
    /// The attestation's name, or ARTIFACT.NAME for an artifact of the template.
    #[arg(short = 'n', long)]
    name: String,
    /// The SHA-256 fingerprint of the artifact the attestation is about.
    #[arg(short = 'F', long, conflicts_with = "artifact_type")]
    fingerprint: Option<String>,
    /// Where the attestation was made [default: the CI build URL].
    #[arg(short = 'o', long)]
    origin_url: Option<String>,
    /// A JSON file of extra data.
    #[arg(short = 'u', long)]
    user_data: Option<String>,
    /// What the attestation is about.
    #[arg(long)]
    description: Option<String>,
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
    #[command(flatten)]
    attachments: AttachmentFlags,
    /// table (a line saying what was reported) or json (the stored attestation,
    /// with its `html_url`).
    #[arg(long, default_value = "table")]
    output: String,
}

impl CommonFlags {
    /// Kosli's checks, in its order, before any report is read; gives the org.
    pub fn check<'c>(&self, ctx: &'c Ctx) -> anyhow::Result<&'c str> {
        at_most_one(&self.args)?;
        let org = ctx.require_login()?;
        self.json_output()?;
        self.commit.check_redaction()?;
        self.fingerprint_flags
            .check_attestation(&self.args, self.fingerprint.as_deref())?;
        Ok(org)
    }

    fn json_output(&self) -> anyhow::Result<bool> {
        OutputArg {
            output: self.output.clone(),
        }
        .is_json()
    }

    /// `--commit` and its neighbours, for commands that read the commit themselves.
    pub fn commit_flags(&self) -> &CommitFlags {
        &self.commit
    }

    /// `--repository` (or its CI default), without any `owner/` prefix.
    pub fn repository(&self) -> Option<String> {
        let full = self
            .repo
            .repository
            .clone()
            .or_else(|| ci::default("repository"))?;
        full.rsplit('/').next().map(str::to_string)
    }

    /// Adds files to upload as evidence, after those of `--attachments`.
    pub fn attach(&mut self, paths: impl IntoIterator<Item = String>) {
        self.attachments.attachments.extend(paths);
    }

    /// The common payload fields, as a JSON object to add a type's fields to.
    pub fn payload(&self, ctx: &Ctx) -> anyhow::Result<Map<String, Value>> {
        let (target, attestation_name) = split_name(&self.name)?;
        let artifact_fingerprint = match (&self.fingerprint, &self.fingerprint_flags.artifact_type)
        {
            (Some(fp), _) => Some(fp.clone()),
            (None, Some(kind)) => Some(
                compute(
                    kind,
                    self.args.first().map_or("", String::as_str),
                    &self.fingerprint_flags.exclude,
                    &self.fingerprint_flags.registry,
                )
                .map_err(|e| anyhow!("failed to calculate artifact fingerprint: {e}"))?,
            ),
            (None, None) => None,
        };
        let git_commit_info = match self.commit.reference() {
            Some(reference) => Some(
                self.commit
                    .info(&reference)
                    .map_err(|e| anyhow!("failed to get commit info. {e}"))?,
            ),
            None => None,
        };
        self.repo.check()?;
        let user_data = match &self.user_data {
            Some(path) => load_json(path).map_err(|e| anyhow!("failed to load user data. {e}"))?,
            None => json!({}),
        };
        let payload = AttestationPayload {
            artifact_fingerprint,
            git_commit_info,
            repo_info: self.repo.info(ctx)?,
            attestation_name,
            target_artifacts: target.into_iter().collect(),
            external_urls: self.links.urls()?,
            origin_url: non_empty(self.origin_url.clone().or_else(|| ci::default("build-url"))),
            user_data,
            description: non_empty(self.description.clone()),
            annotations: annotations(&self.annotate)?,
            is_compliant: None,
            summary: Vec::new(),
        };
        match wire(&payload)? {
            Value::Object(map) => Ok(map),
            _ => bail!("an attestation payload must be a JSON object"),
        }
    }

    /// Posts `payload` as `data_json` to the trail's `segment` endpoint and
    /// prints `<label> attestation '<name>' is reported to trail: <trail>`, or
    /// the stored attestation under `--output json`.
    pub async fn post(
        &self,
        ctx: &Ctx,
        org: &str,
        segment: &str,
        label: &str,
        payload: Map<String, Value>,
    ) -> anyhow::Result<()> {
        let name = payload["attestation_name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let attachment = self.attachments.files()?;
        let form = FormBody {
            fields: vec![("data_json".to_string(), Value::Object(payload))],
            files: attachment.files.clone(),
        };
        let path = [
            "attestations",
            org,
            &self.flow,
            "trail",
            &self.trail,
            segment,
        ];
        let sent = ctx
            .send(Method::POST, &path, Body::Form(form))
            .await
            .map_err(needs_target)?;
        drop(attachment);
        match sent {
            Some(response) if self.json_output()? => ctx.print_json(&response)?,
            Some(_) => println!(
                "{label} attestation '{name}' is reported to trail: {}",
                self.trail
            ),
            None => {}
        }
        Ok(())
    }
}

/// Rewords the server's missing-target error in terms of flags.
pub fn needs_target(error: anyhow::Error) -> anyhow::Error {
    let text = format!("{error:#}");
    if text.contains(NEEDS_TARGET) {
        anyhow!(text.replacen(NEEDS_TARGET, NEEDS_TARGET_FLAGS, 1))
    } else {
        error
    }
}
