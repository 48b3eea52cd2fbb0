//! A fake Google Cloud on 127.0.0.1 for [`super::cloud_run`]: the OAuth2
//! token endpoint (a service account's RS256 JWT, checked against its key, or
//! a user's refresh token), the metadata server's token, and the Cloud Run
//! Admin API v2 of project `proj-x` in `europe-west1` in its JSON: two pages
//! of services (`alpha` splitting traffic between two revisions, `beta` on
//! its latest one), their revisions, and two jobs. Other projects answer
//! Google's 404, project `locked` its 403, and unknown tokens its 401. Its
//! registries are in [`super::fake_gcp_registry`].

use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_2048_8192_SHA256, RsaKeyPair, UnparsedPublicKey};
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

pub use super::fake_http::Recorded as FakeGcp;
use super::fake_http::{Recorded, serve};

/// The service account's key (test-only, made for these tests).
pub const KEY_PEM: &str = include_str!("data/gcp-service-account.pem");
pub const CLIENT_EMAIL: &str = "reporter@proj-x.iam.gserviceaccount.com";
/// The access tokens the fake hands out, by how they were asked for.
const TOKENS: [&str; 3] = ["ya29.service-account", "ya29.user", "ya29.metadata"];

/// Digests of the images the revisions and jobs run.
pub const ALPHA_3: &str = "a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3a3";
pub const ALPHA_2: &str = "a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2a2";
pub const PROXY: &str = "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";
pub const SANDMAN: &str = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a";
pub const EXPORT: &str = "e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0";

const PARENT: &str = "projects/proj-x/locations/europe-west1";

/// Starts the fake.
pub fn start() -> Recorded {
    serve(answer)
}

pub fn error(status: StatusCode, google_status: &str, message: &str) -> Response {
    let body =
        json!({"error": {"code": status.as_u16(), "message": message, "status": google_status}});
    (status, axum::Json(body)).into_response()
}

fn token(access_token: &str) -> Response {
    axum::Json(json!({"access_token": access_token, "expires_in": 3599, "token_type": "Bearer"}))
        .into_response()
}

