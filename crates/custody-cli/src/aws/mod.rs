//! A small AWS client for the snapshot reporters, on reqwest with SigV4
//! signing: credentials from `--aws-key-id/--aws-secret-key`, else the
//! standard chain of [`credentials`]; region from `--aws-region`, else
//! `AWS_REGION`/`AWS_DEFAULT_REGION`, else the profile's `region`.
//! `AWS_ENDPOINT_URL_<SERVICE>` or `AWS_ENDPOINT_URL` point the client at an
//! AWS-compatible endpoint (S3 is then addressed path-style).

mod credentials;
pub mod ecs;
pub mod lambda;
mod profile;
pub mod s3;
mod sigv4;
mod sso;

use anyhow::{Context, anyhow, bail};
use clap::Args;
use reqwest::{Method, Url};
use serde_json::Value;
use sigv4::{Credentials, Signing};

/// The AWS flags of `snapshot ecs|lambda|s3`.
#[derive(Debug, Clone, Args)]
pub struct AwsFlags {
    /// The AWS access key ID.
    #[arg(long)]
    aws_key_id: Option<String>,
    /// The AWS secret access key.
    #[arg(long)]
    aws_secret_key: Option<String>,
    /// The AWS region.
    #[arg(long)]
    aws_region: Option<String>,
}

/// A signed-request client for one account and region.
pub struct Client {
    http: reqwest::Client,
    creds: Credentials,
    region: String,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The text of the first `<tag>…</tag>` of an XML body.
fn xml_tag(body: &str, tag: &str) -> Option<String> {
    let start = body.find(&format!("<{tag}>"))? + tag.len() + 2;
    let end = body[start..].find(&format!("</{tag}>"))?;
    Some(body[start..start + end].to_string())
}

/// The code and message of an AWS error body (JSON or XML) or headers.
fn error_text(headers: &reqwest::header::HeaderMap, body: &str) -> String {
    let json: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let field = |names: &[&str]| {
        names
            .iter()
            .find_map(|n| json.get(n).and_then(Value::as_str).map(str::to_string))
    };
    let xml = |tag: &str| xml_tag(body, tag);
    let code = field(&["__type", "code", "Code", "Type"])
        .or_else(|| xml("Code"))
        .or_else(|| {
            let h = headers.get("x-amzn-errortype")?;
            h.to_str().ok().map(str::to_string)
        })
        .map(|c| c.rsplit('#').next().unwrap_or_default().to_string())
        .unwrap_or_default();
    let code = code.split(':').next().unwrap_or_default();
    let message = field(&["message", "Message"])
        .or_else(|| xml("Message"))
        .unwrap_or_default();
    format!("{code}: {message}")
        .trim_matches([':', ' '])
        .to_string()
}

impl Client {
    /// A client from the flags, else the standard credentials chain.
    pub async fn new(flags: &AwsFlags) -> anyhow::Result<Self> {
        let (profile_name, _) = profile::selected();
        let region = flags
            .aws_region
            .clone()
            .or_else(|| env("AWS_REGION"))
            .or_else(|| env("AWS_DEFAULT_REGION"))
            .or_else(|| {
                profile::load(&profile_name)?
                    .get("region")
                    .map(String::from)
            })
            .ok_or_else(|| {
                anyhow!("no AWS region: use --aws-region, AWS_REGION or a profile's region")
            })?;
        let http = custody_client::http::client();
        let creds = match (&flags.aws_key_id, &flags.aws_secret_key) {
            (Some(key_id), Some(secret)) => Credentials {
                key_id: key_id.clone(),
                secret: secret.clone(),
                session_token: None,
            },
            _ => credentials::resolve(&http, &region).await?,
        };
        Ok(Client {
            http,
            creds,
            region,
        })
    }

    /// A client for the calls that carry no signature (the web identity exchange).
    fn unsigned(http: reqwest::Client, region: &str) -> Self {
        let creds = Credentials {
            key_id: String::new(),
            secret: String::new(),
            session_token: None,
        };
        Client {
            http,
            creds,
            region: region.to_string(),
        }
    }

