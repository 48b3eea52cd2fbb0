//! The test server: a real `custody_server::serve` on `127.0.0.1:0` over a
//! throwaway database, with org `acme` (a key per role) and org `other` (an
//! admin key), a replayable clock, and small request helpers that turn every
//! answer into `Ok((status, json))` or `Err((status, message))`.

use std::time::Duration;

use custody_client::{Body, Client, ClientError, FormBody};
use custody_core::Timestamp;
use custody_rules::{Limits, WorkerCommand};
use custody_server::{AppState, admin, open_store};
use custody_store::testing::TestDatabase;
use reqwest::{Method, Url};
use serde_json::Value;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// A fixed moment the tests replay from: 2023-11-14T22:13:20Z.
pub const T0: f64 = 1_700_000_000.0;

/// A request's outcome: the status and JSON body of a 200/201, else the status
/// and the server's message.
pub type Reply = Result<(u16, Value), (u16, String)>;

/// A client acting with one key (or none).
#[derive(Clone)]
pub struct Api {
    pub client: Client,
    pub token: Option<String>,
}

impl Api {
    /// No retries: a 409 or 5xx under concurrency is a failure, not noise.
    pub fn new(base: &str, token: Option<&str>) -> Self {
        Self::with_retries(base, token, 0)
    }

    /// Retries what the CLI retries (connection errors, 409, 429, 5xx).
    pub fn with_retries(base: &str, token: Option<&str>, retries: u32) -> Self {
        let mut client =
            Client::new(base, token.map(String::from), retries).expect("valid base URL");
        client.min_backoff = Duration::from_millis(5);
        Api {
            client,
            token: token.map(String::from),
        }
    }

    /// Sends raw bytes with a content type, bypassing the client: for bodies
    /// the client would never produce. Returns the status and the body text.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> (u16, String) {
        let mut request = reqwest::Client::new()
            .request(method, self.url(path))
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("send");
        (
            response.status().as_u16(),
            response.text().await.expect("body"),
        )
    }

    /// `/api/v2/` + `path` (split on `/`, each segment escaped) + `?a=b&c=d`
    /// (each pair escaped).
    pub fn url(&self, path: &str) -> Url {
        let (path, query) = path.split_once('?').unwrap_or((path, ""));
        let segments: Vec<&str> = path.split('/').collect();
        let mut url = self.client.api_url(&segments);
        if !query.is_empty() {
            let mut pairs = url.query_pairs_mut();
            for pair in query.split('&') {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                pairs.append_pair(k, v);
            }
        }
        url
    }

    pub async fn call(&self, method: Method, path: &str, body: Body) -> Reply {
        match self.client.send(method, self.url(path), &body).await {
            Ok(r) if r.body.trim().is_empty() => Ok((r.status, Value::Null)),
            Ok(r) => Ok((
                r.status,
                serde_json::from_str(&r.body).expect("JSON response"),
            )),
            Err(ClientError::Status {
                status, message, ..
            }) => Err((status, message)),
            Err(other) => panic!("{path}: {other}"),
        }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, Body::None).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.call(Method::PUT, path, Body::Json(body)).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Body::Json(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, Body::Json(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.call(Method::DELETE, path, Body::None).await
    }

    /// A multipart request with a `data_json` part (unless `None`) and text files.
    pub async fn form(
        &self,
        method: Method,
        path: &str,
        data: Option<Value>,
        files: &[(&str, &str)],
    ) -> Reply {
        let form = FormBody {
            fields: data
                .map(|d| ("data_json".to_string(), d))
                .into_iter()
                .collect(),
            files: files
                .iter()
                .map(|(name, text)| {
                    (
                        name.to_string(),
                        format!("{name}.txt"),
                        text.as_bytes().to_vec().into(),
                    )
                })
                .collect(),
        };
        self.call(method, path, Body::Form(form)).await
    }

    /// The JSON of a successful GET.
    pub async fn json(&self, path: &str) -> Value {
        ok(self.get(path).await, 200)
    }
}

/// The body of a reply that must have succeeded with `status`.
#[track_caller]
pub fn ok(reply: Reply, status: u16) -> Value {
    match reply {
        Ok((s, body)) => {
            assert_eq!(s, status, "unexpected status; body: {body}");
            body
        }
        Err((s, message)) => panic!("expected {status}, got {s}: {message}"),
    }
}

/// Asserts a reply failed with `status` and exactly `message`.
#[track_caller]
pub fn fails(reply: Reply, status: u16, message: &str) {
    match reply {
        Ok((s, body)) => panic!("expected {status} '{message}', got {s}: {body}"),
        Err(got) => assert_eq!(got, (status, message.to_string())),
    }
}

/// Asserts a reply failed with `status` and a message starting with `prefix`
/// and containing `part` (for messages that quote parser errors).
#[track_caller]
pub fn fails_like(reply: Reply, status: u16, prefix: &str, part: &str) -> String {
    match reply {
        Ok((s, body)) => panic!("expected {status} '{prefix}…', got {s}: {body}"),
        Err((s, message)) => {
            assert_eq!(s, status, "{message}");
            assert!(
                message.starts_with(prefix) && message.contains(part),
                "{message}"
            );
            message
        }
    }
}

