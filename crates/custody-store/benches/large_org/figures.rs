//! How a figure is printed: the median and 99th percentile of timed samples,
//! and whether a value meets its target or by how much it misses.

use std::time::Duration;

/// The median and 99th percentile of some durations, in milliseconds.
pub fn percentiles(mut samples: Vec<Duration>) -> (f64, f64) {
    samples.sort();
    let at = |q: f64| {
        let i = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples[i].as_secs_f64() * 1e3
    };
    (at(0.5), at(0.99))
}

/// `  target < X ms: missed by Y ms (Z×)` when `value` is over `target`.
pub fn verdict(value: f64, target: f64) -> String {
    if value <= target {
        format!("meets < {target} ms")
    } else {
        format!(
            "MISSES < {target} ms by {:.1} ms ({:.1}×)",
            value - target,
            value / target
        )
    }
}
