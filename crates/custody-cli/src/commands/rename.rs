//! `rename flow OLD NEW` and `rename environment OLD NEW`. A renamed flow
//! still answers to its old name until another flow takes it; a renamed
//! environment frees its old name at once.

use clap::{Args, Subcommand};
use custody_client::Body;
use reqwest::Method;
use serde_json::json;

use crate::context::Ctx;

#[derive(Debug, Subcommand)]
pub enum Rename {
    /// Rename a flow; its trails, artifacts and attestations stay with it.
    Flow(Names),
    /// Rename an environment; its snapshots stay, the old name is freed.
    #[command(visible_alias = "env")]
    Environment(Names),
}

#[derive(Debug, Args)]
pub struct Names {
    #[arg(value_name = "OLD_NAME")]
    old: String,
    #[arg(value_name = "NEW_NAME")]
    new: String,
}

impl Rename {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = ctx.require_login()?;
        let (kind, resource, names) = match &self {
            Rename::Flow(n) => ("flow", "flows", n),
            Rename::Environment(n) => ("environment", "environments", n),
        };
        let body = Body::Json(json!({ "new_name": names.new }));
        let path = [resource, org, &names.old, "rename"];
        if ctx.send(Method::PUT, &path, body).await?.is_some() {
            println!("{kind} {} was renamed to {}", names.old, names.new);
        }
        Ok(())
    }
}
