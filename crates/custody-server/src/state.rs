//! What every handler shares: the store, the clock and the limits.

use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use custody_store::Store;

/// Server time. Normally the system clock; the demo loader replays history by
/// setting the time before each request it sends.
#[derive(Debug, Default)]
pub struct Clock {
    replay: Mutex<Option<f64>>,
}

impl Clock {
    /// Seconds since the epoch.
    pub fn now(&self) -> f64 {
        if let Some(t) = *self.replay.lock().unwrap_or_else(|e| e.into_inner()) {
            return t;
        }
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64())
    }

    /// Makes `now()` return this time until changed.
    pub fn replay_at(&self, at: f64) {
        *self.replay.lock().unwrap_or_else(|e| e.into_inner()) = Some(at);
    }

    /// Back to the system clock.
    pub fn follow_system(&self) {
        *self.replay.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// Shared handler state.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub clock: Arc<Clock>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>) -> Self {
        AppState {
            store,
            clock: Arc::new(Clock::default()),
        }
    }

    pub fn now(&self) -> f64 {
        self.clock.now()
    }
}
