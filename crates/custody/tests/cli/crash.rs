//! Killing the server with SIGKILL while CI jobs and reporters write to it
//! loses no write it acknowledged: after every restart each artifact that got a
//! 201 is there, and each snapshot that a report was told it made holds what
//! that report said was running. On SQLite and on PostgreSQL.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use custody_client::{Body, Client, ClientError};
use custody_store::testing::TestDatabase;
use reqwest::Method;
use serde_json::json;

use crate::harness::{Server, admin, put_json};
use crate::pipeline::key;

/// Kills per backend; raise with `CUSTODY_CRASH_KILLS` for a longer run.
fn kills() -> usize {
    std::env::var("CUSTODY_CRASH_KILLS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10)
}

/// What the server acknowledged.
#[derive(Default)]
struct Acknowledged {
    artifacts: Vec<String>,
    /// (environment, snapshot index, fingerprint running in it)
    snapshots: Vec<(String, i64, String)>,
}

fn fingerprint(n: u64) -> String {
    format!("{n:064x}")
}

/// One writer: reports artifacts (`artifacts`) or snapshots of its own
/// environment, one request after another, until the server goes away.
async fn write_until_killed(
    host: String,
    token: String,
    writer: u64,
    seq: Arc<Mutex<u64>>,
    acked: Arc<Mutex<Acknowledged>>,
) {
    let client = Client::new(&host, Some(token), 0).expect("client");
    loop {
        let n = {
            let mut seq = seq.lock().unwrap();
            *seq += 1;
            *seq
        };
        let fp = fingerprint(n);
        let outcome = if writer.is_multiple_of(2) {
            let body = json!({"fingerprint": fp, "filename": format!("app:{n}"),
                "commit_url": "https://git.example/c", "build_url": "https://ci.example/b"});
            let url = client.api_url(&["artifacts", "acme", "app"]);
            client
                .send(Method::POST, url, &Body::Json(body))
                .await
                .map(|_| {
                    acked.lock().unwrap().artifacts.push(fp.clone());
                })
        } else {
            let env = format!("env{writer}");
            let pods = json!({"artifacts": [{"podName": format!("p{n}"), "namespace": "prod",
                "digests": {"app": fp}, "creationTimestamp": n, "owners": []}]});
            let url = client.api_url(&["environments", "acme", &env, "report", "K8S"]);
            client
                .send(Method::PUT, url, &Body::Json(pods))
                .await
                .map(|r| {
                    let reply: serde_json::Value = r.json().expect("report reply");
                    if let Some(index) = reply["snapshot_index"].as_i64() {
                        acked
                            .lock()
                            .unwrap()
                            .snapshots
                            .push((env, index, fp.clone()));
                    }
                })
        };
        match outcome {
            Ok(()) => {}
            Err(ClientError::Transport(_)) => return,
            Err(e) => panic!("writer {writer}: {e}"),
        }
    }
}

/// Checks every acknowledged write against the restarted server.
async fn verify(host: &str, token: &str, acked: &Acknowledged) {
    let client = Client::new(host, Some(token.to_string()), 3).expect("client");
    for fp in &acked.artifacts {
        let url = client.api_url(&["artifacts", "acme", "app", "fingerprint", fp]);
        client
            .get(url)
            .await
            .unwrap_or_else(|e| panic!("acknowledged artifact {fp} is lost: {e}"));
    }
    for (env, index, fp) in &acked.snapshots {
        let url = client.api_url(&["snapshots", "acme", env, &index.to_string()]);
        let snapshot = client
            .get(url)
            .await
            .unwrap_or_else(|e| panic!("snapshot {env}#{index} is lost: {e}"));
        assert!(
            snapshot.body.contains(fp.as_str()),
            "{env}#{index} lost {fp}"
        );
    }
}

async fn survive_kills(database_url: String) {
    admin(&database_url, &["create-org", "acme"]);
    let mut server = Server::on_database(&database_url);
    let token = key(&server, "member");
    let setup = Client::new(&server.host, Some(token.clone()), 0).expect("client");
    let flow = json!({"name": "app", "description": "crash", "visibility": "private", "template": ["artifact"]});
    put_json(&setup, &["flows", "acme"], flow).await;
    for writer in [1, 3] {
        let env = json!({"name": format!("env{writer}"), "type": "K8S"});
        put_json(&setup, &["environments", "acme"], env).await;
    }
    let acked = Arc::new(Mutex::new(Acknowledged::default()));
    let seq = Arc::new(Mutex::new(0));
    let mut all = Acknowledged::default();
    for round in 0..kills() {
        let writers: Vec<_> = (0..4)
            .map(|w| {
                tokio::spawn(write_until_killed(
                    server.host.clone(),
                    token.clone(),
                    w,
                    seq.clone(),
                    acked.clone(),
                ))
            })
            .collect();
        wait_for_writes(&acked, 4).await;
        tokio::time::sleep(Duration::from_millis((round as u64 * 37) % 200)).await;
        server.kill_and_restart();
        for writer in writers {
            writer.await.expect("writer");
        }
        let round = std::mem::take(&mut *acked.lock().unwrap());
        verify(&server.host, &token, &round).await;
        all.artifacts.extend(round.artifacts);
        all.snapshots.extend(round.snapshots);
    }
    verify(&server.host, &token, &all).await;
}

/// Waits until this round's writers have had `count` writes acknowledged, so
/// every kill lands while writes are in flight, however slow the machine.
async fn wait_for_writes(acked: &Mutex<Acknowledged>, count: usize) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let done = {
            let acked = acked.lock().unwrap();
            acked.artifacts.len() + acked.snapshots.len()
        };
        if done >= count {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the writers made no progress ({done} acknowledged in 60 s)"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_loses_no_acknowledged_write_on_sqlite() {
    let db = TestDatabase::sqlite();
    survive_kills(db.url.clone()).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn sigkill_loses_no_acknowledged_write_on_postgres() {
    let db = TestDatabase::postgres().await;
    survive_kills(db.url.clone()).await;
}
