//! `snapshot ecs ENV`: the RUNNING tasks of the services of AWS ECS clusters,
//! one entry per task (`taskArn`, `cluster_name`, `service_name`, container
//! image digests, `startedAt`), reported as
//! `PUT /environments/{org}/{env}/report/ECS`. Clusters and services are
//! selected by name or regex, include lists excluding exclude lists as in Kosli.

use clap::Args;

use super::{AutoEnvironment, send_report};
use crate::aws::{AwsFlags, Client, NameFilter};
use crate::context::Ctx;
use crate::flags::only_one;

/// The environment type this reporter feeds.
const ENV_TYPE: &str = "ECS";

#[derive(Debug, Args)]
pub struct SnapshotEcs {
    #[arg(value_name = "ENVIRONMENT-NAME")]
    env: String,
    /// Clusters to report, by exact name (default: all).
    #[arg(long, value_delimiter = ',')]
    clusters: Vec<String>,
    /// Clusters to report, by regex (searched, not anchored).
    #[arg(long, value_delimiter = ',')]
    clusters_regex: Vec<String>,
    /// Clusters to leave out, by exact name.
    #[arg(long, value_delimiter = ',')]
    exclude: Vec<String>,
    /// Clusters to leave out, by regex.
    #[arg(long, value_delimiter = ',')]
    exclude_regex: Vec<String>,
    /// Services to report, by exact name (default: all).
    #[arg(long, value_delimiter = ',')]
    services: Vec<String>,
    /// Services to report, by regex.
    #[arg(long, value_delimiter = ',')]
    services_regex: Vec<String>,
    /// Services to leave out, by exact name.
    #[arg(long, value_delimiter = ',')]
    exclude_services: Vec<String>,
    /// Services to leave out, by regex.
    #[arg(long, value_delimiter = ',')]
    exclude_services_regex: Vec<String>,
    /// Deprecated: use --clusters.
    #[arg(short = 'C', long, value_delimiter = ',', hide = true)]
    cluster: Vec<String>,
    /// Deprecated: use --services.
    #[arg(short = 's', long, hide = true)]
    service_name: Option<String>,
    #[command(flatten)]
    aws: AwsFlags,
    #[command(flatten)]
    auto: AutoEnvironment,
}

impl SnapshotEcs {
    /// Kosli's mutual exclusions, then the cluster and service filters.
    fn filters(mut self) -> anyhow::Result<(NameFilter, NameFilter, AwsFlags, AutoEnvironment)> {
        let cluster = !self.cluster.is_empty();
        let clusters = !self.clusters.is_empty();
        let clusters_regex = !self.clusters_regex.is_empty();
        let exclude = !self.exclude.is_empty();
        let exclude_regex = !self.exclude_regex.is_empty();
        let services = !self.services.is_empty();
        let services_regex = !self.services_regex.is_empty();
        let exclude_services = !self.exclude_services.is_empty();
        let exclude_services_regex = !self.exclude_services_regex.is_empty();
        only_one(&[
            &[
                ("cluster", cluster),
                ("clusters", clusters),
                ("exclude", exclude),
            ],
            &[("clusters-regex", clusters_regex), ("exclude", exclude)],
            &[
                ("cluster", cluster),
                ("clusters", clusters),
                ("exclude-regex", exclude_regex),
            ],
            &[
                ("clusters-regex", clusters_regex),
                ("exclude-regex", exclude_regex),
            ],
            &[
                ("services", services),
                ("exclude-services", exclude_services),
            ],
            &[
                ("services", services),
                ("exclude-services-regex", exclude_services_regex),
            ],
            &[
                ("services-regex", services_regex),
                ("exclude-services", exclude_services),
            ],
            &[
                ("services-regex", services_regex),
                ("exclude-services-regex", exclude_services_regex),
            ],
            &[
                ("service-name", self.service_name.is_some()),
                ("services", services),
                ("services-regex", services_regex),
                ("exclude-services", exclude_services),
                ("exclude-services-regex", exclude_services_regex),
            ],
        ])?;
        self.clusters.append(&mut self.cluster);
        self.services.extend(self.service_name);
        let clusters = NameFilter::new(
            self.clusters,
            &self.clusters_regex,
            self.exclude,
            &self.exclude_regex,
        )?;
        let services = NameFilter::new(
            self.services,
            &self.services_regex,
            self.exclude_services,
            &self.exclude_services_regex,
        )?;
        Ok((clusters, services, self.aws, self.auto))
    }

    pub async fn run(mut self, ctx: &Ctx) -> anyhow::Result<()> {
        if !self.cluster.is_empty() {
            eprintln!("Flag --cluster has been deprecated, use --clusters instead");
        }
        if self.service_name.is_some() {
            eprintln!(
                "Flag --service-name has been deprecated, it will be removed in a future release"
            );
        }
        let env = std::mem::take(&mut self.env);
        let org = ctx.require_login()?;
        let (clusters, services, aws, auto) = self.filters()?;
        let client = Client::new(&aws).await?;
        auto.ensure(ctx, org, &env, ENV_TYPE).await?;
        let artifacts = client.ecs_tasks(&clusters, &services).await?;
        send_report(ctx, (org, &env, ENV_TYPE), "containers", artifacts).await
    }
}
