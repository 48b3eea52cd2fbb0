//! Downloads: a response's bytes as sent (an attachment from the evidence vault),
//! where [`Client::send`] would read the body as text.

use reqwest::{StatusCode, Url};

use crate::{Client, ClientError, error, error_chain};

impl Client {
    /// `GET` a binary body. Errors are reported as for other requests; a
    /// download is tried once.
    pub async fn get_bytes(&self, url: Url) -> Result<Vec<u8>, ClientError> {
        let mut request = self.http.get(url.clone());
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request
            .send()
            .await
            .map_err(|e| ClientError::Transport(error_chain(&e)))?;
        let status = response.status();
        let bytes = response
            .bytes()
            .await
            .map_err(|e| ClientError::Transport(error_chain(&e)))?;
        if self.debug {
            eprintln!(
                "[debug] request made to {url} and got status {}",
                status.as_u16()
            );
        }
        if status == StatusCode::OK {
            Ok(bytes.to_vec())
        } else {
            Err(ClientError::Status {
                status: status.as_u16(),
                message: error::message_of(&String::from_utf8_lossy(&bytes)),
                retry_after: None,
            })
        }
    }
}
