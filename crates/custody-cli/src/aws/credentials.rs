//! AWS credentials in the order the AWS SDKs look for them: the flags, the
//! `AWS_ACCESS_KEY_ID` variables, a web identity token (`AWS_ROLE_ARN` and
//! `AWS_WEB_IDENTITY_TOKEN_FILE`, as EKS IRSA sets them), the profile
//! (static keys, `credential_process`, or `role_arn` assumed from a
//! `source_profile`, a web identity token or a `credential_source`, or IAM
//! Identity Center (SSO) roles), the ECS
//! container endpoint, then the EC2 instance metadata service (IMDSv2).

use std::time::Duration;

use anyhow::{Context, anyhow, bail};
use reqwest::Method;
use serde_json::Value;

use super::profile::{self, Profile};
use super::sigv4::Credentials;
use super::{Client, env, xml_tag};

/// How deep `source_profile` chains may go.
const MAX_DEPTH: usize = 4;
/// How long a `credential_process` may take.
const PROCESS_TIME: Duration = Duration::from_secs(60);

/// Credentials from `AccessKeyId`, `SecretAccessKey` and `Token` or
/// `SessionToken` of a JSON answer.
fn from_json(body: &Value) -> Option<Credentials> {
    let text = |k: &str| body[k].as_str().filter(|v| !v.is_empty()).map(String::from);
    Some(Credentials {
        key_id: text("AccessKeyId")?,
        secret: text("SecretAccessKey")?,
        session_token: text("Token").or_else(|| text("SessionToken")),
    })
}

/// The credentials of an STS answer (`<Credentials>` of AssumeRole…).
fn from_sts(xml: &str) -> anyhow::Result<Credentials> {
    let field = |tag| xml_tag(xml, tag).ok_or_else(|| anyhow!("STS answered without {tag}"));
    Ok(Credentials {
        key_id: field("AccessKeyId")?,
        secret: field("SecretAccessKey")?,
        session_token: Some(field("SessionToken")?),
    })
}

/// The first credentials found, for `region`.
pub async fn resolve(http: &reqwest::Client, region: &str) -> anyhow::Result<Credentials> {
    if let (Some(key_id), Some(secret)) = (env("AWS_ACCESS_KEY_ID"), env("AWS_SECRET_ACCESS_KEY")) {
        let session_token = env("AWS_SESSION_TOKEN");
        return Ok(Credentials {
            key_id,
            secret,
            session_token,
        });
    }
    if let (Some(role), Some(file)) = (env("AWS_ROLE_ARN"), env("AWS_WEB_IDENTITY_TOKEN_FILE")) {
        return web_identity(http, region, &role, &file).await;
    }
    let (name, named) = profile::selected();
    match profile::load(&name) {
        Some(p) => {
            if let Some(found) = from_profile(http, region, &p, 0).await? {
                return Ok(found);
            }
        }
        None if named => {
            bail!("the AWS profile '{name}' is in neither ~/.aws/config nor ~/.aws/credentials")
        }
        None => {}
    }
    if let Some(found) = container(http).await? {
        return Ok(found);
    }
    instance_metadata(http).await.map_err(|why| {
        anyhow!(
            "no AWS credentials: use --aws-key-id and --aws-secret-key, AWS_ACCESS_KEY_ID and \
             AWS_SECRET_ACCESS_KEY, a profile in ~/.aws (AWS_PROFILE), a web identity \
             (AWS_ROLE_ARN, AWS_WEB_IDENTITY_TOKEN_FILE), or run on ECS or EC2 ({why})"
        )
    })
}

/// A profile's own credentials, if it has any (boxed: profiles recurse).
fn from_profile<'a>(
    http: &'a reqwest::Client,
    region: &'a str,
    p: &'a Profile,
    depth: usize,
) -> std::pin::Pin<
    Box<dyn std::future::Future<Output = anyhow::Result<Option<Credentials>>> + Send + 'a>,
