//! `expect deployment [ARG]` (legacy, deprecated in Kosli): records that an
//! artifact is expected to be deployed to an environment, as the JSON
//! `DeploymentCreate` of `POST /deployments/{org}/{flow}`; the server numbers
//! deployments per flow.

use anyhow::bail;
use clap::{Args, Subcommand};
use custody_api::DeploymentCreate;
use custody_client::Body;
use reqwest::Method;
use serde_json::{Value, json};

use super::attest::common::{load_json, wire};
use super::fingerprint::{FingerprintFlags, compute};
use crate::ci;
use crate::context::Ctx;

#[derive(Debug, Subcommand)]
pub enum Expect {
    /// Record that an artifact is expected to be deployed to an environment (deprecated).
    Deployment(ExpectDeployment),
}

impl Expect {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            Expect::Deployment(c) => c.run(ctx).await,
        }
    }
}

#[derive(Debug, Args)]
pub struct ExpectDeployment {
    /// The artifact to fingerprint with --artifact-type.
    #[arg(value_name = "IMAGE-NAME | FILE-PATH | DIR-PATH")]
    args: Vec<String>,
    /// The flow the artifact belongs to.
    #[arg(short = 'f', long)]
    flow: String,
    /// The environment the artifact is to be deployed to.
    #[arg(short = 'e', long)]
    environment: String,
    /// The artifact's SHA-256 fingerprint, instead of computing it.
    #[arg(short = 'F', long)]
    fingerprint: Option<String>,
    /// What the deployment is.
    #[arg(short = 'd', long)]
    description: Option<String>,
    /// The URL of the CI build doing the deployment [default: the CI's].
    #[arg(short = 'b', long)]
    build_url: Option<String>,
    /// A JSON file of extra data.
    #[arg(short = 'u', long)]
    user_data: Option<String>,
    #[command(flatten)]
    fingerprint_flags: FingerprintFlags,
}

impl ExpectDeployment {
    fn payload(&self, artifact_fingerprint: String, user_data: Value) -> DeploymentCreate {
        DeploymentCreate {
            artifact_fingerprint,
            environment: self.environment.clone(),
            description: self.description.clone(),
            build_url: self.build_url.clone().or_else(|| ci::default("build-url")),
            user_data: Some(user_data),
        }
    }

    async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        eprintln!(
            "Command \"deployment\" is deprecated, deployment expectation is no longer required for compliance."
        );
        if self.args.len() > 1 {
            bail!("accepts at most 1 arg(s), received {}", self.args.len());
        }
        let org = ctx.require_login()?.to_string();
        let arg = self.args.first().map(String::as_str);
        self.fingerprint_flags
            .check_artifact(arg, self.fingerprint.as_deref(), false)?;
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
                    arg.unwrap_or_default(),
                    &self.fingerprint_flags.exclude,
                    &self.fingerprint_flags.registry,
                )?
            }
        };
        let user_data = match &self.user_data {
            Some(path) => load_json(path)?,
            None => json!({}),
        };
        let payload = self.payload(fingerprint, user_data);
        let body = Body::Json(wire(&payload)?);
        if let Some(response) = ctx
            .send(Method::POST, &["deployments", &org, &self.flow], body)
            .await?
        {
            let created: Value = response.json()?;
            let number = created
                .get("deployment_id")
                .map_or_else(|| "?".to_string(), Value::to_string);
            println!(
                "expected deployment #{number} of artifact {} to environment {} was recorded",
                payload.artifact_fingerprint, payload.environment
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
        #[command(subcommand)]
        expect: Expect,
    }

    fn parse(args: &[&str]) -> ExpectDeployment {
        let cli = Cli::try_parse_from(["expect", "deployment"].iter().chain(args)).unwrap();
        let Expect::Deployment(deployment) = cli.expect;
        deployment
    }

    #[test]
    fn the_payload_carries_environment_urls_and_user_data() {
        let fp = "c".repeat(64);
        let deployment = parse(&[
            "-f",
            "web",
            "-e",
            "prod",
            "-F",
            &fp,
            "-b",
            "https://ci/9",
            "-d",
            "release",
        ]);
        let value = wire(&deployment.payload(fp.clone(), json!({}))).unwrap();
        let want = json!({
            "artifact_fingerprint": fp,
            "environment": "prod",
            "description": "release",
            "build_url": "https://ci/9",
            "user_data": {},
        });
        assert_eq!(value, want);
    }

    #[test]
    fn an_artifact_or_a_fingerprint_is_needed() {
        let deployment = parse(&["-f", "web", "-e", "prod", "-b", "https://ci/9"]);
        let err = deployment
            .fingerprint_flags
            .check_artifact(None, None, false)
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "docker image name or file/dir path is required when --fingerprint is not provided"
        );
    }
}
