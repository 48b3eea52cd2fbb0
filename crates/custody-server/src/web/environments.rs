//! One environment's page (`/{org}/environments/{env}`): its latest snapshot,
//! its timeline over a chosen window, and its snapshots and events, both paged. `…/latest` answers the
//! latest snapshot index, which the live script polls.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use custody_api::{Environment, EnvironmentEvent, SnapshotSummary};
use custody_core::Fingerprint;
use custody_core::Timestamp;
use custody_core::ids::FlowId;
use serde::Deserialize;

use super::format::{Badge, When, short, url_encode};
use super::timeline::{self, Bar};
use super::{Nav, PageResult, Viewer, render};
use crate::auth::Permission;
use crate::body::{Paging, Params};
use crate::docs::provenance::provenance;
use crate::error::ApiError;
use crate::lookup;
use crate::routes::{environments, snapshots};
use crate::state::AppState;

pub struct SnapshotRow {
    index: i64,
    from: When,
    /// How long it was (or has been) the current snapshot.
    lasted: String,
}

pub struct EventRow {
    when: When,
    index: i64,
    kind: String,
    artifact: String,
    description: String,
}

#[derive(Template)]
#[template(path = "environment.html")]
struct EnvironmentPage {
    nav: Nav,
    env: Environment,
    badge: Badge,
    latest: i64,
    timeline: String,
    snapshots: Vec<SnapshotRow>,
    events: Vec<EventRow>,
    page: u32,
    /// Days of history the timeline shows.
    window: u32,
    windows: [u32; 4],
    /// A logical environment's members.
    members: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    page: Option<u32>,
    /// Days of history on the timeline, one of [`WINDOWS`].
    #[serde(default)]
    window: Option<u32>,
}

const PER_PAGE: u32 = 20;

pub async fn environment(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, name)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
) -> PageResult {
    let api = format!(
        "/api/v2/environments/{}/{}",
        url_encode(&org),
        url_encode(&name)
    );
    let mut nav = Nav::of(&viewer, &org, api)?;
    nav.live = format!(
        "/{}/environments/{}/latest",
        url_encode(&org),
        url_encode(&name)
    );
    let path = || Path((org.clone(), name.clone()));
    let env = environments::get(State(state.clone()), viewer.authed(), path())
        .await?
        .0;
    let page = q.page.unwrap_or(1).max(1);
    let paging = Paging {
        page: Some(page),
        per_page: Some(PER_PAGE),
    };
    let scope = viewer.authed().scope(&org, Permission::Read)?;
    let row = lookup::environment(&state, &scope, &name).await?;
    let mut members = Vec::new();
    let (summaries, events) = if row.kind.is_logical() {
        members = state
            .store
            .environment_members(row.id)
            .await?
            .into_iter()
            .map(|m| m.name)
            .collect();
        (Vec::new(), Vec::new())
    } else {
        let list = || {
            Params(snapshots::ListQuery {
                interval: None,
                reverse: None,
                paging,
            })
        };
        let summaries: Vec<SnapshotSummary> =
            snapshots::list(State(state.clone()), viewer.authed(), path(), list())
                .await?
                .0;
        let events: Vec<EnvironmentEvent> =
            snapshots::events(State(state.clone()), viewer.authed(), path(), list())
                .await?
                .0;
        (summaries, events)
    };
    let now = state.now().seconds();
    let window = q
        .window
        .filter(|d| WINDOWS.contains(d))
        .unwrap_or(DEFAULT_WINDOW);
    let timeline = timeline_of(&state, &viewer, &org, &row, window).await?;
    render(EnvironmentPage {
        nav,
        badge: Badge::compliant(env.state),
        latest: row.latest_index,
        timeline,
        snapshots: summaries
            .into_iter()
            .map(|s| SnapshotRow {
                index: s.index,
                from: When::at(s.from, now),
                lasted: lasted(s.duration),
            })
            .collect(),
        events: events
            .into_iter()
            .map(|e| EventRow {
                when: When::at(e.reported_at, now),
                index: e.snapshot_index,
                kind: e.kind,
                artifact: e.artifact_name,
                description: e.description,
            })
            .collect(),
        page,
        window,
        windows: WINDOWS,
        members,
        env,
    })
}

