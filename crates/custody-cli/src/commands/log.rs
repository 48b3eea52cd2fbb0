//! `log environment ENV`: what started, scaled and stopped, snapshot by
//! snapshot; narrowed to an interval, to artifacts of some repos
//! (`--repo`), or to a range of snapshots by index or time (`--start`,
//! `--end`, `--start-ts`, `--end-ts`).

use clap::{Args, Subcommand};
use custody_api::EnvironmentEvent;

use crate::context::{Ctx, OutputArg};
use crate::render;

#[derive(Debug, Subcommand)]
pub enum Log {
    /// The event log of an environment, newest first.
    ///
    /// Pages hold the events of 15 snapshots unless --page-limit says otherwise.
    /// An --interval is two snapshot expressions, [expression]..[expression],
    /// either of which may be left out (NOW): ~N is N behind the latest snapshot,
    /// N is snapshot number N, NOW is the latest. --start and --end (a snapshot
    /// index, or a time such as NOW, 1hour or 2023-10-02T12:00:00) and
    /// --start-ts and --end-ts (Unix seconds) narrow the range further.
    #[command(visible_alias = "env")]
    Environment(LogEnvironment),
}

#[derive(Debug, Args)]
pub struct LogEnvironment {
    env: String,
    /// Snapshots in an interval such as 3..7, ~5..NOW, 10.. or NOW
    #[arg(short = 'i', long)]
    interval: Option<String>,
    /// Only events of artifacts built from this repo, as its name is
    /// registered, e.g. kosli-dev/cli (repeatable, or comma-separated).
    #[arg(long, value_delimiter = ',')]
    repo: Vec<String>,
    /// The start of the range: a snapshot index, or a time such as NOW or 1hour (ago).
    #[arg(long)]
    start: Option<String>,
    /// The end of the range: a snapshot index, or a time such as NOW or 1hour (ago).
    #[arg(long)]
    end: Option<String>,
    /// The start of the range as a Unix time in seconds (whole or not).
    #[arg(long = "start-ts", allow_negative_numbers = true)]
    start_ts: Option<f64>,
    /// The end of the range as a Unix time in seconds (whole or not).
    #[arg(long = "end-ts", allow_negative_numbers = true)]
    end_ts: Option<f64>,
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
        let repos = l.repo.iter().filter(|r| !r.is_empty());
        query.extend(repos.map(|r| ("repo_name", r.clone())));
        query.extend(l.start.iter().map(|s| ("start", s.clone())));
        query.extend(l.end.iter().map(|e| ("end", e.clone())));
        // An unset (or zero) timestamp is no bound, as Kosli reads it.
        let stamps = [("start_ts", l.start_ts), ("end_ts", l.end_ts)];
        for (key, ts) in stamps {
            if let Some(ts) = ts.filter(|t| *t != 0.0) {
                query.push((key, ts.to_string()));
            }
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
