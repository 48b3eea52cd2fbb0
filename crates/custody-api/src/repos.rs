//! Repo documents: `GET /repos/{org}/{name}` and the paged `GET /repos/{org}`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A repository Custody has seen in pipelines' `repo_info`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Repo {
    /// Custody's own id of the repo: what `tag repo --repo-id` and
    /// `get repo --repo-id` take.
    pub id: String,
    pub name: String,
    pub url: String,
    pub provider: String,
    /// The VCS's id of the repo, empty when none was reported.
    pub repo_id: String,
    pub tags: BTreeMap<String, String>,
    pub created_at: f64,
    pub last_seen_at: f64,
}

/// A page of repos `{repos, page, per_page, total_pages, total_count}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RepoList {
    pub repos: Vec<Repo>,
    pub page: u32,
    pub per_page: u32,
    pub total_pages: u32,
    pub total_count: u64,
}
