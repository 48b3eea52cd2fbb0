//! IAM Identity Center (SSO) profiles: the token `aws sso login` cached in
//! `~/.aws/sso/cache/<sha1>.json` (of the `sso_session` name, or of the
//! legacy `sso_start_url`) is exchanged at the SSO portal
//! (`AWS_ENDPOINT_URL_SSO`, else `portal.sso.<region>.amazonaws.com`) for
//! the role credentials of `sso_account_id` and `sso_role_name`.

use anyhow::{Context, anyhow, bail};
use aws_lc_rs::digest::{SHA1_FOR_LEGACY_USE_ONLY, digest};
use serde_json::Value;

use super::env;
use super::profile::{self, Profile};
use super::sigv4::Credentials;

/// Whether the profile signs in through SSO.
pub fn applies(p: &Profile) -> bool {
    p.get("sso_account_id").is_some() && p.get("sso_role_name").is_some()
}

/// The cached token's file for a session name or start URL.
fn cache_file(key: &str) -> anyhow::Result<String> {
    let home = env("HOME").ok_or_else(|| anyhow!("no HOME for the SSO token cache"))?;
    let hash = hex::encode(digest(&SHA1_FOR_LEGACY_USE_ONLY, key.as_bytes()));
    Ok(format!("{home}/.aws/sso/cache/{hash}.json"))
}

/// The role credentials of an SSO profile.
pub async fn credentials(http: &reqwest::Client, p: &Profile) -> anyhow::Result<Credentials> {
    let (key, region) = match p.get("sso_session") {
        Some(name) => {
            let session = profile::sso_session(name).ok_or_else(|| {
                anyhow!(
                    "profile '{}' names sso_session '{name}', which the config file lacks",
                    p.name
                )
            })?;
            (
                name.to_string(),
                session.get("sso_region").map(String::from),
            )
        }
        None => (
            p.get("sso_start_url")
                .context("an SSO profile needs sso_session or sso_start_url")?
                .to_string(),
            p.get("sso_region").map(String::from),
        ),
    };
    let region = region.ok_or_else(|| anyhow!("profile '{}' has no sso_region", p.name))?;
    let file = cache_file(&key)?;
    let cached: Value = serde_json::from_str(
        &std::fs::read_to_string(&file)
            .with_context(|| format!("no SSO token for '{key}' in {file}: run aws sso login"))?,
    )
    .with_context(|| format!("{file} is not JSON"))?;
    let token = cached["accessToken"]
        .as_str()
        .context("the cached SSO token has no accessToken")?;
    if let Some(expires) = cached["expiresAt"].as_str() {
        let at: jiff::Timestamp = expires
            .parse()
            .with_context(|| format!("expiresAt '{expires}' is not a time"))?;
        if at <= jiff::Timestamp::now() {
            bail!("the SSO session '{key}' expired at {expires}: run aws sso login");
        }
    }
    let base = env("AWS_ENDPOINT_URL_SSO")
        .unwrap_or_else(|| format!("https://portal.sso.{region}.amazonaws.com"));
    let mut url = reqwest::Url::parse(&format!(
        "{}/federation/credentials",
        base.trim_end_matches('/')
    ))?;
    url.query_pairs_mut()
        .append_pair("role_name", p.get("sso_role_name").unwrap_or_default())
        .append_pair("account_id", p.get("sso_account_id").unwrap_or_default());
    let response = http
        .get(url.clone())
        .header("x-amz-sso_bearer_token", token)
        .send()
        .await
        .with_context(|| format!("cannot reach the SSO portal at {base}"))?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        bail!(
            "the SSO portal answered {status}: {}",
            body["message"].as_str().unwrap_or("no message")
        );
    }
    let role = &body["roleCredentials"];
    let text = |k: &str| role[k].as_str().filter(|v| !v.is_empty()).map(String::from);
    Ok(Credentials {
        key_id: text("accessKeyId").context("the SSO portal answered no accessKeyId")?,
        secret: text("secretAccessKey").context("the SSO portal answered no secretAccessKey")?,
        session_token: text("sessionToken"),
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn cache_files_are_named_by_the_sha1_of_their_key() {
        // sha1("my-sso") as the AWS CLI names the cache file.
        let name = super::cache_file("my-sso").unwrap();
        assert!(
            name.ends_with("/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json"),
            "{name}"
        );
    }
}
