//! Counts the SQL statements the store sends while [`count`] runs, from
//! sqlx's per-statement events (target `sqlx::query`). Events are asked for
//! only while counting, so timed runs pay nothing for them.

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

static COUNTING: AtomicBool = AtomicBool::new(false);
static STATEMENTS: AtomicU64 = AtomicU64::new(0);

struct Counter;

impl<S: Subscriber> Layer<S> for Counter {
    fn register_callsite(&self, metadata: &'static Metadata<'static>) -> Interest {
        if metadata.target() == "sqlx::query" {
            Interest::sometimes()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, metadata: &Metadata<'_>, _: Context<'_, S>) -> bool {
        metadata.target() == "sqlx::query" && COUNTING.load(Ordering::Relaxed)
    }

    fn on_event(&self, _: &Event<'_>, _: Context<'_, S>) {
        STATEMENTS.fetch_add(1, Ordering::Relaxed);
    }
}

/// Makes the counter the process's subscriber.
pub fn install() {
    let subscriber = tracing_subscriber::registry().with(Counter);
    tracing::subscriber::set_global_default(subscriber).expect("one subscriber");
}

/// Runs `work` and returns its output with the statements it sent.
pub async fn count<T>(work: impl Future<Output = T>) -> (T, u64) {
    STATEMENTS.store(0, Ordering::Relaxed);
    COUNTING.store(true, Ordering::Relaxed);
    let out = work.await;
    COUNTING.store(false, Ordering::Relaxed);
    (out, STATEMENTS.load(Ordering::Relaxed))
}
