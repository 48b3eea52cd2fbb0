//! `snapshot paths|path|server ENV`: reports the files and directories running
//! on a server to a `server` environment, fingerprinted here, as
//! `PUT /environments/{org}/{env}/report/server`; `snapshot docker ENV` reports
//! the local daemon's running containers. With `--auto-environment` a missing
//! environment is created first. `snapshot paths|path --watch` keeps reporting
//! changes: see [`watch`]. The `k8s`, `ecs`, `lambda`, `s3`, `azure` and `cloud-run` reporters live
//! in their own modules.

mod azure;
mod cloud_run;
mod docker;
mod ecs;
mod k8s;
mod lambda;
mod s3;
mod server;
mod spec;
mod watch;

use anyhow::{anyhow, bail};
use clap::{ArgAction, Args, Subcommand};
use custody_api::{EnvironmentCreate, EnvironmentReport};
use custody_client::{Body, ClientError};
use reqwest::Method;
use serde_json::Value;

use crate::context::Ctx;
use spec::ArtifactPath;

/// The environment type these reporters feed.
const ENV_TYPE: &str = "server";

#[derive(Debug, Subcommand)]
pub enum Snapshot {
    /// Report the artifacts of a paths spec file to a server environment.
    Paths(SnapshotPaths),
    /// Report one file or directory to a server environment.
    Path(SnapshotPath),
    /// Report what globs match to a server environment (deprecated: use paths).
    #[command(alias = "directories")]
    Server(SnapshotServer),
    /// Report the running containers of the local Docker daemon to a docker environment.
    Docker(docker::SnapshotDocker),
    /// Report the pods running in a Kubernetes cluster to K8S environments.
    #[command(alias = "kubernetes")]
    K8s(k8s::SnapshotK8s),
    /// Report the running tasks of AWS ECS clusters to an ECS environment.
    Ecs(ecs::SnapshotEcs),
    /// Report AWS Lambda functions to a lambda environment.
    Lambda(lambda::SnapshotLambda),
    /// Report the content of an AWS S3 bucket to an S3 environment.
    #[command(alias = "S3")]
    S3(s3::SnapshotS3),
    /// Report the running Azure Web and Function apps of a resource group to an azure-apps environment.
    Azure(azure::SnapshotAzure),
    /// Report the Cloud Run services and jobs of a Google Cloud project and region to a cloud-run environment.
    CloudRun(cloud_run::SnapshotCloudRun),
}

/// The flags every snapshot command takes.
#[derive(Debug, Clone, Args)]
pub struct AutoEnvironment {
    /// Create the environment first if it does not exist.
    #[arg(
        short = 'A',
        long = "auto-environment",
        alias = "auto-env",
        action = ArgAction::Set,
        num_args = 0..=1,
        default_missing_value = "true",
        default_value = "false"
    )]
    auto_environment: bool,
    /// The description of an environment --auto-environment creates.
    #[arg(long)]
    environment_description: Option<String>,
    #[command(flatten)]
    _scaling: crate::deprecated::ScalingFlags,
}

#[derive(Debug, Args)]
pub struct SnapshotPaths {
    #[arg(value_name = "ENVIRONMENT-NAME")]
    env: String,
    /// A YAML, JSON or TOML file: `version: 1` and `artifacts: {NAME: {path, exclude}}`.
    #[arg(long)]
    paths_file: String,
    #[command(flatten)]
    watch: watch::PathWatchFlags,
    #[command(flatten)]
    auto: AutoEnvironment,
}

#[derive(Debug, Args)]
pub struct SnapshotPath {
    #[arg(value_name = "ENVIRONMENT-NAME")]
    env: String,
    /// The file or directory.
    #[arg(long)]
    path: String,
    /// The artifact's name in the report.
    #[arg(long)]
    name: String,
    /// Paths or globs (relative to --path) to leave out of a directory fingerprint.
    #[arg(short = 'x', long, value_delimiter = ',')]
    exclude: Vec<String>,
    #[command(flatten)]
    watch: watch::PathWatchFlags,
    #[command(flatten)]
    auto: AutoEnvironment,
}

#[derive(Debug, Args)]
pub struct SnapshotServer {
    #[arg(value_name = "ENVIRONMENT-NAME")]
    env: String,
    /// Paths or globs (with **) of the artifacts; each match is reported by its absolute path.
    #[arg(short = 'p', long, value_delimiter = ',')]
    paths: Vec<String>,
    /// Paths or globs to leave out of directory fingerprints.
    #[arg(short = 'x', long, value_delimiter = ',')]
    exclude: Vec<String>,
    /// The old spelling of --exclude.
    #[arg(short = 'e', long = "e", hide = true, value_delimiter = ',')]
    old_exclude: Vec<String>,
    #[command(flatten)]
    auto: AutoEnvironment,
}

/// The report entries of named paths, each error naming its artifact.
fn entries(artifacts: &[ArtifactPath]) -> anyhow::Result<Vec<Value>> {
    artifacts
        .iter()
        .map(|a| {
            spec::entry(&a.name, &a.path, &a.exclude).map_err(|e| {
                anyhow!(
                    "failed to calculate fingerprint for artifact [{}]: {e:#}",
                    a.name
                )
            })
        })
        .collect()
}

