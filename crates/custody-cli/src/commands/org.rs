//! The org and the caller: `get default-org`, `update default-org ORG`,
//! `enable beta` and `disable beta` (an admin's switch for the org's beta
//! features).

use clap::{Args, Subcommand};
use custody_api::{BetaFeatures, DefaultOrg};
use custody_client::Body;
use reqwest::Method;

use crate::context::{Ctx, OutputArg};

#[derive(Debug, Args)]
pub struct GetDefaultOrg {
    #[command(flatten)]
    output: OutputArg,
}

impl GetDefaultOrg {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let json = self.output.is_json()?;
        require_key(ctx)?;
        let response = ctx.get(&["user", "default-org"], &[]).await?;
        if json {
            return ctx.print_json(&response);
        }
        let org: DefaultOrg = response.json()?;
        let name = match org.default_org_name.as_str() {
            "" => "(none set)",
            name => name,
        };
        println!("Default user organization: {name}");
        Ok(())
    }
}

#[derive(Debug, Args)]
pub struct UpdateDefaultOrg {
    #[arg(value_name = "ORG-NAME")]
    name: String,
}

impl UpdateDefaultOrg {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        require_key(ctx)?;
        if self.name.is_empty() {
            return Err(crate::usage::error("ORG-NAME argument is required"));
        }
        if ctx
            .send(Method::PUT, &["user", &self.name], Body::None)
            .await?
            .is_some()
        {
            println!("default organization is set to: {}", self.name);
        }
        Ok(())
    }
}

/// `enable beta` / `disable beta`.
#[derive(Debug, Subcommand)]
pub enum Beta {
    /// The org's beta features.
    #[command(visible_alias = "experimental")]
    Beta,
}

impl Beta {
    pub async fn run(self, ctx: &Ctx, enabled: bool) -> anyhow::Result<()> {
        let org = ctx.require_login()?;
        let body = BetaFeatures {
            experimental_features_enabled: enabled,
        };
        let body = Body::Json(serde_json::to_value(body)?);
        let path = ["organizations", org, "experimental_features"];
        if ctx.send(Method::PUT, &path, body).await?.is_some() {
            let action = if enabled { "enabled" } else { "disabled" };
            println!("beta features have been {action} for organization: {org}");
        }
        Ok(())
    }
}

/// These commands are about the key's holder, not an org: only the key is needed.
fn require_key(ctx: &Ctx) -> anyhow::Result<()> {
    if ctx.globals.api_token.is_empty() {
        return Err(crate::usage::error("--api-token is not set"));
    }
    Ok(())
}
