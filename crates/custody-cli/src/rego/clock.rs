//! The clock the policy engine's time limit reads. The engine is built
//! without its `std` feature, which would also have it write its own
//! diagnostics to standard error ahead of Custody's error (`could not
//! schedule all statements`), so the clock is given to it here.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use regorus::utils::limits::{TimeSource, set_time_source};

struct Monotonic;

impl TimeSource for Monotonic {
    fn now(&self) -> Option<Duration> {
        static START: OnceLock<Instant> = OnceLock::new();
        Some(START.get_or_init(Instant::now).elapsed())
    }
}

static CLOCK: Monotonic = Monotonic;

/// Gives the engine its clock; after the first call it has it already.
pub(super) fn install() {
    let _already_set = set_time_source(&CLOCK);
}
