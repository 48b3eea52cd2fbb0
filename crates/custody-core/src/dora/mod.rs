//! Delivery metrics (DORA) from what actually ran: given each version's stays
//! in one environment, the deployments that started in a window, how long
//! changes took from commit (or build) to first running there, which
//! deployments failed — rolled back (replaced by an older version) or run
//! while non-compliant — how long restoring took, and how much of the work was
//! rework (rollbacks and fixes of failed deployments).

mod failures;
#[cfg(test)]
mod tests;

pub use failures::{Cause, Failure};

/// One version's uninterrupted stay in the environment (scaling does not
/// interrupt it). Times are Unix seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Stay {
    /// The flow that built it: rollbacks are found among one flow's versions.
    pub flow: String,
    pub fingerprint: String,
    /// When the artifact was reported (built).
    pub built_at: f64,
    /// The commit's time, when the build reported it.
    pub committed_at: Option<f64>,
    pub from: f64,
    /// `None`: still running.
    pub to: Option<f64>,
    /// Whether the version may run here (compliant, or allowed by policy).
    pub compliant: bool,
    /// When this version first started running in the environment, if before
    /// `from` (a redeploy or a rollback to it).
    pub first_ran_at: Option<f64>,
}

/// A time span, Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Window {
    pub from: f64,
    pub to: f64,
}

impl Window {
    fn holds(&self, t: f64) -> bool {
        self.from <= t && t <= self.to
    }

    fn days(&self) -> f64 {
        ((self.to - self.from) / 86_400.0).max(1.0 / 24.0)
    }
}

/// The longest window that can be measured, in days.
pub const MAX_WINDOW_DAYS: u32 = 366;

/// A window's length in days from `28d`, `4w` or `28`.
pub fn window_days(text: &str) -> Result<u32, String> {
    let text = text.trim();
    let (number, per) = match text.strip_suffix('w') {
        Some(weeks) => (weeks, 7),
        None => (text.strip_suffix('d').unwrap_or(text), 1),
    };
    let days = number
        .parse::<u32>()
        .ok()
        .and_then(|n| n.checked_mul(per))
        .filter(|d| (1..=MAX_WINDOW_DAYS).contains(d));
    days.ok_or_else(|| {
        format!(
            "'{text}' is not a window: give days or weeks such as 28d or 4w, from 1 day to {MAX_WINDOW_DAYS} days"
        )
    })
}

/// The median and 90th percentile of some durations, in seconds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    pub median: f64,
    pub p90: f64,
    pub count: usize,
}

impl Spread {
    fn of(mut values: Vec<f64>) -> Option<Spread> {
        if values.is_empty() {
            return None;
        }
        values.sort_by(f64::total_cmp);
        let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
        Some(Spread {
            median: at(0.5),
            p90: at(0.9),
            count: values.len(),
        })
    }
}

/// The figures of one environment (optionally one flow) over a window.
#[derive(Debug, Clone, PartialEq)]
pub struct Dora {
    pub window: Window,
    /// Versions that started running in the window.
    pub deployments: usize,
    pub deployments_per_day: f64,
    /// From commit (or build) to first running here, for versions new here.
    pub lead_time: Option<Spread>,
    /// How many lead times started at the commit rather than the build.
    pub lead_times_from_commit: usize,
    pub failures: Vec<Failure>,
    /// Failed deployments over deployments.
    pub change_failure_rate: Option<f64>,
    /// From a failed deployment to the version that replaced it.
    pub time_to_restore: Option<Spread>,
    /// Rollbacks and fixes of failed deployments.
    pub rework: usize,
    pub rework_rate: Option<f64>,
    /// Deployments started on each day of the window, oldest first.
    pub per_day: Vec<usize>,
}

/// The figures of `stays` over `window`.
pub fn measure(stays: &[Stay], window: Window) -> Dora {
    let started: Vec<&Stay> = stays.iter().filter(|s| window.holds(s.from)).collect();
    let deployments = started.len();
    let mut from_commit = 0;
    let lead: Vec<f64> = started
        .iter()
        .filter(|s| s.first_ran_at.is_none_or(|t| t >= s.from))
        .map(|s| {
            let since = match s.committed_at {
                Some(t) => {
                    from_commit += 1;
                    t
                }
                None => s.built_at,
            };
            (s.from - since).max(0.0)
        })
        .collect();
    let found = failures::find(stays, window);
    let rework = found.iter().filter(|f| f.reworked).count();
    let restored: Vec<f64> = found.iter().filter_map(Failure::restored_after).collect();
    let rate = |n: usize| (deployments > 0).then(|| n as f64 / deployments as f64);
    let days = (window.days().ceil() as usize).max(1);
    let mut per_day = vec![0; days];
    for s in &started {
        let day = ((s.from - window.from) / 86_400.0) as usize;
        per_day[day.min(days - 1)] += 1;
    }
    Dora {
        window,
        deployments,
        deployments_per_day: deployments as f64 / window.days(),
        lead_time: Spread::of(lead),
        lead_times_from_commit: from_commit,
        change_failure_rate: rate(found.len()),
        time_to_restore: Spread::of(restored),
        rework,
        rework_rate: rate(rework),
        failures: found,
        per_day,
    }
}
