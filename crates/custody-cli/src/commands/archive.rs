//! `archive flow NAME`: hide a flow from lists; its data is kept.

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
        }
        Ok(())
    }
}
