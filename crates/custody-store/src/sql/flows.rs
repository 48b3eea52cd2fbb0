//! Flows and trails.

use async_trait::async_trait;
use custody_core::Timestamp;
use custody_core::ids::{FlowId, OrgId, TrailId};
use sqlx::AssertSqlSafe;

use custody_core::ledger::facts::{Fact, digest};
use serde_json::json;

use super::ledger::{Owner, append};
use super::outbox::{self, Pending};
use super::writes::write_tx;
use super::{Arg, Filters, SqlStore, flow_names, ints, repos};
use crate::{FlowRow, FlowStore, FlowUpsert, Page, Result, TrailEventRow, TrailRow, TrailUpsert};

pub(super) const FLOW_COLUMNS: &str =
    "id, org_id, name, description, visibility, template, tags, created_at, archived_at";
const TRAIL_COLUMNS: &str = "t.id, t.flow_id, f.name AS flow_name, t.name, t.description, t.template, \
     t.git_commit_info, t.origin_url, t.user_data, t.external_urls, t.repo_info, t.created_at, t.last_modified_at";

#[async_trait]
impl FlowStore for SqlStore {
    async fn upsert_flow(
        &self,
        org_id: OrgId,
        flow: &FlowUpsert,
        at: Timestamp,
    ) -> Result<(FlowRow, bool)> {
        write_tx!(self, |tx| {
            let created = flow_named(&mut *tx, org_id, &flow.name).await?.is_none();
            let query = if created {
                sqlx::query_as(AssertSqlSafe(format!(
                    "INSERT INTO flows (org_id, name, description, visibility, template, tags, created_at) \
                 VALUES ($1, $2, $3, $4, $5, '{{}}', $6) RETURNING {FLOW_COLUMNS}"
                )))
            } else {
                sqlx::query_as(AssertSqlSafe(format!(
                    "UPDATE flows SET description = $3, visibility = $4, template = $5, archived_at = NULL \
                 WHERE org_id = $1 AND name = $2 RETURNING {FLOW_COLUMNS}"
                )))
            };
            let query = query
                .bind(org_id)
                .bind(&flow.name)
                .bind(&flow.description)
                .bind(&flow.visibility)
                .bind(flow.template.as_deref());
            let query = if created { query.bind(at) } else { query };
            let row: FlowRow = query.fetch_one(&mut *tx).await?;
            if created {
                flow_names::claim(&mut *tx, org_id, &flow.name).await?;
            }
            let data = json!({"name": flow.name, "description": flow.description,
                "visibility": flow.visibility, "template_sha256": flow.template.as_deref().map(digest)});
            let change = if created { "created" } else { "updated" };
            append(
                &mut tx,
                Owner::Org(org_id),
                at,
                Fact::change("flow", row.id, change, data),
            )
            .await?;
            (row, created)
        })
    }

    async fn flow(&self, org_id: OrgId, name: &str) -> Result<Option<FlowRow>> {
        match flow_named(&self.pool, org_id, name).await? {
            Some(flow) => Ok(Some(flow)),
            None => flow_names::aliased(&self.pool, org_id, name).await,
        }
    }

    async fn flows(
        &self,
        org_id: OrgId,
        name_contains: Option<&str>,
        case_sensitive: bool,
        page: Option<Page>,
    ) -> Result<(Vec<FlowRow>, u64)> {
        let mut filters = Filters::new()
            .and("org_id = ?", [Arg::Int(org_id.into())])
            .and("archived_at IS NULL", []);
        if let Some(needle) = name_contains {
            let condition = if case_sensitive {
                format!("{} > 0", self.position("name", "?"))
            } else {
                format!("{} > 0", self.position("lower(name)", "lower(?)"))
            };
            filters = filters.and(&condition, [Arg::Text(needle.to_string())]);
        }
        let total = self.count("flows", &filters).await?;
        let mut sql = format!(
            "SELECT {FLOW_COLUMNS} FROM flows{} ORDER BY name",
            filters.sql()
        );
        if let Some(p) = page {
            sql.push_str(&format!(" LIMIT {} OFFSET {}", p.limit(), p.offset()));
        }
        let rows = filters
            .bind(sqlx::query_as(AssertSqlSafe(sql)))
            .fetch_all(&self.pool)
            .await?;
        Ok((rows, total))
    }

