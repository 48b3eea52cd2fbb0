//! The outbox: facts that may cause notifications, written by the fact's own
//! transaction ([`push`]), and the deliveries made from them. Claims lease
//! rows for a while, so a process that dies mid-way leaves them to another
//! once the lease runs out; on PostgreSQL concurrent claims skip each other's
//! rows (`FOR UPDATE SKIP LOCKED`), on SQLite the write lock serialises them.
//! An event becomes deliveries exactly once: only the claim that marks it
//! dispatched adds them. Finished rows are pruned after a while.

use custody_core::Timestamp;
use custody_core::ids::{
    ActionTargetId, DeliveryId, EnvironmentId, FlowId, OutboxEventId, TrailId,
};
use sqlx::AssertSqlSafe;

use super::writes::{Tx, write_tx};
use super::{Backend, SqlStore, placeholders};
use crate::{DeliveryInsert, DeliveryOutcome, DeliveryRow, OutboxEvent, Result};

/// A fact for the outbox; the org is its environment's or its flow's.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Pending<'a> {
    pub kind: &'a str,
    pub env_id: Option<EnvironmentId>,
    pub flow_id: Option<FlowId>,
    pub trail_id: Option<TrailId>,
    pub idx: Option<i64>,
    pub reference: Option<&'a str>,
}

/// Adds a fact to the outbox, in the transaction that records it, if its
/// org has any action (else nothing would ever read it).
pub(super) async fn push(tx: &mut Tx, fact: Pending<'_>, at: Timestamp) -> Result<()> {
    sqlx::query(
        "INSERT INTO outbox_events (org_id, kind, env_id, flow_id, trail_id, idx, reference, created_at) \
         SELECT o.id, $1, $2, $3, $4, $5, $6, $7 FROM orgs o \
         WHERE o.id = COALESCE((SELECT org_id FROM environments WHERE id = $2), (SELECT org_id FROM flows WHERE id = $3)) \
         AND EXISTS (SELECT 1 FROM actions a WHERE a.org_id = o.id AND a.deleted_at IS NULL)",
    )
    .bind(fact.kind)
    .bind(fact.env_id)
    .bind(fact.flow_id)
    .bind(fact.trail_id)
    .bind(fact.idx)
    .bind(fact.reference)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// What a claim takes: rows of `table` matching `due` at the claim's time,
/// oldest by `order` first, updated with `lease_until = $1` and `extra`;
/// `select` reads them back (its `WHERE … IN (` closed here).
struct Claim<'a> {
    table: &'a str,
    extra: &'a str,
    due: &'a str,
    order: &'a str,
    select: &'a str,
}

/// Claims up to `limit` rows, leasing them until `lease_until`.
async fn claim<T>(
    store: &SqlStore,
    c: Claim<'_>,
    now: Timestamp,
    lease_until: Timestamp,
    limit: u32,
) -> Result<Vec<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    let skip = match store.backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    let update = format!(
        "UPDATE {table} SET lease_until = $1{extra} WHERE id IN \
         (SELECT id FROM {table} WHERE {due} AND (lease_until IS NULL OR lease_until < $2) \
         ORDER BY {order} LIMIT $3{skip}) RETURNING id",
        table = c.table,
        extra = c.extra,
        due = c.due,
        order = c.order,
    );
    write_tx!(store, |tx| {
        let ids: Vec<(i64,)> = sqlx::query_as(AssertSqlSafe(update.clone()))
            .bind(lease_until)
            .bind(now)
            .bind(i64::from(limit))
            .fetch_all(&mut *tx)
            .await?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("{}{})", c.select, placeholders(1, ids.len()));
        let mut q = sqlx::query_as(AssertSqlSafe(sql));
        for (id,) in &ids {
            q = q.bind(*id);
        }
        let rows: Vec<T> = q.fetch_all(&mut *tx).await?;
        rows
    })
}

pub(super) async fn claim_events(
    store: &SqlStore,
    now: Timestamp,
    lease_until: Timestamp,
    limit: u32,
) -> Result<Vec<OutboxEvent>> {
    let c = Claim {
        table: "outbox_events",
        extra: "",
        due: "dispatched_at IS NULL",
        order: "id",
        select: "SELECT e.id, e.org_id, o.name AS org_name, e.kind, e.env_id, v.name AS env_name, \
             e.flow_id, f.name AS flow_name, e.trail_id, t.name AS trail_name, e.idx, e.reference, e.created_at \
             FROM outbox_events e JOIN orgs o ON o.id = e.org_id \
             LEFT JOIN environments v ON v.id = e.env_id LEFT JOIN flows f ON f.id = e.flow_id \
             LEFT JOIN trails t ON t.id = e.trail_id WHERE e.id IN (",
    };
    let mut events: Vec<OutboxEvent> = claim(store, c, now, lease_until, limit).await?;
    events.sort_by_key(|e| e.id);
    Ok(events)
}

