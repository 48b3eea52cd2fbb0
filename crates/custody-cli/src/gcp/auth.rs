//! Google Application Default Credentials, as Google's own libraries look for
//! them: an access token in `GOOGLE_OAUTH_ACCESS_TOKEN`, the key file named by
//! `GOOGLE_APPLICATION_CREDENTIALS` (a service account's key, signed into a
//! JWT, or a user's refresh token), gcloud's
//! `application_default_credentials.json`, then the metadata server of
//! GCE, GKE (Workload Identity) and Cloud Run (`GCE_METADATA_HOST`).

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{RSA_PKCS1_SHA256, RsaKeyPair};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};

/// The scope every token is asked for.
const SCOPE: &str = "https://www.googleapis.com/auth/cloud-platform";
/// Where keys without a `token_uri` exchange their grant.
const TOKEN_URI: &str = "https://oauth2.googleapis.com/token";
/// Largest key file read.
const MAX_KEY_FILE: u64 = 64 * 1024;

/// What a failure to find or use credentials says, as the Kosli CLI says it.
pub fn unauthenticated(cause: impl std::fmt::Display) -> anyhow::Error {
    anyhow!(
        "GCP authentication failed: ensure Application Default Credentials are available \
         (GOOGLE_APPLICATION_CREDENTIALS, 'gcloud auth application-default login', \
         or GCE/GKE metadata server / Workload Identity) (underlying error: {cause})"
    )
}

/// An access token for Google APIs, from the first credentials found.
pub async fn access_token(http: &reqwest::Client) -> anyhow::Result<String> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    if let Some(token) = env("GOOGLE_OAUTH_ACCESS_TOKEN") {
        return Ok(token.trim().to_string());
    }
    let file = env("GOOGLE_APPLICATION_CREDENTIALS").map(PathBuf::from);
    if let Some(path) = file.or_else(gcloud_file).filter(|p| p.is_file()) {
        let key = read_key(&path)?;
        return from_key(http, &key)
            .await
            .with_context(|| format!("using the credentials in {}", path.display()));
    }
    from_metadata(http, env("GCE_METADATA_HOST")).await
}

/// gcloud's well-known file, if a home or `CLOUDSDK_CONFIG` is known.
fn gcloud_file() -> Option<PathBuf> {
    let dir = std::env::var_os("CLOUDSDK_CONFIG")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config/gcloud")))?;
    Some(dir.join("application_default_credentials.json"))
}

fn read_key(path: &std::path::Path) -> anyhow::Result<Value> {
    let size = std::fs::metadata(path)?.len();
    if size > MAX_KEY_FILE {
        bail!("{} is {size} bytes: not a credentials file", path.display());
    }
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("failed to read {}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| anyhow!("{} is not JSON: {e}", path.display()))
}

fn field<'a>(key: &'a Value, name: &str) -> anyhow::Result<&'a str> {
    key[name]
        .as_str()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| anyhow!("the credentials have no '{name}'"))
}

/// A token from a key file's grant.
async fn from_key(http: &reqwest::Client, key: &Value) -> anyhow::Result<String> {
    let token_uri = key["token_uri"].as_str().unwrap_or(TOKEN_URI);
    let form: Vec<(&str, String)> = match key["type"].as_str() {
        Some("service_account") => vec![
            (
                "grant_type",
                "urn:ietf:params:oauth:grant-type:jwt-bearer".into(),
            ),
            ("assertion", signed_assertion(key, token_uri)?),
        ],
        Some("authorized_user") => vec![
            ("grant_type", "refresh_token".into()),
            ("client_id", field(key, "client_id")?.into()),
            ("client_secret", field(key, "client_secret")?.into()),
            ("refresh_token", field(key, "refresh_token")?.into()),
        ],
        other => bail!(
            "credentials of type {} are not supported: use a service account key, \
             'gcloud auth application-default login', or GOOGLE_OAUTH_ACCESS_TOKEN",
            other.unwrap_or("(none)")
        ),
    };
    let mut body = reqwest::Url::parse("http://form/")?;
    body.query_pairs_mut()
        .extend_pairs(form.iter().map(|(k, v)| (*k, v.as_str())));
    let response = http
        .post(token_uri)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body.query().unwrap_or_default().to_string())
        .send()
        .await
        .with_context(|| format!("cannot reach {token_uri}"))?;
    token_of(response).await
}

