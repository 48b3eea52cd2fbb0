//! A minimal Docker Engine API client: plain HTTP/1.1 over the daemon's unix
//! socket (`DOCKER_HOST=unix:///path`, default `/var/run/docker.sock`) or a
//! `tcp://host:port` endpoint, enough to list running containers and inspect
//! images. It also holds Kosli's rule for picking an image's repo digest.

use std::path::PathBuf;

use anyhow::{Context, anyhow, bail};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpStream, UnixStream};

/// The message when an image has no usable repo digest.
const NO_REPO_DIGEST: &str =
    "repo digest unavailable for the image, has it been pushed to or pulled from a registry?";

/// Where the daemon listens.
#[derive(Debug, Clone)]
enum Endpoint {
    Unix(PathBuf),
    Tcp(String),
}

/// A Docker daemon, as `DOCKER_HOST` names it.
#[derive(Debug, Clone)]
pub struct Daemon {
    endpoint: Endpoint,
    host: String,
}

/// A running container, as `GET /containers/json` lists it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Container {
    #[serde(default)]
    pub names: Vec<String>,
    pub image: String,
    pub created: i64,
}

impl Container {
    /// The container's name without Docker's leading `/`.
    pub fn name(&self) -> &str {
        self.names
            .first()
            .map_or("", |n| n.strip_prefix('/').unwrap_or(n))
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ImageInspect {
    #[serde(default)]
    repo_digests: Option<Vec<String>>,
}

impl Daemon {
    /// The daemon `DOCKER_HOST` names, or the default unix socket.
    pub fn from_env() -> anyhow::Result<Daemon> {
        let host = std::env::var("DOCKER_HOST")
            .ok()
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "unix:///var/run/docker.sock".to_string());
        let endpoint = if let Some(path) = host.strip_prefix("unix://") {
            Endpoint::Unix(PathBuf::from(path))
        } else if let Some(addr) = host.strip_prefix("tcp://") {
            Endpoint::Tcp(addr.trim_end_matches('/').to_string())
        } else {
            bail!("unable to parse docker host `{host}`: only unix:// and tcp:// are supported");
        };
        Ok(Daemon { endpoint, host })
    }

    /// `GET path`: the status and body.
    async fn get(&self, path: &str) -> anyhow::Result<(u16, Bytes)> {
        let unreachable = |e: std::io::Error| {
            anyhow!(
                "cannot connect to the Docker daemon at {}: {e}. Is the docker daemon running?",
                self.host
            )
        };
        match &self.endpoint {
            Endpoint::Unix(p) => {
                send(UnixStream::connect(p).await.map_err(unreachable)?, path).await
            }
            Endpoint::Tcp(a) => send(TcpStream::connect(a).await.map_err(unreachable)?, path).await,
        }
    }

    /// The running containers.
    pub async fn containers(&self) -> anyhow::Result<Vec<Container>> {
        let (status, body) = self.get("/containers/json").await?;
        if status != 200 {
            bail!("docker daemon: {}", message(&body));
        }
        serde_json::from_slice(&body).context("docker daemon: unexpected container list")
    }

    /// An image's `RepoDigests`; `None` when the daemon does not have the image.
    pub async fn repo_digests(&self, image: &str) -> anyhow::Result<Option<Vec<String>>> {
        let (status, body) = self.get(&format!("/images/{image}/json")).await?;
        match status {
            200 => {
                let inspect: ImageInspect = serde_json::from_slice(&body)
                    .context("docker daemon: unexpected image inspect")?;
                Ok(Some(inspect.repo_digests.unwrap_or_default()))
            }
            404 => Ok(None),
            _ => bail!("docker daemon: {}", message(&body)),
        }
    }

    /// The fingerprint of a local image (§7.3).
    pub async fn digest(&self, image: &str) -> anyhow::Result<String> {
        match self.repo_digests(image).await? {
            Some(digests) => repo_digest(image, &digests),
            None => bail!("No such image: {image}"),
        }
    }
}

/// One request on a fresh HTTP/1.1 connection.
async fn send<S>(stream: S, path: &str) -> anyhow::Result<(u16, Bytes)>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, conn) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(conn);
    let request = hyper::Request::get(path)
        .header("Host", "docker")
        .header("Accept", "application/json")
        .body(Empty::<Bytes>::new())?;
    let response = sender.send_request(request).await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, body))
}

/// The daemon's `{"message": ...}`, or the raw body.
fn message(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("message")?.as_str().map(str::to_string))
        .unwrap_or_else(|| String::from_utf8_lossy(body).into_owned())
}

/// Kosli's choice among `RepoDigests` (`repo@sha256:<hex>`) for the image `arg`.
pub fn repo_digest(arg: &str, digests: &[String]) -> anyhow::Result<String> {
    let hex = |entry: &String| {
        entry
            .split_once('@')
            .map_or(entry.as_str(), |(_, d)| d)
            .trim_start_matches("sha256:")
            .to_string()
    };
    let is_id = arg.len() == 64 && arg.bytes().all(|b| b.is_ascii_hexdigit());
    match digests {
        [] => bail!(NO_REPO_DIGEST),
        [only] => Ok(hex(only)),
        [first, ..] if is_id => Ok(hex(first)),
        _ => {
            let name = arg.strip_prefix("library/").unwrap_or(arg);
            let name = name.split(':').next().unwrap_or(name);
            let prefix = name.strip_suffix("@sha256").unwrap_or(name);
            digests
                .iter()
                .find(|d| d.starts_with(prefix))
                .map(hex)
                .ok_or_else(|| anyhow!(NO_REPO_DIGEST))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "e15947432b813e8ffa90165da919953e2ce850bef511a0ad1287d7cb86de84b5";

    #[test]
    fn repo_digests_are_picked_like_kosli() {
        let alpine = format!("alpine@sha256:{HEX}");
        assert_eq!(
            repo_digest(&alpine, std::slice::from_ref(&alpine)).unwrap(),
            HEX
        );
        let two = vec![
            format!("ghcr.io/x/alpine@sha256:{}", "1".repeat(64)),
            alpine.clone(),
        ];
        assert_eq!(repo_digest("library/alpine:3.19", &two).unwrap(), HEX);
        assert_eq!(repo_digest(&"a".repeat(64), &two).unwrap(), "1".repeat(64));
        assert_eq!(
            repo_digest("nginx", &two).unwrap_err().to_string(),
            NO_REPO_DIGEST
        );
        assert_eq!(
            repo_digest("alpine", &[]).unwrap_err().to_string(),
            NO_REPO_DIGEST
        );
    }
}
