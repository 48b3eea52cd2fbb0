//! Actions' notifications, delivered from the outbox. The facts that cause
//! them are written to the outbox by the store in their own transaction;
//! [`deliver_notifications`] is the server's task that, every poll, claims
//! due outbox events and turns each into deliveries ([`dispatch`]), then
//! claims due deliveries and sends them ([`deliver`]), recording each
//! outcome on the delivery and its target. Claims are leases in the
//! database, so any number of server processes share the work, each event is
//! dispatched once, and a process that dies leaves its claims to the others
//! when their leases run out. Scheduling uses the system clock, never the
//! replayed one.

pub mod cdevents;
pub mod deliver;
pub mod dispatch;
pub mod events;
pub mod guard;
pub mod slack;
pub mod triggers;

use std::time::Duration;

use custody_core::Timestamp;
use custody_store::{DeliveryOutcome, DeliveryRow};
use tokio::task::JoinHandle;

use crate::state::AppState;

/// How failed deliveries are retried.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Backoff {
    /// The delay after the first failure; each next one doubles.
    pub first_retry: Duration,
    /// The longest delay.
    pub max_delay: Duration,
    /// Attempts before a delivery is given up.
    pub max_attempts: u32,
}

/// How often the outbox is read, and how failed deliveries are retried.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeliverySettings {
    pub poll: Duration,
    pub backoff: Backoff,
}

impl Default for DeliverySettings {
    /// Every 2 s; retries after 10 s, 20 s, … up to an hour, 12 attempts.
    fn default() -> Self {
        DeliverySettings {
            poll: Duration::from_secs(2),
            backoff: Backoff {
                first_retry: Duration::from_secs(10),
                max_delay: Duration::from_secs(3600),
                max_attempts: 12,
            },
        }
    }
}

/// Rows claimed at once.
const BATCH: u32 = 10;
/// How long a claim lasts: longer than a batch of POSTs to one target may
/// take, lookups included.
const LEASE_SECONDS: f64 = BATCH as f64 * (deliver::TIMEOUT.as_secs_f64() + 5.0);

/// Dispatches and delivers what is due now, once; what it did.
async fn round(state: &AppState) -> Result<usize, String> {
    let now = Timestamp::now();
    let lease = now + LEASE_SECONDS;
    let events = state
        .store
        .claim_events(now, lease, BATCH)
        .await
        .map_err(|e| e.to_string())?;
    for event in &events {
        if let Err(e) = dispatch::dispatch(state, event).await {
            tracing::warn!(event = %event.id, error = %e, "cannot dispatch an outbox event");
        }
    }
    let due = state
        .store
        .claim_deliveries(now, lease, BATCH)
        .await
        .map_err(|e| e.to_string())?;
    let claimed = due.len();
    // Targets at once, each one's deliveries in order.
    let mut by_target: Vec<Vec<DeliveryRow>> = Vec::new();
    for d in due {
        match by_target.iter_mut().find(|q| q[0].target_id == d.target_id) {
            Some(queue) => queue.push(d),
            None => by_target.push(vec![d]),
        }
    }
    let mut sending = tokio::task::JoinSet::new();
    for queue in by_target {
        let state = state.clone();
        sending.spawn(async move {
            for d in &queue {
                deliver_one(&state, d).await?;
            }
            Ok::<(), String>(())
        });
    }
    while let Some(done) = sending.join_next().await {
        done.map_err(|e| e.to_string())??;
    }
    Ok(events.len() + claimed)
}

/// Sends one claimed delivery and records how it went.
async fn deliver_one(state: &AppState, d: &DeliveryRow) -> Result<(), String> {
    let outcome = match deliver::send(&state.webhooks, d).await {
        Ok(()) => DeliveryOutcome::Delivered,
        Err(error) => {
            tracing::info!(delivery = %d.public_id, %error, "a notification was not delivered");
            state
                .delivery
                .backoff
                .after_failure(d.attempts, error, Timestamp::now())
        }
    };
    let counted = match &outcome {
        DeliveryOutcome::Delivered => "delivered",
        DeliveryOutcome::Failed {
            retry_at: Some(_), ..
        } => "retried",
        DeliveryOutcome::Failed { retry_at: None, .. } => "given_up",
    };
    state.metrics.notification(&d.kind, counted);
    state
        .store
        .finish_delivery(d.id, &outcome, Timestamp::now())
        .await
        .map_err(|e| e.to_string())
}

/// Delivers notifications every poll (the first one poll after starting)
/// until the returned task is aborted. A failure is logged, never fatal.
pub fn deliver_notifications(state: AppState) -> JoinHandle<()> {
    tokio::spawn(async move {
        let poll = state.delivery.poll;
        let mut every = tokio::time::interval_at(tokio::time::Instant::now() + poll, poll);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            // A full batch means more may be due: go on without waiting.
            loop {
                match round(&state).await {
                    Ok(n) if n >= BATCH as usize => {}
                    Ok(_) => break,
                    Err(e) => {
                        tracing::warn!(error = %e, "cannot deliver notifications now");
                        break;
                    }
                }
            }
        }
    })
}
