//! `diff snapshots A B`: what differs between two snapshots, also of two environments.

use clap::{Args, Subcommand};
use custody_api::SnapshotDiff;
use custody_core::expr::Snappish;

use crate::context::{Ctx, OutputArg};
use crate::render;

#[derive(Debug, Subcommand)]
pub enum Diff {
    /// Compare two snapshots (ENV, ENV#N, ENV~N or ENV@{time}).
    Snapshots(DiffSnapshots),
}

#[derive(Debug, Args)]
pub struct DiffSnapshots {
    snappish1: String,
    snappish2: String,
    /// Also list the artifacts running unchanged in both.
    #[arg(short = 'u', long, num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    show_unchanged: bool,
    #[command(flatten)]
    output: OutputArg,
}

impl Diff {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let Diff::Snapshots(d) = self;
        let json = d.output.is_json()?;
        let org = ctx.require_login()?;
        Snappish::parse(&d.snappish1)?;
        Snappish::parse(&d.snappish2)?;
        let query = [
            ("snappish1", d.snappish1.clone()),
            ("snappish2", d.snappish2.clone()),
        ];
        let r = ctx.get(&["env-diff", org], &query).await?;
        if json {
            return ctx.print_json(&r);
        }
        let diff: SnapshotDiff = r.json()?;
        print!(
            "{}",
            render::snapshot::diff(&diff, (&d.snappish1, &d.snappish2), d.show_unchanged)
        );
        Ok(())
    }
}
