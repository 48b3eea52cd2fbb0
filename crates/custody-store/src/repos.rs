//! Repositories seen in pipelines' `repo_info`: the [`RepoStore`] capability
//! and its rows. Repos are recorded as trails and artifacts arrive (see
//! `TrailUpsert::repo`, `ArtifactInsert::repo`), never created directly.

use std::collections::BTreeMap;

use async_trait::async_trait;
use custody_core::Timestamp;
use custody_core::ids::{OrgId, RepoId};
use custody_core::repo::RepoSighting;

use crate::{Page, Result};

/// A repo as stored; `tags` is a JSON object.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RepoRow {
    pub id: RepoId,
    pub org_id: OrgId,
    pub public_id: String,
    pub name: String,
    pub url: String,
    pub provider: String,
    pub external_id: String,
    pub tags: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
}

/// A repo named by a report: recorded, or refreshed, with the report.
#[derive(Debug, Clone, PartialEq)]
pub struct RepoSeen {
    /// The id the repo gets if this is its first sighting.
    pub public_id: String,
    pub sighting: RepoSighting,
}

/// Which repos a list shows: every filter given must hold.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RepoFilter {
    pub name: Option<String>,
    /// Part of the name, in any case.
    pub search: Option<String>,
    pub provider: Option<String>,
    pub external_id: Option<String>,
    /// Tags the repo must carry: a key, or a key with its value.
    pub tags: Vec<(String, Option<String>)>,
    /// Z to A instead of A to Z.
    pub descending: bool,
}

/// Repos, by name or by id, and their tags.
#[async_trait]
pub trait RepoStore: Send + Sync {
    /// A page of the org's repos by name, and how many match in all.
    async fn repos(
        &self,
        org_id: OrgId,
        filter: &RepoFilter,
        page: Page,
    ) -> Result<(Vec<RepoRow>, u64)>;
    /// The org's repos with any of these exact names, most recently seen first.
    async fn repos_named(&self, org_id: OrgId, names: &[String]) -> Result<Vec<RepoRow>>;
    /// The org's repo with this public id.
    async fn repo(&self, org_id: OrgId, public_id: &str) -> Result<Option<RepoRow>>;
    /// Replaces a repo's tags.
    async fn set_repo_tags(
        &self,
        repo_id: RepoId,
        tags: &BTreeMap<String, String>,
        at: Timestamp,
    ) -> Result<()>;
}