/// The JWT a service account signs to ask for a token (RS256).
fn signed_assertion(key: &Value, audience: &str) -> anyhow::Result<String> {
    let pem = field(key, "private_key")?;
    let body: String = pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .map(str::trim)
        .collect();
    let der = STANDARD
        .decode(body)
        .map_err(|_| anyhow!("the service account's private_key is not PEM"))?;
    let pair = RsaKeyPair::from_pkcs8(&der)
        .map_err(|_| anyhow!("the service account's private_key is not an RSA PKCS#8 key"))?;
    let now = jiff::Timestamp::now().as_second();
    let header = json!({"alg": "RS256", "typ": "JWT", "kid": key["private_key_id"]});
    let claims = json!({"iss": field(key, "client_email")?, "scope": SCOPE, "aud": audience,
                        "iat": now, "exp": now + 3600});
    let encode = |v: &Value| URL_SAFE_NO_PAD.encode(v.to_string());
    let unsigned = format!("{}.{}", encode(&header), encode(&claims));
    let mut signature = vec![0; pair.public_modulus_len()];
    pair.sign(
        &RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        unsigned.as_bytes(),
        &mut signature,
    )
    .map_err(|_| anyhow!("signing with the service account's key failed"))?;
    Ok(format!("{unsigned}.{}", URL_SAFE_NO_PAD.encode(signature)))
}

/// The default service account's token from the metadata server; off Google
/// Cloud (no `GCE_METADATA_HOST`) this gives up quickly.
async fn from_metadata(http: &reqwest::Client, host: Option<String>) -> anyhow::Result<String> {
    let wait = if host.is_some() { 10 } else { 2 };
    let host = host.unwrap_or_else(|| "metadata.google.internal".to_string());
    let url = format!("http://{host}/computeMetadata/v1/instance/service-accounts/default/token");
    let response = http
        .get(&url)
        .header("Metadata-Flavor", "Google")
        .timeout(Duration::from_secs(wait))
        .send()
        .await
        .map_err(|e| {
            unauthenticated(format!(
                "no credentials found, and the metadata server at {host} did not answer: {e}"
            ))
        })?;
    token_of(response).await.map_err(unauthenticated)
}

/// `access_token` of a token endpoint's answer, or its error.
async fn token_of(response: reqwest::Response) -> anyhow::Result<String> {
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    match body["access_token"].as_str() {
        Some(token) if status.is_success() => Ok(token.to_string()),
        _ => {
            let why = [&body["error"], &body["error_description"]]
                .iter()
                .filter_map(|v| v.as_str())
                .collect::<Vec<_>>()
                .join(": ");
            Err(unauthenticated(format!(
                "the token endpoint answered {status} {why}"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_of_other_types_are_named_in_the_error() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let http = custody_client::http::client();
        let key = json!({"type": "external_account"});
        let error = rt.block_on(from_key(&http, &key)).unwrap_err().to_string();
        assert!(
            error.starts_with("credentials of type external_account are not supported"),
            "{error}"
        );
        let key = json!({"type": "service_account", "client_email": "a@b", "private_key": "-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----"});
        let error = rt.block_on(from_key(&http, &key)).unwrap_err().to_string();
        assert_eq!(error, "the service account's private_key is not PEM");
        let key = json!({"type": "authorized_user", "client_id": "c"});
        let error = rt.block_on(from_key(&http, &key)).unwrap_err().to_string();
        assert_eq!(error, "the credentials have no 'client_secret'");
    }
}
