//! `attest generic [ARG]`: records a generic attestation (compliant or not) on
//! a trail, or on an artifact of it, as the multipart `data_json` of
//! `POST /attestations/{org}/{flow}/trail/{trail}/generic`.

use anyhow::{anyhow, bail};
use clap::{ArgAction, Args};
use custody_api::AttestationPayload;
use custody_client::{Body, FormBody};
use reqwest::Method;
use serde_json::json;

use super::attachments::AttachmentFlags;
use super::common::{annotations, at_most_one, key_value, load_json, split_name, wire};
use super::flags::{CommitFlags, LinkFlags, RepoFlags};
use crate::ci;
use crate::commands::fingerprint::{FingerprintFlags, compute};
use crate::context::Ctx;

/// The server's wording when an attestation names neither artifact nor commit…
const NEEDS_TARGET: &str = "requires at least one of: artifact_fingerprint or git_commit_info.";
/// …and what it means in terms of flags.
const NEEDS_TARGET_FLAGS: &str = "requires at least one of: specifying the fingerprint (either by calculating it using the artifact name/path and --artifact-type, or by providing it using --fingerprint) or providing --commit (requires an available git repo to access commit details)";

#[derive(Debug, Args)]
pub struct AttestGeneric {
    /// The artifact to fingerprint with --artifact-type.
    #[arg(value_name = "IMAGE-NAME | FILE-PATH | DIR-PATH")]
    args: Vec<String>,
    /// The flow.
    #[arg(short = 'f', long)]
    flow: String,
    /// The trail.
    #[arg(short = 'T', long)]
    trail: String,
    /// The attestation's name, or ARTIFACT.NAME for an artifact of the template.
    #[arg(short = 'n', long)]
    name: String,
    /// The SHA-256 fingerprint of the artifact the attestation is about.
    #[arg(short = 'F', long)]
    fingerprint: Option<String>,
    /// Whether the attestation is compliant.
    #[arg(
        short = 'C',
        long,
        action = ArgAction::Set,
        num_args = 0..=1,
        default_missing_value = "true",
        default_value = "true"
    )]
    compliant: bool,
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
    attachments: AttachmentFlags,
    #[command(flatten)]
    fingerprint_flags: FingerprintFlags,
    #[command(flatten)]
    commit: CommitFlags,
    #[command(flatten)]
    links: LinkFlags,
    #[command(flatten)]
    repo: RepoFlags,
}

impl AttestGeneric {
    /// Kosli's checks, in its order, before anything is computed.
    fn check(&self) -> anyhow::Result<()> {
        if self.fingerprint.is_some() && self.fingerprint_flags.artifact_type.is_some() {
            bail!("only one of --fingerprint, --artifact-type is allowed");
        }
        self.commit.check_redaction()?;
        self.fingerprint_flags
            .check_attestation(&self.args, self.fingerprint.as_deref())?;
        Ok(())
    }

    /// The `data_json` part, once fingerprint and commit are known.
    fn payload(&self, ctx: &Ctx, arg: Option<&str>) -> anyhow::Result<AttestationPayload> {
        let (target, attestation_name) = split_name(&self.name)?;
        let artifact_fingerprint = match (&self.fingerprint, &self.fingerprint_flags.artifact_type)
        {
            (Some(fp), _) => Some(fp.clone()),
            (None, Some(kind)) => Some(
                compute(
                    kind,
                    arg.unwrap_or_default(),
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
        let repo_info = self.repo.info(ctx)?;
        let user_data = match &self.user_data {
            Some(path) => load_json(path).map_err(|e| anyhow!("failed to load user data. {e}"))?,
            None => json!({}),
        };
        Ok(AttestationPayload {
            attestation_name,
            artifact_fingerprint,
            git_commit_info,
            repo_info,
            target_artifacts: target.into_iter().collect(),
            external_urls: self.links.urls()?,
            origin_url: self.origin_url.clone().or_else(|| ci::default("build-url")),
            user_data,
            description: self.description.clone(),
            annotations: annotations(&self.annotate)?,
            is_compliant: Some(self.compliant),
        })
    }

    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let arg = at_most_one(&self.args)?;
        let org = ctx.require_login()?.to_string();
        self.check()?;
        let payload = self.payload(ctx, arg.as_deref())?;
        let form = FormBody {
            fields: vec![("data_json".to_string(), wire(&payload)?)],
            files: self.attachments.files()?,
        };
        let path = [
            "attestations",
            &org,
            &self.flow,
            "trail",
            &self.trail,
            "generic",
        ];
        let sent = ctx
            .send(Method::POST, &path, Body::Form(form))
            .await
            .map_err(|e| {
                let text = format!("{e:#}");
                if text.contains(NEEDS_TARGET) {
                    anyhow!(text.replacen(NEEDS_TARGET, NEEDS_TARGET_FLAGS, 1))
                } else {
                    e
                }
            })?;
        if sent.is_some() {
            println!(
                "generic attestation '{}' is reported to trail: {}",
                payload.attestation_name, self.trail
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        attest: AttestGeneric,
    }

    #[derive(Parser)]
    struct GlobalsOnly {
        #[command(flatten)]
        globals: crate::Globals,
    }

    fn parse(args: &[&str]) -> AttestGeneric {
        let base = ["attest", "-f", "flow", "-T", "trail"];
        Cli::try_parse_from(base.iter().chain(args)).unwrap().attest
    }

    #[test]
    fn compliant_accepts_bare_equals_and_space_forms() {
        assert!(parse(&["-n", "a"]).compliant);
        assert!(parse(&["-n", "a", "--compliant"]).compliant);
        assert!(!parse(&["-n", "a", "--compliant=false"]).compliant);
        assert!(!parse(&["-n", "a", "--compliant", "false"]).compliant);
        assert!(!parse(&["-n", "a", "-C", "false"]).compliant);
    }

    #[test]
    fn flag_combinations_are_checked_in_kosli_order() {
        let fp = "a".repeat(64);
        let both = parse(&["-n", "a", "-F", &fp, "-t", "file", "x"]);
        assert_eq!(
            both.check().unwrap_err().to_string(),
            "only one of --fingerprint, --artifact-type is allowed"
        );
        let attached = parse(&["-n", "a", "--attachments", "a.xml,b", "--attachments=c"]);
        assert_eq!(attached.attachments.attachments, ["a.xml", "b", "c"]);
        assert!(parse(&["-n", "a", "-F", &fp]).check().is_ok());
    }

    #[test]
    fn the_payload_targets_the_named_artifact() {
        let ctx = Ctx::new(
            GlobalsOnly::try_parse_from(["custody", "-q"])
                .unwrap()
                .globals,
        )
        .unwrap();
        let fp = "b".repeat(64);
        let generic = parse(&[
            "-n",
            "app.scan",
            "-F",
            &fp,
            "--compliant=false",
            "-o",
            "https://ci/2",
            "--description",
            "d",
        ]);
        let value = wire(&generic.payload(&ctx, None).unwrap()).unwrap();
        assert_eq!(value["attestation_name"], "scan");
        assert_eq!(value["target_artifacts"], json!(["app"]));
        assert_eq!(value["artifact_fingerprint"], json!(fp));
        assert_eq!(value["is_compliant"], json!(false));
        assert_eq!(value["origin_url"], "https://ci/2");
        assert_eq!(value["user_data"], json!({}));
    }
}
