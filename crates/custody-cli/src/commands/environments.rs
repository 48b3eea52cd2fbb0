//! `rename environment OLD NEW` and `join environment --physical P --logical L`:
//! environment lifecycle commands beside `create environment` and
//! `archive environment`.

use clap::{Args, Subcommand};
use custody_client::Body;
use reqwest::Method;
use serde_json::json;

use crate::context::Ctx;

#[derive(Debug, Subcommand)]
pub enum Rename {
    /// Rename an environment; its snapshots stay, the old name is freed.
    #[command(visible_alias = "env")]
    Environment {
        #[arg(value_name = "OLD_NAME")]
        old: String,
        #[arg(value_name = "NEW_NAME")]
        new: String,
    },
}

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

impl Rename {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = ctx.require_login()?;
        let Rename::Environment { old, new } = self;
        let body = Body::Json(json!({ "new_name": new }));
        let path = ["environments", org, &old, "rename"];
        if ctx.send(Method::PUT, &path, body).await?.is_some() {
            println!("environment {old} was renamed to {new}");
        }
        Ok(())
    }
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
