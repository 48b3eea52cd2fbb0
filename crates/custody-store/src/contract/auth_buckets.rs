//! Failed-authentication buckets: each attempt moves the time a bucket is full
//! again one interval on, an empty bucket stays empty one interval past its
//! latest attempt, buckets refill with time and are counted per address,
//! concurrent attempts are all counted, and full buckets are forgotten.

use std::sync::Arc;

use super::at;
use crate::{BucketShape, Store};

const SHAPE: BucketShape = BucketShape {
    burst: 3,
    interval: 2.0,
};

async fn take(store: &dyn Store, address: &str, seconds: f64) -> f64 {
    store
        .take_auth_attempt(address, SHAPE, at(seconds))
        .await
        .expect("take an attempt")
        .seconds()
}

pub async fn auth_buckets_count_attempts_per_address(store: Arc<dyn Store>) {
    let s = store.as_ref();
    let a = "10.0.0.1";
    let b = "2001:db8::1";
    assert_eq!(s.auth_bucket_full_at(a).await.expect("read"), None);
    assert_eq!(take(s, a, 1000.0).await, 1002.0, "a new bucket loses one");
    assert_eq!(take(s, a, 1000.0).await, 1004.0);
    assert_eq!(take(s, a, 1000.0).await, 1006.0, "the burst is spent");
    assert_eq!(
        take(s, a, 1000.5).await,
        1006.5,
        "an empty bucket stays empty one interval past the latest attempt"
    );
    assert_eq!(take(s, a, 1004.5).await, 1008.5, "time refills the bucket");
    assert_eq!(take(s, b, 1004.5).await, 1006.5, "addresses are apart");
    assert_eq!(
        take(s, a, 1000.0).await,
        1006.0,
        "a clock behind the others' never pushes the bucket past its burst"
    );
    assert_eq!(
        s.auth_bucket_full_at(a)
            .await
            .expect("read")
            .map(|t| t.seconds()),
        Some(1006.0)
    );
    assert_eq!(
        s.forget_full_auth_buckets(at(1006.0))
            .await
            .expect("forget"),
        1,
        "only the bucket full by then is forgotten"
    );
    assert_eq!(s.auth_bucket_full_at(a).await.expect("read"), None);
    assert_eq!(
        take(s, a, 2000.0).await,
        2002.0,
        "a forgotten bucket is full"
    );
    assert!(s.auth_bucket_full_at(b).await.expect("read").is_some());

    let wide = BucketShape {
        burst: 100,
        interval: 1.0,
    };
    let takes: Vec<_> = (0..20)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .take_auth_attempt("192.0.2.7", wide, at(3000.0))
                    .await
                    .expect("a concurrent take")
            })
        })
        .collect();
    for take in takes {
        take.await.expect("task");
    }
    assert_eq!(
        s.auth_bucket_full_at("192.0.2.7")
            .await
            .expect("read")
            .map(|t| t.seconds()),
        Some(3020.0),
        "every concurrent attempt is counted"
    );
}
