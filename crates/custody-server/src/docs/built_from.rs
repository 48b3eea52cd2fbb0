//! Which artifacts were built from some repos, named as the org's repos are
//! named now: an artifact is when its own `repo_info` or its trail's names
//! one of those repos. Sightings are compared by the repo's identity (the
//! provider's id, else the name), so an artifact reported before its repo
//! was renamed is found by the new name.

use std::collections::HashSet;

use custody_core::Fingerprint;
use custody_core::ids::{OrgId, TrailId};
use custody_core::repo::RepoSighting;
use custody_store::{ArtifactRow, RepoRow, json};
use serde_json::Value;

use crate::error::ApiResult;
use crate::state::AppState;

/// The fingerprints of `records` built from a repo named in `names`: two
/// queries, whatever the number of records.
pub async fn built_from(
    state: &AppState,
    org_id: OrgId,
    names: &[String],
    records: &[ArtifactRow],
) -> ApiResult<HashSet<Fingerprint>> {
    let repos = state.store.repos_named(org_id, names).await?;
    if repos.is_empty() {
        return Ok(HashSet::new());
    }
    let wanted: HashSet<String> = repos.iter().map(identity).collect();
    let mut trail_ids: Vec<TrailId> = records.iter().filter_map(|r| r.trail_id).collect();
    trail_ids.sort_unstable();
    trail_ids.dedup();
    let trails = state.store.trails_by_id(&trail_ids).await?;
    let from_trails: HashSet<TrailId> = trails
        .iter()
        .filter(|t| {
            names_one(
                &t.repo_info.as_deref().map(json).unwrap_or_default(),
                &wanted,
            )
        })
        .map(|t| t.id)
        .collect();
    Ok(records
        .iter()
        .filter(|r| {
            r.trail_id.is_some_and(|t| from_trails.contains(&t))
                || names_one(&json(&r.payload)["repo_info"], &wanted)
        })
        .map(|r| r.fingerprint.clone())
        .collect())
}

/// A stored repo's identity, as its sightings have it.
fn identity(repo: &RepoRow) -> String {
    RepoSighting {
        name: repo.name.clone(),
        url: repo.url.clone(),
        provider: repo.provider.clone(),
        external_id: repo.external_id.clone(),
    }
    .identity()
}

/// Whether a `repo_info` document names a repo of one of these identities.
fn names_one(repo_info: &Value, wanted: &HashSet<String>) -> bool {
    RepoSighting::from_repo_info(repo_info).is_some_and(|seen| wanted.contains(&seen.identity()))
}