pub(super) async fn dispatch_event(
    store: &SqlStore,
    event: OutboxEventId,
    deliveries: &[DeliveryInsert],
    now: Timestamp,
) -> Result<bool> {
    write_tx!(store, |tx| {
        let marked = sqlx::query(
            "UPDATE outbox_events SET dispatched_at = $1, lease_until = NULL WHERE id = $2 AND dispatched_at IS NULL",
        )
        .bind(now)
        .bind(event)
        .execute(&mut *tx)
        .await?;
        if marked.rows_affected() == 0 {
            return Ok(false);
        }
        for d in deliveries {
            sqlx::query(
                "INSERT INTO deliveries (public_id, target_id, event_id, body, due_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&d.public_id)
            .bind(d.target_id)
            .bind(event)
            .bind(&d.body)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        true
    })
}

pub(super) async fn claim_deliveries(
    store: &SqlStore,
    now: Timestamp,
    lease_until: Timestamp,
    limit: u32,
) -> Result<Vec<DeliveryRow>> {
    let c = Claim {
        table: "deliveries",
        extra: ", attempts = attempts + 1",
        due: "done_at IS NULL AND due_at <= $2",
        order: "due_at, id",
        select: "SELECT d.id, d.public_id, d.target_id, t.kind, t.webhook, d.body, d.attempts \
             FROM deliveries d JOIN action_targets t ON t.id = d.target_id WHERE d.id IN (",
    };
    claim(store, c, now, lease_until, limit).await
}

pub(super) async fn finish_delivery(
    store: &SqlStore,
    id: DeliveryId,
    outcome: &DeliveryOutcome,
    at: Timestamp,
) -> Result<()> {
    write_tx!(store, |tx| {
        let target: Option<(ActionTargetId,)> = match outcome {
            DeliveryOutcome::Delivered => sqlx::query_as(
                "UPDATE deliveries SET done_at = $1, delivered = 1, lease_until = NULL, last_error = NULL \
                 WHERE id = $2 RETURNING target_id",
            )
            .bind(at)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?,
            DeliveryOutcome::Failed { error, retry_at: Some(retry_at) } => sqlx::query_as(
                "UPDATE deliveries SET due_at = $1, lease_until = NULL, last_error = $2 \
                 WHERE id = $3 RETURNING target_id",
            )
            .bind(*retry_at)
            .bind(error)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?,
            DeliveryOutcome::Failed { error, retry_at: None } => sqlx::query_as(
                "UPDATE deliveries SET done_at = $1, lease_until = NULL, last_error = $2 \
                 WHERE id = $3 RETURNING target_id",
            )
            .bind(at)
            .bind(error)
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?,
        };
        let Some((target_id,)) = target else {
            return Ok(());
        };
        match outcome {
            DeliveryOutcome::Delivered => {
                sqlx::query("UPDATE action_targets SET last_success_at = $1 WHERE id = $2")
                    .bind(at)
                    .bind(target_id)
                    .execute(&mut *tx)
                    .await?
            }
            DeliveryOutcome::Failed { error, .. } => {
                sqlx::query(
                    "UPDATE action_targets SET last_failure_at = $1, last_error = $2 WHERE id = $3",
                )
                .bind(at)
                .bind(error)
                .bind(target_id)
                .execute(&mut *tx)
                .await?
            }
        };
    })
}

pub(super) async fn prune(store: &SqlStore, before: Timestamp) -> Result<u64> {
    write_tx!(store, |tx| {
        let deliveries =
            sqlx::query("DELETE FROM deliveries WHERE done_at IS NOT NULL AND done_at < $1")
                .bind(before)
                .execute(&mut *tx)
                .await?;
        let events = sqlx::query(
            "DELETE FROM outbox_events WHERE dispatched_at IS NOT NULL AND dispatched_at < $1 \
             AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.event_id = outbox_events.id)",
        )
        .bind(before)
        .execute(&mut *tx)
        .await?;
        deliveries.rows_affected() + events.rows_affected()
    })
}
