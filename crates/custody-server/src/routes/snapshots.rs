//! Snapshots: get by reference, list with intervals, diff, and the environment
//! event log.

use axum::Json;
use axum::extract::{Path, State};
use custody_api::{EnvironmentEvent, Snapshot, SnapshotDiff, SnapshotSummary};
use custody_core::event_range::shown;
use custody_core::expr::{Snappish, parse_interval, parse_suffix};
use custody_core::{Fingerprint, Timestamp};
use custody_store::{EnvironmentRow, Page};
use serde::Deserialize;

use super::api_doc::Refusals;
use super::event_filter::EventFilter;
use crate::auth::{Authed, Permission};
use crate::body::{Paging, Pairs, Params};
use crate::docs::built_from::built_from;
use crate::docs::environment::logical_snapshot;
use crate::docs::environment_log;
use crate::docs::provenance::{flows_of, records};
use crate::docs::snapshot;
use crate::docs::{diff, gate};
use crate::error::{ApiError, ApiResult};
use crate::lookup;
use crate::state::AppState;

/// `GET /snapshots/{org}/{env}/{id}`: `-1`, `N`, `-N`, `#N`, `~N` or `@{…}`.
#[utoipa::path(
    get,
    path = "/snapshots/{org}/{env}/{id}",
    tag = "environments",
    operation_id = "get_snapshot",
    params(
        ("org" = String, Path, description = "The organization"),
        ("env" = String, Path, description = "The environment"),
        ("id" = String, Path, description = "-1, N, -N, #N, ~N or @{time}")
    ),
    responses(
        (status = 200, description = "The snapshot", body = Snapshot),
        Refusals
    )
)]
pub async fn get(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, env, id)): Path<(String, String, String)>,
) -> ApiResult<Json<Snapshot>> {
    let org = auth.scope(&org, Permission::Read)?;
    let at = parse_suffix(&id).map_err(|reason| {
        let sep = if id.starts_with(['#', '~', '@']) {
            ""
        } else {
            "#"
        };
        ApiError::bad(format!("invalid expression: {env}{sep}{id}{reason}"))
    })?;
    let row = lookup::environment(&state, &org, &env).await?;
    if row.kind.is_logical() {
        return Ok(Json(logical_snapshot(&state, &org, &row, &at).await?));
    }
    let (env, index) = snapshot::resolve(&state, &org, &env, &at).await?;
    Ok(Json(snapshot::document(&state, &org, &env, index).await?))
}

#[derive(Debug, Deserialize)]
pub struct ListQuery {
    #[serde(default, deserialize_with = "crate::body::non_empty")]
    pub interval: Option<String>,
    #[serde(default, deserialize_with = "crate::body::flag")]
    pub reverse: Option<bool>,
    #[serde(flatten)]
    pub paging: Paging,
}

/// The index range a list asks for: an interval, or a page counted back from
/// the latest; `(1, 0)` when that is no snapshot.
pub(crate) fn range(
    env: &EnvironmentRow,
    interval: Option<&str>,
    page: Page,
) -> ApiResult<(i64, i64)> {
    let interval = parsed_interval(env, interval)?;
    let page = (page.offset(), page.limit());
    Ok(shown((1, env.latest_index), interval, page).unwrap_or((1, 0)))
}

fn parsed_interval(env: &EnvironmentRow, interval: Option<&str>) -> ApiResult<Option<(i64, i64)>> {
    interval
        .map(|text| parse_interval(text, env.latest_index).map_err(ApiError::bad))
        .transpose()
}