    async fn set_flow_tags(&self, flow_id: FlowId, tags_json: &str, at: Timestamp) -> Result<()> {
        write_tx!(self, |tx| {
            sqlx::query("UPDATE flows SET tags = $1 WHERE id = $2")
                .bind(tags_json)
                .bind(flow_id)
                .execute(&mut *tx)
                .await?;
            let data = json!({"tags": tags_json});
            append(
                &mut tx,
                Owner::Flow(flow_id),
                at,
                Fact::change("flow", flow_id, "tagged", data),
            )
            .await?;
        })
    }

    async fn archive_flow(&self, flow_id: FlowId, at: Timestamp) -> Result<()> {
        write_tx!(self, |tx| {
            sqlx::query("UPDATE flows SET archived_at = $1 WHERE id = $2")
                .bind(at)
                .bind(flow_id)
                .execute(&mut *tx)
                .await?;
            let fact = Fact::change("flow", flow_id, "archived", json!({}));
            append(&mut tx, Owner::Flow(flow_id), at, fact).await?;
        })
    }

    async fn rename_flow(&self, flow: &FlowRow, new_name: &str, at: Timestamp) -> Result<()> {
        flow_names::rename(self, flow, new_name, at).await
    }

    async fn last_deployment_at(&self, flow_id: FlowId) -> Result<Option<Timestamp>> {
        let (at,): (Option<Timestamp>,) =
            sqlx::query_as("SELECT MAX(created_at) FROM deployments WHERE flow_id = $1")
                .bind(flow_id)
                .fetch_one(&self.pool)
                .await?;
        Ok(at)
    }

