//! Idempotency keys: the first claim wins, a claim in flight is seen as such,
//! a completed one replays its response, a released one can be claimed again,
//! and keys are scoped and forgotten after their time.

use super::at;
use crate::{IdempotencyClaim, Store};

pub async fn idempotency_keys_replay_the_first_answer(store: &dyn Store) {
    let claim = |scope: &'static str, key: &'static str, seconds: f64| async move {
        store
            .claim_idempotency_key(scope, key, at(seconds), at(seconds - 100.0))
            .await
            .expect("claim")
    };
    assert_eq!(claim("ci", "k1", 1000.0).await, IdempotencyClaim::Claimed);
    assert_eq!(
        claim("ci", "k1", 1001.0).await,
        IdempotencyClaim::InProgress
    );
    assert_eq!(
        claim("other", "k1", 1001.0).await,
        IdempotencyClaim::Claimed,
        "keys are scoped"
    );
    store
        .complete_idempotency_key("ci", "k1", "hash-1", 201, b"{\"id\": 1}")
        .await
        .expect("complete");
    assert_eq!(
        claim("ci", "k1", 1002.0).await,
        IdempotencyClaim::Answered {
            request_hash: "hash-1".into(),
            status: 201,
            body: b"{\"id\": 1}".to_vec()
        }
    );
    store
        .release_idempotency_key("ci", "k1")
        .await
        .expect("release");
    assert!(
        matches!(
            claim("ci", "k1", 1003.0).await,
            IdempotencyClaim::Answered { .. }
        ),
        "an answered key is not released"
    );
    assert_eq!(claim("ci", "k2", 1004.0).await, IdempotencyClaim::Claimed);
    store
        .release_idempotency_key("ci", "k2")
        .await
        .expect("release");
    assert_eq!(claim("ci", "k2", 1005.0).await, IdempotencyClaim::Claimed);
    assert_eq!(
        claim("ci", "k1", 2000.0).await,
        IdempotencyClaim::Claimed,
        "keys older than the cut-off are forgotten"
    );
}
