//! Idempotency keys: a write retried with its key is answered with the first
//! response and recorded once; the same key on another request is refused;
//! failed writes keep nothing, so their retries run again.

use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::{self, EMPTY_TEMPLATE};
use crate::harness::{Api, fp, sha, start};
use custody_store::testing::TestDatabase;

/// Sends a JSON write with an Idempotency-Key: status, replay header, body.
async fn write(api: &Api, path: &str, key: &str, body: Value) -> (u16, bool, Value) {
    let response = reqwest::Client::new()
        .request(Method::POST, api.url(path))
        .bearer_auth(api.token.as_deref().expect("a key"))
        .header("Idempotency-Key", key)
        .json(&body)
        .send()
        .await
        .expect("send");
    let status = response.status().as_u16();
    let replayed = response.headers().contains_key("idempotent-replayed");
    (status, replayed, response.json().await.expect("JSON"))
}

/// How many lint attestations the artifact's history shows.
async fn received(api: &Api) -> usize {
    let doc = api
        .json(&format!("artifacts/acme/app/fingerprint/{}", fp("1d")))
        .await;
    doc.to_string().matches("lint evidence received").count()
}

#[tokio::test(flavor = "multi_thread")]
async fn retried_writes_are_recorded_once() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    let m = &srv.member;
    fixtures::flow(m, "app", EMPTY_TEMPLATE).await;
    let artifact = json!({"fingerprint": fp("1d"), "filename": "app:1", "git_commit": sha("c1"),
        "commit_url": "https://git.example/c1", "build_url": "https://ci.example/1"});
    let first = write(m, "artifacts/acme/app", "build-1", artifact.clone()).await;
    let retry = write(m, "artifacts/acme/app", "build-1", artifact.clone()).await;
    assert_eq!((first.0, first.1), (201, false));
    assert_eq!((retry.0, retry.1), (201, true), "the retry is a replay");
    assert_eq!(first.2, retry.2, "with the first response");

    let evidence = json!({"artifact_fingerprint": fp("1d"), "name": "lint", "description": "ok"});
    let path = "evidence/acme/artifact/app/generic";
    let a = write(m, path, "lint-1", evidence.clone()).await;
    let b = write(m, path, "lint-1", evidence.clone()).await;
    assert_eq!((a.0, b.0, b.1), (201, 201, true));
    assert_eq!(received(m).await, 1, "the retry recorded nothing");
    let fresh = write(m, path, "lint-2", evidence.clone()).await;
    assert_eq!((fresh.0, fresh.1), (201, false), "a new key records again");
    assert_eq!(received(m).await, 2);

    let other = json!({"artifact_fingerprint": fp("1d"), "name": "lint", "description": "changed"});
    let reused = write(m, path, "lint-1", other).await;
    assert_eq!(reused.0, 422);
    assert!(
        reused.2["message"]
            .as_str()
            .unwrap()
            .contains("used for a different request")
    );

    let missing = json!({"artifact_fingerprint": fp("2e"), "name": "lint"});
    let failed = write(m, path, "lint-3", missing.clone()).await;
    assert_eq!(failed.0, 404, "{}", failed.2);
    fixtures::artifact(m, "app", &fp("2e"), "app:2", &sha("c2"), None, None).await;
    let rerun = write(m, path, "lint-3", missing).await;
    assert_eq!(
        (rerun.0, rerun.1),
        (201, false),
        "a failed write's retry runs again"
    );

    let bad_key = write(m, path, "has space", evidence).await;
    assert_eq!(bad_key.0, 400);
    srv.stop().await;
}
