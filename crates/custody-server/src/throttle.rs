//! Failed-authentication throttling per client address, held by the database
//! so that every server on it counts together: each address has a bucket of
//! attempts that refills at a steady rate; every unknown, revoked or expired
//! key takes one (one statement), and an address whose bucket is empty is
//! answered 429 with `Retry-After` before its key is even looked up. Keys that
//! work never count, and a request from an address this process has not seen
//! failing costs no statement at all.
//!
//! Each process remembers, for the addresses it saw failing, when their bucket
//! is full again. One it knows to be empty is refused without the database;
//! one it saw failing but not yet empty is read again first, since other
//! servers may have taken the rest.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use custody_core::Timestamp;
use custody_store::{BucketShape, Store, StoreError};

/// How many failures an address may make at once, and how fast it regains them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AuthLimit {
    pub burst: u32,
    pub per_second: f64,
}

impl Default for AuthLimit {
    fn default() -> Self {
        AuthLimit {
            burst: 10,
            per_second: 1.0,
        }
    }
}

impl AuthLimit {
    /// The bucket the store keeps: at least one attempt, each back within a
    /// million seconds and no sooner than a microsecond.
    fn shape(self) -> BucketShape {
        let per_second = if self.per_second.is_finite() {
            self.per_second.clamp(1e-6, 1e6)
        } else {
            1e6
        };
        BucketShape {
            burst: self.burst.max(1),
            interval: 1.0 / per_second,
        }
    }
}

/// Addresses remembered at most; beyond it, those full again are forgotten
/// first, and the rest are left to the database.
const MAX_ADDRESSES: usize = 100_000;

/// How often full buckets are deleted from the database, at most, by each
/// process (only when an authentication fails).
const PRUNE_EVERY_SECONDS: f64 = 60.0;

#[derive(Debug)]
struct Known {
    /// When each address seen failing has its bucket full again.
    full_at: HashMap<IpAddr, Timestamp>,
    /// When this process last deleted full buckets.
    pruned: Timestamp,
}

/// The failure buckets of every address, shared through the store.
pub struct AuthThrottle {
    store: Arc<dyn Store>,
    shape: BucketShape,
    known: Mutex<Known>,
}

impl AuthThrottle {
    pub fn new(store: Arc<dyn Store>, limit: AuthLimit) -> Self {
        AuthThrottle {
            store,
            shape: limit.shape(),
            known: Mutex::new(Known {
                full_at: HashMap::new(),
                pruned: Timestamp::from_seconds(f64::NEG_INFINITY),
            }),
        }
    }

    fn known(&self) -> std::sync::MutexGuard<'_, Known> {
        self.known.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// How long until a bucket full again at `full_at` has one attempt, if
    /// it has none at `now`.
    fn wait(&self, full_at: Timestamp, now: Timestamp) -> Option<Duration> {
        let spare = f64::from(self.shape.burst - 1) * self.shape.interval;
        let wait = full_at.seconds() - spare - now.seconds();
        (wait > 0.0).then(|| Duration::from_secs_f64(wait))
    }

    /// Keeps what the store said of `address`.
    fn remember(&self, address: IpAddr, full_at: Option<Timestamp>, now: Timestamp) {
        let mut known = self.known();
        let Some(full_at) = full_at.filter(|t| *t > now) else {
            known.full_at.remove(&address);
            return;
        };
        if known.full_at.len() >= MAX_ADDRESSES && !known.full_at.contains_key(&address) {
            known.full_at.retain(|_, t| *t > now);
            if known.full_at.len() >= MAX_ADDRESSES {
                return;
            }
        }
        known.full_at.insert(address, full_at);
    }

    /// `Some(wait)` when `address` has no attempts left at `now`.
    ///
    /// # Errors
    /// When the store cannot be read.
    pub async fn blocked(
        &self,
        address: IpAddr,
        now: Timestamp,
    ) -> Result<Option<Duration>, StoreError> {
        let Some(full_at) = self.known().full_at.get(&address).copied() else {
            return Ok(None);
        };
        if let Some(wait) = self.wait(full_at, now) {
            return Ok(Some(wait));
        }
        let full_at = self.store.auth_bucket_full_at(&address.to_string()).await?;
        self.remember(address, full_at, now);
        Ok(full_at.and_then(|t| self.wait(t, now)))
    }

