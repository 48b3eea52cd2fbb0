//! `snapshot azure ENV`: the running Web and Function apps of an Azure
//! resource group, reported as `PUT /environments/{org}/{env}/report/azure-apps`.
//! Docker apps (`linuxFxVersion` `DOCKER|image:tag`) are fingerprinted by the
//! registry's manifest digest (`--digests-source acr`, signing in to the
//! registry as the service principal) or by the digest their docker logs show
//! for the last container start (`logs`). Other (zip-deployed) apps are
//! fingerprinted as a directory from their site package.

use anyhow::anyhow;
use clap::{Args, ValueEnum};
use custody_fingerprint::dir_fingerprint;
use serde_json::{Value, json};

use super::{AutoEnvironment, put_report};
use crate::azure::{Client, Principal, Site, unzip};
use crate::context::Ctx;
use crate::images::{Credentials, registry};

/// The environment type this reporter feeds.
const ENV_TYPE: &str = "azure-apps";

/// Where the digests of docker apps come from.
#[derive(Debug, Clone, Copy, PartialEq, ValueEnum)]
enum DigestsSource {
    /// The manifest digest in the (Azure Container) registry.
    Acr,
    /// The digest the app's docker logs show for its last start.
    Logs,
}

#[derive(Debug, Args)]
#[command(after_help = "Environment variables for sovereign clouds and tests:
  AZURE_AUTHORITY_HOST    the sign-in authority (default https://login.microsoftonline.com)
  CUSTODY_AZURE_ARM_URL   Azure Resource Manager (default https://management.azure.com)
  CUSTODY_AZURE_SCM_URL   an app's Kudu site, {app} standing for its name
                          (default https://{app}.scm.azurewebsites.net)")]
pub struct SnapshotAzure {
    #[arg(value_name = "ENVIRONMENT-NAME")]
    env: String,
    /// The service principal's client (application) ID.
    #[arg(long, required = true)]
    azure_client_id: String,
    /// The service principal's client secret.
    #[arg(long, required = true)]
    azure_client_secret: String,
    /// The Azure tenant (directory) ID.
    #[arg(long, required = true)]
    azure_tenant_id: String,
    /// The Azure subscription ID.
    #[arg(long, required = true)]
    azure_subscription_id: String,
    /// The resource group whose apps are reported.
    #[arg(long, required = true)]
    azure_resource_group_name: String,
    /// Where docker image digests come from: the registry (acr) or the app's docker logs.
    #[arg(long, value_enum, default_value = "acr")]
    digests_source: DigestsSource,
    /// Download the docker logs as one zip (with --digests-source logs).
    #[arg(long)]
    zip: bool,
    #[command(flatten)]
    auto: AutoEnvironment,
}

impl SnapshotAzure {
    pub async fn run(mut self, ctx: &Ctx) -> anyhow::Result<()> {
        let env = std::mem::take(&mut self.env);
        let org = ctx.require_login()?;
        let client = Client::login(&Principal {
            tenant: &self.azure_tenant_id,
            client_id: &self.azure_client_id,
            client_secret: &self.azure_client_secret,
            subscription: &self.azure_subscription_id,
            resource_group: &self.azure_resource_group_name,
        })
        .await?;
        self.auto.ensure(ctx, org, &env, ENV_TYPE).await?;
        let sites = client.sites().await.map_err(|e| {
            let group = &self.azure_resource_group_name;
            anyhow!("failed to list the apps of resource group {group}: {e:#}")
        })?;
        let mut artifacts = Vec::new();
        for site in sites.iter().filter(|s| s.running) {
            let entry = self
                .entry(ctx, &client, site)
                .await
                .map_err(|e| anyhow!("failed to fingerprint azure app {}: {e:#}", site.name))?;
            artifacts.extend(entry);
        }
        let count = artifacts.len();
        if put_report(ctx, (org, &env, ENV_TYPE), artifacts).await? {
            println!("{count} azure apps were reported to environment {env}");
        }
        Ok(())
    }

    /// The report entry of a running app; none when its logs show no running container.
    async fn entry(
        &self,
        ctx: &Ctx,
        client: &Client,
        site: &Site,
    ) -> anyhow::Result<Option<Value>> {
        let object = |source: &str, name: &str, digest: String, started: i64| {
            json!({
                "app_name": site.name,
                "app_kind": site.kind,
                "digests_source": source,
                "digests": { name: digest },
                "creationTimestamp": started,
            })
        };
        let Some(image) = site.linux_fx_version.strip_prefix("DOCKER|") else {
            let package = client.site_package(&site.name).await?;
            let dir = tempfile::tempdir()?;
            unzip::extract(&package, dir.path())?;
            let digest = dir_fingerprint(dir.path(), &[])?;
            return Ok(Some(object("kosli-cli", &site.name, digest, 0)));
        };
        match self.digests_source {
            DigestsSource::Acr => {
                let credentials = Credentials {
                    username: self.azure_client_id.clone(),
                    password: self.azure_client_secret.clone(),
                };
                let digest = registry::digest(image, Some(credentials)).await?;
                Ok(Some(object("acr", image, digest, 0)))
            }
            DigestsSource::Logs => {
                let log = client
                    .docker_log(&site.name, self.zip)
                    .await?
                    .unwrap_or_default();
                match last_start(&log) {
                    Some((digest, started)) => Ok(Some(object("logs", image, digest, started))),
                    None => {
                        ctx.warn(&format!(
                            "ignoring azure app '{}' as its docker logs show no container started after the last image pull",
                            site.name
                        ));
                        Ok(None)
                    }
                }
            }
        }
    }
}

/// The digest of the last `Digest: sha256:` line and the Unix time of the last
/// container start, when that start came after it.
fn last_start(log: &str) -> Option<(String, i64)> {
    let lines: Vec<&str> = log.lines().map(str::trim_end).collect();
    let digest_at = lines.iter().rposition(|l| l.contains("Digest: sha256:"))?;
    let started_at = lines
        .iter()
        .rposition(|l| l.contains("initialized successfully and is ready to serve requests"))?;
    if started_at < digest_at {
        return None;
    }
    let digest = lines[digest_at];
    let digest = digest.get(digest.len().checked_sub(64)?..)?.to_string();
    let time: jiff::Timestamp = lines[started_at].split_whitespace().next()?.parse().ok()?;
    Some((digest, time.as_second()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PULL: &str = "2023-09-28T12:27:31.201Z INFO  -  Digest: sha256:";
    const START: &str = "2023-09-28T12:27:37.414Z INFO  - Container web_0_5b07 for site web initialized successfully and is ready to serve requests.";

    #[test]
    fn the_last_start_after_the_last_pull_counts() {
        let a = "a".repeat(64);
        let log = format!("{PULL}{}\n{START}\n{PULL}{a}\n{START}\n", "b".repeat(64));
        assert_eq!(last_start(&log), Some((a.clone(), 1_695_904_057)));
        assert_eq!(last_start(&format!("{START}\n{PULL}{a}\n")), None);
        assert_eq!(last_start(START), None);
        assert_eq!(last_start(""), None);
    }
}
