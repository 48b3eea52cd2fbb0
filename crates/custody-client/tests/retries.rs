//! How `Client::send` retries, against a tiny scripted HTTP/1.1 responder on
//! `127.0.0.1:0`: each connection gets one request (read up to the blank line,
//! then `Content-Length` bytes of body) and the next scripted reply, repeating
//! the last one when the script runs out.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use custody_client::{Body, Client, ClientError};
use reqwest::Method;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One scripted answer.
#[derive(Clone)]
struct Reply {
    status: u16,
    headers: &'static str,
    body: &'static str,
}

fn reply(status: u16) -> Reply {
    Reply {
        status,
        headers: "",
        body: r#"{"message":"scripted"}"#,
    }
}

/// The responder's address and every request it has read, in order.
struct Scripted {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Scripted {
    async fn start(script: Vec<Reply>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("address");
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        tokio::spawn(async move {
            while let Ok((mut stream, _)) = listener.accept().await {
                let request = read_request(&mut stream).await;
                let reply = {
                    let mut seen = seen.lock().unwrap();
                    seen.push(request);
                    script[(seen.len() - 1).min(script.len() - 1)].clone()
                };
                let text = format!(
                    "HTTP/1.1 {} Scripted\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n{}\r\n{}",
                    reply.status,
                    reply.body.len(),
                    reply.headers,
                    reply.body
                );
                let _ = stream.write_all(text.as_bytes()).await;
                let _ = stream.shutdown().await;
            }
        });
        Scripted { addr, requests }
    }

    fn client(&self, max_retries: u32) -> Client {
        let mut client = Client::new(
            &format!("http://{}", self.addr),
            Some("secret".into()),
            max_retries,
        )
        .expect("client");
        client.min_backoff = Duration::from_millis(5);
        client
    }

    fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }
}

/// Reads one request: the head up to the blank line, then its body.
async fn read_request(stream: &mut TcpStream) -> String {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    loop {
        let text = String::from_utf8_lossy(&buf);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .filter_map(|l| l.split_once(':'))
                .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
                .and_then(|(_, v)| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + length {
                return text.into_owned();
            }
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return String::from_utf8_lossy(&buf).into_owned(),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

async fn post(client: &Client) -> Result<custody_client::Response, ClientError> {
    let url = client.api_url(&["flows", "acme"]);
    let body = Body::Json(json!({"name": "runner"}));
    client.send(Method::POST, url, &body).await
}

#[tokio::test]
async fn unavailable_then_ok_succeeds_after_one_retry() {
    let server = Scripted::start(vec![reply(503), reply(200)]).await;
    let response = post(&server.client(3)).await.expect("retried into a 200");
    assert_eq!(response.status, 200);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert!(
            request.starts_with("POST /api/v2/flows/acme HTTP/1.1"),
            "{request}"
        );
        assert!(
            request
                .to_ascii_lowercase()
                .contains("authorization: bearer secret")
        );
        assert!(request.ends_with(r#"{"name":"runner"}"#), "{request}");
    }
    let key = |r: &str| {
        r.lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("idempotency-key: ")
                    .map(String::from)
            })
            .expect("an Idempotency-Key header")
    };
    assert_eq!(
        key(&requests[0]),
        key(&requests[1]),
        "a retry repeats the key"
    );
    assert_eq!(key(&requests[0]).len(), 32);
    let again = Scripted::start(vec![reply(200)]).await;
    post(&again.client(0)).await.expect("sent");
    assert_ne!(
        key(&again.requests()[0]),
        key(&requests[0]),
        "each write has its own key"
    );
}

#[tokio::test]
async fn conflicts_and_other_transient_statuses_are_retried() {
    for status in [409, 429, 500, 502, 504] {
        let server = Scripted::start(vec![reply(status), reply(201)]).await;
        let response = post(&server.client(1)).await;
        assert_eq!(response.expect("retried").status, 201, "after {status}");
        assert_eq!(server.requests().len(), 2, "after {status}");
    }
}

#[tokio::test]
async fn client_errors_are_not_retried_and_carry_the_servers_message() {
    let bad = Reply {
        status: 400,
        headers: "",
        body: r#"{"message":"Flow named 'x' does not exist"}"#,
    };
    let server = Scripted::start(vec![bad, reply(200)]).await;
    let err = post(&server.client(3)).await.unwrap_err();
    assert!(
        matches!(err, ClientError::Status { status: 400, .. }),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "Flow named 'x' does not exist");
    assert_eq!(server.requests().len(), 1);

    for status in [401, 404, 501] {
        let server = Scripted::start(vec![reply(status), reply(200)]).await;
        let err = post(&server.client(3)).await.unwrap_err();
        assert_eq!(err.status(), Some(status));
        assert_eq!(server.requests().len(), 1, "{status} was retried");
    }
}

#[tokio::test]
async fn persistent_server_errors_give_up_after_max_retries() {
    let server = Scripted::start(vec![reply(500)]).await;
    let err = post(&server.client(2)).await.unwrap_err();
    assert!(
        matches!(err, ClientError::Status { status: 500, .. }),
        "{err:?}"
    );
    assert_eq!(err.to_string(), "scripted");
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn refused_connections_are_retried_then_reported() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut client = Client::new(&format!("http://127.0.0.1:{port}"), None, 1).expect("client");
    client.min_backoff = Duration::from_millis(5);
    let err = client.get(client.url("/ready")).await.unwrap_err();
    assert!(matches!(err, ClientError::Transport(_)), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("giving up after 2 attempt(s)"), "{text}");
    assert!(
        text.starts_with(&format!("GET http://127.0.0.1:{port}/ready")),
        "{text}"
    );
}

#[tokio::test]
async fn retry_after_zero_overrides_the_backoff() {
    let busy = Reply {
        status: 503,
        headers: "Retry-After: 0\r\n",
        body: "busy",
    };
    let server = Scripted::start(vec![busy.clone(), busy, reply(200)]).await;
    let mut client = server.client(5);
    client.min_backoff = Duration::from_secs(20);
    let started = Instant::now();
    let response = tokio::time::timeout(Duration::from_secs(10), post(&client))
        .await
        .expect("Retry-After: 0 should not wait for the 20 s backoff");
    assert_eq!(response.expect("third attempt").status, 200);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(server.requests().len(), 3);
}
