//! Image names and digests of Cloud Run artifacts from Google's registries,
//! with the Cloud Run caller's access token, as Kosli resolves them. An image
//! pinned by tag on Artifact Registry (`*-docker.pkg.dev`) or Container
//! Registry (`*.gcr.io`) gets its digest from the registry's manifest
//! (`GET /v2/<path>/manifests/<tag>`, `Docker-Content-Digest`); with
//! `--resolve-names`, an image pinned by digest on Artifact Registry is
//! renamed to a tag of that digest (the Artifact Registry API's
//! `dockerImages.get`; the longest tag wins, so a commit SHA beats `latest`).
//! A lookup that fails leaves the image as it was (the caller may lack
//! `roles/artifactregistry.reader`; `--debug` says why).
//! `CUSTODY_GCP_REGISTRY_URL` and
//! `CUSTODY_ARTIFACT_REGISTRY_URL` point them at other endpoints.

use anyhow::{anyhow, bail};
use reqwest::header::ACCEPT;
use serde_json::Value;

use crate::images::registry::ACCEPT_MANIFESTS;

const PINNED: &str = "@sha256:";

/// Whether Google's access token is good for the registry at `host`.
fn is_google_registry(host: &str) -> bool {
    host == "docker.pkg.dev"
        || host.ends_with("-docker.pkg.dev")
        || host == "gcr.io"
        || host.ends_with(".gcr.io")
}

/// `host/path:tag` of an image pinned by tag.
fn tag_pinned(image: &str) -> Option<(&str, &str, &str)> {
    if image.contains(PINNED) {
        return None;
    }
    let (reference, tag) = image.rsplit_once(':')?;
    let (host, path) = reference.split_once('/')?;
    (!tag.is_empty() && !tag.contains('/') && !path.is_empty()).then_some((host, path, tag))
}

/// The `dockerImages` resource of an Artifact Registry image pinned by
/// digest: `projects/P/locations/L/repositories/R/dockerImages/IMAGE@sha256:HEX`.
fn docker_image_resource(image: &str) -> Option<String> {
    let (reference, hex) = image.split_once(PINNED)?;
    let mut parts = reference.splitn(4, '/');
    let (host, project, repo, name) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let location = host.strip_suffix("-docker.pkg.dev")?;
    Some(format!(
        "projects/{project}/locations/{location}/repositories/{repo}/dockerImages/{name}@sha256:{hex}"
    ))
}

/// The tag to name a digest by: the longest, then the first in order.
fn best_tag(tags: &[String]) -> Option<&String> {
    tags.iter()
        .min_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)))
}

fn setting(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .map(|v| v.trim_end_matches('/').to_string())
}

/// Looks images up in Google's registries for one snapshot.
pub struct Resolver<'a> {
    pub http: &'a reqwest::Client,
    pub token: &'a str,
    /// `--resolve-names`: rename digest-pinned images by their tag.
    pub names: bool,
    /// `--debug`: say why a lookup failed.
    pub debug: bool,
}

impl Resolver<'_> {
    /// Fills in the digests of tag-pinned images and, with `names`, renames
    /// digest-pinned ones; lookups that fail change nothing.
    pub async fn resolve(&self, images: &mut [(String, String)]) {
        for (image, digest) in images.iter_mut() {
            if digest.is_empty() {
                match self.digest(image).await {
                    Ok(found) => *digest = found,
                    Err(e) => self.note("registry digest resolution", image, &e),
                }
            } else if self.names && image.contains(PINNED) {
                match self.tag(image).await {
                    Ok(tag) => {
                        let (name, _) = image.split_once(PINNED).unwrap_or((image, ""));
                        *image = format!("{name}:{tag}");
                    }
                    Err(e) => self.note("tag resolution", image, &e),
                }
            }
        }
    }

    fn note(&self, what: &str, image: &str, error: &anyhow::Error) {
        if self.debug {
            eprintln!("[debug] {what} failed for {image}: {error:#}");
        }
    }

    async fn digest(&self, image: &str) -> anyhow::Result<String> {
        let (host, path, tag) = tag_pinned(image).ok_or_else(|| anyhow!("not pinned by tag"))?;
        if !is_google_registry(host) {
            bail!("not a Google registry; skipped");
        }
        let base = setting("CUSTODY_GCP_REGISTRY_URL").unwrap_or_else(|| format!("https://{host}"));
        let url = format!("{base}/v2/{path}/manifests/{tag}");
        let response = self
            .http
            .get(&url)
            .bearer_auth(self.token)
            .header(ACCEPT, ACCEPT_MANIFESTS)
            .send()
            .await?
            .error_for_status()?;
        let digest = response
            .headers()
            .get("docker-content-digest")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("sha256:"))
            .filter(|hex| !hex.is_empty())
            .ok_or_else(|| anyhow!("GET {url}: no digest in the answer"))?;
        Ok(digest.to_string())
    }

    async fn tag(&self, image: &str) -> anyhow::Result<String> {
        let resource = docker_image_resource(image)
            .ok_or_else(|| anyhow!("not an Artifact Registry image pinned by digest"))?;
        let base = setting("CUSTODY_ARTIFACT_REGISTRY_URL")
            .unwrap_or_else(|| "https://artifactregistry.googleapis.com".to_string());
        let found: Value = self
            .http
            .get(format!("{base}/v1/{resource}"))
            .bearer_auth(self.token)
            .send()
            .await?
            .error_for_status()?
            .json()
            .await?;
        let tags: Vec<String> = serde_json::from_value(found["tags"].clone()).unwrap_or_default();
        best_tag(&tags)
            .cloned()
            .ok_or_else(|| anyhow!("the digest has no tags"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_split_as_their_registries_name_them() {
        assert_eq!(
            tag_pinned("europe-west1-docker.pkg.dev/p/r/img:v1"),
            Some(("europe-west1-docker.pkg.dev", "p/r/img", "v1"))
        );
        assert_eq!(tag_pinned("localhost:5000/img"), None, "a port is no tag");
        assert_eq!(tag_pinned("nginx:1"), None, "no host");
        assert_eq!(tag_pinned("gcr.io/p/img@sha256:abc"), None);
        assert_eq!(
            docker_image_resource("us-docker.pkg.dev/p/r/team/img@sha256:abc").as_deref(),
            Some("projects/p/locations/us/repositories/r/dockerImages/team/img@sha256:abc")
        );
        assert_eq!(docker_image_resource("gcr.io/p/r/img@sha256:abc"), None);
        assert_eq!(
            docker_image_resource("eu-docker.pkg.dev/p@sha256:abc"),
            None
        );
        assert!(is_google_registry("eu.gcr.io") && !is_google_registry("ghcr.io"));
    }

    #[test]
    fn the_longest_tag_names_a_digest() {
        let tags = |t: &[&str]| t.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let sha = "c85b06b09190b24f8d14aae380ca0d79ab008fc5";
        assert_eq!(best_tag(&tags(&["latest", sha, "v1"])).unwrap(), sha);
        assert_eq!(best_tag(&tags(&["v2", "v1"])).unwrap(), "v1");
        assert_eq!(best_tag(&[]), None);
    }
}
