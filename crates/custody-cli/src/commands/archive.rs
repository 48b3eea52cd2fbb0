//! `archive flow|environment|attestation-type|control NAME`: hide a flow or
//! an environment from lists (its data is kept; an archived environment
//! refuses reports), retire a custom attestation type, or archive a control;
//! `unarchive control` restores one.

use clap::Subcommand;
use custody_client::Body;
use reqwest::Method;
use serde_json::Value;

use crate::context::Ctx;

#[derive(Debug, Subcommand)]
pub enum Archive {
    /// Archive a flow: it no longer shows in lists, but its data is kept.
    Flow {
        #[arg(value_name = "FLOW-NAME")]
        name: String,
    },
    /// Archive an environment: hidden from lists, history kept, reports refused.
    Environment {
        #[arg(value_name = "ENVIRONMENT-NAME")]
        name: String,
    },
    /// Archive a custom attestation type: it can no longer be attested.
    AttestationType {
        #[arg(value_name = "TYPE-NAME")]
        name: String,
    },
    /// Archive a control (beta): hidden from lists until unarchived.
    Control {
        #[arg(value_name = "CONTROL-IDENTIFIER")]
        identifier: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum Unarchive {
    /// Restore an archived control (beta).
    Control {
        #[arg(value_name = "CONTROL-IDENTIFIER")]
        identifier: String,
    },
}

impl Unarchive {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let Unarchive::Control { identifier } = self;
        super::controls::set_archived(ctx, &identifier, false).await
    }
}

impl Archive {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = ctx.require_login()?;
        match self {
            Archive::Flow { name } => {
                // Like Kosli, send a JSON `null`: the route reads no body.
                let path = ["flows", org, &name, "archive"];
                if ctx
                    .send(Method::PUT, &path, Body::Json(Value::Null))
                    .await?
                    .is_some()
                {
                    println!("flow {name} was archived");
                }
            }
            Archive::Environment { name } => {
                let path = ["environments", org, &name, "archive"];
                if ctx
                    .send(Method::PUT, &path, Body::Json(Value::Null))
                    .await?
                    .is_some()
                {
                    println!("environment {name} was archived");
                }
            }
            Archive::AttestationType { name } => {
                super::attestation_types::archive(ctx, &name).await?;
            }
            Archive::Control { identifier } => {
                super::controls::set_archived(ctx, &identifier, true).await?;
            }
        }
        Ok(())
    }
}
