//! Image digests from a registry (`--artifact-type oci`): the reference is
//! parsed with Docker's normalisation, then `HEAD /v2/<repo>/manifests/<ref>`
//! is sent with every manifest media type accepted, following the bearer
//! token flow on 401. Registries on localhost/127.0.0.1 are spoken to over
//! plain HTTP, as Docker does for them.

use anyhow::{Context, anyhow, bail};
use reqwest::header::{ACCEPT, AUTHORIZATION, WWW_AUTHENTICATE};
use reqwest::{Client, RequestBuilder, StatusCode};
use serde_json::Value;

/// Every manifest type, so the registry answers with the image's own digest.
pub const ACCEPT_MANIFESTS: &str = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v1+prettyjws, application/vnd.docker.distribution.manifest.v1+json";

/// A registry user and password.
#[derive(Debug, Clone, PartialEq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

/// A normalised image reference.
#[derive(Debug, PartialEq)]
pub struct Reference {
    /// As Docker names it (`docker.io` for Docker Hub).
    pub registry: String,
    pub repository: String,
    /// The tag or `sha256:` digest.
    pub reference: String,
}

impl Reference {
    /// Parses `[registry/]repo[:tag][@sha256:hex]`.
    pub fn parse(name: &str) -> anyhow::Result<Reference> {
        let (rest, digest) = match name.split_once('@') {
            Some((rest, digest)) => {
                let hex = digest
                    .strip_prefix("sha256:")
                    .ok_or_else(|| anyhow!("unsupported digest algorithm"))?;
                if hex.len() != 64 || !hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
                    bail!("invalid checksum digest format");
                }
                (rest, Some(digest.to_string()))
            }
            None => (name, None),
        };
        let (registry, path) = match rest.split_once('/') {
            Some((first, path)) if first.contains(['.', ':']) || first == "localhost" => {
                (first.to_string(), path.to_string())
            }
            _ => ("docker.io".to_string(), rest.to_string()),
        };
        let (path, tag) = match path.rsplit_once(':') {
            Some((p, t)) if !t.contains('/') => (p.to_string(), Some(t.to_string())),
            _ => (path, None),
        };
        let repository = if registry == "docker.io" && !path.contains('/') {
            format!("library/{path}")
        } else {
            path
        };
        if repository.is_empty() || tag.as_deref() == Some("") {
            bail!("invalid reference format");
        }
        if repository.bytes().any(|b| b.is_ascii_uppercase()) {
            bail!("invalid reference format: repository name must be lowercase");
        }
        let valid = |s: &str, extra: &[u8]| {
            s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b) || extra.contains(&b))
        };
        if !valid(&repository, b"/") || !tag.as_deref().is_none_or(|t| valid(t, b"")) {
            bail!("invalid reference format");
        }
        let reference = digest.or(tag).unwrap_or_else(|| "latest".to_string());
        Ok(Reference {
            registry,
            repository,
            reference,
        })
    }

    /// The registry's base URL.
    fn base(&self) -> String {
        let host = self.registry.split(':').next().unwrap_or_default();
        match self.registry.as_str() {
            "docker.io" | "index.docker.io" => "https://registry-1.docker.io".to_string(),
            _ if host == "localhost" || host == "127.0.0.1" => format!("http://{}", self.registry),
            r => format!("https://{r}"),
        }
    }
}

/// The digest (hex, without `sha256:`) the registry gives for an image.
pub async fn digest(name: &str, explicit: Option<Credentials>) -> anyhow::Result<String> {
    let reference = Reference::parse(name)
        .map_err(|e| anyhow!("failed to parse image reference for //{name}: {e:#}"))?;
    let credentials = match explicit {
        Some(c) => Some(c),
        None => super::docker_config::stored_credentials(&reference.registry).await,
    };
    head(&reference, credentials.as_ref())
        .await
        .map_err(|e| anyhow!("failed to get digest for //{name}: {e:#}"))
}

async fn head(reference: &Reference, credentials: Option<&Credentials>) -> anyhow::Result<String> {
    let client = custody_client::http::client();
    let url = format!(
        "{}/v2/{}/manifests/{}",
        reference.base(),
        reference.repository,
        reference.reference
    );
    let request = || client.head(&url).header(ACCEPT, ACCEPT_MANIFESTS);
    let mut response = request().send().await?;
    if response.status() == StatusCode::UNAUTHORIZED {
        let challenge = response
            .headers()
            .get(WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let retry = match challenge.split_once(' ') {
            Some((scheme, params)) if scheme.eq_ignore_ascii_case("bearer") => {
                let token = token(&client, params, credentials).await?;
                request().header(AUTHORIZATION, format!("Bearer {token}"))
            }
            _ => with_basic(request(), credentials),
        };
        response = retry.send().await?;
    }
    if !response.status().is_success() {
        bail!("HEAD {url}: unexpected status code {}", response.status());
    }
    let digest = response
        .headers()
        .get("Docker-Content-Digest")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| anyhow!("HEAD {url}: no Docker-Content-Digest header"))?;
    Ok(digest.trim_start_matches("sha256:").to_string())
}

fn with_basic(request: RequestBuilder, credentials: Option<&Credentials>) -> RequestBuilder {
    match credentials {
        Some(c) => request.basic_auth(&c.username, Some(&c.password)),
        None => request,
    }
}

/// A token from the challenge's realm (`realm="…",service="…",scope="…"`).
async fn token(
    client: &Client,
    params: &str,
    credentials: Option<&Credentials>,
) -> anyhow::Result<String> {
    let mut realm = None;
    let mut query = Vec::new();
    for part in params.split(',') {
        if let Some((key, value)) = part.trim().split_once('=') {
            let value = value.trim_matches('"').to_string();
            match key {
                "realm" => realm = Some(value),
                "service" | "scope" => query.push((key.to_string(), value)),
                _ => {}
            }
        }
    }
    let realm = realm.ok_or_else(|| anyhow!("bearer challenge without a realm"))?;
    let url = reqwest::Url::parse_with_params(&realm, &query)?;
    let response = with_basic(client.get(url), credentials).send().await?;
    if !response.status().is_success() {
        bail!("GET {realm}: unexpected status code {}", response.status());
    }
    let body: Value = response.json().await.context("token response")?;
    body.get("token")
        .or_else(|| body.get("access_token"))
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| anyhow!("GET {realm}: no token in the response"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(name: &str) -> (String, String, String) {
        let r = Reference::parse(name).unwrap();
        (r.registry, r.repository, r.reference)
    }

    #[test]
    fn references_are_normalised_like_docker() {
        let t = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
        assert_eq!(
            parsed("nginx:latest"),
            t("docker.io", "library/nginx", "latest")
        );
        assert_eq!(parsed("nginx"), t("docker.io", "library/nginx", "latest"));
        assert_eq!(parsed("me/app:1.2"), t("docker.io", "me/app", "1.2"));
        assert_eq!(
            parsed("localhost:5000/team/app"),
            t("localhost:5000", "team/app", "latest")
        );
        let pinned = format!("ghcr.io/o/app@sha256:{}", "a".repeat(64));
        assert_eq!(
            parsed(&pinned),
            t("ghcr.io", "o/app", &format!("sha256:{}", "a".repeat(64)))
        );
        assert!(Reference::parse("Nginx").is_err());
        assert!(Reference::parse("nginx@sha256:xyz").is_err());
        assert_eq!(
            Reference::parse("nginx").unwrap().base(),
            "https://registry-1.docker.io"
        );
        assert_eq!(
            Reference::parse("127.0.0.1:5000/a").unwrap().base(),
            "http://127.0.0.1:5000"
        );
    }
}
