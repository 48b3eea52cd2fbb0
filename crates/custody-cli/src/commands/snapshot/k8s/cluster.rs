//! Talking to the Kubernetes API with kube's typed client: connecting (a
//! kubeconfig file or the in-cluster service account, every request through
//! the [`throttle`](super::throttle) bucket), resolving the namespaces
//! to scan, listing pods in pages, and turning a pod into its report entry.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail};
use futures::{StreamExt, TryStreamExt, stream};
use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::api::{Api, ListParams};
use kube::client::ClientBuilder;
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use serde_json::{Value, json};

use super::envs::NamespaceFilter;
use super::throttle::{Bucket, Throttle};

/// Most namespaces listed at once, as Kosli does.
const CONCURRENCY: usize = 49;
/// Objects per list page.
const PAGE: u32 = 500;

/// A connected client and the API address errors name.
#[derive(Clone)]
pub struct Cluster {
    pub client: Client,
    pub url: String,
}

/// `--kubeconfig`, else `~/.kube/config` if it exists, else in-cluster config;
/// requests keep to `rate`.
pub async fn connect(kubeconfig: Option<&str>, rate: Bucket) -> anyhow::Result<Cluster> {
    let default = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".kube/config"));
    let file = kubeconfig
        .map(PathBuf::from)
        .or_else(|| default.filter(|p| p.is_file()));
    let config = match file {
        Some(path) => from_file(&path).await?,
        None => Config::incluster().map_err(|e| {
            anyhow!("no kubeconfig at ~/.kube/config and not running in a cluster: {e}")
        })?,
    };
    let url = config.cluster_url.to_string();
    let client = ClientBuilder::try_from(config)
        .map_err(|e| anyhow!("failed to create a Kubernetes client for {url}: {e}"))?
        .with_layer(&Throttle(rate))
        .build();
    Ok(Cluster { client, url })
}

async fn from_file(path: &Path) -> anyhow::Result<Config> {
    let shown = path.display();
    let kubeconfig = Kubeconfig::read_from(path)
        .map_err(|e| anyhow!("failed to read kubeconfig [{shown}]: {e}"))?;
    Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .map_err(|e| anyhow!("invalid kubeconfig [{shown}]: {e}"))
}

impl Cluster {
    /// A list failure, naming what was listed where.
    fn failure(&self, what: &str, namespace: Option<&str>, e: kube::Error) -> anyhow::Error {
        let place = namespace.map_or("in all namespaces".to_string(), |n| {
            format!("in namespace {n}")
        });
        match e {
            kube::Error::Api(status) if status.code == 403 => anyhow!(
                "permission denied listing {what} {place}: {}",
                status.message
            ),
            kube::Error::Api(status) => {
                anyhow!("failed to list {what} {place}: {}", status.message)
            }
            other => anyhow!(
                "failed to list {what} {place}: cannot reach the Kubernetes API at {}: {other}",
                self.url
            ),
        }
    }

    /// Every object of `api`, following `continue` tokens.
    async fn list_all<K>(&self, api: Api<K>, what: &str, ns: Option<&str>) -> anyhow::Result<Vec<K>>
    where
        K: Clone + serde::de::DeserializeOwned + std::fmt::Debug,
    {
        let mut items = Vec::new();
        let mut params = ListParams::default().limit(PAGE);
        loop {
            let page = api
                .list(&params)
                .await
                .map_err(|e| self.failure(what, ns, e))?;
            items.extend(page.items);
            match page.metadata.continue_.filter(|c| !c.is_empty()) {
                Some(token) => params = params.continue_token(&token),
                None => return Ok(items),
            }
        }
    }

    /// The namespaces a filter selects; `None` means all, listed cluster-wide.
    pub async fn namespaces(
        &self,
        filter: &NamespaceFilter,
    ) -> anyhow::Result<Option<Vec<String>>> {
        if filter.is_all() {
            return Ok(None);
        }
        if filter.names_only() {
            return Ok(Some(filter.names.clone()));
        }
        let all: Vec<Namespace> = self
            .list_all(Api::all(self.client.clone()), "namespaces", None)
            .await?;
        Ok(Some(
            all.into_iter()
                .filter_map(|n| n.metadata.name)
                .filter(|n| filter.keeps(n))
                .collect(),
        ))
    }

    /// The pods of the namespaces (all when `None`), at most 49 namespaces at once.
    pub async fn pods(&self, namespaces: Option<&[String]>) -> anyhow::Result<Vec<Pod>> {
        let Some(namespaces) = namespaces else {
            return self
                .list_all(Api::all(self.client.clone()), "pods", None)
                .await;
        };
        let lists: Vec<Vec<Pod>> = stream::iter(namespaces)
            .map(|ns| {
                let api = Api::namespaced(self.client.clone(), ns);
                self.list_all(api, "pods", Some(ns))
            })
            .buffered(CONCURRENCY)
            .try_collect()
            .await?;
        Ok(lists.into_iter().flatten().collect())
    }
}

/// What a pod contributes to a report.
#[derive(Debug, PartialEq)]
pub enum PodEntry {
    /// Not running (pending, succeeded, unknown).
    Ignored,
    /// A failed pod without image IDs, left out with this warning.
    Skipped(String),
    Artifact(Value),
}

/// A pod's report entry: its containers' image digests, creation time and owners.
pub fn entry(pod: &Pod) -> anyhow::Result<PodEntry> {
    let name = pod.metadata.name.clone().unwrap_or_default();
    let namespace = pod.metadata.namespace.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    let phase = status.phase.unwrap_or_default();
    if phase != "Running" && phase != "Failed" {
        return Ok(PodEntry::Ignored);
    }
    let mut digests = BTreeMap::new();
    let mut missing = false;
    for container in status.container_statuses.unwrap_or_default() {
        let id = container.image_id;
        if id.is_empty() {
            missing = true;
            continue;
        }
        let start = id.char_indices().rev().nth(63).map_or(0, |(i, _)| i);
        digests.insert(container.image, id[start..].to_string());
    }
    if missing {
        let message =
            format!("pod {name} in namespace {namespace} has containers without image IDs");
        if phase == "Running" {
            bail!(message);
        }
        return Ok(PodEntry::Skipped(format!("failed {message}; skipping it")));
    }
    let created = pod
        .metadata
        .creation_timestamp
        .as_ref()
        .map_or(0, |t| t.0.as_second());
    // Each owner's fields in the order Kubernetes declares them; a pod
    // without owners has `null` (the API leaves the list out), as Kosli sends.
    let owners: Option<Vec<Value>> = pod.metadata.owner_references.as_ref().map(|refs| {
        refs.iter()
            .map(|o| {
                let mut owner = json!({"apiVersion": o.api_version, "kind": o.kind,
                                   "name": o.name, "uid": o.uid});
                if let Some(controller) = o.controller {
                    owner["controller"] = json!(controller);
                }
                if let Some(block) = o.block_owner_deletion {
                    owner["blockOwnerDeletion"] = json!(block);
                }
                owner
            })
            .collect()
    });
    Ok(PodEntry::Artifact(json!({
        "podName": name,
        "namespace": namespace,
        "digests": digests,
        "creationTimestamp": created,
        "owners": owners,
    })))
}