    /// A call of STS's query API; the answer's XML.
    async fn sts(&self, form: &[(&str, &str)], signed: bool) -> anyhow::Result<String> {
        let (base, _) = self.endpoint("sts");
        let url = Url::parse(&format!("{base}/"))?;
        let mut encoded = Url::parse("http://form/")?;
        encoded.query_pairs_mut().extend_pairs(form.iter().copied());
        let body = encoded.query().unwrap_or_default().as_bytes().to_vec();
        let content_type = "application/x-www-form-urlencoded".to_string();
        let bytes = if signed {
            let headers = vec![("content-type".to_string(), content_type)];
            self.send("sts", Method::POST, url, headers, body).await?
        } else {
            let response = self
                .http
                .post(url.clone())
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .with_context(|| format!("cannot reach AWS sts at {url}"))?;
            let (status, headers) = (response.status(), response.headers().clone());
            let text = response.text().await?;
            if !status.is_success() {
                bail!(
                    "AWS sts request failed with status {}: {}",
                    status.as_u16(),
                    error_text(&headers, &text)
                );
            }
            text.into_bytes()
        };
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The base URL of a service (`ecs`, `lambda`, `s3`), and whether it is overridden.
    fn endpoint(&self, service: &str) -> (String, bool) {
        let specific = format!("AWS_ENDPOINT_URL_{}", service.to_ascii_uppercase());
        match env(&specific).or_else(|| env("AWS_ENDPOINT_URL")) {
            Some(url) => (url.trim_end_matches('/').to_string(), true),
            None => (
                format!("https://{service}.{}.amazonaws.com", self.region),
                false,
            ),
        }
    }

    /// Sends a signed request; a non-2xx answer is an error naming the AWS error code.
    async fn send(
        &self,
        service: &str,
        method: Method,
        url: Url,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    ) -> anyhow::Result<Vec<u8>> {
        let amz_date = jiff::Timestamp::now()
            .strftime("%Y%m%dT%H%M%SZ")
            .to_string();
        let payload_hash = sigv4::sha256_hex(&body);
        let host = match url.port() {
            Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
            None => url.host_str().unwrap_or_default().to_string(),
        };
        let mut signed = headers;
        signed.extend([
            ("host".to_string(), host),
            ("x-amz-date".to_string(), amz_date.clone()),
            ("x-amz-content-sha256".to_string(), payload_hash.clone()),
        ]);
        if let Some(token) = &self.creds.session_token {
            signed.push(("x-amz-security-token".to_string(), token.clone()));
        }
        let signing = Signing {
            region: &self.region,
            service,
            amz_date: &amz_date,
        };
        let auth = sigv4::authorization(
            &self.creds,
            &signing,
            method.as_str(),
            &url,
            &signed,
            &payload_hash,
        );
        let mut request = self.http.request(method, url.clone()).body(body);
        for (name, value) in signed.iter().filter(|(n, _)| n != "host") {
            request = request.header(name, value);
        }
        let response = request
            .header("authorization", auth)
            .send()
            .await
            .with_context(|| format!("cannot reach AWS {service} at {url}"))?;
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await?.to_vec();
        if !status.is_success() {
            let text = error_text(&headers, &String::from_utf8_lossy(&bytes));
            bail!(
                "AWS {service} request {} failed with status {}: {text}",
                url.path(),
                status.as_u16()
            );
        }
        Ok(bytes)
    }
}

/// Include and exclude lists of names (exact) and regexes (searched).
#[derive(Debug, Default)]
pub struct NameFilter {
    pub names: Vec<String>,
    pub regexes: Vec<regex::Regex>,
    pub exclude: Vec<String>,
    pub exclude_regexes: Vec<regex::Regex>,
}

impl NameFilter {
    /// Compiles the regex lists.
    pub fn new(
        names: Vec<String>,
        regexes: &[String],
        exclude: Vec<String>,
        exclude_regexes: &[String],
    ) -> anyhow::Result<Self> {
        let compile = |patterns: &[String]| -> anyhow::Result<Vec<regex::Regex>> {
            patterns
                .iter()
                .map(|p| regex::Regex::new(p).map_err(|e| anyhow!("invalid regex '{p}': {e}")))
                .collect()
        };
        Ok(NameFilter {
            regexes: compile(regexes)?,
            exclude_regexes: compile(exclude_regexes)?,
            names,
            exclude,
        })
    }

    /// Whether a name is kept: not excluded, and included when includes are set.
    pub fn keeps(&self, name: &str) -> bool {
        if self.exclude.iter().any(|n| n == name)
            || self.exclude_regexes.iter().any(|r| r.is_match(name))
        {
            return false;
        }
        (self.names.is_empty() && self.regexes.is_empty())
            || self.names.iter().any(|n| n == name)
            || self.regexes.iter().any(|r| r.is_match(name))
    }
}
