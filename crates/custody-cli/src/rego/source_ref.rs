//! Where a policy's text comes from: a file, or an http(s) URL fetched
//! without credentials, within 10 seconds, at most 5 MiB, following at most
//! five redirects and only on the host asked for (so that a policy server
//! cannot point the command at an internal address).

use std::time::Duration;

use anyhow::{anyhow, bail};

/// The most a remote policy may weigh.
const REMOTE_POLICY_BYTES: usize = 5 << 20;

/// A policy's text from a file or a URL.
pub async fn load_policy(reference: &str) -> anyhow::Result<String> {
    if !(reference.starts_with("http://") || reference.starts_with("https://")) {
        return std::fs::read_to_string(reference)
            .map_err(|e| anyhow!("failed to read policy file: {e}"));
    }
    if reference.starts_with("http://") {
        eprintln!("[warning] fetching policy over plain HTTP from {reference}; prefer https://");
    }
    let redirects = reqwest::redirect::Policy::custom(|attempt| {
        let same_host =
            attempt.previous().last().map(|u| u.host_str()) == Some(attempt.url().host_str());
        let hops = attempt.previous().len();
        if hops >= 5 {
            attempt.error(format!("stopped after {hops} redirects"))
        } else if !same_host {
            let host = attempt.url().host_str().unwrap_or_default().to_string();
            attempt.error(format!("cross-host redirect to {host} blocked"))
        } else {
            attempt.follow()
        }
    });
    let client = custody_client::http::builder()
        .timeout(Duration::from_secs(10))
        .redirect(redirects)
        .build()?;
    let failed = |e: &reqwest::Error| {
        let mut why = e.to_string();
        let mut cause = std::error::Error::source(e);
        while let Some(c) = cause {
            why = format!("{why}: {c}");
            cause = c.source();
        }
        anyhow!("failed to fetch policy from {reference}: {why}")
    };
    let mut response = client.get(reference).send().await.map_err(|e| failed(&e))?;
    if !response.status().is_success() {
        bail!(
            "failed to fetch policy from {reference}: HTTP {}",
            response.status().as_u16()
        );
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| failed(&e))? {
        body.extend_from_slice(&chunk);
        if body.len() > REMOTE_POLICY_BYTES {
            bail!("policy at {reference} exceeds {REMOTE_POLICY_BYTES}-byte limit");
        }
    }
    String::from_utf8(body).map_err(|_| anyhow!("policy at {reference} is not UTF-8 text"))
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::net::TcpListener;

    use super::*;

    /// Serves each of `answers` to one connection, in turn, on 127.0.0.1.
    fn serve(answers: Vec<String>) -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for answer in answers {
                let (mut stream, _) = listener.accept().unwrap();
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request);
                stream.write_all(answer.as_bytes()).unwrap();
            }
        });
        port
    }

    fn reply(status: &str, headers: &str, body: &str) -> String {
        format!(
            "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
    }

    #[tokio::test]
    async fn remote_policies_are_fetched_and_redirects_stay_on_the_host() {
        let policy = "package policy\nallow := true\n";
        let port = serve(vec![
            reply("302 Found", "Location: /moved.rego\r\n", ""),
            reply("200 OK", "", policy),
            reply("302 Found", "Location: http://localhost:1/x\r\n", ""),
            reply("404 Not Found", "", ""),
        ]);
        let url = format!("http://127.0.0.1:{port}/policy.rego");
        assert_eq!(load_policy(&url).await.unwrap(), policy);
        let elsewhere = load_policy(&url).await.unwrap_err().to_string();
        assert!(
            elsewhere.contains("cross-host redirect to localhost blocked"),
            "{elsewhere}"
        );
        let missing = load_policy(&url).await.unwrap_err().to_string();
        assert_eq!(
            missing,
            format!("failed to fetch policy from {url}: HTTP 404")
        );
        let file = load_policy("/no/such/policy.rego")
            .await
            .unwrap_err()
            .to_string();
        assert!(file.starts_with("failed to read policy file: "), "{file}");
    }
}