> {
    Box::pin(async move {
        if depth > MAX_DEPTH {
            bail!(
                "the AWS profile '{}' sources profiles more than {MAX_DEPTH} deep",
                p.name
            );
        }
        if let Some(role) = p.get("role_arn") {
            if let Some(file) = p.get("web_identity_token_file") {
                return web_identity(http, region, role, file).await.map(Some);
            }
            let base = match (p.get("source_profile"), p.get("credential_source")) {
                (Some(source), _) if source == p.name => static_keys(p)
                    .ok_or_else(|| anyhow!("profile '{source}' sources itself but has no keys"))?,
                (Some(source), _) => {
                    let sp = profile::load(source).ok_or_else(|| {
                        anyhow!(
                            "source_profile '{source}' of profile '{}' does not exist",
                            p.name
                        )
                    })?;
                    from_profile(http, region, &sp, depth + 1)
                        .await?
                        .ok_or_else(|| anyhow!("source_profile '{source}' has no credentials"))?
                }
                (None, Some("Environment")) => Credentials {
                    key_id: env("AWS_ACCESS_KEY_ID")
                        .context("credential_source Environment: no AWS_ACCESS_KEY_ID")?,
                    secret: env("AWS_SECRET_ACCESS_KEY")
                        .context("credential_source Environment: no AWS_SECRET_ACCESS_KEY")?,
                    session_token: env("AWS_SESSION_TOKEN"),
                },
                (None, Some("EcsContainer")) => container(http)
                    .await?
                    .context("credential_source EcsContainer: not on ECS")?,
                (None, Some("Ec2InstanceMetadata")) => instance_metadata(http).await?,
                (None, other) => bail!(
                    "profile '{}' has role_arn but no source_profile, web_identity_token_file or known credential_source ({})",
                    p.name,
                    other.unwrap_or("none")
                ),
            };
            return assume_role(http, region, base, p).await.map(Some);
        }
        if super::sso::applies(p) {
            return super::sso::credentials(http, p).await.map(Some);
        }
        if let Some(command) = p.get("credential_process") {
            return process(command).await.map(Some);
        }
        Ok(static_keys(p))
    })
}

/// A profile's `aws_access_key_id` and `aws_secret_access_key`.
fn static_keys(p: &Profile) -> Option<Credentials> {
    Some(Credentials {
        key_id: p.get("aws_access_key_id")?.to_string(),
        secret: p.get("aws_secret_access_key")?.to_string(),
        session_token: p.get("aws_session_token").map(String::from),
    })
}

/// `AssumeRoleWithWebIdentity` with the token in `file` (an unsigned call).
async fn web_identity(
    http: &reqwest::Client,
    region: &str,
    role: &str,
    file: &str,
) -> anyhow::Result<Credentials> {
    let token = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read the web identity token {file}"))?;
    let session = env("AWS_ROLE_SESSION_NAME").unwrap_or_else(|| "custody".to_string());
    let form = [
        ("Action", "AssumeRoleWithWebIdentity"),
        ("Version", "2011-06-15"),
        ("RoleArn", role),
        ("RoleSessionName", &session),
        ("WebIdentityToken", token.trim()),
    ];
    let client = Client::unsigned(http.clone(), region);
    let xml = client.sts(&form, false).await?;
    from_sts(&xml)
}

/// `AssumeRole` of the profile's `role_arn`, signed with `base`.
async fn assume_role(
    http: &reqwest::Client,
    region: &str,
    base: Credentials,
    p: &Profile,
) -> anyhow::Result<Credentials> {
    let role = p.get("role_arn").unwrap_or_default();
    let session = p.get("role_session_name").unwrap_or("custody").to_string();
    let mut form = vec![
        ("Action", "AssumeRole"),
        ("Version", "2011-06-15"),
        ("RoleArn", role),
        ("RoleSessionName", session.as_str()),
    ];
    if let Some(external) = p.get("external_id") {
        form.push(("ExternalId", external));
    }
    let client = Client {
        http: http.clone(),
        creds: base,
        region: region.to_string(),
    };
    let xml = client.sts(&form, true).await?;
    from_sts(&xml)
}

