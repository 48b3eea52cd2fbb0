//! `snapshot k8s --watch`: a kube watcher keeps the cluster's pods in memory
//! and, once they have stayed unchanged for `--debounce`, every environment
//! whose report changed is sent it, so short rollouts and quick rollbacks each
//! leave a snapshot. Every `--resync-interval` all pods are listed again and
//! every environment is reported, which also drops pods whose deletion a
//! watch restart missed. Ctrl-C sends any pending report and stops.
//!
//! When every environment names its namespaces exactly, one watch per
//! namespace is kept; otherwise one cluster-wide watch. A Running pod whose
//! containers lack image IDs (still starting) is left out with a warning
//! instead of failing, and report errors are warnings: the next change retries.

use std::collections::BTreeMap;

use futures::{StreamExt, stream};
use k8s_openapi::api::core::v1::Pod;
use kube::api::Api;
use kube::runtime::{WatchStreamExt, watcher};
use serde_json::Value;
use tokio::time::Instant;

use super::super::watch::Timing;
use super::cluster::Cluster;
use super::envs::Target;
use super::{ENV_TYPE, artifacts, send_report};
use crate::context::Ctx;

type Pods = BTreeMap<(String, String), Pod>;

fn key(pod: &Pod) -> (String, String) {
    (
        pod.metadata.namespace.clone().unwrap_or_default(),
        pod.metadata.name.clone().unwrap_or_default(),
    )
}

/// Reports each environment whose pods differ from what was last sent (all when `force`).
async fn report(
    ctx: &Ctx,
    org: &str,
    targets: &[Target],
    pods: &Pods,
    sent: &mut BTreeMap<String, Vec<Value>>,
    force: bool,
) {
    for target in targets {
        let selected = pods
            .iter()
            .filter(|((ns, _), _)| target.filter.keeps(ns))
            .map(|(_, pod)| pod);
        let Ok(entries) = artifacts(ctx, selected, false) else {
            continue;
        };
        if !force && sent.get(&target.env) == Some(&entries) {
            continue;
        }
        let result = send_report(ctx, (org, &target.env, ENV_TYPE), "pods", entries.clone());
        match result.await {
            Ok(()) => {
                sent.insert(target.env.clone(), entries);
            }
            Err(e) => ctx.warn(&format!(
                "failed to report to environment {}: {e:#}",
                target.env
            )),
        }
    }
}

/// Watches pods and reports changes until Ctrl-C.
pub async fn run(
    ctx: &Ctx,
    cluster: &Cluster,
    org: &str,
    targets: &[Target],
    timing: Timing,
) -> anyhow::Result<()> {
    let namespaces: Option<Vec<String>> =
        targets.iter().all(|t| t.filter.names_only()).then(|| {
            targets
                .iter()
                .flat_map(|t| t.filter.names.clone())
                .collect()
        });
    let apis: Vec<Api<Pod>> = match &namespaces {
        None => vec![Api::all(cluster.client.clone())],
        Some(names) => names
            .iter()
            .map(|n| Api::namespaced(cluster.client.clone(), n))
            .collect(),
    };
    if let (Some(names), true) = (&namespaces, ctx.globals.debug) {
        eprintln!("scanning the following namespaces: [{}]", names.join(" "));
    }
    let mut events = stream::select_all(apis.into_iter().map(|api| {
        watcher(api, watcher::Config::default())
            .default_backoff()
            .boxed()
    }));
    let mut pods = Pods::new();
    let mut sent = BTreeMap::new();
    let mut due: Option<Instant> = None;
    let mut resync = tokio::time::interval_at(Instant::now() + timing.resync, timing.resync);
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    loop {
        let deadline = due.unwrap_or_else(|| Instant::now() + timing.resync);
        tokio::select! {
            _ = &mut ctrl_c => {
                if due.is_some() {
                    report(ctx, org, targets, &pods, &mut sent, false).await;
                }
                eprintln!("stopped watching pods");
                return Ok(());
            }
            event = events.next() => match event {
                None => anyhow::bail!("the pod watch ended"),
                Some(Err(e)) => ctx.warn(&format!("pod watch failed, retrying: {e}")),
                Some(Ok(event)) => {
                    match event {
                        watcher::Event::Apply(pod) | watcher::Event::InitApply(pod) => {
                            pods.insert(key(&pod), pod);
                        }
                        watcher::Event::Delete(pod) => {
                            pods.remove(&key(&pod));
                        }
                        watcher::Event::Init | watcher::Event::InitDone => {}
                    }
                    due = Some(Instant::now() + timing.debounce);
                }
            },
            _ = tokio::time::sleep_until(deadline), if due.is_some() => {
                due = None;
                report(ctx, org, targets, &pods, &mut sent, false).await;
            }
            _ = resync.tick() => match cluster.pods(namespaces.as_deref()).await {
                Ok(listed) => {
                    pods = listed.into_iter().map(|p| (key(&p), p)).collect();
                    report(ctx, org, targets, &pods, &mut sent, true).await;
                }
                Err(e) => ctx.warn(&format!("{e:#}")),
            },
        }
    }
}
