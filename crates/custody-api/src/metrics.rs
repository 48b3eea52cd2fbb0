//! Delivery metrics documents: `GET /metrics/{org}/dora`, the DORA figures of
//! each environment (optionally of one flow) over a window, from what ran.

use serde::{Deserialize, Serialize};

/// The median and 90th percentile of some durations.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DurationSpread {
    pub median_seconds: f64,
    pub p90_seconds: f64,
    pub count: usize,
}

/// A deployment that failed: rolled back, or run while non-compliant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FailedDeployment {
    pub flow: String,
    pub fingerprint: String,
    pub started_at: f64,
    /// `rolled_back` or `non_compliant`.
    pub cause: String,
    pub restored_at: Option<f64>,
    pub restored_by: Option<String>,
}

/// The DORA figures of one environment over a window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DoraFigures {
    pub environment: String,
    /// The flow measured, or none for every flow.
    pub flow: Option<String>,
    pub from: f64,
    pub to: f64,
    /// Versions that started running in the window.
    pub deployments: usize,
    pub deployments_per_day: f64,
    /// Commit (or build) to first running here.
    pub lead_time: Option<DurationSpread>,
    pub lead_times_from_commit: usize,
    pub change_failure_rate: Option<f64>,
    pub failed_deployments: Vec<FailedDeployment>,
    pub time_to_restore: Option<DurationSpread>,
    /// Rollbacks and fixes of failed deployments.
    pub rework: usize,
    pub rework_rate: Option<f64>,
    /// Deployments on each day of the window, oldest first.
    pub per_day: Vec<usize>,
    /// Versions without provenance that started in the window (not measured).
    pub untracked: usize,
}

/// `GET /metrics/{org}/dora`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DoraReport {
    pub window_days: u32,
    pub environments: Vec<DoraFigures>,
}
