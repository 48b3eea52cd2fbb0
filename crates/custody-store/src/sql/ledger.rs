//! Each org's Merkle log on SQL. [`append`] runs inside the transaction that
//! writes a fact, so a fact and its leaf are committed together or not at all:
//! it takes the org's log head (which serialises appends per org, across
//! server processes too), stores the entry and the subtrees it completes, and
//! moves the head. The reads serve checkpoints, entries and proofs.

use async_trait::async_trait;
use custody_core::Timestamp;
use custody_core::ids::{
    AttestationId, AttestationTypeId, EnvironmentId, FlowId, OrgId, ServiceAccountId,
};
use custody_core::ledger::checkpoint::Checkpoint;
use custody_core::ledger::facts::{Entry, Fact, hex, unhex};
use custody_core::ledger::merkle::{Frontier, Hash, NodeId, leaf_hash};
use sqlx::AssertSqlSafe;

use super::writes::{Tx, write_tx};
use super::{SqlStore, placeholders};
use crate::{LedgerStore, LogEntryRow, Result, StoreError};

/// Whose log a fact belongs to: an org, or a row that belongs to one.
#[derive(Debug, Clone, Copy)]
pub(super) enum Owner {
    Org(OrgId),
    Flow(FlowId),
    Environment(EnvironmentId),
    Account(ServiceAccountId),
    Type(AttestationTypeId),
    Attestation(AttestationId),
}

impl Owner {
    /// The org's id as SQL (with `$1` bound to the returned id).
    fn org_of(self) -> (&'static str, i64) {
        match self {
            Owner::Org(id) => ("$1", id.into()),
            Owner::Flow(id) => ("(SELECT org_id FROM flows WHERE id = $1)", id.into()),
            Owner::Environment(id) => {
                ("(SELECT org_id FROM environments WHERE id = $1)", id.into())
            }
            Owner::Account(id) => (
                "(SELECT org_id FROM service_accounts WHERE id = $1)",
                id.into(),
            ),
            Owner::Type(id) => (
                "(SELECT org_id FROM attestation_types WHERE id = $1)",
                id.into(),
            ),
            Owner::Attestation(id) => (
                "(SELECT f.org_id FROM attestations a JOIN flows f ON f.id = a.flow_id WHERE a.id = $1)",
                id.into(),
            ),
        }
    }
}

fn frontier_of(text: &str) -> Result<Frontier> {
    let parts: Vec<(u32, String)> = serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("the log head is unreadable: {e}")))?;
    parts
        .into_iter()
        .map(|(level, h)| Ok((level, hash_of(&h)?)))
        .collect::<Result<_>>()
        .map(Frontier)
}

fn frontier_text(frontier: &Frontier) -> String {
    let parts: Vec<(u32, String)> = frontier.0.iter().map(|(l, h)| (*l, hex(h))).collect();
    serde_json::to_string(&parts).unwrap_or_else(|_| "[]".into())
}

/// A stored hex hash.
pub(super) fn hash_of(text: &str) -> Result<Hash> {
    unhex(text)
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| StoreError::Corrupt(format!("'{text}' is not a stored hash")))
}

