//! `snapshot lambda ENV`: the latest code of AWS Lambda functions (all, or
//! those selected by name or regex), one entry per function keyed by its name
//! with its package digest and `LastModified`, reported as
//! `PUT /environments/{org}/{env}/report/lambda`.

use clap::Args;

use super::{AutoEnvironment, put_report};
use crate::aws::{AwsFlags, Client, NameFilter};
use crate::context::Ctx;
use crate::flags::only_one;

/// The environment type this reporter feeds.
const ENV_TYPE: &str = "lambda";

#[derive(Debug, Args)]
pub struct SnapshotLambda {
    #[arg(value_name = "ENVIRONMENT-NAME")]
    env: String,
    /// Functions to report, by exact name (default: all).
    #[arg(long, value_delimiter = ',')]
    function_names: Vec<String>,
    /// Functions to report, by regex (searched, not anchored).
    #[arg(long, value_delimiter = ',')]
    function_names_regex: Vec<String>,
    /// Functions to leave out, by exact name.
    #[arg(long, value_delimiter = ',')]
    exclude: Vec<String>,
    /// Functions to leave out, by regex.
    #[arg(long, value_delimiter = ',')]
    exclude_regex: Vec<String>,
    /// Deprecated: use --function-names.
    #[arg(long, value_delimiter = ',', hide = true)]
    function_name: Vec<String>,
    /// Deprecated and ignored.
    #[arg(long, hide = true)]
    function_version: Option<String>,
    #[command(flatten)]
    aws: AwsFlags,
    #[command(flatten)]
    auto: AutoEnvironment,
}

impl SnapshotLambda {
    /// Kosli's mutual exclusions, then the function filter.
    fn filter(&mut self) -> anyhow::Result<NameFilter> {
        let name = !self.function_name.is_empty();
        let names = !self.function_names.is_empty();
        let regex = !self.function_names_regex.is_empty();
        let exclude = !self.exclude.is_empty();
        let exclude_regex = !self.exclude_regex.is_empty();
        only_one(&[
            &[
                ("function-name", name),
                ("function-names", names),
                ("exclude", exclude),
            ],
            &[("function-names-regex", regex), ("exclude", exclude)],
            &[
                ("function-name", name),
                ("function-names", names),
                ("exclude-regex", exclude_regex),
            ],
            &[
                ("function-names-regex", regex),
                ("exclude-regex", exclude_regex),
            ],
        ])?;
        let mut names = std::mem::take(&mut self.function_names);
        names.append(&mut self.function_name);
        NameFilter::new(
            names,
            &self.function_names_regex,
            std::mem::take(&mut self.exclude),
            &self.exclude_regex,
        )
    }

    pub async fn run(mut self, ctx: &Ctx) -> anyhow::Result<()> {
        if !self.function_name.is_empty() {
            eprintln!("Flag --function-name has been deprecated, use --function-names instead");
        }
        if self.function_version.is_some() {
            eprintln!(
                "Flag --function-version has been deprecated, --function-version is no longer supported. It will be removed in a future release."
            );
        }
        let env = std::mem::take(&mut self.env);
        let org = ctx.require_login()?;
        let filter = self.filter()?;
        let client = Client::new(&self.aws).await?;
        self.auto.ensure(ctx, org, &env, ENV_TYPE).await?;
        let artifacts = client.lambda_functions(&filter).await?;
        let count = artifacts.len();
        if put_report(ctx, (org, &env, ENV_TYPE), artifacts).await? {
            println!("{count} lambda functions were reported to environment {env}");
        }
        Ok(())
    }
}