impl AutoEnvironment {
    /// Creates the environment when asked to and it is missing; refuses one of another type.
    async fn ensure(&self, ctx: &Ctx, org: &str, env: &str, kind: &str) -> anyhow::Result<()> {
        if !self.auto_environment {
            if self.environment_description.is_some() {
                ctx.warn("--environment-description is ignored unless --auto-environment is set");
            }
            return Ok(());
        }
        if ctx.dry_run() {
            println!(
                "dry-run: environment {env} would be created with type {kind} if it does not exist"
            );
            return Ok(());
        }
        match ctx.get(&["environments", org, env], &[]).await {
            Ok(response) => {
                let doc: Value = response.json()?;
                let found = doc.get("type").and_then(Value::as_str).unwrap_or_default();
                if found.eq_ignore_ascii_case("logical") {
                    bail!("cannot report a snapshot to the logical environment {env}");
                }
                if !found.eq_ignore_ascii_case(kind) {
                    bail!(
                        "environment {env} already exists with type {found}, which does not match the snapshot type {kind}"
                    );
                }
                if self.environment_description.is_some() {
                    ctx.warn(&format!(
                        "environment {env} already exists; --environment-description is ignored"
                    ));
                }
                Ok(())
            }
            Err(e)
                if e.downcast_ref::<ClientError>()
                    .and_then(ClientError::status)
                    == Some(404) =>
            {
                let payload = EnvironmentCreate {
                    name: env.to_string(),
                    kind: kind.to_string(),
                    description: self
                        .environment_description
                        .clone()
                        .unwrap_or_else(|| "Auto-created by custody snapshot".to_string()),
                    ..EnvironmentCreate::default()
                };
                let body = Body::Json(serde_json::to_value(payload)?);
                ctx.send(Method::PUT, &["environments", org], body)
                    .await
                    .map_err(|e| anyhow!("failed to auto-create environment {env}: {e:#}"))?;
                println!("environment {env} was created");
                Ok(())
            }
            Err(e) => Err(e),
        }
    }
}

/// Sends a `kind` report; false when it was only printed (dry run).
async fn put_report(
    ctx: &Ctx,
    (org, env, kind): (&str, &str, &str),
    artifacts: Vec<Value>,
) -> anyhow::Result<bool> {
    let report = EnvironmentReport {
        kind: None,
        artifacts,
    };
    let body = Body::Json(serde_json::to_value(report)?);
    let path = ["environments", org, env, "report", kind];
    Ok(ctx.send(Method::PUT, &path, body).await?.is_some())
}

/// Sends a `kind` report and says how many `noun`s (artifacts, containers) it held.
async fn send_report(
    ctx: &Ctx,
    target: (&str, &str, &str),
    noun: &str,
    artifacts: Vec<Value>,
) -> anyhow::Result<()> {
    let count = artifacts.len();
    if put_report(ctx, target, artifacts).await? {
        println!("[{count}] {noun} were reported to environment {}", target.1);
    }
    Ok(())
}

/// A server report of named paths.
async fn report(ctx: &Ctx, org: &str, env: &str, artifacts: Vec<Value>) -> anyhow::Result<()> {
    send_report(ctx, (org, env, ENV_TYPE), "artifacts", artifacts).await
}

impl Snapshot {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            Snapshot::Paths(c) => {
                let env = c.env;
                let org = ctx.require_login()?;
                c.auto.ensure(ctx, org, &env, ENV_TYPE).await?;
                let artifacts = spec::load(&c.paths_file)?;
                c.watch.run(ctx, (org, &env), &artifacts).await
            }
            Snapshot::Path(c) => {
                let env = c.env;
                let org = ctx.require_login()?;
                c.auto.ensure(ctx, org, &env, ENV_TYPE).await?;
                let artifact = ArtifactPath {
                    name: c.name,
                    path: c.path,
                    exclude: c.exclude,
                };
                c.watch.run(ctx, (org, &env), &[artifact]).await
            }
            Snapshot::Server(c) => {
                eprintln!("Command \"server\" is deprecated, use 'custody snapshot paths' instead");
                let env = c.env;
                let org = ctx.require_login()?;
                if c.paths.is_empty() {
                    bail!("required flag \"paths\" not set");
                }
                c.auto.ensure(ctx, org, &env, ENV_TYPE).await?;
                let exclude = [c.exclude, c.old_exclude].concat();
                let artifacts = server::artifacts(&c.paths, &exclude)?;
                report(ctx, org, &env, artifacts).await
            }
            Snapshot::Docker(c) => c.run(ctx).await,
            Snapshot::K8s(c) => c.run(ctx).await,
            Snapshot::Ecs(c) => c.run(ctx).await,
            Snapshot::Lambda(c) => c.run(ctx).await,
            Snapshot::S3(c) => c.run(ctx).await,
            Snapshot::Azure(c) => c.run(ctx).await,
            Snapshot::CloudRun(c) => c.run(ctx).await,
        }
    }
}
