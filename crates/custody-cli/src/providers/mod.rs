//! Clients of the services some attestations gather evidence from: the git
//! hosts' pull/merge requests ([`github`], [`gitlab`], [`bitbucket`],
//! [`azure`]), Jira issues ([`jira`]) and SonarQube/SonarCloud analyses
//! ([`sonar`]). Each base URL can be pointed elsewhere (self-hosted
//! instances, or the fake servers of the tests).

pub mod azure;
pub mod bitbucket;
pub mod github;
pub mod gitlab;
pub mod jira;
pub mod sonar;

use anyhow::{Context, anyhow};
use reqwest::{RequestBuilder, StatusCode};
use serde_json::Value;

/// How a request to a provider authenticates.
#[derive(Debug, Clone)]
pub enum Auth {
    Basic(String, String),
    Bearer(String),
    Header(&'static str, String),
}

/// A provider's HTTP client: its API base URL and credentials.
#[derive(Debug, Clone)]
pub struct Api {
    pub base: String,
    auth: Auth,
    client: reqwest::Client,
}

impl Api {
    pub fn new(base: &str, auth: Auth) -> Api {
        Api {
            base: base.trim_end_matches('/').to_string(),
            auth,
            client: custody_client::http::client(),
        }
    }

    fn authorise(&self, request: RequestBuilder) -> RequestBuilder {
        match &self.auth {
            Auth::Basic(user, password) => request.basic_auth(user, Some(password)),
            Auth::Bearer(token) => request.bearer_auth(token),
            Auth::Header(name, value) => request.header(*name, value),
        }
    }

    /// `GET base+path` (or an absolute URL) as JSON; `None` on 404.
    pub async fn get_optional(&self, path: &str) -> anyhow::Result<Option<Value>> {
        let url = self.url(path);
        let request = self.authorise(self.client.get(&url));
        self.read(&url, request).await
    }

    /// `GET`, where 404 is an error too.
    pub async fn get(&self, path: &str) -> anyhow::Result<Value> {
        self.get_optional(path)
            .await?
            .ok_or_else(|| anyhow!("GET {}: 404 Not Found", self.url(path)))
    }

    /// `POST` of a JSON body.
    pub async fn post(&self, path: &str, body: &Value) -> anyhow::Result<Value> {
        let url = self.url(path);
        let request = self.authorise(self.client.post(&url).json(body));
        self.read(&url, request)
            .await?
            .ok_or_else(|| anyhow!("POST {url}: 404 Not Found"))
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http://") || path.starts_with("https://") {
            path.to_string()
        } else {
            format!("{}{path}", self.base)
        }
    }

    async fn read(&self, url: &str, request: RequestBuilder) -> anyhow::Result<Option<Value>> {
        let response = request
            .header("Accept", "application/json")
            .send()
            .await
            .with_context(|| format!("failed to reach {url}"))?;
        let status = response.status();
        if status == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let text = response.text().await.unwrap_or_default();
        if !status.is_success() {
            return Err(anyhow!("{url} answered {status}: {}", text.trim()));
        }
        serde_json::from_str(&text)
            .map(Some)
            .with_context(|| format!("{url} did not answer JSON"))
    }
}

/// An RFC 3339 time as unix seconds; `None` when absent or unreadable.
pub fn unix(time: &Value) -> Option<i64> {
    let text = time.as_str()?;
    text.parse::<jiff::Timestamp>().ok().map(|t| t.as_second())
}

/// `%`-encodes a path segment (GitLab's `group/project` ids).
pub fn encode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The object without its `null` members (Kosli's `omitempty`).
pub fn compact(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.into_iter().filter(|(_, v)| !v.is_null()).collect())
        }
        other => other,
    }
}
