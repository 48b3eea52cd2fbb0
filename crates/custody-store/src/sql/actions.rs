//! Actions and their targets: created or replaced by name, numbered per org
//! (numbers of deleted actions are never reused), each change a fact of the
//! org's log.

use async_trait::async_trait;
use custody_core::Timestamp;
use custody_core::ids::{ActionId, ActionTargetId, OrgId};
use custody_core::ledger::facts::Fact;
use serde_json::json;
use sqlx::AssertSqlSafe;

use super::ledger::{Owner, append};
use super::writes::{Tx, write_tx};
use super::{SqlStore, placeholders};
use crate::{ActionInsert, ActionRow, ActionStore, ActionTargetRow, Result};

const ACTION_COLUMNS: &str =
    "id, org_id, number, name, kind, scope, triggers, created_at, updated_at";
const TARGET_COLUMNS: &str = "id, action_id, position, kind, webhook, payload_version, \
     last_success_at, last_failure_at, last_error";

/// The org's action with this name, unless deleted.
async fn live_action(tx: &mut Tx, org_id: OrgId, name: &str) -> Result<Option<ActionId>> {
    let row: Option<(ActionId,)> = sqlx::query_as(
        "SELECT id FROM actions WHERE org_id = $1 AND name = $2 AND deleted_at IS NULL",
    )
    .bind(org_id)
    .bind(name)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(|(id,)| id))
}

