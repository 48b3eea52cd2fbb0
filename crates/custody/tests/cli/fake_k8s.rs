//! A fake Kubernetes API server for `snapshot k8s` tests: an axum server on
//! 127.0.0.1 replaying real API JSON (`PodList`, `NamespaceList`, `Status`,
//! chunked `?watch=true` event streams), with the kubeconfig that points at it
//! (token auth), a log of the requests it served and when, and a sample cluster.

use std::collections::HashMap;
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// What the fake cluster holds and how it answers.
#[derive(Default)]
pub struct Cluster {
    pub pods: Vec<Value>,
    pub namespaces: Vec<String>,
    /// Answer every request with 403 Forbidden.
    pub forbidden: bool,
    /// Events of the first pod watch, each after its delay; the stream then stays open.
    pub watch: Vec<(Duration, &'static str, Value)>,
}

/// A running fake API server.
pub struct Fake {
    pub kubeconfig: PathBuf,
    requests: Arc<Mutex<Vec<(Instant, String)>>>,
}

/// A realistic pod. `containers` are `(image, imageID)`; an empty ID means not pulled yet.
pub fn pod(
    ns: &str,
    name: &str,
    phase: &str,
    containers: &[(&str, &str)],
    owner: Option<&str>,
) -> Value {
    let statuses: Vec<Value> = containers
        .iter()
        .enumerate()
        .map(|(i, (image, id))| {
            json!({"name": format!("c{i}"), "image": image, "imageID": id, "ready": phase == "Running",
                   "restartCount": 0, "started": phase == "Running",
                   "containerID": format!("containerd://{:064x}", i + 1),
                   "state": {"running": {"startedAt": "2026-11-20T10:00:05Z"}}})
        })
        .collect();
    let mut metadata = json!({"name": name, "namespace": ns, "uid": format!("uid-{ns}-{name}"),
        "resourceVersion": "4711", "creationTimestamp": "2026-11-20T10:00:00Z",
        "labels": {"app": name.split('-').next().unwrap_or(name)}});
    // The API server leaves `ownerReferences` out of a pod that has none.
    if let Some(rs) = owner {
        metadata["ownerReferences"] = json!([{"apiVersion": "apps/v1", "kind": "ReplicaSet",
            "name": rs, "uid": format!("uid-{rs}"), "controller": true, "blockOwnerDeletion": true}]);
    }
    json!({
        "kind": "Pod", "apiVersion": "v1",
        "metadata": metadata,
        "spec": {"containers": containers.iter().enumerate().map(|(i, (image, _))| json!({"name": format!("c{i}"), "image": image})).collect::<Vec<_>>(),
            "nodeName": "node-1", "restartPolicy": "Always", "serviceAccountName": "default"},
        "status": {"phase": phase, "hostIP": "10.0.0.4", "podIP": "10.244.1.7",
            "startTime": "2026-11-20T10:00:01Z",
            "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2026-11-20T10:00:06Z"}],
            "containerStatuses": statuses}
    })
}

fn list(kind: &str, items: Vec<Value>, next: Option<usize>) -> Value {
    let mut metadata = json!({"resourceVersion": "100"});
    if let Some(offset) = next {
        metadata["continue"] = json!(offset.to_string());
    }
    json!({"kind": kind, "apiVersion": "v1", "metadata": metadata, "items": items})
}

fn query<'a>(uri: &'a Uri, key: &str) -> Option<&'a str> {
    uri.query()?
        .split('&')
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
}

fn status(code: u16, reason: &str, message: &str) -> Response {
    let body = json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                      "message": message, "reason": reason, "code": code});
    (StatusCode::from_u16(code).unwrap(), axum::Json(body)).into_response()
}

/// A cluster with its pods indexed by namespace, so that a namespace's list is
/// not a scan of every pod.
struct Served {
    cluster: Cluster,
    by_namespace: HashMap<String, Vec<usize>>,
}

async fn answer(
    served: Arc<Served>,
    watched: Arc<AtomicBool>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let cluster = &served.cluster;
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer test-token") {
        return status(401, "Unauthorized", "Unauthorized");
    }
    let path = uri.path();
    let ns = path
        .strip_prefix("/api/v1/namespaces/")
        .and_then(|r| r.strip_suffix("/pods"));
    if cluster.forbidden {
        let place = ns.map_or(" at the cluster scope".to_string(), |n| {
            format!(" in the namespace \"{n}\"")
        });
        let message = format!(
            "pods is forbidden: User \"system:serviceaccount:default:reporter\" cannot list resource \"pods\" in API group \"\"{place}"
        );
        return status(403, "Forbidden", &message);
    }
    if path == "/api/v1/namespaces" {
        let items = cluster
            .namespaces
            .iter()
            .map(|n| {
                json!({"kind": "Namespace", "apiVersion": "v1",
            "metadata": {"name": n, "uid": format!("uid-{n}")}, "status": {"phase": "Active"}})
            })
            .collect();
        return axum::Json(list("NamespaceList", items, None)).into_response();
    }
    if path != "/api/v1/pods" && ns.is_none() {
        return status(
            404,
            "NotFound",
            "the server could not find the requested resource",
        );
    }
    if query(&uri, "watch") == Some("true") {
        let events = if watched.swap(true, Ordering::SeqCst) {
            Vec::new()
        } else {
            cluster.watch.clone()
        };
        let lines = futures::stream::unfold(events.into_iter(), |mut rest| async move {
            let Some((delay, kind, object)) = rest.next() else {
                return std::future::pending().await;
            };
            tokio::time::sleep(delay).await;
            let line = format!("{}\n", json!({"type": kind, "object": object}));
            Some((Ok::<_, Infallible>(line), rest))
        });
        return Response::new(Body::from_stream(lines));
    }
    let selected: Vec<&Value> = match ns {
        None => cluster.pods.iter().collect(),
        Some(n) => served.by_namespace.get(n).map_or(Vec::new(), |at| {
            at.iter().map(|&i| &cluster.pods[i]).collect()
        }),
    };
    let start: usize = query(&uri, "continue").map_or(0, |c| c.parse().unwrap());
    let limit: usize = query(&uri, "limit").map_or(selected.len(), |l| l.parse().unwrap());
    let end = (start + limit).min(selected.len());
    let next = (end < selected.len()).then_some(end);
    let page = selected[start..end].iter().map(|&p| p.clone()).collect();
    axum::Json(list("PodList", page, next)).into_response()
}

