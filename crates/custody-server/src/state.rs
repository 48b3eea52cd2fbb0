//! What every handler shares: the store, the evidence vault, the rule sandbox,
//! the clock, the limits, the metrics, where notifications may go and the
//! artifacts' compliance verdicts kept between requests.

use std::sync::{Arc, Mutex};

use axum::extract::FromRef;
use custody_core::Timestamp;
use custody_rules::{Limits, Sandbox, WorkerCommand};
use custody_store::Store;
use ed25519_dalek::SigningKey;

use crate::client_address::TrustedProxies;
use crate::docs::verdicts::Verdicts;
use crate::evidence::{DEFAULT_MAX_EVIDENCE_BYTES, FsObjectStore, ObjectStore};
use crate::notify::DeliverySettings;
use crate::notify::guard::WebhookGuard;
use crate::spool::Spool;
use crate::telemetry::Metrics;
use crate::throttle::{AuthLimit, AuthThrottle};

/// Server time. Normally the system clock; the demo loader replays history by
/// setting the time before each request it sends.
#[derive(Debug, Default)]
pub struct Clock {
    replay: Mutex<Option<Timestamp>>,
}

impl Clock {
    pub fn now(&self) -> Timestamp {
        let replayed = *self.replay.lock().unwrap_or_else(|e| e.into_inner());
        replayed.unwrap_or_else(Timestamp::now)
    }

    /// Makes `now()` return this time until changed.
    pub fn replay_at(&self, at: Timestamp) {
        *self.replay.lock().unwrap_or_else(|e| e.into_inner()) = Some(at);
    }

    /// Back to the system clock.
    pub fn follow_system(&self) {
        *self.replay.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

impl FromRef<AppState> for Spool {
    fn from_ref(state: &AppState) -> Spool {
        state.spool.clone()
    }
}

/// Shared handler state.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub clock: Arc<Clock>,
    /// Where attachments are kept.
    pub evidence: Arc<dyn ObjectStore>,
    /// Where uploads are spooled, and the largest attachment accepted.
    pub spool: Spool,
    /// Where custom attestation types' schemas and jq rules run.
    pub rules: Arc<Sandbox>,
    /// Failed authentications per client address, counted in the store.
    pub auth_throttle: Arc<AuthThrottle>,
    /// The key the log's checkpoints are signed with.
    pub signing_key: Arc<SigningKey>,
    /// Where users reach the web UI (no trailing slash): what `html_url`
    /// fields and pages link to. Empty: links are relative to this server.
    pub public_url: Arc<str>,
    /// What `/metrics` reports.
    pub metrics: Arc<Metrics>,
    /// Whether each request is logged (the demo loader's replay is not).
    pub log_requests: bool,
    /// Where actions' webhooks may go.
    pub webhooks: Arc<WebhookGuard>,
    /// The proxies believed about who the client is.
    pub trusted_proxies: Arc<TrustedProxies>,
    /// How often notifications are delivered and how failures are retried.
    pub delivery: DeliverySettings,
    /// Artifacts' compliance, kept at the evidence revision it was judged at.
    pub verdicts: Arc<Verdicts>,
}

impl AppState {
    /// State over a store, with a temporary evidence vault (removed when the
    /// state is dropped) until [`AppState::with_evidence`] sets the real one, and
    /// rule workers run as `<this executable> __rules-worker` until
    /// [`AppState::with_rules`] says otherwise.
    ///
    /// # Panics
    /// When no temporary directory can be created.
    pub fn new(store: Arc<dyn Store>) -> Self {
        let vault = FsObjectStore::temporary().expect("a temporary evidence directory");
        AppState {
            auth_throttle: Arc::new(AuthThrottle::new(store.clone(), AuthLimit::default())),
            store,
            clock: Arc::new(Clock::default()),
            spool: Spool::new(vault.spool_dir(), DEFAULT_MAX_EVIDENCE_BYTES as u64),
            evidence: Arc::new(vault),
            rules: Arc::new(Sandbox::new(
                WorkerCommand::this_executable(),
                Limits::default(),
            )),
            signing_key: Arc::new(SigningKey::from_bytes(&rand::random())),
            public_url: Arc::from(""),
            metrics: Arc::new(Metrics::default()),
            log_requests: true,
            webhooks: Arc::new(WebhookGuard::default()),
            trusted_proxies: Arc::new(TrustedProxies::default()),
            delivery: DeliverySettings::default(),
            verdicts: Arc::new(Verdicts::default()),
        }
    }

