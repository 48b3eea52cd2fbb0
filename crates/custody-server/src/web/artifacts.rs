//! The artifact page (`/{org}/flows/{flow}/artifacts/{fingerprint}`):
//! provenance, compliance with its attestations, the history as
//! `get artifact` prints it, where it runs now and its journey on one time
//! axis; and search (`/{org}/search?q=`) by commit or fingerprint prefix.

use askama::Template;
use axum::extract::{Path, Query, State};
use custody_api::{Artifact, SearchResult};
use custody_core::Fingerprint;
use serde::Deserialize;

use super::format::{Badge, When, url_encode, web_url};
use super::journey::Journey;
use super::{Nav, PageResult, Viewer, render};
use crate::body::Params;
use crate::error::ApiError;
use crate::routes::{artifacts, search as api_search};
use crate::state::AppState;

pub struct HistoryRow {
    when: When,
    event: String,
}

/// One environment the artifact runs in now.
pub struct Place {
    environment: String,
    snapshot: i64,
    replicas: i64,
    since: When,
}

#[derive(Template)]
#[template(path = "artifact.html")]
struct ArtifactPage {
    nav: Nav,
    places: Vec<Place>,
    artifact: Artifact,
    created: When,
    badge: Badge,
    reason: String,
    history: Vec<HistoryRow>,
    journey: String,
}

pub async fn artifact(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, flow, fingerprint)): Path<(String, String, String)>,
) -> PageResult {
    let api = format!(
        "/api/v2/artifacts/{}/{}/fingerprint/{}",
        url_encode(&org),
        url_encode(&flow),
        url_encode(&fingerprint)
    );
    let nav = Nav::of(&viewer, &org, api)?;
    let path = Path((org, flow, fingerprint));
    let query = artifacts::TrailQuery { trail: None };
    let mut artifact =
        artifacts::by_fingerprint(State(state.clone()), viewer.authed(), path, Params(query))
            .await?
            .0;
    artifact.commit_url = web_url(artifact.commit_url.take());
    artifact.build_url = web_url(artifact.build_url.take());
    let now = state.now().seconds();
    let status = &artifact.compliance_status;
    let failing = status
        .attestations_statuses
        .iter()
        .filter(|a| a.is_compliant != Some(true))
        .map(|a| format!("{} is {}", a.attestation_name, a.status));
    let reason = status
        .template_error
        .iter()
        .map(|e| format!("its template cannot be read: {e}"))
        .chain(failing)
        .collect::<Vec<_>>()
        .join("; ");
    let journey = Journey::of(&artifact.history, now).svg();
    let fingerprint = Fingerprint::parse(&artifact.fingerprint).map_err(ApiError::bad)?;
    let runs = state
        .store
        .runs_of(viewer.principal.org_id, &[fingerprint])
        .await?;
    let places = artifact
        .running
        .iter()
        .filter_map(|r| {
            let run = runs
                .iter()
                .find(|x| x.env_name == r.environment_name && x.to_idx.is_none())?;
            Some(Place {
                environment: r.environment_name.clone(),
                snapshot: r.snapshot_index,
                replicas: run.replicas,
                since: When::at(run.from_at.seconds(), now),
            })
        })
        .collect();
    render(ArtifactPage {
        nav,
        places,
        created: When::at(artifact.created_at, now),
        badge: Badge::of(&artifact.state),
        reason,
        history: artifact
            .history
            .iter()
            .map(|h| HistoryRow {
                when: When::at(h.timestamp, now),
                event: h.event.clone(),
            })
            .collect(),
        journey,
        artifact,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    nav: Nav,
    result: Option<SearchResult>,
    error: String,
}

pub async fn search(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
    Query(q): Query<SearchQuery>,
) -> PageResult {
    let value = q.q.trim().to_string();
    let api = format!("/api/v2/search/{}/{}", url_encode(&org), url_encode(&value));
    let mut nav = Nav::of(&viewer, &org, api)?;
    nav.query = value.clone();
    let (result, error) = if value.is_empty() {
        (None, String::new())
    } else {
        match api_search::search(State(state), viewer.authed(), Path((org, value))).await {
            Ok(found) => (Some(found.0), String::new()),
            Err(e) => (None, e.to_string()),
        }
    };
    render(SearchPage { nav, result, error })
}
