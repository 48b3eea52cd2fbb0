//! A local webhook receiver: an axum server on a loopback port that keeps
//! every POST (its delivery id, headers, body and arrival) and answers each with the
//! next scripted status, 200 once the script runs out.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::Value;

/// One POST received.
#[derive(Debug, Clone)]
pub struct Received {
    pub delivery: String,
    pub headers: HeaderMap,
    pub body: Value,
    pub at: Instant,
}

#[derive(Default)]
struct Inbox {
    received: Vec<Received>,
    script: Vec<u16>,
}

/// A running receiver.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    inbox: Arc<Mutex<Inbox>>,
}

async fn take(
    State(inbox): State<Arc<Mutex<Inbox>>>,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let mut inbox = inbox.lock().unwrap();
    let delivery = headers
        .get("x-custody-delivery")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
    inbox.received.push(Received {
        delivery,
        headers: headers.clone(),
        body,
        at: Instant::now(),
    });
    let status = if inbox.script.is_empty() {
        200
    } else {
        inbox.script.remove(0)
    };
    StatusCode::from_u16(status).unwrap()
}

impl Receiver {
    /// Starts a receiver answering these statuses first.
    pub async fn start(script: &[u16]) -> Receiver {
        let inbox = Arc::new(Mutex::new(Inbox {
            received: Vec::new(),
            script: script.to_vec(),
        }));
        let app = Router::new()
            .route("/hook", post(take))
            .with_state(inbox.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url, inbox }
    }

    pub fn received(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().received.clone()
    }

    /// Waits until at least `n` POSTs arrived (failing after a minute).
    pub async fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let got = self.received();
            if got.len() >= n {
                return got;
            }
            assert!(
                Instant::now() < deadline,
                "only {} of {n} POSTs arrived: {got:?}",
                got.len()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}