/// Appends a fact to its org's log; returns its sequence number.
pub(super) async fn append(tx: &mut Tx, owner: Owner, at: Timestamp, fact: Fact) -> Result<u64> {
    let (org_of, id) = owner.org_of();
    let sql = format!(
        "UPDATE log_heads SET size = size + 1 WHERE org_id = {org_of} RETURNING org_id, size, frontier"
    );
    let (org_id, size, frontier): (OrgId, i64, String) = sqlx::query_as(AssertSqlSafe(sql))
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    let seq = (size - 1) as u64;
    let (kind, subject_id) = fact.subject();
    let body = Entry { seq, at, fact }.body();
    let leaf = leaf_hash(body.as_bytes());
    let mut frontier = frontier_of(&frontier)?;
    let completed = frontier.append(seq, leaf);
    sqlx::query(
        "INSERT INTO log_entries (org_id, seq, kind, subject_id, body, leaf_hash) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(org_id)
    .bind(seq as i64)
    .bind(kind)
    .bind(subject_id)
    .bind(body)
    .bind(hex(&leaf))
    .execute(&mut **tx)
    .await?;
    if !completed.is_empty() {
        let rows: Vec<String> = (0..completed.len())
            .map(|i| format!("($1, {})", placeholders(2 + i * 3, 3)))
            .collect();
        let sql = format!(
            "INSERT INTO log_nodes (org_id, level, idx, hash) VALUES {}",
            rows.join(", ")
        );
        let mut q = sqlx::query(AssertSqlSafe(sql)).bind(org_id);
        for ((level, index), hash) in &completed {
            q = q
                .bind(i64::from(*level))
                .bind(*index as i64)
                .bind(hex(hash));
        }
        q.execute(&mut **tx).await?;
    }
    sqlx::query("UPDATE log_heads SET frontier = $1 WHERE org_id = $2")
        .bind(frontier_text(&frontier))
        .bind(org_id)
        .execute(&mut **tx)
        .await?;
    Ok(seq)
}

/// Starts an org's log (with the org's creation as its first entry).
pub(super) async fn start(tx: &mut Tx, org_id: OrgId, name: &str, at: Timestamp) -> Result<()> {
    sqlx::query("INSERT INTO log_heads (org_id, size, frontier) VALUES ($1, 0, '[]')")
        .bind(org_id)
        .execute(&mut **tx)
        .await?;
    let fact = Fact::change("org", org_id, "created", serde_json::json!({"name": name}));
    append(tx, Owner::Org(org_id), at, fact).await.map(|_| ())
}

#[async_trait]
impl LedgerStore for SqlStore {
    async fn log_head(&self, org_id: OrgId) -> Result<(u64, Frontier)> {
        let (size, frontier): (i64, String) =
            sqlx::query_as("SELECT size, frontier FROM log_heads WHERE org_id = $1")
                .bind(org_id)
                .fetch_one(&self.pool)
                .await?;
        Ok((size as u64, frontier_of(&frontier)?))
    }

    async fn log_entries(&self, org_id: OrgId, from: u64, to: u64) -> Result<Vec<LogEntryRow>> {
        Ok(sqlx::query_as(
            "SELECT seq, kind, subject_id, body, leaf_hash FROM log_entries \
             WHERE org_id = $1 AND seq >= $2 AND seq < $3 ORDER BY seq",
        )
        .bind(org_id)
        .bind(from as i64)
        .bind(to as i64)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn log_nodes(&self, org_id: OrgId, ids: &[NodeId]) -> Result<Vec<(NodeId, Hash)>> {
        let leaves: Vec<i64> = ids
            .iter()
            .filter(|(l, _)| *l == 0)
            .map(|(_, i)| *i as i64)
            .collect();
        let mut found = Vec::new();
        for chunk in leaves.chunks(super::CHUNK) {
            let sql = format!(
                "SELECT seq, leaf_hash FROM log_entries WHERE org_id = $1 AND seq IN ({})",
                placeholders(2, chunk.len())
            );
            let mut q = sqlx::query_as(AssertSqlSafe(sql)).bind(org_id);
            for seq in chunk {
                q = q.bind(*seq);
            }
            let rows: Vec<(i64, String)> = q.fetch_all(&self.pool).await?;
            for (seq, hash) in rows {
                found.push(((0, seq as u64), hash_of(&hash)?));
            }
        }
        let inner: Vec<&NodeId> = ids.iter().filter(|(l, _)| *l > 0).collect();
        for chunk in inner.chunks(100) {
            let conditions: Vec<String> = (0..chunk.len())
                .map(|i| format!("(level = ${} AND idx = ${})", 2 + i * 2, 3 + i * 2))
                .collect();
            let sql = format!(
                "SELECT level, idx, hash FROM log_nodes WHERE org_id = $1 AND ({})",
                conditions.join(" OR ")
            );
            let mut q = sqlx::query_as(AssertSqlSafe(sql)).bind(org_id);
            for (level, index) in chunk {
                q = q.bind(i64::from(*level)).bind(*index as i64);
            }
            let rows: Vec<(i64, i64, String)> = q.fetch_all(&self.pool).await?;
            for (level, index, hash) in rows {
                found.push(((level as u32, index as u64), hash_of(&hash)?));
            }
        }
        Ok(found)
    }

    async fn log_records(
        &self,
        subjects: &[(String, i64)],
    ) -> Result<Vec<((String, i64), custody_core::ledger::facts::Record)>> {
        self.records_now(subjects).await
    }

    async fn unlogged_records(&self, org_id: OrgId) -> Result<Vec<(String, i64)>> {
        self.records_unlogged(org_id).await
    }

    async fn save_checkpoint(&self, org_id: OrgId, checkpoint: &Checkpoint) -> Result<()> {
        write_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO log_checkpoints (org_id, size, root, timestamp, key_id, signature) \
                 VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING",
            )
            .bind(org_id)
            .bind(checkpoint.size as i64)
            .bind(&checkpoint.root)
            .bind(checkpoint.timestamp)
            .bind(&checkpoint.key_id)
            .bind(&checkpoint.signature)
            .execute(&mut *tx)
            .await?;
        })
    }
}
