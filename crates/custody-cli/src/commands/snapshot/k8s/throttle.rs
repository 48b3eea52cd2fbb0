//! The request rate of `snapshot k8s`: a token bucket (`--qps` tokens a
//! second, at most `--burst` saved up) in front of every request kube's client
//! sends, lists and watches alike, as client-go's QPS and burst bound Kosli's
//! reporter (50 and 100 there). The bucket is a tower layer: kube's client
//! drives it from one worker, so a request waits in `poll_ready` until it may go.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use tokio::time::{Instant, Sleep};
use tower::{Layer, Service};

/// Tokens refilled at `qps` a second up to `burst`; a request takes one.
#[derive(Clone, Debug)]
pub struct Bucket {
    qps: f64,
    burst: f64,
    tokens: f64,
    last: Option<Instant>,
}

impl Bucket {
    /// A full bucket.
    pub fn new(qps: f64, burst: u32) -> Bucket {
        Bucket {
            qps,
            burst: f64::from(burst),
            tokens: f64::from(burst),
            last: None,
        }
    }

    /// Takes a token at `now`: how long the request must wait before it goes
    /// (zero when a token was saved up). A wait is a token borrowed from the
    /// future, so the next request waits one token longer.
    pub fn take(&mut self, now: Instant) -> Duration {
        let elapsed = self.last.map_or(0.0, |last| (now - last).as_secs_f64());
        self.last = Some(now);
        self.tokens = (self.tokens + elapsed * self.qps).min(self.burst) - 1.0;
        if self.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.tokens / self.qps)
        }
    }
}

/// The layer kube's client builder takes.
#[derive(Clone, Debug)]
pub struct Throttle(pub Bucket);

impl<S> Layer<S> for Throttle {
    type Service = Throttled<S>;

    fn layer(&self, inner: S) -> Throttled<S> {
        Throttled {
            inner,
            bucket: self.0.clone(),
            wait: None,
            granted: false,
        }
    }
}

/// A service whose requests each wait for a token of its bucket.
pub struct Throttled<S> {
    inner: S,
    bucket: Bucket,
    wait: Option<Pin<Box<Sleep>>>,
    granted: bool,
}

impl<S: Service<R>, R> Service<R> for Throttled<S> {
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        if !self.granted {
            let bucket = &mut self.bucket;
            let wait = self.wait.get_or_insert_with(|| {
                let now = Instant::now();
                Box::pin(tokio::time::sleep_until(now + bucket.take(now)))
            });
            ready!(wait.as_mut().poll(cx));
            self.wait = None;
            self.granted = true;
        }
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> S::Future {
        self.granted = false;
        self.inner.call(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: Duration = Duration::from_millis(1);

    /// Equal to within a microsecond (the bucket counts in floating seconds).
    fn assert_close(wait: Duration, expected: Duration) {
        let off = wait.abs_diff(expected);
        assert!(off < Duration::from_micros(1), "{wait:?}, not {expected:?}");
    }

    #[test]
    fn a_burst_goes_at_once_and_then_one_request_per_token() {
        let mut bucket = Bucket::new(50.0, 100);
        let now = Instant::now();
        for _ in 0..100 {
            assert_eq!(bucket.take(now), Duration::ZERO);
        }
        assert_close(bucket.take(now), 20 * MS);
        assert_close(bucket.take(now), 40 * MS);
    }

    #[test]
    fn an_idle_bucket_refills_up_to_its_burst_only() {
        let mut bucket = Bucket::new(10.0, 3);
        let start = Instant::now();
        for _ in 0..3 {
            bucket.take(start);
        }
        let later = start + Duration::from_secs(60);
        for _ in 0..3 {
            assert_eq!(bucket.take(later), Duration::ZERO);
        }
        assert_close(bucket.take(later), 100 * MS);
        let half_a_token_later = later + 150 * MS;
        assert_close(bucket.take(half_a_token_later), 50 * MS);
    }

    #[test]
    fn requests_sent_as_soon_as_allowed_keep_to_the_rate() {
        let (qps, burst, requests) = (50.0, 100, 1002);
        let mut bucket = Bucket::new(qps, burst);
        let start = Instant::now();
        let mut clock = start;
        let mut waits = 0;
        for _ in 0..requests {
            let wait = bucket.take(clock);
            if !wait.is_zero() {
                waits += 1;
                clock += wait;
            }
        }
        assert_eq!(waits, requests - burst as usize);
        let expected = Duration::from_secs_f64((requests - burst as usize) as f64 / qps);
        assert_close(clock - start, expected);
    }
}
