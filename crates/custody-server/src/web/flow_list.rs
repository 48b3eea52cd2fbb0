//! The org's flows (`/{org}/flows/`): filtered by name, sorted by name or
//! last activity, a page at a time, each with its newest trail, whose
//! compliance is judged for the page's rows only.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use custody_api::Flow;
use custody_store::TrailRow as StoredTrail;
use serde::Deserialize;

use super::format::{Badge, When, url_encode};
use super::pager::{PER_PAGE, Pager};
use super::{Nav, PageResult, Viewer, render};
use crate::body::{Paging, Params};
use crate::docs::trail;
use crate::routes::flows;
use crate::state::AppState;

pub struct FlowRow {
    name: String,
    description: String,
    latest_trail: String,
    badge: Option<Badge>,
    activity: Option<When>,
}

#[derive(Template)]
#[template(path = "flows.html")]
struct FlowsPage {
    nav: Nav,
    name: String,
    sort: String,
    flows: Vec<FlowRow>,
    pager: Pager,
}

#[derive(Debug, Default, Deserialize)]
pub struct FlowsQuery {
    #[serde(default)]
    name: String,
    #[serde(default)]
    sort: String,
    #[serde(default)]
    page: Option<usize>,
}

/// The org's flows, filtered and sorted, a page at a time; each with its
/// newest trail, whose compliance is judged for the page's rows only.
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
    Query(q): Query<FlowsQuery>,
) -> PageResult {
    let nav = Nav::of(&viewer, &org, format!("/api/v2/flows/{}", url_encode(&org)))?;
    let query = flows::ListQuery {
        search_by_name: (!q.name.is_empty()).then(|| q.name.clone()),
        case_sensitive: Some(false),
        paging: Paging::default(),
    };
    let all: Vec<Flow> = flows::list(
        State(state.clone()),
        viewer.authed(),
        Path(org),
        Params(query),
    )
    .await?
    .0
    .into_items();
    let mut latest: HashMap<String, StoredTrail> = state
        .store
        .latest_trails(viewer.principal.org_id)
        .await?
        .into_iter()
        .map(|t| (t.flow_name.clone(), t))
        .collect();
    let mut rows: Vec<(f64, Flow, Option<StoredTrail>)> = all
        .into_iter()
        .map(|flow| {
            let trail = latest.remove(&flow.name);
            let active = trail
                .as_ref()
                .map(|t| t.last_modified_at.seconds())
                .into_iter()
                .chain(flow.last_deployment_at)
                .fold(flow.created_at, f64::max);
            (active, flow, trail)
        })
        .collect();
    if q.sort == "activity" {
        rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    }
    let filters = [("name", q.name.as_str()), ("sort", q.sort.as_str())];
    let (shown, pager) = Pager::slice(rows, q.page, PER_PAGE, &filters);
    let trails: Vec<StoredTrail> = shown.iter().filter_map(|(_, _, t)| t.clone()).collect();
    let mut verdicts = trail::compliance_of(&state, &trails)
        .await?
        .into_iter()
        .zip(&trails)
        .map(|(c, t)| (t.id, c))
        .collect::<HashMap<_, _>>();
    let now = state.now().seconds();
    let flows = shown
        .into_iter()
        .map(|(active, flow, trail)| FlowRow {
            badge: trail
                .as_ref()
                .and_then(|t| verdicts.remove(&t.id))
                .map(|c| Badge::of(c.as_str())),
            latest_trail: trail.map(|t| t.name).unwrap_or_default(),
            activity: Some(When::at(active, now)),
            name: flow.name,
            description: flow.description,
        })
        .collect();
    render(FlowsPage {
        nav,
        name: q.name,
        sort: q.sort,
        flows,
        pager,
    })
}
