//! Timing requests to a server: a client holding an API key and a web UI
//! session, percentiles, and the resident memory of the server's process read
//! from `/proc/<pid>/status`, sampled while it is under load.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, SET_COOKIE};

use crate::endpoints::{As, Endpoint};

/// A server, and how to ask it as a key holder and as a signed-in browser.
pub struct Client {
    http: reqwest::Client,
    pub base: String,
    key: String,
    cookie: String,
}

impl Client {
    /// Signs in to the web UI at `base` with `key`.
    pub async fn sign_in(base: &str, key: &str) -> Client {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let response = http
            .post(format!("{base}/sign-in"))
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(format!("key={key}"))
            .send()
            .await
            .expect("sign in");
        let set = response
            .headers()
            .get(SET_COOKIE)
            .expect("a session cookie");
        let cookie = set.to_str().expect("cookie").split(';').next().unwrap();
        Client {
            http,
            base: base.to_string(),
            key: key.to_string(),
            cookie: cookie.to_string(),
        }
    }

    /// GETs `path` (as `who`, when given) and reads the whole answer, which must be a 200.
    pub async fn get(&self, path: &str, who: Option<As>) -> Duration {
        let mut request = self.http.get(format!("{}{path}", self.base));
        request = match who {
            Some(As::Key) => request.header(AUTHORIZATION, format!("Bearer {}", self.key)),
            Some(As::Browser) => request.header(COOKIE, &self.cookie),
            None => request,
        };
        let start = Instant::now();
        let response = request.send().await.expect("send");
        let status = response.status();
        let body = response.bytes().await.expect("body");
        let took = start.elapsed();
        assert_eq!(status, 200, "{path}: {}", String::from_utf8_lossy(&body));
        took
    }

    /// The `i`th sample of an endpoint.
    pub async fn sample(&self, endpoint: &Endpoint, i: usize) -> Duration {
        self.get(&(endpoint.path)(i), Some(endpoint.who)).await
    }
}

/// Resident memory of process `pid`, in MB.
pub fn rss_mb(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("process status");
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .expect("VmRSS");
    kb / 1024.0
}

/// The highest resident memory of a process while this value lives.
pub struct PeakRss {
    stop: Arc<AtomicBool>,
    peak_kb: Arc<AtomicU64>,
    thread: std::thread::JoinHandle<()>,
}

impl PeakRss {
    pub fn watch(pid: u32) -> PeakRss {
        let stop = Arc::new(AtomicBool::new(false));
        let peak_kb = Arc::new(AtomicU64::new(0));
        let (done, peak) = (stop.clone(), peak_kb.clone());
        let thread = std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                peak.fetch_max((rss_mb(pid) * 1024.0) as u64, Ordering::Relaxed);
                std::thread::sleep(Duration::from_millis(20));
            }
        });
        PeakRss {
            stop,
            peak_kb,
            thread,
        }
    }

    /// Stops watching; the peak in MB.
    pub fn peak_mb(self) -> f64 {
        self.stop.store(true, Ordering::Relaxed);
        self.thread.join().expect("watcher");
        self.peak_kb.load(Ordering::Relaxed) as f64 / 1024.0
    }
}