/// `GET /snapshots/{org}/{env}`: newest first (oldest first with `reverse`).
#[utoipa::path(
    get,
    path = "/snapshots/{org}/{env}",
    tag = "environments",
    operation_id = "list_snapshots",
    params(
        ("org" = String, Path, description = "The organization"),
        ("env" = String, Path, description = "The environment"),
        ("interval" = Option<String>, Query, description = "Snapshot indexes such as 3..9"),
        ("reverse" = Option<bool>, Query, description = "Oldest first"),
        ("page" = Option<u32>, Query, description = "Page number, from 1"),
        ("per_page" = Option<u32>, Query, description = "Items per page")
    ),
    responses(
        (status = 200, description = "Snapshots, newest first", body = Vec<SnapshotSummary>),
        Refusals
    )
)]
pub async fn list(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, env)): Path<(String, String)>,
    Params(q): Params<ListQuery>,
) -> ApiResult<Json<Vec<SnapshotSummary>>> {
    let org = auth.scope(&org, Permission::Read)?;
    let env = lookup::environment(&state, &org, &env).await?;
    let page = q.paging.or_default(15)?;
    let (from, to) = range(&env, q.interval.as_deref(), page)?;
    let list_page = if q.interval.is_some() {
        page
    } else {
        Page { page: 1, ..page }
    };
    let rows = state
        .store
        .snapshots(env.id, from, to, !q.reverse.unwrap_or(false), list_page)
        .await?;
    let now = state.now();
    let listed = rows.iter().map(|s| s.idx);
    let span = (listed.clone().min(), listed.max());
    let compliance = match span {
        (Some(first), Some(last)) => {
            gate::compliance_during(&state, &org, &env, (first, last)).await?
        }
        _ => Default::default(),
    };
    Ok(Json(
        rows.into_iter()
            .map(|s| SnapshotSummary {
                index: s.idx,
                from: s.created_at.seconds(),
                to: s.next_at.map_or(0.0, Timestamp::seconds),
                duration: s.next_at.unwrap_or(now).seconds() - s.created_at.seconds(),
                compliant: compliance.get(&s.idx).copied().unwrap_or(false),
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize)]
pub struct DiffQuery {
    pub snappish1: String,
    pub snappish2: String,
}

/// `GET /env-diff/{org}?snappish1=&snappish2=`: also across environments.
#[utoipa::path(
    get,
    path = "/env-diff/{org}",
    tag = "environments",
    operation_id = "diff_snapshots",
    params(
        ("org" = String, Path, description = "The organization"),
        ("snappish1" = String, Query, description = "A snapshot expression such as prod#64"),
        ("snappish2" = String, Query, description = "A snapshot expression such as prod#65")
    ),
    responses(
        (status = 200, description = "What changed between the two", body = SnapshotDiff),
        Refusals
    )
)]
pub async fn diff(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
    Params(q): Params<DiffQuery>,
) -> ApiResult<Json<SnapshotDiff>> {
    let org = auth.scope(&org, Permission::Read)?;
    let s1 = Snappish::parse(&q.snappish1).map_err(ApiError::bad)?;
    let s2 = Snappish::parse(&q.snappish2).map_err(ApiError::bad)?;
    let (env1, i1) =
        snapshot::resolve_written(&state, &org, &s1.env, &s1.at, Some(&q.snappish1)).await?;
    let (env2, i2) =
        snapshot::resolve_written(&state, &org, &s2.env, &s2.at, Some(&q.snappish2)).await?;
    Ok(Json(
        diff::diff(&state, &org, (&env1, i1), (&env2, i2)).await?,
    ))
}

/// `GET /environments/{org}/{env}/events`: what started, scaled and stopped, by snapshot.
#[utoipa::path(
    get,
    path = "/environments/{org}/{env}/events",
    tag = "environments",
    operation_id = "environment_events",
    params(
        ("org" = String, Path, description = "The organization"),
        ("env" = String, Path, description = "The environment"),
        ("interval" = Option<String>, Query, description = "Snapshot indexes such as 3..9"),
        ("reverse" = Option<bool>, Query, description = "Oldest first"),
        ("repo_name" = Option<Vec<String>>, Query, description = "Only events of artifacts built from repos of these names (repeatable)"),
        ("start" = Option<String>, Query, description = "The first snapshot: an index, or a time such as NOW, 1hour or 2023-10-02T12:00:00"),
        ("end" = Option<String>, Query, description = "The last snapshot: an index, or a time such as NOW, 1hour or 2023-10-02T12:00:00"),
        ("start_ts" = Option<f64>, Query, description = "Only snapshots taken at or after this Unix time (seconds)"),
        ("end_ts" = Option<f64>, Query, description = "Only snapshots taken at or before this Unix time (seconds)"),
        ("page" = Option<u32>, Query, description = "Page number, from 1, counted back from the end of the range"),
        ("per_page" = Option<u32>, Query, description = "Snapshots per page")
    ),
    responses(
        (status = 200, description = "What started, scaled and stopped", body = Vec<EnvironmentEvent>),
        Refusals
    )
)]
pub async fn events(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, env)): Path<(String, String)>,
    query: Pairs,
    Params(q): Params<ListQuery>,
) -> ApiResult<Json<Vec<EnvironmentEvent>>> {
    let org = auth.scope(&org, Permission::Read)?;
    let filter = EventFilter::from_query(&query, state.now())?;
    let env = lookup::environment(&state, &org, &env).await?;
    let interval = parsed_interval(&env, q.interval.as_deref())?;
    let page = q.paging.or_default(15)?;
    let Some((from, to)) = filter.indexes(&state, &env, interval, page).await? else {
        return Ok(Json(Vec::new()));
    };
    let mut runs = state.store.runs_changed(env.id, from, to).await?;
    let fingerprints: Vec<Fingerprint> = runs.iter().map(|r| r.fingerprint.clone()).collect();
    let records = records(&state, org.id, &fingerprints).await?;
    if !filter.repos.is_empty() {
        let kept = built_from(&state, org.id, &filter.repos, &records).await?;
        runs.retain(|r| kept.contains(&r.fingerprint));
    }
    let snapshots = state
        .store
        .snapshots(
            env.id,
            from,
            to,
            false,
            Page {
                page: 1,
                per_page: (to - from + 1).max(1) as u32,
            },
        )
        .await?;
    let flows = flows_of(&records);
    let pipeline = |fp: &Fingerprint| flows.get(fp).cloned().unwrap_or_default();
    let mut events = environment_log::events(&env.name, &runs, &snapshots, (from, to), pipeline);
    if !q.reverse.unwrap_or(false) {
        events.reverse();
    }
    Ok(Json(events))
}
