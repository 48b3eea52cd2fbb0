//! Environment policies and allow-lists: `create policy`, `get policy`,
//! `list policies`, `attach-policy`, `detach-policy` and `allow artifact`.

use anyhow::Context;
use clap::{Args, Subcommand};
use custody_api::PolicyDocument;
use custody_client::{Body, FormBody};
use reqwest::Method;
use serde_json::json;

use super::fingerprint::check_artifact_arg;
use crate::context::{Ctx, OutputArg};
use crate::render::catalog;

#[derive(Debug, Args)]
pub struct CreatePolicy {
    #[arg(value_name = "POLICY-NAME")]
    name: String,
    /// The policy YAML file.
    #[arg(value_name = "POLICY-FILE")]
    file: String,
    #[arg(long, default_value = "")]
    description: String,
    /// What changed in this version.
    #[arg(long, default_value = "")]
    comment: String,
    /// The policy type; only `env`.
    #[arg(long = "type", default_value = "env")]
    kind: String,
}

impl CreatePolicy {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = ctx.require_login()?.to_string();
        let content = std::fs::read(&self.file)
            .with_context(|| format!("failed to open policy file {}", self.file))?;
        let data = json!({"name": self.name, "description": self.description,
                          "comment": self.comment, "type": self.kind});
        let form = FormBody {
            fields: vec![("payload".into(), data)],
            files: vec![("policy_file".into(), "policy.yml".into(), content.into())],
        };
        let path = ["policies", org.as_str()];
        if let Some(r) = ctx.send(Method::PUT, &path, Body::Form(form)).await? {
            let verb = if r.status == 201 {
                "created"
            } else {
                "updated"
            };
            println!("policy '{}' was {verb}", self.name);
        }
        Ok(())
    }
}

#[derive(Debug, Args)]
pub struct GetPolicy {
    #[arg(value_name = "POLICY-NAME")]
    name: String,
    #[command(flatten)]
    output: OutputArg,
}

impl GetPolicy {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let json = self.output.is_json()?;
        let r = ctx
            .get(&["policies", ctx.require_login()?, &self.name], &[])
            .await?;
        if json {
            return ctx.print_json(&r);
        }
        print!("{}", catalog::policy(&r.json()?));
        Ok(())
    }
}

#[derive(Debug, Args)]
pub struct ListPolicies {
    #[command(flatten)]
    output: OutputArg,
}

impl ListPolicies {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let json = self.output.is_json()?;
        let r = ctx.get(&["policies", ctx.require_login()?], &[]).await?;
        if json {
            return ctx.print_json(&r);
        }
        print!("{}", catalog::policies(&r.json::<Vec<PolicyDocument>>()?));
        Ok(())
    }
}

/// `attach-policy` / `detach-policy NAME -e ENV[,ENV]`.
#[derive(Debug, Args)]
pub struct PolicyAttachment {
    #[arg(value_name = "POLICY-NAME")]
    name: String,
    #[arg(
        short = 'e',
        long = "environment",
        value_delimiter = ',',
        required = true
    )]
    environments: Vec<String>,
}

impl PolicyAttachment {
    pub async fn run(self, ctx: &Ctx, attach: bool) -> anyhow::Result<()> {
        let org = ctx.require_login()?.to_string();
        let method = if attach { Method::POST } else { Method::DELETE };
        let mut sent = false;
        for env in &self.environments {
            let body = Body::Json(json!({"policy_names": [self.name]}));
            let path = ["environments", &org, env, "policies"];
            sent |= ctx.send(method.clone(), &path, body).await?.is_some();
        }
        if sent {
            let verb = if attach {
                "attached to"
            } else {
                "detached from"
            };
            let envs = self.environments.join(" ");
            println!("policy '{}' is {verb} environments: [{envs}]", self.name);
        }
        Ok(())
    }
}

#[derive(Debug, Subcommand)]
pub enum Allow {
    /// Trust an artifact in an environment (e.g. a third-party image).
    Artifact(AllowArtifact),
}

#[derive(Debug, Args)]
pub struct AllowArtifact {
    /// The artifact's name, or its file or directory with --artifact-type.
    #[arg(value_name = "IMAGE-NAME | FILE-PATH | DIR-PATH")]
    artifact: String,
    #[arg(short = 'F', long)]
    fingerprint: Option<String>,
    #[arg(short = 't', long)]
    artifact_type: Option<String>,
    #[arg(short = 'e', long)]
    environment: String,
    /// Why the artifact is trusted.
    #[arg(long)]
    reason: String,
    #[arg(short = 'x', long, value_delimiter = ',')]
    exclude: Vec<String>,
}

impl Allow {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let Allow::Artifact(a) = self;
        let org = ctx.require_login()?.to_string();
        let (fingerprint, artifact_type) = (a.fingerprint.as_deref(), a.artifact_type.as_deref());
        check_artifact_arg(Some(&a.artifact), artifact_type, fingerprint, true)?;
        let fp = match (fingerprint, artifact_type) {
            (Some(_), Some(_)) => {
                anyhow::bail!("only one of --fingerprint, --artifact-type is allowed")
            }
            (Some(fp), _) => fp.to_string(),
            (None, t) => custody_fingerprint::fingerprint(
                t.unwrap_or_default(),
                std::path::Path::new(&a.artifact),
                &a.exclude,
            )?,
        };
        let body = json!({"artifact_fingerprint": fp, "artifact_name": a.artifact,
                          "description": a.reason});
        let path = ["allowlists", &org, &a.environment];
        if ctx
            .send(Method::PUT, &path, Body::Json(body))
            .await?
            .is_some()
        {
            println!(
                "artifact {fp} was allow listed in environment: {}",
                a.environment
            );
        }
        Ok(())
    }
}
