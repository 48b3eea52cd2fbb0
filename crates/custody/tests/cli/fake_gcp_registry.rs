//! Google's registries in [`super::fake_gcp`], in their wire format: the
//! Docker registry API of Artifact Registry and Container Registry (a
//! manifest by tag, its digest in `Docker-Content-Digest`) and the Artifact
//! Registry API's `dockerImages.get` (a `DockerImage` with its tags). Only
//! `gcr.io/proj-x/beta:1.4` is pinned by tag, and only the `alpha` revision
//! and the `sandman-job` images have tags.

use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::fake_gcp::{ALPHA_3, SANDMAN, error};

/// The digest of `gcr.io/proj-x/beta:1.4`.
pub const BETA: &str = "be7abe7abe7abe7abe7abe7abe7abe7abe7abe7abe7abe7abe7abe7abe7abe7a";
/// The tags of the `alpha` revision's image.
pub const ALPHA_TAGS: [&str; 3] = ["latest", "c85b06b09190b24f8d14aae380ca0d79ab008fc5", "v7"];

const REPO: &str = "projects/proj-x/locations/europe-west1/repositories/apps";

/// The answer to `path` if it is a registry's, for a signed-in caller.
pub fn answer(path: &str) -> Option<Response> {
    if let Some(manifest) = path
        .strip_prefix("/v2/")
        .filter(|p| p.contains("/manifests/"))
    {
        return Some(self::manifest(manifest));
    }
    let image = path.strip_prefix(&format!("/v1/{REPO}/dockerImages/"))?;
    let tags: &[&str] = match image.split_once("@sha256:") {
        Some(("alpha", hex)) if hex == ALPHA_3 => &ALPHA_TAGS,
        Some(("sandman-job", hex)) if hex == SANDMAN => &["v1.2.0"],
        _ => {
            let why = "Requested entity was not found.";
            return Some(error(StatusCode::NOT_FOUND, "NOT_FOUND", why));
        }
    };
    let (name, hex) = image.split_once("@sha256:")?;
    Some(
        axum::Json(json!({
            "name": format!("{REPO}/dockerImages/{image}"),
            "uri": format!("europe-west1-docker.pkg.dev/proj-x/apps/{name}@sha256:{hex}"),
            "tags": tags,
            "imageSizeBytes": "2811478",
            "uploadTime": "2024-05-02T09:20:11.123456Z",
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "buildTime": "2024-05-02T09:19:40.654321Z",
            "updateTime": "2024-05-02T09:20:11.123456Z"
        }))
        .into_response(),
    )
}

/// `GET /v2/<path>/manifests/<tag>`.
fn manifest(rest: &str) -> Response {
    if rest != "proj-x/beta/manifests/1.4" {
        let body = json!({"errors": [{"code": "MANIFEST_UNKNOWN",
            "message": "Failed to fetch manifest", "detail": rest}]});
        return (StatusCode::NOT_FOUND, axum::Json(body)).into_response();
    }
    let media = "application/vnd.docker.distribution.manifest.v2+json";
    let body = json!({"schemaVersion": 2, "mediaType": media,
        "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1470,
                   "digest": format!("sha256:{}", "c0".repeat(32))},
        "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 3370628,
                    "digest": format!("sha256:{}", "1a".repeat(32))}]});
    (
        [
            (header::CONTENT_TYPE, media.to_string()),
            (
                header::HeaderName::from_static("docker-content-digest"),
                format!("sha256:{BETA}"),
            ),
        ],
        axum::Json(body),
    )
        .into_response()
}