/// How many days of history the timeline can show.
pub const WINDOWS: [u32; 4] = [7, 30, 90, 365];
/// The timeline's window unless the viewer picks another.
const DEFAULT_WINDOW: u32 = 30;

/// The timeline of the last `days` before the latest report: the runs open
/// in that window, in four queries.
async fn timeline_of(
    state: &AppState,
    viewer: &Viewer,
    org: &str,
    env: &custody_store::EnvironmentRow,
    days: u32,
) -> Result<String, ApiError> {
    if env.latest_index == 0 {
        return Ok(timeline::environment(Vec::new(), 0.0, 0.0));
    }
    let end = env.last_reported_at.unwrap_or_else(|| state.now());
    let since = end.seconds() - f64::from(days) * 86_400.0;
    let first = state
        .store
        .snapshot_at_time(env.id, Timestamp::from_seconds(since))
        .await?
        .unwrap_or(1);
    let runs = state
        .store
        .runs_during(env.id, first, env.latest_index)
        .await?;
    let fingerprints: Vec<Fingerprint> = runs.iter().map(|r| r.fingerprint.clone()).collect();
    let known = provenance(state, viewer.principal.org_id, fingerprints).await?;
    let flows: HashMap<FlowId, String> = state
        .store
        .flows_by_id(
            &known
                .values()
                .filter_map(|p| p.primary().map(|a| a.flow_id))
                .collect::<Vec<_>>(),
        )
        .await?
        .into_iter()
        .map(|f| (f.id, f.name))
        .collect();
    let end = runs
        .iter()
        .filter_map(|r| r.to_at)
        .map(Timestamp::seconds)
        .fold(end.seconds(), f64::max);
    let start = runs
        .iter()
        .map(|r| r.from_at.seconds())
        .fold(end, f64::min)
        .max(since);
    let bars = runs
        .into_iter()
        .map(|run| {
            let found = known.get(&run.fingerprint);
            let primary = found.and_then(|p| p.primary());
            let flow = primary.and_then(|a| flows.get(&a.flow_id)).cloned();
            Bar {
                lane: flow.clone().unwrap_or_else(|| base_name(&run.name)),
                link: flow.map(|f| {
                    format!(
                        "/{}/flows/{}/artifacts/{}",
                        url_encode(org),
                        url_encode(&f),
                        run.fingerprint
                    )
                }),
                commit: primary.and_then(|a| a.git_commit.as_deref().map(short)),
                compliant: found.map(|p| p.compliant()),
                from: run.from_at.seconds(),
                to: run.to_at.map(Timestamp::seconds),
                replicas: run.replicas,
                name: run.name,
                fingerprint: run.fingerprint.into(),
            }
        })
        .collect();
    Ok(timeline::environment(bars, start, end.max(start + 1.0)))
}

/// A duration in words: `3 days`, `5 hours`, `12 minutes`.
fn lasted(seconds: f64) -> String {
    let words = super::format::ago(seconds);
    words
        .strip_suffix(" ago")
        .unwrap_or("under a minute")
        .to_string()
}

/// `registry/team/runner:16d9990` → `runner`.
fn base_name(name: &str) -> String {
    let last = name.rsplit('/').next().unwrap_or(name);
    last.split([':', '@']).next().unwrap_or(last).to_string()
}

/// `GET /{org}/environments/{env}/latest`: the latest snapshot index, as text.
pub async fn latest(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, name)): Path<(String, String)>,
) -> PageResult {
    Nav::of(&viewer, &org, String::new())?;
    let scope = viewer.authed().scope(&org, Permission::Read)?;
    let row = lookup::environment(&state, &scope, &name).await?;
    Ok(axum::response::IntoResponse::into_response(
        row.latest_index.to_string(),
    ))
}
