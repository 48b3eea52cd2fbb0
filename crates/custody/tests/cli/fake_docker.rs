//! Fakes for the image tests: a Docker Engine API on a unix socket replaying
//! the JSON Docker returns for `GET /containers/json` and
//! `GET /images/{name}/json`, and a stand-in Custody API that records the
//! report bodies it receives.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

pub const NGINX: &str = "0f5b0e3e1d0b7a4c4f4a2d0a5b8b1c3e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c";
pub const REDIS: &str = "e15947432b813e8ffa90165da919953e2ce850bef511a0ad1287d7cb86de84b5";

/// A running container as `GET /containers/json` lists it.
fn container(id: char, name: &str, image: &str, created: i64) -> Value {
    json!({
        "Id": id.to_string().repeat(64), "Names": [format!("/{name}")], "Image": image,
        "ImageID": format!("sha256:{}", "9".repeat(64)),
        "Command": "/docker-entrypoint.sh", "Created": created,
        "Ports": [{"IP": "0.0.0.0", "PrivatePort": 80, "PublicPort": 8080, "Type": "tcp"}],
        "Labels": {"com.docker.compose.project": "shop"}, "State": "running",
        "Status": "Up 2 hours", "HostConfig": {"NetworkMode": "bridge"},
        "NetworkSettings": {"Networks": {"bridge": {"IPAMConfig": null, "Links": null,
            "Aliases": null, "NetworkID": "7ea29fc1412292a2d7bba362f9253545fecdfa8ce9a6e37dd10ba8bee7129812",
            "EndpointID": "2cdc4edb1ded3631c81f57966563e5c8525b81121bb3706a9a9a3ae102711f3f",
            "Gateway": "172.17.0.1", "IPAddress": "172.17.0.2", "IPPrefixLen": 16,
            "MacAddress": "02:42:ac:11:00:02"}}},
        "Mounts": []
    })
}

/// An image as `GET /images/{name}/json` inspects it.
fn image(tag: &str, repo_digests: &[String]) -> Value {
    json!({
        "Id": format!("sha256:{}", "9".repeat(64)), "RepoTags": [tag], "RepoDigests": repo_digests,
        "Parent": "", "Comment": "", "Created": "2026-11-02T21:14:31.511412Z",
        "DockerVersion": "", "Author": "", "Architecture": "amd64", "Os": "linux",
        "Size": 192_000_000, "GraphDriver": {"Data": null, "Name": "overlayfs"},
        "RootFS": {"Type": "layers", "Layers": [format!("sha256:{}", "1".repeat(64))]},
        "Metadata": {"LastTagTime": "2026-11-20T10:00:00Z"},
        "Config": {"Env": ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
            "Cmd": ["nginx", "-g", "daemon off;"], "Labels": null}
    })
}

fn not_found(message: &str) -> Response {
    (
        StatusCode::NOT_FOUND,
        axum::Json(json!({"message": message})),
    )
        .into_response()
}

/// The fake daemon's answers: web (nginx), cache (redis, two repo digests),
/// a locally built image with no repo digest, and a container whose image is gone.
async fn daemon(uri: Uri) -> Response {
    let path = uri.path();
    if path == "/containers/json" {
        return axum::Json(json!([
            container('a', "web", "nginx:1.25", 1_764_000_000),
            container('b', "cache", "redis:7", 1_764_000_100),
            container('c', "local-build", "shop/app:dev", 1_764_000_200),
            container('d', "orphan", "old:gone", 1_764_000_300),
        ]))
        .into_response();
    }
    let name = path
        .strip_prefix("/images/")
        .and_then(|p| p.strip_suffix("/json"));
    match name {
        Some("nginx:1.25") => {
            axum::Json(image(name.unwrap(), &[format!("nginx@sha256:{NGINX}")])).into_response()
        }
        Some("redis:7") => axum::Json(image(
            "redis:7",
            &[
                format!("ghcr.io/mirror/redis@sha256:{}", "2".repeat(64)),
                format!("redis@sha256:{REDIS}"),
            ],
        ))
        .into_response(),
        Some("shop/app:dev") => axum::Json(image("shop/app:dev", &[])).into_response(),
        Some(other) => not_found(&format!("No such image: {other}")),
        None => not_found("page not found"),
    }
}

/// Serves the fake daemon on `<dir>/docker.sock`; returns its `DOCKER_HOST`.
pub fn start_daemon(dir: &Path) -> String {
    let socket: PathBuf = dir.join("docker.sock");
    let listener = std::os::unix::net::UnixListener::bind(&socket).expect("bind socket");
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::UnixListener::from_std(listener).unwrap();
            let app = axum::Router::new().fallback(daemon);
            axum::serve(listener, app).await.expect("serve");
        });
    });
    format!("unix://{}", socket.display())
}

/// A stand-in Custody API on 127.0.0.1 recording `(method, path, body)` of each request.
pub struct Recorder {
    pub host: String,
    pub requests: Arc<Mutex<Vec<(String, String, Value)>>>,
}

impl Recorder {
    pub fn start() -> Recorder {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = requests.clone();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).unwrap();
        let host = format!("http://{}", listener.local_addr().unwrap());
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().expect("runtime");
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let app =
                    axum::Router::new().fallback(move |method: Method, uri: Uri, body: String| {
                        let log = log.clone();
                        async move {
                            let body = serde_json::from_str(&body).unwrap_or(Value::Null);
                            log.lock().unwrap().push((
                                method.to_string(),
                                uri.path().to_string(),
                                body,
                            ));
                            axum::Json(json!({"snapshot_index": 1, "new_snapshot": true}))
                        }
                    });
                axum::serve(listener, app).await.expect("serve");
            });
        });
        Recorder { host, requests }
    }
}
