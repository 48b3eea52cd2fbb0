//! `metrics dora`: deployment frequency, lead time, change failure rate, time
//! to restore and rework, from what actually ran in each environment.

use clap::{Args, Subcommand};
use custody_api::DoraReport;

use crate::context::{Ctx, OutputArg};
use crate::render;

#[derive(Debug, Subcommand)]
pub enum Metrics {
    /// DORA metrics per environment, from snapshots rather than pipeline claims.
    Dora(DoraArgs),
}

#[derive(Debug, Args)]
pub struct DoraArgs {
    /// Only this environment (default: every environment that reported).
    #[arg(long, short = 'e')]
    environment: Option<String>,
    /// Only artifacts of this flow.
    #[arg(long, short = 'f')]
    flow: Option<String>,
    /// How far back from --until: days or weeks, e.g. 28d or 4w.
    #[arg(long, default_value = "28d")]
    window: String,
    /// The window's end: a date or RFC 3339 time (default: the latest report).
    #[arg(long)]
    until: Option<String>,
    #[command(flatten)]
    output: OutputArg,
}

impl Metrics {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            Metrics::Dora(args) => args.run(ctx).await,
        }
    }
}

impl DoraArgs {
    async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let json = self.output.is_json()?;
        let mut query = vec![("window", self.window)];
        query.extend(self.environment.map(|e| ("environment", e)));
        query.extend(self.flow.map(|f| ("flow", f)));
        query.extend(self.until.map(|u| ("until", u)));
        let r = ctx
            .get(&["metrics", ctx.require_login()?, "dora"], &query)
            .await?;
        if json {
            return ctx.print_json(&r);
        }
        let report: DoraReport = r.json()?;
        print!("{}", render::metrics::dora(&report));
        Ok(())
    }
}
