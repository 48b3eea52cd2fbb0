//! Database upkeep while the server runs: the query planner's statistics are
//! refreshed when the server starts and every hour after, so plans follow the
//! data as an org's history grows; and every hour the outbox forgets
//! notifications finished a week ago.

use std::sync::Arc;
use std::time::Duration;

use custody_core::Timestamp;
use custody_store::Store;
use tokio::task::JoinHandle;

/// How often the statistics are refreshed.
pub const STATISTICS_EVERY: Duration = Duration::from_secs(3600);

/// Refreshes the statistics now and then every [`STATISTICS_EVERY`], until
/// the returned task is aborted. A failure is logged, never fatal.
pub fn keep_statistics_fresh(store: Arc<dyn Store>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(STATISTICS_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            match store.optimize().await {
                Ok(()) => tracing::debug!("planner statistics refreshed"),
                Err(e) => tracing::warn!(error = %e, "cannot refresh the planner statistics"),
            }
        }
    })
}

/// How often the outbox is pruned.
pub const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// How long finished notifications stay in the outbox.
pub const KEEP_DELIVERED_SECONDS: f64 = 7.0 * 24.0 * 3600.0;

/// Forgets finished notifications older than [`KEEP_DELIVERED_SECONDS`] every
/// [`PRUNE_EVERY`], until the returned task is aborted. A failure is logged,
/// never fatal.
pub fn keep_outbox_small(store: Arc<dyn Store>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(PRUNE_EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            let before = Timestamp::now() - KEEP_DELIVERED_SECONDS;
            match store.prune_outbox(before).await {
                Ok(n) => tracing::debug!(rows = n, "finished notifications forgotten"),
                Err(e) => tracing::warn!(error = %e, "cannot prune the outbox"),
            }
        }
    })
}
