//! `join environment --physical P --logical L`: adds a physical environment
//! to a logical one.

use clap::{Args, Subcommand};
use custody_client::Body;
use reqwest::Method;
use serde_json::json;

use crate::context::Ctx;

#[derive(Debug, Subcommand)]
pub enum Join {
    /// Add a physical environment to a logical one.
    #[command(visible_alias = "env")]
    Environment(JoinEnvironment),
}

#[derive(Debug, Args)]
pub struct JoinEnvironment {
    /// The physical environment to add.
    #[arg(long, required = true)]
    physical: String,
    /// The logical environment to add it to.
    #[arg(long, required = true)]
    logical: String,
}

impl Join {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = ctx.require_login()?;
        let Join::Environment(j) = self;
        let body = Body::Json(json!({ "physical_env_name": j.physical }));
        let path = ["environments", org, &j.logical, "join"];
        if ctx.send(Method::PUT, &path, body).await?.is_some() {
            println!("environment '{}' was joined to '{}'", j.physical, j.logical);
        }
        Ok(())
    }
}