    /// Counts one failed authentication from `address` at `now`, and now and
    /// then forgets the buckets full again.
    ///
    /// # Errors
    /// When the store cannot be written.
    pub async fn failed(&self, address: IpAddr, now: Timestamp) -> Result<(), StoreError> {
        let full_at = self
            .store
            .take_auth_attempt(&address.to_string(), self.shape, now)
            .await?;
        self.remember(address, Some(full_at), now);
        let prune = {
            let mut known = self.known();
            let due = now.seconds() - known.pruned.seconds() >= PRUNE_EVERY_SECONDS;
            if due {
                known.pruned = now;
            }
            due
        };
        if prune {
            self.store.forget_full_auth_buckets(now).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use custody_store::testing::TestDatabase;

    const T: f64 = 1_700_000_000.0;

    async fn throttles(db: &TestDatabase, limit: AuthLimit, n: usize) -> Vec<AuthThrottle> {
        let store = crate::open_store(&db.url).await.expect("open the store");
        (0..n)
            .map(|_| AuthThrottle::new(store.clone(), limit))
            .collect()
    }

    fn t(seconds: f64) -> Timestamp {
        Timestamp::from_seconds(T + seconds)
    }

    #[tokio::test]
    async fn an_address_is_blocked_after_its_burst_and_others_are_not() {
        let db = TestDatabase::sqlite();
        let limit = AuthLimit {
            burst: 3,
            per_second: 0.5,
        };
        let [throttle] = &throttles(&db, limit, 1).await[..] else {
            unreachable!()
        };
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        for _ in 0..3 {
            assert_eq!(throttle.blocked(a, t(0.0)).await.unwrap(), None);
            throttle.failed(a, t(0.0)).await.unwrap();
        }
        let wait = throttle.blocked(a, t(0.5)).await.unwrap();
        assert_eq!(wait, Some(Duration::from_secs_f64(1.5)));
        assert_eq!(
            throttle.blocked(b, t(0.5)).await.unwrap(),
            None,
            "addresses are apart"
        );
        assert_eq!(
            throttle.blocked(a, t(2.0)).await.unwrap(),
            None,
            "one attempt is back after one interval"
        );
    }

    #[tokio::test]
    async fn servers_on_one_database_count_together() {
        let db = TestDatabase::sqlite();
        let limit = AuthLimit {
            burst: 4,
            per_second: 1.0,
        };
        let servers = throttles(&db, limit, 2).await;
        let a: IpAddr = "2001:db8::7".parse().unwrap();
        for i in 0..4 {
            let server = &servers[i % 2];
            assert_eq!(
                server.blocked(a, t(0.0)).await.unwrap(),
                None,
                "attempt {i}"
            );
            server.failed(a, t(0.0)).await.unwrap();
        }
        for server in &servers {
            assert_eq!(
                server.blocked(a, t(0.25)).await.unwrap(),
                Some(Duration::from_secs_f64(0.75)),
                "the burst is spent on every server"
            );
        }
        let fresh = &throttles(&db, limit, 1).await[0];
        assert_eq!(
            fresh.blocked(a, t(0.25)).await.unwrap(),
            None,
            "a server that never saw the address failing does not ask"
        );
        fresh.failed(a, t(0.25)).await.unwrap();
        assert!(fresh.blocked(a, t(0.25)).await.unwrap().is_some());
    }

    #[tokio::test]
    async fn full_buckets_are_forgotten_when_failures_go_on() {
        let db = TestDatabase::sqlite();
        let throttle = &throttles(&db, AuthLimit::default(), 1).await[0];
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        throttle.failed(a, t(0.0)).await.unwrap();
        throttle.failed(b, t(30.0)).await.unwrap();
        let stored = |address: IpAddr| {
            let store = throttle.store.clone();
            async move {
                store
                    .auth_bucket_full_at(&address.to_string())
                    .await
                    .unwrap()
            }
        };
        assert!(stored(a).await.is_some(), "pruned once a minute at most");
        throttle.failed(b, t(60.0)).await.unwrap();
        assert_eq!(stored(a).await, None, "a full bucket is forgotten");
        assert!(
            stored(b).await.is_some(),
            "a bucket still refilling is kept"
        );
    }
}
