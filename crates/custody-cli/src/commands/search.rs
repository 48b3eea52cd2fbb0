//! `search SHA`: artifacts whose git commit or fingerprint starts with a prefix.

use clap::Args;
use custody_api::SearchResult;

use crate::context::{Ctx, OutputArg};
use crate::render;

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// A git commit or fingerprint, or a prefix of 5+ characters.
    value: String,
    #[command(flatten)]
    output: OutputArg,
}

impl SearchArgs {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let json = self.output.is_json()?;
        let r = ctx
            .get(&["search", ctx.require_login()?, "sha", &self.value], &[])
            .await?;
        if json {
            return ctx.print_json(&r);
        }
        let result: SearchResult = r.json()?;
        let resolved = &result.resolved_to;
        match (resolved.kind.as_str(), &resolved.full_match) {
            ("commit", Some(full)) => println!("Search result resolved to commit {full}"),
            ("fingerprint", Some(full)) => {
                println!("Search result resolved to artifact with fingerprint {full}")
            }
            _ => println!(
                "Search result resolved to {} fingerprint(s) and {} commit(s) across {} artifacts\n",
                resolved.fingerprints.count,
                resolved.commits.count,
                result.artifacts.len()
            ),
        }
        for a in &result.artifacts {
            println!("{}", render::artifact::search_result(a));
        }
        Ok(())
    }
}