    async fn upsert_trail(
        &self,
        flow_id: FlowId,
        trail: &TrailUpsert,
        at: Timestamp,
    ) -> Result<(TrailRow, bool)> {
        write_tx!(self, |tx| {
            let (id, created) = match trail_named(&mut *tx, flow_id, &trail.name).await? {
                None => {
                    let (id,): (TrailId,) = sqlx::query_as(
                        "INSERT INTO trails (flow_id, name, description, template, git_commit_info, origin_url, \
                         user_data, external_urls, repo_info, created_at, last_modified_at) \
                         VALUES ($1, $2, COALESCE($3, ''), $4, $5, $6, COALESCE($7, '{}'), COALESCE($8, '{}'), $9, $10, $10) \
                         RETURNING id",
                    )
                    .bind(flow_id)
                    .bind(&trail.name)
                    .bind(trail.description.as_deref())
                    .bind(trail.template.as_deref())
                    .bind(trail.git_commit_info.as_deref())
                    .bind(trail.origin_url.as_deref())
                    .bind(trail.user_data.as_deref())
                    .bind(trail.external_urls.as_deref())
                    .bind(trail.repo_info.as_deref())
                    .bind(at)
                    .fetch_one(&mut *tx)
                    .await?;
                    (id, true)
                }
                Some(existing) => {
                    sqlx::query(
                        "UPDATE trails SET description = COALESCE($1, description), template = COALESCE($2, template), \
                         git_commit_info = COALESCE($3, git_commit_info), origin_url = COALESCE($4, origin_url), \
                         user_data = COALESCE($5, user_data), external_urls = COALESCE($6, external_urls), \
                         repo_info = COALESCE($7, repo_info), last_modified_at = $8 WHERE id = $9",
                    )
                    .bind(trail.description.as_deref())
                    .bind(trail.template.as_deref())
                    .bind(trail.git_commit_info.as_deref())
                    .bind(trail.origin_url.as_deref())
                    .bind(trail.user_data.as_deref())
                    .bind(trail.external_urls.as_deref())
                    .bind(trail.repo_info.as_deref())
                    .bind(at)
                    .bind(existing.id)
                    .execute(&mut *tx)
                    .await?;
                    (existing.id, false)
                }
            };
            if let Some(seen) = &trail.repo {
                repos::record(&mut *tx, flow_id, seen, at).await?;
            }
            let kind = if created {
                "trail_reported"
            } else {
                "trail_updated"
            };
            if created {
                let fact = Pending {
                    kind: "trail",
                    flow_id: Some(flow_id),
                    trail_id: Some(id),
                    ..Pending::default()
                };
                outbox::push(&mut tx, fact, at).await?;
            }
            sqlx::query(
                "INSERT INTO trail_events (trail_id, kind, created_at) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(kind)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            let data = json!({"name": trail.name, "flow_id": flow_id,
                "git_commit_info": trail.git_commit_info, "template_sha256": trail.template.as_deref().map(digest)});
            let change = if created { "begun" } else { "updated" };
            append(
                &mut tx,
                Owner::Flow(flow_id),
                at,
                Fact::change("trail", id, change, data),
            )
            .await?;
            let row = trail_named(&mut *tx, flow_id, &trail.name).await?;
            (row.expect("trail just written"), created)
        })
    }

    async fn trail(&self, flow_id: FlowId, name: &str) -> Result<Option<TrailRow>> {
        trail_named(&self.pool, flow_id, name).await
    }

    async fn trails(
        &self,
        org_id: OrgId,
        flows: Option<&[FlowId]>,
        fingerprint: Option<&str>,
        page: Page,
    ) -> Result<(Vec<TrailRow>, u64)> {
        let mut filters = Filters::new().and("f.org_id = ?", [Arg::Int(org_id.into())]);
        if let Some(ids) = flows {
            if ids.is_empty() {
                return Ok((Vec::new(), 0));
            }
            let list = vec!["?"; ids.len()].join(", ");
            let args = ids.iter().map(|&id| Arg::Int(id.into()));
            filters = filters.and(&format!("t.flow_id IN ({list})"), args);
        }
        if let Some(fp) = fingerprint {
            filters = filters.and(
                "EXISTS (SELECT 1 FROM artifacts a WHERE a.trail_id = t.id AND a.fingerprint = ?)",
                [Arg::Text(fp.to_string())],
            );
        }
        let from = "trails t JOIN flows f ON f.id = t.flow_id";
        let select = format!("SELECT {TRAIL_COLUMNS} FROM {from}");
        let order = " ORDER BY t.created_at DESC, t.id DESC";
        self.page_of(&select, from, &filters, order, page).await
    }

    async fn latest_trails(&self, org_id: OrgId) -> Result<Vec<TrailRow>> {
        Ok(sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {TRAIL_COLUMNS} FROM flows f JOIN trails t ON t.id = \
             (SELECT n.id FROM trails n WHERE n.flow_id = f.id ORDER BY n.created_at DESC, n.id DESC LIMIT 1) \
             WHERE f.org_id = $1 ORDER BY f.name"
        )))
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn trail_events(&self, trail_id: TrailId) -> Result<Vec<TrailEventRow>> {
        Ok(sqlx::query_as(
            "SELECT kind, created_at FROM trail_events WHERE trail_id = $1 ORDER BY created_at, id",
        )
        .bind(trail_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn flows_by_id(&self, ids: &[FlowId]) -> Result<Vec<FlowRow>> {
        self.fetch_in(ints(ids.iter().copied()), |list| {
            format!("SELECT {FLOW_COLUMNS} FROM flows WHERE id IN ({list})")
        })
        .await
    }
    async fn trails_by_id(&self, ids: &[TrailId]) -> Result<Vec<TrailRow>> {
        self.fetch_in(ints(ids.iter().copied()), |list| {
            format!("SELECT {TRAIL_COLUMNS} FROM trails t JOIN flows f ON f.id = t.flow_id WHERE t.id IN ({list})")
        })
        .await
    }
}

/// The trail of this name in the flow, read through any connection.
async fn trail_named<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    flow_id: FlowId,
    name: &str,
) -> Result<Option<TrailRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {TRAIL_COLUMNS} FROM trails t JOIN flows f ON f.id = t.flow_id \
         WHERE t.flow_id = $1 AND t.name = $2"
    )))
    .bind(flow_id)
    .bind(name)
    .fetch_optional(db)
    .await?)
}

/// The flow of this name in the org, read through any connection.
async fn flow_named<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    org_id: OrgId,
    name: &str,
) -> Result<Option<FlowRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {FLOW_COLUMNS} FROM flows WHERE org_id = $1 AND name = $2"
    )))
    .bind(org_id)
    .bind(name)
    .fetch_optional(db)
    .await?)
}
