//! `GET /metrics/{org}/dora`: delivery metrics from what actually ran, per
//! environment (all the org's, or one) and optionally for one flow, over a
//! window that ends at `until` or at the latest report.

use axum::Json;
use axum::extract::{Path, State};
use custody_api::DoraReport;
use custody_core::dora::{Window, window_days};
use custody_store::EnvironmentRow;
use serde::Deserialize;

use super::api_doc::Refusals;
use crate::auth::{Authed, Permission};
use crate::body::Params;
use crate::docs::dora;
use crate::error::{ApiError, ApiResult};
use crate::lookup;
use crate::state::AppState;

#[derive(Debug, Default, Deserialize)]
pub struct DoraQuery {
    #[serde(default, deserialize_with = "crate::body::non_empty")]
    pub environment: Option<String>,
    #[serde(default, deserialize_with = "crate::body::non_empty")]
    pub flow: Option<String>,
    #[serde(default, deserialize_with = "crate::body::non_empty")]
    pub window: Option<String>,
    #[serde(default, deserialize_with = "crate::body::non_empty")]
    pub until: Option<String>,
}

/// The window's length unless asked for: 28 days.
const DEFAULT_WINDOW: &str = "28d";

/// `until` as Unix seconds: an RFC 3339 time, or a date meaning its end (UTC).
fn until_seconds(text: &str) -> Result<f64, String> {
    if let Ok(t) = text.parse::<jiff::Timestamp>() {
        return Ok(t.as_second() as f64);
    }
    let date: jiff::civil::Date = text.parse().map_err(|_| {
        format!("'{text}' is not a time: give a date (2022-09-10) or an RFC 3339 time (2022-09-10T12:00:00Z)")
    })?;
    let next = date.tomorrow().map_err(|e| e.to_string())?;
    let end = next
        .to_zoned(jiff::tz::TimeZone::UTC)
        .map_err(|e| e.to_string())?;
    Ok(end.timestamp().as_second() as f64)
}

#[utoipa::path(
    get,
    path = "/metrics/{org}/dora",
    tag = "metrics",
    operation_id = "dora_metrics",
    params(
        ("org" = String, Path, description = "The organization"),
        ("environment" = Option<String>, Query, description = "Only this environment"),
        ("flow" = Option<String>, Query, description = "Only this flow's artifacts"),
        ("window" = Option<String>, Query, description = "Days or weeks back from `until`: 28d (default) or 4w"),
        ("until" = Option<String>, Query, description = "The window's end: a date or RFC 3339 time; the latest report by default")
    ),
    responses(
        (status = 200, description = "Deployment frequency, lead time, change failure rate, time to restore and rework per environment", body = DoraReport),
        Refusals
    )
)]
pub async fn dora(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
    Params(q): Params<DoraQuery>,
) -> ApiResult<Json<DoraReport>> {
    let org = auth.scope(&org, Permission::Read)?;
    let days = window_days(q.window.as_deref().unwrap_or(DEFAULT_WINDOW)).map_err(ApiError::bad)?;
    let until = q
        .until
        .as_deref()
        .map(until_seconds)
        .transpose()
        .map_err(ApiError::bad)?;
    if let Some(flow) = &q.flow {
        lookup::flow(&state, &org, flow).await?;
    }
    let envs: Vec<EnvironmentRow> = match &q.environment {
        Some(name) => {
            let env = lookup::environment(&state, &org, name).await?;
            if env.kind.is_logical() {
                return Err(ApiError::bad(format!(
                    "'{name}' is a logical environment: measure one of its members"
                )));
            }
            vec![env]
        }
        None => state
            .store
            .environments(org.id, None)
            .await?
            .0
            .into_iter()
            .filter(|e| !e.kind.is_logical() && e.latest_index > 0)
            .collect(),
    };
    let to = until.unwrap_or_else(|| {
        envs.iter()
            .filter_map(|e| e.last_reported_at)
            .map(|t| t.seconds())
            .fold(f64::NAN, f64::max)
    });
    let to = if to.is_nan() {
        state.now().seconds()
    } else {
        to
    };
    let window = Window {
        from: to - f64::from(days) * 86_400.0,
        to,
    };
    let mut environments = Vec::with_capacity(envs.len());
    for env in &envs {
        environments.push(dora::figures(&state, &org, env, q.flow.as_deref(), window).await?);
    }
    Ok(Json(DoraReport {
        window_days: days,
        environments,
    }))
}
