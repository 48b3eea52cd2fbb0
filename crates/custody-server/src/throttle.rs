//! Failed-authentication throttling per client address: each address has a
//! bucket of attempts that refills at a steady rate; every unknown, revoked or
//! expired key takes one, and an address whose bucket is empty is answered 429
//! with `Retry-After` before its key is even looked up. Keys that work never
//! count, so a busy CI runner is never slowed by its own traffic.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

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

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Addresses tracked at most; beyond it, full buckets are forgotten first.
const MAX_ADDRESSES: usize = 100_000;

/// The failure buckets of every address seen failing.
#[derive(Debug, Default)]
pub struct AuthThrottle {
    limit: AuthLimit,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

impl AuthThrottle {
    pub fn new(limit: AuthLimit) -> Self {
        AuthThrottle {
            limit,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    fn refilled(&self, bucket: Bucket, now: Instant) -> Bucket {
        let gained = now.duration_since(bucket.at).as_secs_f64() * self.limit.per_second;
        Bucket {
            tokens: (bucket.tokens + gained).min(f64::from(self.limit.burst)),
            at: now,
        }
    }

    /// `Some(wait)` when `address` has no attempts left.
    pub fn blocked(&self, address: IpAddr) -> Option<Duration> {
        let now = Instant::now();
        let buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let bucket = self.refilled(*buckets.get(&address)?, now);
        (bucket.tokens < 1.0).then(|| {
            let missing = 1.0 - bucket.tokens;
            Duration::from_secs_f64(missing / self.limit.per_second.max(f64::MIN_POSITIVE))
        })
    }

    /// Counts one failed authentication from `address`.
    pub fn failed(&self, address: IpAddr) {
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_ADDRESSES {
            let burst = f64::from(self.limit.burst);
            buckets.retain(|_, b| self.refilled(*b, now).tokens < burst);
        }
        let full = Bucket {
            tokens: f64::from(self.limit.burst),
            at: now,
        };
        let bucket = buckets.get(&address).copied().unwrap_or(full);
        let mut bucket = self.refilled(bucket, now);
        bucket.tokens = (bucket.tokens - 1.0).max(0.0);
        buckets.insert(address, bucket);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_blocked_after_its_burst_and_others_are_not() {
        let throttle = AuthThrottle::new(AuthLimit {
            burst: 3,
            per_second: 0.5,
        });
        let (a, b): (IpAddr, IpAddr) = ("10.0.0.1".parse().unwrap(), "10.0.0.2".parse().unwrap());
        for _ in 0..3 {
            assert_eq!(throttle.blocked(a), None);
            throttle.failed(a);
        }
        let wait = throttle.blocked(a).expect("blocked after three failures");
        assert!(
            wait > Duration::from_secs(1) && wait <= Duration::from_secs(2),
            "{wait:?}"
        );
        assert_eq!(throttle.blocked(b), None, "addresses are counted apart");
    }

    #[test]
    fn buckets_refill_with_time() {
        let throttle = AuthThrottle::new(AuthLimit {
            burst: 1,
            per_second: 1000.0,
        });
        let a: IpAddr = "::1".parse().unwrap();
        throttle.failed(a);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(throttle.blocked(a), None);
    }
}
