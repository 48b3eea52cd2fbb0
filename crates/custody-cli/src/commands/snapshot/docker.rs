//! `snapshot docker ENV`: the running containers of the Docker daemon named
//! by `DOCKER_HOST` (default `/var/run/docker.sock`), each reported by its
//! image's repo digest and creation time as
//! `PUT /environments/{org}/{env}/report/docker`. Containers whose image has no
//! repo digest (built locally, never pushed) or is gone are skipped with a
//! warning.

use clap::Args;
use serde_json::{Value, json};

use super::{AutoEnvironment, send_report};
use crate::context::Ctx;
use crate::images::docker::{Daemon, repo_digest};

/// The environment type this reporter feeds.
const ENV_TYPE: &str = "docker";

#[derive(Debug, Args)]
pub struct SnapshotDocker {
    #[arg(value_name = "ENVIRONMENT-NAME")]
    env: String,
    #[command(flatten)]
    auto: AutoEnvironment,
}

impl SnapshotDocker {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let env = self.env;
        let org = ctx.require_login()?;
        self.auto.ensure(ctx, org, &env, ENV_TYPE).await?;
        let artifacts = containers(ctx, &Daemon::from_env()?).await?;
        send_report(ctx, (org, &env, ENV_TYPE), "containers", artifacts).await
    }
}

/// The report entries of the daemon's running containers.
async fn containers(ctx: &Ctx, daemon: &Daemon) -> anyhow::Result<Vec<Value>> {
    let mut artifacts = Vec::new();
    for container in daemon.containers().await? {
        let name = container.name();
        let Some(digests) = daemon.repo_digests(&container.image).await? else {
            ctx.warn(&format!(
                "ignoring container '{name}' as its image '{}' is no longer present",
                container.image
            ));
            continue;
        };
        match repo_digest(&container.image, &digests) {
            Ok(digest) => artifacts.push(json!({
                "digests": { container.image.as_str(): digest },
                "creationTimestamp": container.created,
            })),
            Err(_) => ctx.warn(&format!(
                "ignoring container '{name}' as it uses an image with no repo digest"
            )),
        }
    }
    Ok(artifacts)
}
