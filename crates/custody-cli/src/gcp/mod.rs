//! A small Google Cloud Run client for `snapshot cloud-run`, on the Cloud Run
//! Admin API v2 (REST): the services of a project and region with the
//! revisions their traffic names, and the jobs. `CUSTODY_CLOUD_RUN_URL`
//! points it at another endpoint (a fake in tests); credentials come from
//! [`auth`]; image digests and names from Google's registries ([`registry`]).

pub mod auth;
mod registry;

use anyhow::{anyhow, bail};
use futures::{StreamExt, TryStreamExt};
use serde_json::Value;

/// Most pages of a list read, so a misbehaving endpoint cannot loop forever.
const MAX_PAGES: usize = 1000;
/// Revisions fetched at once.
const CONCURRENCY: usize = 8;

/// A Cloud Run service: one revision per distinct revision in its traffic.
pub struct Service {
    pub name: String,
    pub revisions: Vec<Deployed>,
}

/// What runs: a revision's or a job's images (`image` → digest, empty when
/// the image is pinned by tag) and when it was created (Unix seconds).
pub struct Deployed {
    pub name: String,
    pub images: Vec<(String, String)>,
    pub created: i64,
}

/// A signed-in client for one project and region.
pub struct Client {
    http: reqwest::Client,
    token: String,
    base: String,
    project: String,
    region: String,
}

/// The last segment of a resource name (`projects/p/…/services/alpha` → `alpha`).
fn short(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

/// A revision's or a job template's containers, and its `createTime`.
fn deployed(resource: &Value, containers: &Value) -> anyhow::Result<Deployed> {
    let images = containers
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["image"].as_str())
        .map(|image| {
            let digest = image
                .split_once("@sha256:")
                .map(|(_, hex)| hex.to_string())
                .unwrap_or_default();
            (image.to_string(), digest)
        })
        .collect();
    let created = match resource["createTime"].as_str() {
        Some(t) => t
            .parse::<jiff::Timestamp>()
            .map_err(|e| anyhow!("createTime '{t}' is not a time: {e}"))?
            .as_second(),
        None => 0,
    };
    Ok(Deployed {
        name: short(resource["name"].as_str().unwrap_or_default()).to_string(),
        images,
        created,
    })
}

/// The revisions a service's traffic sends requests to, each once, in order;
/// a target without a revision means the latest ready one.
fn traffic_revisions(service: &Value) -> Vec<String> {
    let latest = short(service["latestReadyRevision"].as_str().unwrap_or_default());
    let mut out: Vec<String> = Vec::new();
    for target in service["traffic"].as_array().into_iter().flatten() {
        let name = target["revision"]
            .as_str()
            .filter(|r| !r.is_empty())
            .unwrap_or(latest);
        if !name.is_empty() && !out.iter().any(|n| n == name) {
            out.push(name.to_string());
        }
    }
    out
}