/// A 64-hex fingerprint made by repeating `seed` (hex characters).
pub fn fp(seed: &str) -> String {
    seed.repeat(64).chars().take(64).collect()
}

/// A 40-hex commit made by repeating `seed`.
pub fn sha(seed: &str) -> String {
    seed.repeat(40).chars().take(40).collect()
}

/// A running pod in a Kosli K8S report.
pub fn pod(name: &str, image: &str, fingerprint: &str, created: i64) -> Value {
    serde_json::json!({"podName": name, "namespace": "prod", "digests": {image: fingerprint},
                       "creationTimestamp": created, "owners": []})
}

/// A running server and one client per role.
pub struct TestServer {
    pub base: String,
    pub state: AppState,
    pub reader: Api,
    pub snapshotter: Api,
    pub member: Api,
    pub admin: Api,
    /// The admin of org `other`.
    pub other: Api,
    /// No `Authorization` header.
    pub anonymous: Api,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

/// The sandbox's limits in tests: the defaults, with a shorter deadline so that
/// the tests of endless rules finish quickly.
pub fn rule_limits() -> Limits {
    Limits {
        time: Duration::from_millis(1500),
        ..Limits::default()
    }
}

/// Starts a server over `db` with orgs `acme` and `other` and the clock at [`T0`].
pub async fn start(db: &TestDatabase) -> TestServer {
    start_with(db, |state| state).await
}

/// [`start`], with the server's state changed by `configure` first.
pub async fn start_with(
    db: &TestDatabase,
    configure: impl FnOnce(AppState) -> AppState,
) -> TestServer {
    let store = open_store(&db.url).await.expect("open the test database");
    let mut keys = Vec::new();
    for org in ["acme", "other"] {
        admin::create_org(store.as_ref(), org, Timestamp::from_seconds(T0))
            .await
            .expect("create org");
    }
    for role in ["reader", "snapshotter", "member", "admin"] {
        let key = admin::create_api_key(
            store.as_ref(),
            "acme",
            role,
            &format!("{role}-sa"),
            Timestamp::from_seconds(T0),
        )
        .await;
        keys.push(key.expect("create key").key);
    }
    let other = admin::create_api_key(
        store.as_ref(),
        "other",
        "admin",
        "admin-sa",
        Timestamp::from_seconds(T0),
    )
    .await;
    keys.push(other.expect("create other key").key);
    serve(store, keys, configure).await
}

/// Serves a store with the keys of [`start`] (reader, snapshotter, member,
/// admin of `acme`, admin of `other`).
async fn serve(
    store: std::sync::Arc<dyn custody_store::Store>,
    keys: Vec<String>,
    configure: impl FnOnce(AppState) -> AppState,
) -> TestServer {
    let state = configure(AppState::new(store).with_rules(
        WorkerCommand::program(env!("CARGO_BIN_EXE_custody-rules-worker")),
        rule_limits(),
    ));
    state.clock.replay_at(Timestamp::from_seconds(T0));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("address"));
    let (tx, rx) = oneshot::channel::<()>();
    let stopped = async {
        let _ = rx.await;
    };
    let task = tokio::spawn(custody_server::serve(
        listener,
        state.clone(),
        stopped,
        Duration::from_secs(5),
    ));
    let api = |key: &str| Api::new(&base, Some(key));
    TestServer {
        reader: api(&keys[0]),
        snapshotter: api(&keys[1]),
        member: api(&keys[2]),
        admin: api(&keys[3]),
        other: api(&keys[4]),
        anonymous: Api::new(&base, None),
        base: base.clone(),
        state,
        shutdown: Some(tx),
        task: Some(task),
    }
}

impl TestServer {
    /// Sets the server's clock.
    pub fn at(&self, t: f64) {
        self.state.clock.replay_at(Timestamp::from_seconds(t));
    }

    /// A second server process on the same database (its own store and
    /// connection pool), answering to the same keys.
    pub async fn beside(&self, db: &TestDatabase) -> TestServer {
        self.beside_with(db, |state| state).await
    }

    /// [`TestServer::beside`], with the server's state changed by `configure`.
    pub async fn beside_with(
        &self,
        db: &TestDatabase,
        configure: impl FnOnce(AppState) -> AppState,
    ) -> TestServer {
        let store = open_store(&db.url).await.expect("open the test database");
        let keys = [
            &self.reader,
            &self.snapshotter,
            &self.member,
            &self.admin,
            &self.other,
        ]
        .iter()
        .map(|api| api.token.clone().expect("a key"))
        .collect();
        serve(store, keys, configure).await
    }

    /// A client with any key.
    pub fn with_key(&self, key: &str) -> Api {
        Api::new(&self.base, Some(key))
    }

    /// Stops the server and waits for it to finish.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            task.await.expect("server task").expect("server ran");
        }
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        // A failed test still stops its server.
        if let Some(task) = &self.task {
            task.abort();
        }
    }
}