fn answer(base: &str, method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Response {
    let path = uri.path();
    if method == Method::POST && path == "/token" {
        return token_grant(base, body);
    }
    if path == "/computeMetadata/v1/instance/service-accounts/default/token" {
        return match headers.get("metadata-flavor").map(|v| v.as_bytes()) {
            Some(b"Google") => token(TOKENS[2]),
            _ => (
                StatusCode::FORBIDDEN,
                "Missing Metadata-Flavor:Google header.",
            )
                .into_response(),
        };
    }
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if !bearer.is_some_and(|t| TOKENS.contains(&t)) {
        let why = "Request had invalid authentication credentials. Expected OAuth 2 access token.";
        return error(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", why);
    }
    if let Some(registry) = super::fake_gcp_registry::answer(path) {
        return registry;
    }
    let Some(rest) = path.strip_prefix("/v2/") else {
        return error(StatusCode::NOT_FOUND, "NOT_FOUND", "no such API");
    };
    if rest.starts_with("projects/locked/") {
        let why = "Permission 'run.services.list' denied on resource";
        return error(StatusCode::FORBIDDEN, "PERMISSION_DENIED", why);
    }
    let page = uri.query().unwrap_or_default();
    match rest.strip_prefix(PARENT) {
        Some("/services") if page == "pageToken=p2" => {
            axum::Json(json!({"services": [beta()]})).into_response()
        }
        Some("/services") => {
            axum::Json(json!({"services": [alpha()], "nextPageToken": "p2"})).into_response()
        }
        Some("/jobs") => axum::Json(json!({"jobs": jobs()})).into_response(),
        Some(revision) => match revisions()
            .into_iter()
            .find(|r| r["name"] == format!("{PARENT}{revision}"))
        {
            Some(found) => axum::Json(found).into_response(),
            None => error(StatusCode::NOT_FOUND, "NOT_FOUND", "Resource not found"),
        },
        None => error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "Project not found or the Cloud Run Admin API is not enabled",
        ),
    }
}

/// The token endpoint: a signed service-account assertion or a refresh token.
fn token_grant(base: &str, body: &[u8]) -> Response {
    let form: Vec<(String, String)> = url_pairs(body);
    let get = |k: &str| {
        form.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    let refused = |why: &str| {
        let body = json!({"error": "invalid_grant", "error_description": why});
        (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
    };
    match get("grant_type") {
        Some("urn:ietf:params:oauth:grant-type:jwt-bearer") => {
            match check_assertion(
                get("assertion").unwrap_or_default(),
                &format!("{base}/token"),
            ) {
                Ok(()) => token(TOKENS[0]),
                Err(why) => refused(&why),
            }
        }
        Some("refresh_token")
            if get("client_id") == Some("cli-client")
                && get("client_secret") == Some("cli-secret")
                && get("refresh_token") == Some("1//refresh") =>
        {
            token(TOKENS[1])
        }
        _ => refused("Bad Request"),
    }
}

fn url_pairs(body: &[u8]) -> Vec<(String, String)> {
    let url = reqwest::Url::parse(&format!("http://x/?{}", String::from_utf8_lossy(body))).unwrap();
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// The assertion is signed by [`KEY_PEM`] and asks for the right token.
fn check_assertion(jwt: &str, audience: &str) -> Result<(), String> {
    let parts: Vec<&str> = jwt.split('.').collect();
    let [header, claims, signature] = parts[..] else {
        return Err("not a JWT".into());
    };
    let body: String = KEY_PEM
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let pair = RsaKeyPair::from_pkcs8(&STANDARD.decode(body).unwrap()).unwrap();
    let public = UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pair.public_key().as_ref());
    let signature = URL_SAFE_NO_PAD
        .decode(signature)
        .map_err(|e| e.to_string())?;
    public
        .verify(format!("{header}.{claims}").as_bytes(), &signature)
        .map_err(|_| "Invalid JWT Signature.".to_string())?;
    let claims: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(claims).unwrap()).unwrap();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    let lifetime = claims["exp"].as_i64().unwrap_or(0) - claims["iat"].as_i64().unwrap_or(0);
    let expected = header["alg"] == "RS256"
        && claims["iss"] == CLIENT_EMAIL
        && claims["aud"] == audience
        && claims["scope"] == "https://www.googleapis.com/auth/cloud-platform"
        && (1..=3600).contains(&lifetime);
    expected
        .then_some(())
        .ok_or_else(|| format!("unexpected claims {claims}"))
}

fn service(name: &str, traffic: Value, latest: &str) -> Value {
    json!({
        "name": format!("{PARENT}/services/{name}"),
        "uid": format!("uid-{name}"),
        "generation": "3",
        "createTime": "2024-04-01T08:00:00.000000Z",
        "launchStage": "GA",
        "traffic": traffic,
        "latestReadyRevision": format!("{PARENT}/services/{name}/revisions/{latest}"),
        "latestCreatedRevision": format!("{PARENT}/services/{name}/revisions/{latest}"),
        "uri": format!("https://{name}-6kqz3b-ew.a.run.app"),
    })
}

fn alpha() -> Value {
    let traffic = json!([
        {"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "percent": 50},
        {"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", "revision": "alpha-00002-abc", "percent": 50},
        {"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", "revision": "alpha-00003-xyz", "percent": 0, "tag": "canary"}
    ]);
    service("alpha", traffic, "alpha-00003-xyz")
}

fn beta() -> Value {
    let traffic = json!([{"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "percent": 100}]);
    service("beta", traffic, "beta-00001-aaa")
}

fn revision(service: &str, name: &str, created: &str, images: &[&str]) -> Value {
    let containers: Vec<Value> = images
        .iter()
        .map(|i| json!({"image": i, "ports": [{"containerPort": 8080}]}))
        .collect();
    json!({"name": format!("{PARENT}/services/{service}/revisions/{name}"), "service": service,
           "createTime": created, "containers": containers, "maxInstanceRequestConcurrency": 80})
}

pub fn image(name: &str, digest: &str) -> String {
    format!("europe-west1-docker.pkg.dev/proj-x/apps/{name}@sha256:{digest}")
}

fn revisions() -> Vec<Value> {
    vec![
        revision(
            "alpha",
            "alpha-00003-xyz",
            "2024-05-02T09:30:00.250Z",
            &[&image("alpha", ALPHA_3)],
        ),
        revision(
            "alpha",
            "alpha-00002-abc",
            "2024-05-01T10:00:00Z",
            &[&image("alpha", ALPHA_2)],
        ),
        revision(
            "beta",
            "beta-00001-aaa",
            "2024-04-20T12:00:00Z",
            &["gcr.io/proj-x/beta:1.4", &image("proxy", PROXY)],
        ),
    ]
}

fn jobs() -> Vec<Value> {
    let job = |name: &str, created: &str, digest: &str| {
        json!({"name": format!("{PARENT}/jobs/{name}"), "createTime": created,
               "template": {"taskCount": 1, "template": {"containers": [{"image": image(name, digest)}], "maxRetries": 3}}})
    };
    vec![
        job("sandman-job", "2024-03-01T00:00:00Z", SANDMAN),
        job("nightly-export", "2024-03-02T00:00:00Z", EXPORT),
    ]
}
