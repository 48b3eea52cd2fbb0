//! `update service-account NAME` and `update default-org ORG`.

use clap::Subcommand;

use super::accounts::UpdateServiceAccount;
use super::org::UpdateDefaultOrg;
use crate::context::Ctx;

#[derive(Debug, Subcommand)]
pub enum Update {
    /// Update a service account (only the flags given are changed).
    #[command(visible_alias = "sa")]
    ServiceAccount(UpdateServiceAccount),
    /// Set the caller's default organization.
    DefaultOrg(UpdateDefaultOrg),
    /// Update a control (beta): a new version.
    Control(super::controls::UpdateControl),
}

impl Update {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            Update::ServiceAccount(c) => c.run(ctx).await,
            Update::DefaultOrg(c) => c.run(ctx).await,
            Update::Control(c) => c.run(ctx).await,
        }
    }
}
