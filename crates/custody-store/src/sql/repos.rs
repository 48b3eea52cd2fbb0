//! Repos: recorded inside the transaction of the trail or artifact that
//! names them, listed by name with filters, tagged through the ledger.

use std::collections::BTreeMap;

use async_trait::async_trait;
use custody_core::Timestamp;
use custody_core::ids::{FlowId, OrgId, RepoId};
use sqlx::AssertSqlSafe;

use super::{Arg, Filters, SqlStore, texts};
use crate::{Page, RepoFilter, RepoRow, RepoSeen, RepoStore, Result};

const REPO_COLUMNS: &str = "r.id, r.org_id, r.public_id, r.name, r.url, r.provider, r.external_id, \
     r.tags, r.created_at, r.last_seen_at";

/// Records a sighting of a repo by a report in this flow: the repo is
/// created on its first sighting, its name and URL follow the latest one.
/// Returns the repo's row id.
pub(super) async fn record<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    flow_id: FlowId,
    seen: &RepoSeen,
    at: Timestamp,
) -> Result<RepoId> {
    let s = &seen.sighting;
    let (id,): (RepoId,) = sqlx::query_as(
        "INSERT INTO repos (org_id, public_id, identity, name, url, provider, external_id, tags, \
         created_at, last_seen_at) \
         SELECT org_id, $2, $3, $4, $5, $6, $7, '{}', $8, $8 FROM flows WHERE id = $1 \
         ON CONFLICT (org_id, identity) DO UPDATE SET name = excluded.name, \
         url = CASE WHEN excluded.url = '' THEN repos.url ELSE excluded.url END, \
         last_seen_at = excluded.last_seen_at \
         RETURNING id",
    )
    .bind(flow_id)
    .bind(&seen.public_id)
    .bind(s.identity())
    .bind(&s.name)
    .bind(&s.url)
    .bind(&s.provider)
    .bind(&s.external_id)
    .bind(at)
    .fetch_one(db)
    .await?;
    Ok(id)
}

impl SqlStore {
    fn repo_filters(&self, org_id: OrgId, f: &RepoFilter) -> Filters {
        let mut filters = Filters::new().and("r.org_id = ?", [Arg::Int(org_id.into())]);
        if let Some(id) = &f.external_id {
            filters = filters.and("r.external_id = ?", [Arg::Text(id.clone())]);
        } else if let Some(name) = &f.name {
            filters = filters.and("r.name = ?", [Arg::Text(name.clone())]);
        }
        if let Some(part) = &f.search {
            let found = self.position("LOWER(r.name)", "?");
            filters = filters.and(&format!("{found} > 0"), [Arg::Text(part.to_lowercase())]);
        }
        if let Some(provider) = &f.provider {
            filters = filters.and("r.provider = ?", [Arg::Text(provider.clone())]);
        }
        for tag in &f.tags {
            filters = filters.tagged("r.id", "repo_tags", "repo_id", tag);
        }
        filters
    }
}

#[async_trait]
impl RepoStore for SqlStore {
    async fn repos(
        &self,
        org_id: OrgId,
        filter: &RepoFilter,
        page: Page,
    ) -> Result<(Vec<RepoRow>, u64)> {
        let filters = self.repo_filters(org_id, filter);
        let direction = if filter.descending { "DESC" } else { "ASC" };
        let select = format!("SELECT {REPO_COLUMNS} FROM repos r");
        let order = format!(" ORDER BY r.name {direction}, r.id {direction}");
        self.page_of(&select, "repos r", &filters, &order, page)
            .await
    }

    async fn repos_named(&self, org_id: OrgId, names: &[String]) -> Result<Vec<RepoRow>> {
        let mut rows: Vec<RepoRow> = self
            .fetch_in(texts(names.iter().cloned()), |list| {
                format!(
                    "SELECT {REPO_COLUMNS} FROM repos r WHERE r.org_id = {org_id} AND r.name IN ({list})"
                )
            })
            .await?;
        rows.sort_by(|a, b| {
            b.last_seen_at
                .total_cmp(&a.last_seen_at)
                .then(b.id.cmp(&a.id))
        });
        Ok(rows)
    }

    async fn repo(&self, org_id: OrgId, public_id: &str) -> Result<Option<RepoRow>> {
        let sql =
            format!("SELECT {REPO_COLUMNS} FROM repos r WHERE r.org_id = $1 AND r.public_id = $2");
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(org_id)
            .bind(public_id)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn set_repo_tags(
        &self,
        repo_id: RepoId,
        tags: &BTreeMap<String, String>,
        at: Timestamp,
    ) -> Result<()> {
        let names = ("repos", "repo_tags", "repo_id", "repo");
        super::set_tags(self, names, repo_id.into(), tags, at).await
    }
}