    /// The same state signing checkpoints with this key (a fresh one is made
    /// for each state otherwise, which suits only tests).
    pub fn with_signing_key(mut self, key: SigningKey) -> Self {
        self.signing_key = Arc::new(key);
        self
    }

    /// The same state with this failed-authentication limit.
    pub fn with_auth_limit(mut self, limit: AuthLimit) -> Self {
        self.auth_throttle = Arc::new(AuthThrottle::new(self.store.clone(), limit));
        self
    }

    /// The same state with rule workers run by this command, under these limits.
    pub fn with_rules(mut self, worker: WorkerCommand, limits: Limits) -> Self {
        self.rules = Arc::new(Sandbox::new(worker, limits));
        self
    }

    /// The same state with this evidence vault and attachment size limit.
    pub fn with_evidence(mut self, vault: Arc<dyn ObjectStore>, max_bytes: usize) -> Self {
        self.spool = Spool::new(vault.spool_dir(), max_bytes as u64);
        self.evidence = vault;
        self
    }

    /// The same state, serving without a log line per request.
    pub fn without_request_log(mut self) -> Self {
        self.log_requests = false;
        self
    }

    /// The same state sending webhooks where this guard allows.
    pub fn with_webhooks(mut self, guard: WebhookGuard) -> Self {
        self.webhooks = Arc::new(guard);
        self
    }

    /// The same state taking client addresses from these proxies' `X-Forwarded-For`.
    pub fn with_trusted_proxies(mut self, proxies: TrustedProxies) -> Self {
        self.trusted_proxies = Arc::new(proxies);
        self
    }

    /// The same state delivering notifications with these settings.
    pub fn with_delivery(mut self, settings: DeliverySettings) -> Self {
        self.delivery = settings;
        self
    }

    /// The same state linking to the web UI at this URL.
    pub fn with_public_url(mut self, url: &str) -> Self {
        self.public_url = Arc::from(url.trim_end_matches('/'));
        self
    }

    /// Web UI pages, for the `html_url` fields of documents.
    pub fn flow_url(&self, org: &str, flow: &str) -> String {
        format!("{}/{org}/flows/{flow}", self.public_url)
    }

    pub fn artifact_url(&self, org: &str, flow: &str, fingerprint: &str) -> String {
        format!("{}/artifacts/{fingerprint}", self.flow_url(org, flow))
    }

    pub fn trail_url(&self, org: &str, flow: &str, trail: &str) -> String {
        format!("{}/trails/{trail}", self.flow_url(org, flow))
    }

    /// An attestation: on its trail's page, else its artifact's, else its flow's.
    pub fn attestation_url(&self, org: &str, a: &custody_api::Attestation) -> String {
        let query = format!("?attestation_id={}", a.attestation_id);
        match (a.trail_name.as_str(), &a.artifact_fingerprint) {
            ("", Some(fp)) => self.artifact_url(org, &a.flow_name, fp) + &query,
            ("", None) => self.flow_url(org, &a.flow_name) + &query,
            (trail, _) => self.trail_url(org, &a.flow_name, trail) + &query,
        }
    }

    pub fn environment_url(&self, org: &str, env: &str) -> String {
        format!("{}/{org}/environments/{env}", self.public_url)
    }

    pub fn snapshot_url(&self, org: &str, env: &str, index: i64) -> String {
        format!("{}/snapshots/{index}", self.environment_url(org, env))
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }
}
