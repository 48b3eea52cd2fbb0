//! Recording a runtime report. A report is one transaction of a fixed number
//! of statements: lock the environment row, read its open runs, and — only if
//! the running set changed — add a snapshot, close ended runs and open new ones
//! in multi-row statements (and, every 100th snapshot, list the runs open in a
//! checkpoint, [`super::run_checkpoints`]). Runs carry the environment's org, so lookups by
//! fingerprint across an org need no join; a run reopened with a new replica
//! count stores only how its instances differ from its base
//! ([`super::run_instances`]).

use std::collections::BTreeMap;

use custody_core::EnvironmentType;
use custody_core::Timestamp;
use custody_core::ids::{EnvironmentId, OrgId};
use custody_core::ledger::facts::Fact;
use custody_core::report::{self, OpenRun, RunningArtifact};
use sqlx::AssertSqlSafe;

use super::ledger::{Owner, append};
use super::ledger_records::SnapshotFields;
use super::outbox::{self, Pending};
use super::writes::{Tx, write_tx};
use super::{CHUNK, SqlStore, placeholders, run_checkpoints, run_instances};
use crate::{ReportOutcome, Result};

/// Records a report of what runs in an environment now.
pub(super) async fn record(
    store: &SqlStore,
    env_id: EnvironmentId,
    kind: EnvironmentType,
    at: Timestamp,
    running: &[RunningArtifact],
) -> Result<ReportOutcome> {
    write_tx!(store, |tx| {
        // Writing first takes the environment's lock in both databases, so
        // concurrent reports (from any number of server processes) take turns.
        let (org_id,): (OrgId,) = sqlx::query_as(
            "UPDATE environments SET last_reported_at = $1 WHERE id = $2 RETURNING org_id",
        )
        .bind(at)
        .bind(env_id)
        .fetch_one(&mut *tx)
        .await?;
        let (latest,): (i64,) =
            sqlx::query_as("SELECT COALESCE(MAX(idx), 0) FROM snapshots WHERE env_id = $1")
                .bind(env_id)
                .fetch_one(&mut *tx)
                .await?;
        let rows: Vec<(i64, String, i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT id, fingerprint, replicas, from_idx, base_run_id FROM runs WHERE env_id = $1 AND to_idx IS NULL",
        )
        .bind(env_id)
        .fetch_all(&mut *tx)
        .await?;
        let open: Vec<OpenRun> = rows
            .iter()
            .map(|(id, fingerprint, replicas, ..)| OpenRun {
                id: *id,
                fingerprint: fingerprint.clone(),
                replicas: *replicas,
            })
            .collect();
        let change = match report::snapshot_change(latest, &open, running) {
            Some(change) => change,
            None => {
                tx.commit().await?;
                return Ok(ReportOutcome::Unchanged(latest));
            }
        };
        let index = latest + 1;
        let snapshot_id = insert_snapshot(&mut tx, env_id, index, kind.as_str(), at).await?;
        for ids in change.closed.chunks(CHUNK) {
            let sql = format!(
                "UPDATE runs SET to_idx = $1 WHERE id IN ({})",
                placeholders(2, ids.len())
            );
            let mut q = sqlx::query(AssertSqlSafe(sql)).bind(index);
            for id in ids {
                q = q.bind(*id);
            }
            q.execute(&mut *tx).await?;
        }
        // (fingerprint, name, replicas, instances JSON): inserted as runs and logged.
        let started: Vec<(String, String, i64, String)> = change
            .opened
            .iter()
            .map(|a| {
                let instances = serde_json::Value::from(a.instances.clone()).to_string();
                (
                    a.fingerprint.clone(),
                    a.name.clone(),
                    a.replicas(),
                    instances,
                )
            })
            .collect();
        // A fingerprint whose count changed keeps its base: the run it had, or that run's base.
        let bases: BTreeMap<&str, i64> = rows
            .iter()
            .map(|(id, fingerprint, _, _, base)| (fingerprint.as_str(), base.unwrap_or(*id)))
            .collect();
        let scaled: Vec<(usize, i64)> = change
            .opened
            .iter()
            .enumerate()
            .filter_map(|(i, a)| bases.get(a.fingerprint.as_str()).map(|base| (i, *base)))
            .collect();
        let whole = run_instances::bases(&mut tx, scaled.iter().map(|(_, base)| *base)).await?;
        let mut stored: Vec<(Option<i64>, String)> =
            started.iter().map(|s| (None, s.3.clone())).collect();
        for (i, base) in scaled {
            let instances = &change.opened[i].instances;
            if let Some(pieces) = whole
                .get(&base)
                .and_then(|w| run_instances::encode(w, instances))
            {
                stored[i] = (Some(base), pieces);
            }
        }
        for (runs, stored) in started.chunks(CHUNK / 6).zip(stored.chunks(CHUNK / 6)) {
            let rows: Vec<String> = (0..runs.len())
                .map(|i| format!("($1, $2, $3, {})", placeholders(4 + i * 5, 5)))
                .collect();
            let sql = format!(
                "INSERT INTO runs (org_id, env_id, from_idx, fingerprint, name, replicas, base_run_id, instances) VALUES {}",
                rows.join(", ")
            );
            let mut q = sqlx::query(AssertSqlSafe(sql))
                .bind(org_id)
                .bind(env_id)
                .bind(index);
            for ((fingerprint, name, replicas, _), (base, instances)) in runs.iter().zip(stored) {
                q = q
                    .bind(fingerprint.clone())
                    .bind(name.clone())
                    .bind(*replicas)
                    .bind(*base)
                    .bind(instances.clone());
            }
            q.execute(&mut *tx).await?;
        }
        run_checkpoints::write_if_due(&mut tx, env_id, index).await?;
        let ended = rows
            .iter()
            .filter(|(id, ..)| change.closed.binary_search(id).is_ok())
            .map(|(_, fingerprint, _, from, _)| (fingerprint.clone(), *from))
            .collect();
        let snapshot = SnapshotFields {
            id: snapshot_id,
            env_id,
            idx: index,
            kind: kind.to_string(),
            created_at: at,
            started,
            ended,
        };
        append(
            &mut tx,
            Owner::Environment(env_id),
            at,
            Fact::Record(snapshot.record()),
        )
        .await?;
        ReportOutcome::Created(index)
    })
}

/// Adds snapshot `index` of an environment.
pub(super) async fn insert_snapshot(
    tx: &mut Tx,
    env_id: EnvironmentId,
    index: i64,
    kind: &str,
    at: Timestamp,
) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO snapshots (env_id, idx, kind, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(env_id)
    .bind(index)
    .bind(kind)
    .bind(at)
    .fetch_one(&mut **tx)
    .await?;
    let fact = Pending {
        kind: "snapshot",
        env_id: Some(env_id),
        idx: Some(index),
        ..Pending::default()
    };
    outbox::push(tx, fact, at).await?;
    Ok(id)
}
