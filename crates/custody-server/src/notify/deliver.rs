//! Sending one delivery: the webhook URL checked again, its host resolved
//! and every address checked, then a POST to the checked address only (no
//! second lookup, no proxy, no redirects followed), with the delivery's id in
//! `X-Custody-Delivery` (and a CDEvent's CloudEvents attributes as `ce-`
//! headers: binary mode). A 2xx answer is a success; anything else is retried
//! after a delay that doubles from attempt to attempt up to a cap, until the
//! attempts run out.

use std::time::Duration;

use custody_core::Timestamp;
use custody_store::{DeliveryOutcome, DeliveryRow};

use super::Backoff;
use super::guard::WebhookGuard;

/// How long one POST may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// POSTs a delivery's body; why it failed, if it did.
pub async fn send(guard: &WebhookGuard, d: &DeliveryRow) -> Result<(), String> {
    let url = guard.check_url(&d.webhook)?;
    let addr = guard.resolve(&url).await?;
    let host = url.host_str().unwrap_or_default().to_string();
    let client = reqwest::Client::builder()
        .resolve(&host, addr)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .timeout(TIMEOUT)
        .build()
        .map_err(|e| format!("cannot make an HTTP client: {e}"))?;
    let mut request = client
        .post(url)
        .header("content-type", "application/json")
        .header("user-agent", concat!("custody/", env!("CARGO_PKG_VERSION")))
        .header("x-custody-delivery", &d.public_id);
    if d.kind == "CDEVENTS" {
        for (header, value) in cloudevent_headers(&d.body) {
            request = request.header(header, value);
        }
    }
    let answer = request
        .body(d.body.clone())
        .send()
        .await
        .map_err(|e| format!("cannot reach the webhook: {e}"))?;
    let status = answer.status();
    if status.is_success() {
        Ok(())
    } else {
        Err(format!("the webhook answered {status}"))
    }
}

/// A CDEvent's CloudEvents attributes, as binary mode's `ce-` headers.
fn cloudevent_headers(body: &str) -> Vec<(&'static str, String)> {
    let event: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let context = &event["context"];
    let text = |key: &str| context[key].as_str().unwrap_or_default().to_string();
    vec![
        ("ce-specversion", "1.0".to_string()),
        ("ce-id", text("id")),
        ("ce-source", text("source")),
        ("ce-type", text("type")),
        ("ce-time", text("timestamp")),
    ]
}

impl Backoff {
    /// What to record after a failed attempt: retry after the delay for this
    /// many attempts so far, or give up.
    pub fn after_failure(&self, attempts: i64, error: String, now: Timestamp) -> DeliveryOutcome {
        if attempts >= i64::from(self.max_attempts) {
            return DeliveryOutcome::Failed {
                error: format!("{error} (gave up after {attempts} attempts)"),
                retry_at: None,
            };
        }
        let doublings = u32::try_from(attempts.saturating_sub(1))
            .unwrap_or(u32::MAX)
            .min(30);
        let delay = self
            .first_retry
            .saturating_mul(1 << doublings)
            .min(self.max_delay);
        DeliveryOutcome::Failed {
            error,
            retry_at: Some(now + delay.as_secs_f64()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_up_to_the_cap_then_stop() {
        let b = Backoff {
            first_retry: Duration::from_secs(10),
            max_delay: Duration::from_secs(60),
            max_attempts: 5,
        };
        let now = Timestamp::from_seconds(1000.0);
        let due = |attempts| match b.after_failure(attempts, "x".into(), now) {
            DeliveryOutcome::Failed { retry_at, .. } => retry_at.map(|t| t.seconds() - 1000.0),
            DeliveryOutcome::Delivered => unreachable!(),
        };
        assert_eq!(
            [due(1), due(2), due(3), due(4), due(5)],
            [Some(10.0), Some(20.0), Some(40.0), Some(60.0), None]
        );
    }
}
