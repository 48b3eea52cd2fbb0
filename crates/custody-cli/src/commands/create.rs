//! `create flow|environment|service-account|api-key|attestation-type`.

use anyhow::Context;
use clap::{Args, Subcommand};
use custody_client::{Body, FormBody};
use reqwest::Method;
use serde_json::json;

use super::accounts::{CreateApiKey, CreateServiceAccount};
use crate::context::Ctx;

#[derive(Debug, Subcommand)]
pub enum Create {
    /// Create or update a flow.
    Flow(CreateFlow),
    /// Create or update an environment.
    #[command(visible_alias = "env")]
    Environment(CreateEnvironment),
    /// Create a service account.
    #[command(visible_alias = "sa")]
    ServiceAccount(CreateServiceAccount),
    /// Create an API key for a service account.
    #[command(visible_alias = "ak")]
    ApiKey(CreateApiKey),
    /// Create a custom attestation type, or its next version.
    AttestationType(super::attestation_types::CreateAttestationType),
    /// Create an environment policy, or its next version.
    Policy(super::policies::CreatePolicy),
    /// Create a control (beta).
    Control(super::controls::CreateControl),
    /// Create or update an action (notifications to webhooks and Slack).
    Action(super::actions::CreateAction),
}

impl Create {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            Create::Flow(c) => c.run(ctx).await,
            Create::Environment(c) => c.run(ctx).await,
            Create::ServiceAccount(c) => c.run(ctx).await,
            Create::ApiKey(c) => c.run(ctx).await,
            Create::AttestationType(c) => c.run(ctx).await,
            Create::Control(c) => c.run(ctx).await,
            Create::Policy(c) => c.run(ctx).await,
            Create::Action(c) => c.run(ctx).await,
        }
    }
}

#[derive(Debug, Args)]
pub struct CreateFlow {
    /// The flow's name.
    name: String,
    /// What the flow is.
    #[arg(long, default_value = "")]
    description: String,
    /// A `version: 1` YAML template of the attestations trails need.
    #[arg(short = 'f', long, conflicts_with_all = ["use_empty_template", "template"])]
    template_file: Option<String>,
    /// Use a template requiring nothing.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    use_empty_template: bool,
    /// Legacy: a comma-separated list such as `artifact,branch-coverage`.
    #[arg(short = 't', long, value_delimiter = ',')]
    template: Vec<String>,
    /// Deprecated: public or private.
    #[arg(long)]
    visibility: Option<String>,
}

impl CreateFlow {
    async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = ctx.require_login()?.to_string();
        let response = if self.template.is_empty() {
            let template = match &self.template_file {
                Some(path) => std::fs::read(path)
                    .with_context(|| format!("failed to open template file {path}"))?,
                None => b"version: 1\n".to_vec(),
            };
            let mut data = json!({"name": self.name, "description": self.description});
            if let Some(v) = &self.visibility {
                data["visibility"] = json!(v);
            }
            let form = FormBody {
                fields: vec![("data_json".into(), data)],
                files: vec![(
                    "template_file".into(),
                    "template.yml".into(),
                    template.into(),
                )],
            };
            ctx.send(
                Method::PUT,
                &["flows", &org, "template_file"],
                Body::Form(form),
            )
            .await?
        } else {
            ctx.warn("--template is deprecated: use --template-file with a version: 1 template");
            let mut data = json!({"name": self.name, "description": self.description});
            if let Some(v) = &self.visibility {
                data["visibility"] = json!(v);
            }
            data["template"] = json!(self.template);
            ctx.send(Method::PUT, &["flows", &org], Body::Json(data))
                .await?
        };
        if let Some(r) = response {
            let verb = if r.status == 201 {
                "created"
            } else {
                "updated"
            };
            println!("flow '{}' was {verb}", self.name);
        }
        Ok(())
    }
}

#[derive(Debug, Args)]
pub struct CreateEnvironment {
    /// The environment's name.
    name: String,
    /// K8S, ECS, S3, lambda, server, docker, azure-apps, cloud-run or logical.
    #[arg(short = 't', long = "type")]
    kind: String,
    /// What the environment is.
    #[arg(short = 'd', long, default_value = "")]
    description: String,
    /// The physical environments a logical environment is made of.
    #[arg(long, value_delimiter = ',')]
    included_environments: Vec<String>,
    #[command(flatten)]
    scaling: crate::deprecated::ScalingFlags,
    #[arg(long, hide = true, action = clap::ArgAction::Set, num_args = 0..=1,
          default_missing_value = "true", default_value = "false")]
    require_provenance: bool,
}

impl CreateEnvironment {
    async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = ctx.require_login()?.to_string();
        let payload = custody_api::EnvironmentCreate {
            include_scaling: self.scaling.include_scaling(),
            require_provenance: self.require_provenance.then_some(true),
            included_environments: Some(self.included_environments.clone())
                .filter(|e| !e.is_empty()),
            name: self.name.clone(),
            kind: self.kind,
            description: self.description,
            policies: None,
        };
        let data = serde_json::to_value(&payload)?;
        if ctx
            .send(Method::PUT, &["environments", &org], Body::Json(data))
            .await?
            .is_some()
        {
            println!("environment {} was created", self.name);
        }
        Ok(())
    }
}