/// The JSON a `credential_process` prints (Version 1).
async fn process(command: &str) -> anyhow::Result<Credentials> {
    let run = tokio::process::Command::new("sh")
        .args(["-c", command])
        .kill_on_drop(true)
        .output();
    let out = tokio::time::timeout(PROCESS_TIME, run)
        .await
        .map_err(|_| {
            anyhow!(
                "credential_process did not finish within {}s",
                PROCESS_TIME.as_secs()
            )
        })?
        .context("cannot run credential_process")?;
    if !out.status.success() {
        bail!(
            "credential_process failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let body: Value =
        serde_json::from_slice(&out.stdout).context("credential_process printed no JSON")?;
    if body["Version"] != 1 {
        bail!(
            "credential_process printed Version {}: only 1 is known",
            body["Version"]
        );
    }
    from_json(&body)
        .ok_or_else(|| anyhow!("credential_process printed no AccessKeyId and SecretAccessKey"))
}

/// The ECS task role, from the container credentials endpoint.
async fn container(http: &reqwest::Client) -> anyhow::Result<Option<Credentials>> {
    let url = match (
        env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"),
        env("AWS_CONTAINER_CREDENTIALS_FULL_URI"),
    ) {
        (Some(relative), _) => format!("http://169.254.170.2{relative}"),
        (None, Some(full)) => full,
        (None, None) => return Ok(None),
    };
    let token = match env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE") {
        Some(file) => {
            Some(std::fs::read_to_string(&file).with_context(|| format!("cannot read {file}"))?)
        }
        None => env("AWS_CONTAINER_AUTHORIZATION_TOKEN"),
    };
    let mut request = http.get(&url).timeout(Duration::from_secs(5));
    if let Some(token) = token {
        request = request.header("Authorization", token.trim());
    }
    let response = request
        .send()
        .await
        .with_context(|| format!("cannot reach the ECS credentials endpoint {url}"))?;
    if !response.status().is_success() {
        bail!(
            "the ECS credentials endpoint {url} answered {}",
            response.status()
        );
    }
    let body: Value = response
        .json()
        .await
        .context("the ECS credentials endpoint answered no JSON")?;
    from_json(&body)
        .map(Some)
        .ok_or_else(|| anyhow!("the ECS credentials endpoint answered no keys"))
}

/// The instance role, from IMDSv2 (`AWS_EC2_METADATA_SERVICE_ENDPOINT`).
async fn instance_metadata(http: &reqwest::Client) -> anyhow::Result<Credentials> {
    if env("AWS_EC2_METADATA_DISABLED").is_some_and(|v| v.eq_ignore_ascii_case("true")) {
        bail!("the instance metadata service is disabled");
    }
    let configured = env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
    let wait = Duration::from_secs(if configured.is_some() { 5 } else { 1 });
    let base = configured.unwrap_or_else(|| "http://169.254.169.254".to_string());
    let base = base.trim_end_matches('/');
    let token = http
        .request(Method::PUT, format!("{base}/latest/api/token"))
        .header("X-aws-ec2-metadata-token-ttl-seconds", "21600")
        .timeout(wait)
        .send()
        .await
        .map_err(|e| anyhow!("the instance metadata service at {base} did not answer: {e}"))?
        .text()
        .await?;
    let get = |path: String| {
        http.get(format!(
            "{base}/latest/meta-data/iam/security-credentials/{path}"
        ))
        .header("X-aws-ec2-metadata-token", token.trim())
        .timeout(wait)
        .send()
    };
    let roles = get(String::new()).await?.error_for_status()?.text().await?;
    let role = roles
        .lines()
        .next()
        .filter(|r| !r.is_empty())
        .ok_or_else(|| anyhow!("the instance has no role"))?;
    let body: Value = get(role.to_string())
        .await?
        .error_for_status()?
        .json()
        .await?;
    from_json(&body).ok_or_else(|| anyhow!("the instance metadata service answered no keys"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn answers_are_read_whatever_they_call_the_token() {
        let ecs = json!({"AccessKeyId": "A", "SecretAccessKey": "S", "Token": "T"});
        assert_eq!(from_json(&ecs).unwrap().session_token.as_deref(), Some("T"));
        let process =
            json!({"Version": 1, "AccessKeyId": "A", "SecretAccessKey": "S", "SessionToken": "X"});
        assert_eq!(
            from_json(&process).unwrap().session_token.as_deref(),
            Some("X")
        );
        assert!(from_json(&json!({"AccessKeyId": "A"})).is_none());
        let xml = "<AssumeRoleResponse><AssumeRoleResult><Credentials><AccessKeyId>ASIA1</AccessKeyId>\
                   <SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken></Credentials>\
                   </AssumeRoleResult></AssumeRoleResponse>";
        assert_eq!(from_sts(xml).unwrap().key_id, "ASIA1");
        assert!(from_sts("<Error/>").is_err());
    }
}
