//! `GET /search/{org}/sha/{value}`: a commit or fingerprint prefix, resolved to
//! the artifacts it names, with where they ran and their history.

use std::collections::BTreeSet;

use axum::Json;
use axum::extract::{Path, State};
use custody_api::{HistoryLine, Matches, ResolvedTo, SearchArtifact, SearchResult};
use custody_core::{Fingerprint, HexPrefix};
use custody_store::RunRow;

use super::api_doc::Refusals;
use crate::auth::{Authed, Permission};
use crate::docs::artifact::{documents, latest_indexes, whereabouts};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

fn matches<T: ToString>(kind: &str, values: &BTreeSet<T>) -> Matches {
    Matches {
        kind: kind.to_string(),
        count: values.len(),
        matches: values.iter().map(T::to_string).collect(),
    }
}

#[utoipa::path(
    get,
    path = "/search/{org}/sha/{value}",
    tag = "artifacts",
    operation_id = "search",
    params(
        ("org" = String, Path, description = "The organization"),
        ("value" = String, Path, description = "A commit or fingerprint prefix")
    ),
    responses(
        (status = 200, description = "Matching artifacts", body = SearchResult),
        Refusals
    )
)]
pub async fn search(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, value)): Path<(String, String)>,
) -> ApiResult<Json<SearchResult>> {
    let org = auth.scope(&org, Permission::Read)?;
    let prefix = HexPrefix::parse(&value).map_err(ApiError::bad)?;
    let store = state.store.as_ref();
    let by_fp = store
        .artifacts_by_fingerprint(org.id, None, &prefix)
        .await?;
    let by_commit = store.artifacts_by_commit(org.id, None, &prefix).await?;
    let running = store.running_fingerprints(org.id, &prefix).await?;
    let fingerprints: BTreeSet<Fingerprint> = by_fp
        .iter()
        .map(|a| a.fingerprint.clone())
        .chain(running)
        .collect();
    let commits: BTreeSet<String> = by_commit
        .iter()
        .filter_map(|a| a.git_commit.clone())
        .collect();
    if fingerprints.is_empty() && commits.is_empty() {
        return Err(ApiError::not_found(format!("No matches for '{value}'.")));
    }
    let (kind, full_match) = match (fingerprints.len(), commits.len()) {
        (1, 0) => (
            "fingerprint",
            fingerprints.first().map(Fingerprint::to_string),
        ),
        (0, 1) => ("commit", commits.first().cloned()),
        _ => ("mixed", None),
    };
    // One result per fingerprint, described by its oldest record.
    let mut records = by_fp;
    records.extend(by_commit);
    records.sort_by(|a, b| a.created_at.total_cmp(&b.created_at).then(a.id.cmp(&b.id)));
    let mut seen = BTreeSet::new();
    records.retain(|r| seen.insert(r.fingerprint.clone()));
    let docs = documents(&state, &org, &records).await?;
    let unknown: Vec<Fingerprint> = fingerprints
        .iter()
        .filter(|fp| !seen.contains(*fp))
        .cloned()
        .collect();
    let runs = store.runs_of(org.id, &unknown).await?;
    let latest = latest_indexes(store, org.id).await?;
    let place = |list: &[custody_api::EnvIndex]| {
        list.iter()
            .map(|e| format!("{}#{}", e.environment_name, e.snapshot_index))
            .collect()
    };
    let mut artifacts: Vec<SearchArtifact> = docs
        .into_iter()
        .map(|d| SearchArtifact {
            fingerprint: d.fingerprint,
            name: d.filename,
            flow: Some(d.flow_name),
            git_commit: d.git_commit,
            has_provenance: true,
            commit_url: d.commit_url,
            build_url: d.build_url,
            html_url: d.html_url,
            compliance_state: Some(d.state),
            running_in: place(&d.running),
            exited_from: place(&d.exited),
            history: d.history,
        })
        .collect();
    for fp in &unknown {
        let own: Vec<&RunRow> = runs.iter().filter(|r| &r.fingerprint == fp).collect();
        let w = whereabouts(&own, &latest);
        artifacts.push(SearchArtifact {
            fingerprint: fp.to_string(),
            name: own.first().map(|r| r.name.clone()).unwrap_or_default(),
            flow: None,
            git_commit: None,
            has_provenance: false,
            commit_url: None,
            build_url: None,
            html_url: None,
            compliance_state: None,
            running_in: place(&w.running),
            exited_from: place(&w.exited),
            history: w
                .history
                .into_iter()
                .map(|h| HistoryLine {
                    event: h.event,
                    timestamp: h.timestamp.seconds(),
                })
                .collect(),
        });
    }
    Ok(Json(SearchResult {
        resolved_to: ResolvedTo {
            kind: kind.to_string(),
            full_match,
            fingerprints: matches("fingerprint", &fingerprints),
            commits: matches("commit", &commits),
        },
        artifacts,
    }))
}
