//! `snapshot k8s ENV`: reports the Running and Failed pods of a Kubernetes
//! cluster (all namespaces, or those the `--namespaces*` flags select) as
//! `PUT /environments/{org}/{env}/report/K8S`, one entry per pod.
//!
//! Several environments at once come from a multi-environment YAML file. Kosli
//! spells it `--config-file`, which here is also the global flag naming the
//! flag-values file, and clap cannot give a subcommand a flag of the same name.
//! So the file is `--environments-file`, and `snapshot k8s --config-file F`
//! works too: a config file with an `environments` key is read as the
//! multi-environment file (its other keys stay flag values).
//!
//! `--watch` keeps reporting: see [`watch`]. Requests to the Kubernetes API
//! keep to `--qps` and `--burst`: see [`throttle`].

mod cluster;
mod envs;
mod throttle;
mod watch;

use std::time::Duration;

use anyhow::bail;
use clap::{ArgAction, Args};
use k8s_openapi::api::core::v1::Pod;
use serde_json::Value;

use super::watch::{Timing, duration};
use super::{AutoEnvironment, send_report};
use crate::context::Ctx;
use crate::flags::exactly_one;
use cluster::{Cluster, PodEntry};
use envs::{NamespaceFilter, Target};
use throttle::Bucket;

/// The environment type this reporter feeds.
const ENV_TYPE: &str = "K8S";

#[derive(Debug, Args)]
pub struct SnapshotK8s {
    #[arg(value_name = "ENVIRONMENT-NAME")]
    args: Vec<String>,
    /// The kubeconfig file (default ~/.kube/config if it exists, else the in-cluster service account).
    #[arg(short = 'k', long)]
    kubeconfig: Option<String>,
    /// Namespaces to scan, by exact name.
    #[arg(short = 'n', long, value_delimiter = ',')]
    namespaces: Vec<String>,
    /// Namespaces to scan, by regex (searched, not anchored).
    #[arg(long, value_delimiter = ',')]
    namespaces_regex: Vec<String>,
    /// Namespaces to leave out, by exact name.
    #[arg(short = 'x', long, value_delimiter = ',')]
    exclude_namespaces: Vec<String>,
    /// Namespaces to leave out, by regex.
    #[arg(long, value_delimiter = ',')]
    exclude_namespaces_regex: Vec<String>,
    /// A YAML file of environments and their namespaces (Kosli's `snapshot k8s --config-file`).
    #[arg(long)]
    environments_file: Option<String>,
    /// Keep watching pods and report every change until Ctrl-C.
    #[arg(
        long,
        action = ArgAction::Set,
        num_args = 0..=1,
        default_missing_value = "true",
        default_value = "false"
    )]
    watch: bool,
    /// With --watch: how long pods must stay unchanged before a report (e.g. 500ms, 2s).
    #[arg(long, default_value = "2s", value_parser = duration)]
    debounce: Duration,
    /// With --watch: how often to list every pod again and report (e.g. 5m, 1h).
    #[arg(long, default_value = "5m", value_parser = duration)]
    resync_interval: Duration,
    /// Requests per second to the Kubernetes API, on average (Kosli's reporter uses 50).
    #[arg(long, default_value_t = 50.0, value_parser = positive)]
    qps: f64,
    /// Requests sent at once before --qps applies (Kosli's reporter uses 100).
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u32).range(1..))]
    burst: u32,
    #[command(flatten)]
    auto: AutoEnvironment,
}

/// A `--qps`: a number above zero.
fn positive(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(qps) if qps > 0.0 && qps.is_finite() => Ok(qps),
        _ => Err(format!(
            "expected a number of requests per second above 0, got {text}"
        )),
    }
}