/// Writes a kubeconfig for `server` with token auth into `dir`.
pub fn kubeconfig(dir: &Path, server: &str) -> PathBuf {
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n- name: fake\n  cluster:\n    server: {server}\ncontexts:\n- name: fake\n  context:\n    cluster: fake\n    user: reporter\ncurrent-context: fake\nusers:\n- name: reporter\n  user:\n    token: test-token\n"
    );
    let path = dir.join("kubeconfig");
    std::fs::write(&path, text).expect("write kubeconfig");
    path
}

impl Fake {
    /// Serves `cluster` on a free port from a background thread.
    pub fn start(cluster: Cluster, dir: &Path) -> Fake {
        let mut by_namespace: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, pod) in cluster.pods.iter().enumerate() {
            let ns = pod["metadata"]["namespace"].as_str().unwrap_or_default();
            by_namespace.entry(ns.to_string()).or_default().push(i);
        }
        let served = Arc::new(Served {
            cluster,
            by_namespace,
        });
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = requests.clone();
        let watched = Arc::new(AtomicBool::new(false));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let server = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().expect("runtime");
            runtime.block_on(async move {
                let app = axum::Router::new().fallback(move |uri: Uri, headers: HeaderMap| {
                    log.lock().unwrap().push((Instant::now(), uri.to_string()));
                    answer(served.clone(), watched.clone(), uri, headers)
                });
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                axum::serve(listener, app).await.expect("serve");
            });
        });
        Fake {
            kubeconfig: kubeconfig(dir, &server),
            requests,
        }
    }

    /// The paths (with queries) requested so far.
    pub fn requests(&self) -> Vec<String> {
        let log = self.requests.lock().unwrap();
        log.iter().map(|(_, uri)| uri.clone()).collect()
    }

    /// When each request so far arrived.
    pub fn arrivals(&self) -> Vec<Instant> {
        let log = self.requests.lock().unwrap();
        log.iter().map(|(at, _)| *at).collect()
    }
}

pub const NGINX: &str = "4c0fdaa8b6341bfdeca5f18f7837462c80cff90527ee35ef185571e1c327beac";
pub const API: &str = "9f2b1d6a0c3e4b5a69788796a5b4c3d2e1f00112233445566778899aabbccdde";
pub const ENVOY: &str = "0e7c7a2b3d4e5f60718293a4b5c6d7e8f9a0b1c2d3e4f5061728394a5b6c7d8e";

/// `pods` running nginx pods spread evenly over `namespaces` namespaces `ns-0`, `ns-1`, ….
pub fn big_cluster(namespaces: usize, pods: usize) -> Cluster {
    let id = format!("docker-pullable://nginx@sha256:{NGINX}");
    let pods = (0..pods)
        .map(|i| {
            pod(
                &format!("ns-{}", i % namespaces),
                &format!("web-{i}"),
                "Running",
                &[("nginx:1.25", &id)],
                Some("web"),
            )
        })
        .collect();
    Cluster {
        pods,
        namespaces: (0..namespaces).map(|i| format!("ns-{i}")).collect(),
        ..Cluster::default()
    }
}

/// Running pods in prod and kube-system, a failed and a pending one in staging.
pub fn cluster() -> Cluster {
    let nginx_id = format!("docker-pullable://nginx@sha256:{NGINX}");
    let api_id = format!("sha256:{API}");
    let envoy_id = format!("docker.io/envoyproxy/envoy@sha256:{ENVOY}");
    Cluster {
        pods: vec![
            pod(
                "prod",
                "web-7c5ddbdf54-x2k9p",
                "Running",
                &[("nginx:1.25", &nginx_id)],
                Some("web-7c5ddbdf54"),
            ),
            pod(
                "prod",
                "api-5f7b9c-qq7rt",
                "Running",
                &[
                    ("registry.example.com/api:2.0", &api_id),
                    ("envoyproxy/envoy:v1.31", &envoy_id),
                ],
                Some("api-5f7b9c"),
            ),
            pod(
                "staging",
                "migrate-1-abcde",
                "Failed",
                &[("registry.example.com/api:2.0", &api_id)],
                None,
            ),
            pod(
                "staging",
                "web-8d6f-pending",
                "Pending",
                &[("nginx:1.27", "")],
                Some("web-8d6f"),
            ),
            pod(
                "kube-system",
                "coredns-668d6bf9bc-l7n2m",
                "Running",
                &[("nginx:1.25", &nginx_id)],
                None,
            ),
        ],
        namespaces: ["default", "kube-system", "prod", "staging"]
            .map(String::from)
            .to_vec(),
        ..Cluster::default()
    }
}
