//! One environment's page (`/{org}/environments/{env}`): its latest snapshot,
//! its timeline over a chosen window ([`history`]), and its snapshots and
//! events, both paged, each read once for the page. `…/latest` answers the
//! latest snapshot index, which the live script polls.

use askama::Template;
use axum::extract::{Path, Query, State};
use custody_api::{Environment, EnvironmentEvent};
use custody_core::Timestamp;
use custody_store::Page;
use serde::Deserialize;

use super::environment_history::{DRAWN_SNAPSHOTS, history};
use super::format::{Badge, When, url_encode};
use super::{Nav, PageResult, Viewer, render};
use crate::auth::Permission;
use crate::docs::environment::document;
use crate::docs::environment_log;
use crate::lookup;
use crate::routes::policy_attachments::attached_names;
use crate::routes::snapshots;
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
    /// The snapshot the timeline starts from, when the window held more
    /// than it draws.
    drawn_from: Option<i64>,
    drawn_at_most: i64,
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
    let scope = viewer.authed().scope(&org, Permission::Read)?;
    let row = lookup::environment(&state, &scope, &name).await?;
    let page = q.page.unwrap_or(1).max(1);
    let window = q
        .window
        .filter(|d| WINDOWS.contains(d))
        .unwrap_or(DEFAULT_WINDOW);
    let history = history(&state, &scope, &row, window).await?;
    let mut env = document(&scope, row.clone(), history.compliant);
    env.policies = attached_names(&state, &scope, &row).await?;
    let now = state.now();
    let (mut snapshots, mut events, mut members) = (Vec::new(), Vec::new(), Vec::new());
    if row.kind.is_logical() {
        members = state
            .store
            .environment_members(row.id)
            .await?
            .into_iter()
            .map(|m| m.name)
            .collect();
    } else {
        let paged = Page {
            page,
            per_page: PER_PAGE,
        };
        let (from, to) = snapshots::range(&row, None, paged)?;
        let newest = Page { page: 1, ..paged };
        let rows = state
            .store
            .snapshots(row.id, from, to, true, newest)
            .await?;
        let runs = state.store.runs_changed(row.id, from, to).await?;
        let mut log =
            environment_log::events(&row.name, &runs, &rows, (from, to), |_| String::new());
        log.reverse();
        events = log.into_iter().map(|e| event_row(e, now)).collect();
        snapshots = rows.iter().map(|s| snapshot_row(s, now)).collect();
    }
    render(EnvironmentPage {
        nav,
        badge: Badge::compliant(env.state),
        latest: row.latest_index,
        timeline: history.timeline,
        drawn_from: history.drawn_from,
        drawn_at_most: DRAWN_SNAPSHOTS,
        snapshots,
        events,
        page,
        window,
        windows: WINDOWS,
        members,
        env,
    })
}

fn snapshot_row(s: &custody_store::SnapshotRow, now: Timestamp) -> SnapshotRow {
    let from = s.created_at.seconds();
    SnapshotRow {
        index: s.idx,
        from: When::at(from, now.seconds()),
        lasted: custody_core::timeago::duration(s.next_at.unwrap_or(now).seconds() - from),
    }
}

fn event_row(e: EnvironmentEvent, now: Timestamp) -> EventRow {
    EventRow {
        when: When::at(e.reported_at, now.seconds()),
        index: e.snapshot_index,
        kind: e.kind,
        artifact: e.artifact_name,
        description: e.description,
    }
}

/// How many days of history the timeline can show.
pub const WINDOWS: [u32; 4] = [7, 30, 90, 365];
/// The timeline's window unless the viewer picks another.
const DEFAULT_WINDOW: u32 = 30;

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
