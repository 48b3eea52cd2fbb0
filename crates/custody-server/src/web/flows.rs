//! Flow pages: one flow with its template and trails (`/{org}/flows/{flow}`),
//! and one trail with its expected attestations as tiles and its events
//! (`/{org}/flows/{flow}/trails/{trail}`).

use askama::Template;
use axum::extract::{Path, State};
use custody_api::{AttestationState, Flow, Trail};

use super::attestations::{self, Detail};
use super::format::{Badge, When, short, url_encode, web_url};
use super::{Nav, PageResult, Viewer, render};
use crate::auth::Permission;
use crate::body::{Paging, Params};
use crate::lookup;
use crate::routes::{artifacts, flows, trails};
use crate::state::AppState;

pub struct TrailRow {
    name: String,
    commit: String,
    badge: Badge,
    created: When,
}

pub struct ArtifactRow {
    name: String,
    fingerprint: String,
    commit: String,
    badge: Badge,
    created: When,
    running: String,
}

#[derive(Template)]
#[template(path = "flow.html")]
struct FlowPage {
    nav: Nav,
    flow: Flow,
    trails: Vec<TrailRow>,
    artifacts: Vec<ArtifactRow>,
    page: u32,
    pages: u32,
}

pub async fn flow(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, name)): Path<(String, String)>,
    Params(paging): Params<Paging>,
) -> PageResult {
    let api = format!("/api/v2/flows/{}/{}", url_encode(&org), url_encode(&name));
    let nav = Nav::of(&viewer, &org, api)?;
    let path = Path((org.clone(), name.clone()));
    let flow = flows::get(State(state.clone()), viewer.authed(), path)
        .await?
        .0;
    let query = trails::ListQuery {
        flow: None,
        fingerprint: None,
        flow_tag: None,
        paging,
    };
    let path = Path((org.clone(), name.clone()));
    let listed = trails::list_flow(State(state.clone()), viewer.authed(), path, Params(query))
        .await?
        .0;
    let query = artifacts::ListQuery {
        flow_name: Some(name),
        repo_name: None,
        paging: Paging {
            page: Some(paging.page.unwrap_or(1)),
            per_page: paging.per_page,
        },
    };
    let built = artifacts::list(
        State(state.clone()),
        viewer.authed(),
        Path(org),
        Params(query),
    )
    .await?
    .0;
    let now = state.now().seconds();
    let trails = listed
        .data
        .into_iter()
        .map(|t| TrailRow {
            commit: t
                .git_commit_info
                .as_ref()
                .and_then(|g| g["sha1"].as_str())
                .map(short)
                .unwrap_or_default(),
            badge: Badge::of(&t.compliance_state),
            created: When::at(t.created_at, now),
            name: t.name,
        })
        .collect();
    let artifacts = built
        .into_iter()
        .map(|a| ArtifactRow {
            commit: a.git_commit.as_deref().map(short).unwrap_or_default(),
            badge: Badge::of(&a.state),
            created: When::at(a.created_at, now),
            running: a
                .running
                .iter()
                .map(|r| format!("{}#{}", r.environment_name, r.snapshot_index))
                .collect::<Vec<_>>()
                .join(", "),
            name: a.filename,
            fingerprint: a.fingerprint,
        })
        .collect();
    render(FlowPage {
        nav,
        flow,
        trails,
        artifacts,
        page: listed.pagination.page,
        pages: listed.pagination.page_count,
    })
}

/// One expected or reported attestation, as a tile.
pub struct Tile {
    name: String,
    kind: String,
    badge: Badge,
    unexpected: bool,
}

/// An artifact slot of the template, with its attestations.
pub struct ArtifactTiles {
    name: String,
    fingerprint: String,
    badge: Badge,
    tiles: Vec<Tile>,
}

pub struct EventRow {
    when: When,
    kind: String,
    what: String,
    badge: Option<Badge>,
}

#[derive(Template)]
#[template(path = "trail.html")]
struct TrailPage {
    nav: Nav,
    flow: String,
    trail: Trail,
    badge: Badge,
    created: When,
    commit: String,
    trail_tiles: Vec<Tile>,
    artifacts: Vec<ArtifactTiles>,
    details: Vec<Detail>,
    events: Vec<EventRow>,
}

fn tiles(statuses: &[AttestationState]) -> Vec<Tile> {
    statuses
        .iter()
        .map(|s| Tile {
            name: s.attestation_name.clone(),
            kind: s.attestation_type.clone(),
            badge: tile_badge(s),
            unexpected: s.unexpected,
        })
        .collect()
}

/// An expected attestation's tile: `MISSING` until reported, then
/// `NON-COMPLIANT` when its evidence failed, else `COMPLETE`.
fn tile_badge(s: &AttestationState) -> Badge {
    match s.is_compliant {
        Some(false) => Badge::of("NON-COMPLIANT"),
        _ => Badge::of(&s.status),
    }
}

pub async fn trail(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, flow, name)): Path<(String, String, String)>,
) -> PageResult {
    let api = format!(
        "/api/v2/trails/{}/{}/{}",
        url_encode(&org),
        url_encode(&flow),
        url_encode(&name)
    );
    let nav = Nav::of(&viewer, &org, api)?;
    let scope = viewer.authed().scope(&org, Permission::Read)?;
    let flow_row = lookup::flow(&state, &scope, &flow).await?;
    let trail_row = lookup::trail(&state, &scope, &flow_row, &name).await?;
    let mut trail = crate::docs::trail::document(&state, &scope, &flow_row, &trail_row).await?;
    trail.origin_url = web_url(trail.origin_url.take());
    if let Some(g) = trail.git_commit_info.as_mut() {
        g.url = web_url(g.url.take());
    }
    let details = attestations::of_trail(&state, &trail_row).await?;
    let now = state.now().seconds();
    let status = &trail.compliance_status;
    let artifacts = status
        .artifacts_statuses
        .iter()
        .map(|(slot, s)| ArtifactTiles {
            name: slot.clone(),
            fingerprint: s.artifact_fingerprint.clone().unwrap_or_default(),
            badge: Badge::of(&s.status),
            tiles: tiles(&s.attestations_statuses),
        })
        .collect();
    let events = trail
        .events
        .iter()
        .map(|e| EventRow {
            when: When::at(e.timestamp, now),
            kind: e.kind.clone(),
            what: [
                e.template_reference_name.as_deref(),
                e.attestation_type.as_deref(),
                e.artifact_name.as_deref(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · "),
            badge: e.is_compliant.map(|c| Badge::compliant(Some(c))),
        })
        .collect();
    render(TrailPage {
        nav,
        details,
        flow,
        badge: Badge::of(&trail.compliance_state),
        created: When::at(trail.created_at, now),
        commit: trail
            .git_commit_info
            .as_ref()
            .map(|g| g.sha1.clone())
            .unwrap_or_default(),
        trail_tiles: tiles(&status.attestations_statuses),
        artifacts,
        events,
        trail,
    })
}
