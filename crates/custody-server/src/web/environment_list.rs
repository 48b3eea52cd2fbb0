//! The org's environments (`/{org}/environments/`): filtered by name, type or
//! tag as the API filters them ([`EnvironmentFilter`]), a page at a time, each
//! with its current compliance and what runs in it, worked out for the page's
//! rows only.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use custody_api::Environment;
use custody_core::EnvironmentType;
use custody_core::ids::EnvironmentId;
use custody_store::EnvironmentRow;

use super::format::{Badge, When, url_encode};
use super::pager::{PER_PAGE, Pager};
use super::{Nav, PageResult, Viewer, render};
use crate::auth::Permission;
use crate::body::Pairs;
use crate::docs::current;
use crate::docs::environment::document;
use crate::routes::environment_filter::EnvironmentFilter;
use crate::state::AppState;

pub struct EnvRow {
    env: Environment,
    badge: Option<Badge>,
    reported: Option<When>,
    tags: String,
    /// `3 artifacts, 5 instances`.
    running: String,
}

#[derive(Template)]
#[template(path = "environments.html")]
struct EnvironmentsPage {
    nav: Nav,
    name: String,
    kind: String,
    kinds: [EnvironmentType; 9],
    tag: String,
    environments: Vec<EnvRow>,
    pager: Pager,
}

/// The org's environments, filtered, a page at a time: what runs in each and
/// its current compliance are worked out for the page's rows only.
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
    query: Pairs,
) -> PageResult {
    let nav = Nav::of(
        &viewer,
        &org,
        format!("/api/v2/environments/{}", url_encode(&org)),
    )?;
    let scope = viewer.authed().scope(&org, Permission::Read)?;
    let filter = EnvironmentFilter::from_query(&query)?;
    let (rows, _) = state.store.environments(scope.id, None).await?;
    let (kept, _) = filter.page(rows, None);
    let kept: Vec<(Environment, EnvironmentRow)> = kept
        .into_iter()
        .map(|row| (document(&scope, row.clone(), None), row))
        .collect();
    let given = |key| query.last(key).unwrap_or_default();
    let (name, kind, tag) = (given("name"), given("type"), given("tag"));
    let filters = [
        ("name", name.as_str()),
        ("type", kind.as_str()),
        ("tag", tag.as_str()),
    ];
    let page = query.last("page").and_then(|p| p.parse().ok());
    let (shown, pager) = Pager::slice(kept, page, PER_PAGE, &filters);
    let shown_rows: Vec<&EnvironmentRow> = shown.iter().map(|(_, row)| row).collect();
    let ids: Vec<EnvironmentId> = shown_rows.iter().map(|row| row.id).collect();
    let open = state.store.open_runs(&ids).await?;
    let compliance = current::compliance_of(&state, &scope, &shown_rows, &open).await?;
    let mut counts: HashMap<EnvironmentId, (usize, i64)> = HashMap::new();
    for run in &open {
        let count = counts.entry(run.env_id).or_default();
        *count = (count.0 + 1, count.1 + run.replicas);
    }
    let now = state.now().seconds();
    let environments = shown
        .into_iter()
        .map(|(env, row)| EnvRow {
            badge: compliance.get(&row.id).map(|&c| Badge::compliant(Some(c))),
            running: counts.get(&row.id).map_or_else(
                || "nothing".to_string(),
                |(artifacts, instances)| format!("{artifacts} artifacts, {instances} instances"),
            ),
            reported: env.last_reported_at.map(|t| When::at(t, now)),
            tags: env
                .tags
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", "),
            env,
        })
        .collect();
    render(EnvironmentsPage {
        nav,
        name,
        kind,
        kinds: EnvironmentType::ALL,
        tag,
        environments,
        pager,
    })
}
