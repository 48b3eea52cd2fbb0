//! `status` and `version`.

use clap::Args;

use crate::context::Ctx;

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Fail when the server does not answer.
    #[arg(long, num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    assert: bool,
}

/// The body of `GET /ready`.
pub async fn ready(ctx: &Ctx) -> anyhow::Result<String> {
    let url = ctx.client.url("/ready");
    Ok(ctx.client.get(url).await?.body)
}

impl StatusArgs {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match ready(ctx).await {
            Ok(body) => println!("{body}"),
            Err(_) if self.assert => {
                anyhow::bail!("custody server {} is unresponsive", ctx.globals.host)
            }
            Err(_) => println!("Custody is down"),
        }
        Ok(())
    }
}

#[derive(Debug, Args)]
pub struct VersionArgs {
    /// Print only the version number.
    #[arg(short = 's', long, num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    short: bool,
}

impl VersionArgs {
    pub fn run(self) -> anyhow::Result<()> {
        let version = env!("CARGO_PKG_VERSION");
        if self.short {
            println!("v{version}");
        } else {
            println!("custody v{version}");
        }
        Ok(())
    }
}
