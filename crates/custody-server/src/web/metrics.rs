//! Delivery metrics pages: an environment's (`/{org}/environments/{env}/metrics`)
//! and a flow's in every environment it ran in (`/{org}/flows/{flow}/metrics`),
//! each a row of figures and a chart of deployments per day over a window.

use askama::Template;
use axum::extract::{Path, Query, State};
use custody_api::{DoraFigures, DurationSpread};
use custody_core::dora::MAX_WINDOW_DAYS;
use serde::Deserialize;

use super::format::{When, short, url_encode};
use super::{Nav, PageResult, Viewer, dora_chart, render};
use crate::body::Params;
use crate::routes::metrics::{self, DoraQuery};
use crate::state::AppState;

/// The windows a page offers, in days (any from 1 to
/// [`MAX_WINDOW_DAYS`] can be asked for); 28 unless another is picked.
const WINDOWS: [u32; 4] = [7, 28, 90, 365];
const DEFAULT_WINDOW: u32 = 28;

pub struct FailedRow {
    flow: String,
    fingerprint: String,
    link: String,
    started: When,
    cause: String,
    restored: Option<When>,
}

/// One environment's figures as the page shows them.
pub struct Block {
    environment: String,
    deployments: usize,
    per_day: String,
    lead_time: String,
    change_failure: String,
    time_to_restore: String,
    rework: String,
    chart: String,
    failed: Vec<FailedRow>,
    untracked: usize,
}

#[derive(Template)]
#[template(path = "metrics.html")]
struct MetricsPage {
    nav: Nav,
    /// `aws-prod` or `flow runner`.
    title: String,
    /// Where the title links back to.
    back: String,
    window: u32,
    /// The windows offered, the chosen one among them.
    windows: Vec<u32>,
    from: Option<When>,
    to: Option<When>,
    blocks: Vec<Block>,
}

#[derive(Debug, Default, Deserialize)]
pub struct WindowQuery {
    #[serde(default)]
    window: Option<u32>,
}

fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "—".to_string(), |r| format!("{:.0}%", r * 100.0))
}

fn median(s: Option<&DurationSpread>) -> String {
    s.map_or_else(
        || "—".to_string(),
        |s| custody_core::timeago::duration(s.median_seconds),
    )
}

fn block(org: &str, f: DoraFigures, now: f64) -> Block {
    let failed = f
        .failed_deployments
        .iter()
        .map(|d| FailedRow {
            link: format!(
                "/{}/flows/{}/artifacts/{}",
                url_encode(org),
                url_encode(&d.flow),
                d.fingerprint
            ),
            flow: d.flow.clone(),
            fingerprint: short(&d.fingerprint),
            started: When::at(d.started_at, now),
            cause: d.cause.replace('_', " "),
            restored: d.restored_at.map(|t| When::at(t, now)),
        })
        .collect();
    Block {
        chart: dora_chart::per_day(&f),
        deployments: f.deployments,
        per_day: format!("{:.2}", f.deployments_per_day),
        lead_time: median(f.lead_time.as_ref()),
        change_failure: percent(f.change_failure_rate),
        time_to_restore: median(f.time_to_restore.as_ref()),
        rework: percent(f.rework_rate),
        untracked: f.untracked,
        environment: f.environment,
        failed,
    }
}

async fn page(
    state: AppState,
    viewer: Viewer,
    org: String,
    (title, back): (String, String),
    query: DoraQuery,
    window: u32,
) -> PageResult {
    let mut api = format!("/api/v2/metrics/{}/dora?window={window}d", url_encode(&org));
    for (key, value) in [("environment", &query.environment), ("flow", &query.flow)] {
        if let Some(v) = value {
            api.push_str(&format!("&{key}={}", url_encode(v)));
        }
    }
    let nav = Nav::of(&viewer, &org, api)?;
    let report = metrics::dora(
        State(state.clone()),
        viewer.authed(),
        Path(org.clone()),
        Params(query),
    )
    .await?
    .0;
    let now = state.now().seconds();
    let first = report.environments.first();
    render(MetricsPage {
        from: first.map(|f| When::at(f.from, now)),
        to: first.map(|f| When::at(f.to, now)),
        blocks: report
            .environments
            .into_iter()
            .map(|f| block(&org, f, now))
            .collect(),
        nav,
        title,
        back,
        window,
        windows: offered(window),
    })
}

/// The windows to offer: the usual ones and the chosen one, in order.
fn offered(window: u32) -> Vec<u32> {
    let mut windows = WINDOWS.to_vec();
    if !windows.contains(&window) {
        windows.push(window);
        windows.sort_unstable();
    }
    windows
}

fn chosen(q: &WindowQuery) -> u32 {
    q.window
        .filter(|d| (1..=MAX_WINDOW_DAYS).contains(d))
        .unwrap_or(DEFAULT_WINDOW)
}

/// `GET /{org}/environments/{env}/metrics`.
pub async fn environment(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, env)): Path<(String, String)>,
    Query(q): Query<WindowQuery>,
) -> PageResult {
    let window = chosen(&q);
    let back = format!("/{}/environments/{}", url_encode(&org), url_encode(&env));
    let query = DoraQuery {
        environment: Some(env.clone()),
        window: Some(format!("{window}d")),
        ..DoraQuery::default()
    };
    page(state, viewer, org, (env, back), query, window).await
}

/// `GET /{org}/flows/{flow}/metrics`.
pub async fn flow(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, flow)): Path<(String, String)>,
    Query(q): Query<WindowQuery>,
) -> PageResult {
    let window = chosen(&q);
    let back = format!("/{}/flows/{}", url_encode(&org), url_encode(&flow));
    let query = DoraQuery {
        flow: Some(flow.clone()),
        window: Some(format!("{window}d")),
        ..DoraQuery::default()
    };
    page(
        state,
        viewer,
        org,
        (format!("flow {flow}"), back),
        query,
        window,
    )
    .await
}