/// Replaces an action's targets with `action`'s, keeping the rows (and
/// delivery records) of those with the same kind and webhook.
async fn replace_targets(tx: &mut Tx, id: ActionId, action: &ActionInsert) -> Result<()> {
    let old: Vec<(ActionTargetId, String, String)> =
        sqlx::query_as("SELECT id, kind, webhook FROM action_targets WHERE action_id = $1")
            .bind(id)
            .fetch_all(&mut **tx)
            .await?;
    let mut kept = Vec::new();
    for (position, t) in (0_i64..).zip(&action.targets) {
        let same = old
            .iter()
            .find(|(tid, kind, webhook)| {
                *kind == t.kind && *webhook == t.webhook && !kept.contains(tid)
            })
            .map(|(tid, ..)| *tid);
        match same {
            Some(tid) => {
                sqlx::query(
                    "UPDATE action_targets SET position = $1, payload_version = $2 WHERE id = $3",
                )
                .bind(position)
                .bind(t.payload_version.as_deref())
                .bind(tid)
                .execute(&mut **tx)
                .await?;
                kept.push(tid);
            }
            None => {
                sqlx::query(
                    "INSERT INTO action_targets (action_id, position, kind, webhook, payload_version) \
                     VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(id)
                .bind(position)
                .bind(&t.kind)
                .bind(&t.webhook)
                .bind(t.payload_version.as_deref())
                .execute(&mut **tx)
                .await?;
            }
        }
    }
    let gone: Vec<ActionTargetId> = old
        .iter()
        .map(|(tid, ..)| *tid)
        .filter(|tid| !kept.contains(tid))
        .collect();
    if !gone.is_empty() {
        for table_column in ["deliveries WHERE target_id", "action_targets WHERE id"] {
            let sql = format!(
                "DELETE FROM {table_column} IN ({})",
                placeholders(1, gone.len())
            );
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for tid in &gone {
                q = q.bind(*tid);
            }
            q.execute(&mut **tx).await?;
        }
    }
    Ok(())
}

#[async_trait]
impl ActionStore for SqlStore {
    async fn put_action(
        &self,
        org_id: OrgId,
        action: &ActionInsert,
        at: Timestamp,
    ) -> Result<(ActionRow, bool)> {
        write_tx!(self, |tx| {
            let (id, created) = match live_action(&mut tx, org_id, &action.name).await? {
                Some(id) => {
                    sqlx::query(
                        "UPDATE actions SET kind = $1, scope = $2, triggers = $3, updated_at = $4 WHERE id = $5",
                    )
                    .bind(&action.kind)
                    .bind(&action.scope)
                    .bind(&action.triggers)
                    .bind(at)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                    (id, false)
                }
                None => {
                    let (id,): (ActionId,) = sqlx::query_as(
                        "INSERT INTO actions (org_id, number, name, kind, scope, triggers, created_at, updated_at) \
                         SELECT $1, COALESCE(MAX(number), 0) + 1, $2, $3, $4, $5, $6, $6 FROM actions WHERE org_id = $1 \
                         RETURNING id",
                    )
                    .bind(org_id)
                    .bind(&action.name)
                    .bind(&action.kind)
                    .bind(&action.scope)
                    .bind(&action.triggers)
                    .bind(at)
                    .fetch_one(&mut *tx)
                    .await?;
                    (id, true)
                }
            };
            replace_targets(&mut tx, id, action).await?;
            let targets: Vec<_> = action
                .targets
                .iter()
                .map(|t| json!({"type": t.kind, "webhook": t.webhook}))
                .collect();
            let data = json!({"name": action.name, "type": action.kind, "scope": action.scope,
                "triggers": action.triggers, "targets": targets});
            let change = if created { "created" } else { "updated" };
            append(
                &mut tx,
                Owner::Org(org_id),
                at,
                Fact::change("action", id, change, data),
            )
            .await?;
            let sql = format!("SELECT {ACTION_COLUMNS} FROM actions WHERE id = $1");
            let row: ActionRow = sqlx::query_as(AssertSqlSafe(sql))
                .bind(id)
                .fetch_one(&mut *tx)
                .await?;
            (row, created)
        })
    }

    async fn actions(&self, org_id: OrgId) -> Result<Vec<ActionRow>> {
        let sql = format!(
            "SELECT {ACTION_COLUMNS} FROM actions WHERE org_id = $1 AND deleted_at IS NULL ORDER BY number"
        );
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(org_id)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn action(&self, org_id: OrgId, number: i64) -> Result<Option<ActionRow>> {
        let sql = format!(
            "SELECT {ACTION_COLUMNS} FROM actions WHERE org_id = $1 AND number = $2 AND deleted_at IS NULL"
        );
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(org_id)
            .bind(number)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn action_targets(&self, ids: &[ActionId]) -> Result<Vec<ActionTargetRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {TARGET_COLUMNS} FROM action_targets WHERE action_id IN ({}) ORDER BY action_id, position",
            placeholders(1, ids.len())
        );
        let mut q = sqlx::query_as(AssertSqlSafe(sql));
        for id in ids {
            q = q.bind(*id);
        }
        Ok(q.fetch_all(&self.pool).await?)
    }

    async fn delete_action(&self, org_id: OrgId, number: i64, at: Timestamp) -> Result<bool> {
        write_tx!(self, |tx| {
            let row: Option<(ActionId,)> = sqlx::query_as(
                "UPDATE actions SET deleted_at = $1 WHERE org_id = $2 AND number = $3 AND deleted_at IS NULL RETURNING id",
            )
            .bind(at)
            .bind(org_id)
            .bind(number)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((id,)) = row else {
                return Ok(false);
            };
            sqlx::query(
                "UPDATE deliveries SET done_at = $1, last_error = 'the action was deleted' \
                 WHERE done_at IS NULL AND target_id IN (SELECT id FROM action_targets WHERE action_id = $2)",
            )
            .bind(at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            let data = json!({"number": number});
            append(
                &mut tx,
                Owner::Org(org_id),
                at,
                Fact::change("action", id, "deleted", data),
            )
            .await?;
            true
        })
    }

    async fn claim_events(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<crate::OutboxEvent>> {
        super::outbox::claim_events(self, now, lease_until, limit).await
    }

    async fn dispatch_event(
        &self,
        event: custody_core::ids::OutboxEventId,
        deliveries: &[crate::DeliveryInsert],
        now: Timestamp,
    ) -> Result<bool> {
        super::outbox::dispatch_event(self, event, deliveries, now).await
    }

    async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<crate::DeliveryRow>> {
        super::outbox::claim_deliveries(self, now, lease_until, limit).await
    }

    async fn finish_delivery(
        &self,
        id: custody_core::ids::DeliveryId,
        outcome: &crate::DeliveryOutcome,
        at: Timestamp,
    ) -> Result<()> {
        super::outbox::finish_delivery(self, id, outcome, at).await
    }

    async fn prune_outbox(&self, before: Timestamp) -> Result<u64> {
        super::outbox::prune(self, before).await
    }
}