impl Client {
    pub async fn new(project: &str, region: &str) -> anyhow::Result<Client> {
        let http = custody_client::http::client();
        let token = auth::access_token(&http).await?;
        let base = std::env::var("CUSTODY_CLOUD_RUN_URL")
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "https://run.googleapis.com".to_string());
        Ok(Client {
            http,
            token,
            base: base.trim_end_matches('/').to_string(),
            project: project.to_string(),
            region: region.to_string(),
        })
    }

    /// One resource, or the error in Kosli's words for its status.
    async fn get(&self, path: &str, page: Option<&str>) -> anyhow::Result<Value> {
        let mut url = reqwest::Url::parse(&format!("{}/v2/{path}", self.base))?;
        if let Some(token) = page {
            url.query_pairs_mut().append_pair("pageToken", token);
        }
        let response = self.http.get(url).bearer_auth(&self.token).send().await?;
        let status = response.status();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        if status.is_success() {
            return Ok(body);
        }
        let why = format!(
            "{status}: {}",
            body["error"]["message"].as_str().unwrap_or("no message")
        );
        let (project, region) = (&self.project, &self.region);
        match status.as_u16() {
            401 => Err(auth::unauthenticated(why)),
            403 => bail!(
                "GCP permission denied: the caller needs 'roles/run.viewer' on project \"{project}\" (underlying error: {why})"
            ),
            404 => bail!(
                "GCP project \"{project}\" or region \"{region}\" not found or not accessible (underlying error: {why})"
            ),
            _ => bail!("Cloud Run answered {why}"),
        }
    }

    /// Every item of a paged list (`services` or `jobs`).
    async fn list(&self, what: &str) -> anyhow::Result<Vec<Value>> {
        let path = format!("projects/{}/locations/{}/{what}", self.project, self.region);
        let (mut items, mut page) = (Vec::new(), None::<String>);
        for _ in 0..MAX_PAGES {
            let mut body = self.get(&path, page.as_deref()).await?;
            if let Value::Array(more) = body[what].take() {
                items.extend(more);
            }
            page = body["nextPageToken"]
                .as_str()
                .filter(|t| !t.is_empty())
                .map(String::from);
            if page.is_none() {
                return Ok(items);
            }
        }
        bail!("listing Cloud Run {what} in {path}: more than {MAX_PAGES} pages")
    }

    /// The services, each with the revisions its traffic names.
    pub async fn services(&self) -> anyhow::Result<Vec<Service>> {
        let mut out = Vec::new();
        for service in self.list("services").await? {
            let full = service["name"].as_str().unwrap_or_default();
            let revisions = futures::stream::iter(traffic_revisions(&service))
                .map(|revision| async move {
                    let path = format!("{full}/revisions/{revision}");
                    let found = self.get(&path, None).await?;
                    deployed(&found, &found["containers"])
                })
                .buffered(CONCURRENCY)
                .try_collect()
                .await?;
            out.push(Service {
                name: short(full).to_string(),
                revisions,
            });
        }
        Ok(out)
    }

    /// Fills in the digests of images pinned by tag and, with `names`
    /// (`--resolve-names`), names digest-pinned images by a tag ([`registry`]).
    pub async fn resolve(&self, deployed: &mut Deployed, names: bool, debug: bool) {
        let resolver = registry::Resolver {
            http: &self.http,
            token: &self.token,
            names,
            debug,
        };
        resolver.resolve(&mut deployed.images).await;
    }

    /// The jobs, idle ones too, by the image of their template.
    pub async fn jobs(&self) -> anyhow::Result<Vec<Deployed>> {
        self.list("jobs")
            .await?
            .iter()
            .map(|job| deployed(job, &job["template"]["template"]["containers"]))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn traffic_names_each_revision_once_and_latest_for_none() {
        let service = json!({
            "latestReadyRevision": "projects/p/locations/r/services/a/revisions/a-3",
            "traffic": [{"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "percent": 50},
                        {"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", "revision": "a-2", "percent": 50},
                        {"revision": "a-3", "percent": 0}]});
        assert_eq!(traffic_revisions(&service), ["a-3", "a-2"]);
        assert!(traffic_revisions(&json!({})).is_empty());
    }

    #[test]
    fn images_are_read_with_their_digests() {
        let rev = json!({"name": "projects/p/locations/r/services/a/revisions/a-1",
                         "createTime": "2024-05-01T10:00:00.123456Z"});
        let containers =
            json!([{"image": "eu-docker.pkg.dev/p/r/a@sha256:abc"}, {"image": "nginx:1"}]);
        let d = deployed(&rev, &containers).unwrap();
        assert_eq!(d.name, "a-1");
        assert_eq!(d.created, 1_714_557_600);
        assert_eq!(
            d.images,
            [
                (
                    "eu-docker.pkg.dev/p/r/a@sha256:abc".to_string(),
                    "abc".to_string()
                ),
                ("nginx:1".to_string(), String::new())
            ]
        );
        let bad = json!({"createTime": "yesterday"});
        assert!(deployed(&bad, &json!([])).is_err());
    }
}
