//! A client for the Kosli API v2 as Custody serves it: builds URLs from path
//! segments, sends JSON or multipart bodies with the API key, retries what is
//! worth retrying (connection errors, 5xx, 429, 409) with exponential backoff,
//! and turns error bodies into the messages the server wrote. Every write
//! carries an `Idempotency-Key`, the same on each of its retries, so a retry
//! of a write the server already recorded is answered, not recorded again.

mod download;
mod error;
mod form;
pub mod http;

use std::time::Duration;

use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use serde_json::Value;

pub use error::ClientError;
pub use form::{FileContent, FormBody, UploadProgress};

/// A response the server accepted (200 or 201).
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub body: String,
}

impl Response {
    /// Decodes the body.
    pub fn json<T: DeserializeOwned>(&self) -> Result<T, ClientError> {
        serde_json::from_str(&self.body).map_err(|e| ClientError::Decode(e.to_string()))
    }
}

/// Where a request goes and what it carries.
#[derive(Debug, Clone)]
pub enum Body {
    None,
    Json(Value),
    Form(FormBody),
}

/// The client.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    host: Url,
    token: Option<String>,
    max_retries: u32,
    /// Shortest backoff between retries (doubles each time, at most 30 s).
    pub min_backoff: Duration,
    pub debug: bool,
    /// Told how a form's files on disk go up.
    pub upload_progress: Option<UploadProgress>,
}

impl Client {
    pub fn new(host: &str, token: Option<String>, max_retries: u32) -> Result<Self, ClientError> {
        let host = Url::parse(host)
            .ok()
            .filter(|u| u.has_host())
            .ok_or_else(|| {
                ClientError::Usage(format!(
                    "--host '{host}' is not a valid URL like http://localhost:8080"
                ))
            })?;
        let http = http::builder()
            .timeout(Duration::from_secs(120))
            .build()
            .map_err(|e| ClientError::Transport(e.to_string()))?;
        Ok(Client {
            http,
            host,
            token: token.filter(|t| !t.is_empty()),
            max_retries,
            min_backoff: Duration::from_secs(1),
            debug: false,
            upload_progress: None,
        })
    }

    /// `host` + `/api/v2/` + the segments, each escaped as one path segment.
    pub fn api_url(&self, segments: &[&str]) -> Url {
        let mut url = self.host.clone();
        {
            let mut path = url.path_segments_mut().expect("http URLs have paths");
            path.pop_if_empty().push("api").push("v2");
            for s in segments {
                path.push(s);
            }
        }
        url
    }

    /// `host` + a raw path such as `/ready`.
    pub fn url(&self, path: &str) -> Url {
        let mut url = self.host.clone();
        url.set_path(path);
        url
    }

    pub async fn get(&self, url: Url) -> Result<Response, ClientError> {
        self.send(Method::GET, url, &Body::None).await
    }

    /// Sends a request, retrying on connection errors, 5xx (but 501), 429 and 409.
    pub async fn send(
        &self,
        method: Method,
        url: Url,
        body: &Body,
    ) -> Result<Response, ClientError> {
        let key = (method != Method::GET && method != Method::HEAD).then(idempotency_key);
        let mut attempt = 0;
        loop {
            attempt += 1;
            let sent = self.send_once(method.clone(), url.clone(), body, key.as_deref());
            let error = match sent.await {
                Ok(response) => return Ok(response),
                Err(e) => e,
            };
            let retry_after = match &error {
                ClientError::Transport(_) => None,
                ClientError::Status {
                    status,
                    retry_after,
                    ..
                } if retryable(*status) => *retry_after,
                _ => return Err(error),
            };
            if attempt > self.max_retries {
                return Err(match error {
                    ClientError::Transport(e) => ClientError::Transport(format!(
                        "{method} {url} giving up after {attempt} attempt(s): {e}"
                    )),
                    other => other,
                });
            }
            let backoff = self.min_backoff * 2u32.saturating_pow(attempt - 1);
            tokio::time::sleep(retry_after.unwrap_or(backoff).min(Duration::from_secs(30))).await;
        }
    }

    async fn send_once(
        &self,
        method: Method,
        url: Url,
        body: &Body,
        idempotency_key: Option<&str>,
    ) -> Result<Response, ClientError> {
        let mut request = self.http.request(method, url.clone());
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(key) = idempotency_key {
            request = request.header("Idempotency-Key", key);
        }
        request = match body {
            Body::None => request,
            Body::Json(v) => request.json(v),
            Body::Form(form) => {
                let (form, limit) = form::multipart(form, self.upload_progress.as_ref())?;
                let request = request.multipart(form);
                match limit {
                    Some(limit) => request.timeout(limit),
                    None => request,
                }
            }
        };
        let response = request
            .send()
            .await
            .map_err(|e| ClientError::Transport(error_chain(&e)))?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .map(Duration::from_secs);
        let text = response
            .text()
            .await
            .map_err(|e| ClientError::Transport(error_chain(&e)))?;
        if self.debug {
            eprintln!(
                "[debug] request made to {url} and got status {}",
                status.as_u16()
            );
        }
        if status == StatusCode::OK || status == StatusCode::CREATED {
            Ok(Response {
                status: status.as_u16(),
                body: text,
            })
        } else {
            Err(ClientError::Status {
                status: status.as_u16(),
                message: error::message_of(&text),
                retry_after,
            })
        }
    }
}

fn retryable(status: u16) -> bool {
    status == 409 || status == 429 || (status >= 500 && status != 501)
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// A fresh random key for one write and its retries.
fn idempotency_key() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