/// The report entries of pods, sorted by namespace and name. A Running pod
/// without image IDs is an error when `strict`, otherwise a warning.
fn artifacts<'a>(
    ctx: &Ctx,
    pods: impl IntoIterator<Item = &'a Pod>,
    strict: bool,
) -> anyhow::Result<Vec<Value>> {
    let mut out = Vec::new();
    for pod in pods {
        match cluster::entry(pod) {
            Ok(PodEntry::Artifact(entry)) => out.push(entry),
            Ok(PodEntry::Skipped(warning)) => ctx.warn(&warning),
            Ok(PodEntry::Ignored) => {}
            Err(e) if strict => return Err(e),
            Err(e) => ctx.warn(&format!("{e:#}; left out of this report")),
        }
    }
    let key = |v: &Value| (v["namespace"].to_string(), v["podName"].to_string());
    out.sort_by_key(key);
    Ok(out)
}

/// Lists the selected namespaces' pods and reports them to one environment.
async fn report_once(
    ctx: &Ctx,
    cluster: &Cluster,
    org: &str,
    target: &Target,
) -> anyhow::Result<()> {
    let namespaces = cluster.namespaces(&target.filter).await?;
    if let (Some(names), true) = (&namespaces, ctx.globals.debug) {
        eprintln!("scanning the following namespaces: [{}]", names.join(" "));
    }
    let pods = cluster.pods(namespaces.as_deref()).await?;
    let artifacts = artifacts(ctx, &pods, true)?;
    send_report(ctx, (org, &target.env, ENV_TYPE), "pods", artifacts).await
}

impl SnapshotK8s {
    /// The environments to report: the positional one with the flags' filter, or the file's.
    fn targets(&mut self, ctx: &Ctx) -> anyhow::Result<Vec<Target>> {
        let file = self.environments_file.clone().or_else(|| {
            let global = ctx.globals.config_file.clone()?;
            envs::is_environments_file(&global).then_some(global)
        });
        // Kosli's checks, in its order and words; the flag is named as given.
        let flag = match &self.environments_file {
            Some(_) => "--environments-file",
            None => "--config-file",
        };
        if file.is_some() && !self.args.is_empty() {
            bail!("cannot use '{flag}' together with a positional environment name argument");
        }
        if file.is_none() && self.args.is_empty() {
            bail!("requires either a positional environment name argument or --config-file");
        }
        let given = [
            ("namespaces", self.namespaces.is_empty()),
            ("exclude-namespaces", self.exclude_namespaces.is_empty()),
            ("namespaces-regex", self.namespaces_regex.is_empty()),
            (
                "exclude-namespaces-regex",
                self.exclude_namespaces_regex.is_empty(),
            ),
        ];
        if let (Some(_), Some((name, _))) = (&file, given.iter().find(|(_, empty)| !empty)) {
            bail!("cannot use '{flag}' together with '--{name}'");
        }
        let filter = NamespaceFilter::from_flags(
            std::mem::take(&mut self.namespaces),
            std::mem::take(&mut self.namespaces_regex),
            std::mem::take(&mut self.exclude_namespaces),
            std::mem::take(&mut self.exclude_namespaces_regex),
        )?;
        let Some(file) = file else {
            let env = exactly_one(std::mem::take(&mut self.args))?;
            return Ok(vec![Target { env, filter }]);
        };
        envs::load(&file)
    }

    pub async fn run(mut self, ctx: &Ctx) -> anyhow::Result<()> {
        let targets = self.targets(ctx)?;
        let org = ctx.require_login()?;
        for target in &targets {
            self.auto.ensure(ctx, org, &target.env, ENV_TYPE).await?;
        }
        let rate = Bucket::new(self.qps, self.burst);
        let cluster = cluster::connect(self.kubeconfig.as_deref(), rate).await?;
        if self.watch {
            let timing = Timing {
                debounce: self.debounce,
                resync: self.resync_interval,
            };
            return watch::run(ctx, &cluster, org, &targets, timing).await;
        }
        if let [target] = targets.as_slice() {
            return report_once(ctx, &cluster, org, target).await;
        }
        let mut failures = Vec::new();
        for target in &targets {
            if let Err(e) = report_once(ctx, &cluster, org, target).await {
                failures.push(format!("environment '{}': {e:#}", target.env));
            }
        }
        if !failures.is_empty() {
            bail!(failures.join("\n"));
        }
        Ok(())
    }
}
