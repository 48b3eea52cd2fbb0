//! `log environment ENV`: what started, scaled and stopped, snapshot by snapshot.

use clap::{Args, Subcommand};
use custody_api::EnvironmentEvent;

use crate::context::{Ctx, OutputArg};
use crate::render;

#[derive(Debug, Subcommand)]
pub enum Log {
    /// The event log of an environment, newest first.
    #[command(visible_alias = "env")]
    Environment(LogEnvironment),
}

#[derive(Debug, Args)]
pub struct LogEnvironment {
    env: String,
    /// Snapshots in an interval such as 3..7, ~5..NOW or 10..
    #[arg(short = 'i', long)]
    interval: Option<String>,
    /// Oldest first.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    reverse: bool,
    #[arg(long, default_value_t = 1)]
    page: u32,
    /// Snapshots per page.
    #[arg(short = 'n', long, default_value_t = 15)]
    page_limit: u32,
    #[command(flatten)]
    output: OutputArg,
}

impl Log {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let Log::Environment(l) = self;
        let json = l.output.is_json()?;
        if l.page == 0 || l.page_limit == 0 {
            anyhow::bail!("page and page limit must be positive integers");
        }
        let mut query = vec![
            ("page", l.page.to_string()),
            ("per_page", l.page_limit.to_string()),
        ];
        query.extend(l.interval.iter().map(|i| ("interval", i.clone())));
        if l.reverse {
            query.push(("reverse", "true".into()));
        }
        let r = ctx
            .get(
                &["environments", ctx.require_login()?, &l.env, "events"],
                &query,
            )
            .await?;
        if json {
            return ctx.print_json(&r);
        }
        let events: Vec<EnvironmentEvent> = r.json()?;
        if events.is_empty() {
            println!("No environment events were found.");
        } else {
            print!("{}", render::snapshot::events(&events));
        }
        Ok(())
    }
}
