//! Environments, runtime reports and snapshots. A report is one transaction of a
//! fixed number of statements: lock the environment row, read its open runs,
//! and — only if the running set changed — add a snapshot, close ended runs and
//! open new ones in multi-row statements.

use async_trait::async_trait;
use custody_core::Timestamp;
use custody_core::ids::{EnvironmentId, OrgId};
use custody_core::report::{self, OpenRun, RunningArtifact};
use custody_core::{EnvironmentType, Fingerprint, HexPrefix};
use sqlx::AssertSqlSafe;

use custody_core::ledger::facts::Fact;
use serde_json::json;

use super::ledger::{Owner, append};
use super::ledger_records::SnapshotFields;
use super::writes::{Tx, write_tx};
use super::{Arg, CHUNK, SqlStore, bind_args, placeholders, texts};
use crate::{
    EnvironmentRow, EnvironmentStore, EnvironmentUpsert, Page, ReportOutcome, Result, RunRow,
    RunningNow, SnapshotRow,
};

pub(super) const ENV_SELECT: &str = "SELECT e.id, e.org_id, e.name, e.kind, e.description, e.tags, e.include_scaling, \
     e.created_at, e.last_modified_at, e.last_reported_at, \
     (SELECT s.created_at FROM snapshots s WHERE s.env_id = e.id ORDER BY s.idx DESC LIMIT 1) AS last_changed_at, \
     COALESCE((SELECT MAX(s.idx) FROM snapshots s WHERE s.env_id = e.id), 0) AS latest_index, \
     e.archived FROM environments e";
const RUN_SELECT: &str = "SELECT r.id, e.name AS env_name, r.fingerprint, r.name, r.from_idx, r.to_idx, \
     r.replicas, r.instances, sf.created_at AS from_at, st.created_at AS to_at \
     FROM runs r JOIN environments e ON e.id = r.env_id \
     JOIN snapshots sf ON sf.env_id = r.env_id AND sf.idx = r.from_idx \
     LEFT JOIN snapshots st ON st.env_id = r.env_id AND st.idx = r.to_idx";

#[async_trait]
impl EnvironmentStore for SqlStore {
    async fn upsert_environment(
        &self,
        org_id: OrgId,
        env: &EnvironmentUpsert,
        at: Timestamp,
    ) -> Result<(EnvironmentRow, bool)> {
        write_tx!(self, |tx| {
            let created = environment_named(&mut *tx, org_id, &env.name)
                .await?
                .is_none();
            let sql = if created {
                "INSERT INTO environments (org_id, name, kind, description, include_scaling, tags, created_at, last_modified_at) \
             VALUES ($1, $2, $3, $4, $5, '{}', $6, $6)"
            } else {
                "UPDATE environments SET kind = $3, description = $4, include_scaling = $5, last_modified_at = $6, archived = 0 \
             WHERE org_id = $1 AND name = $2"
            };
            sqlx::query(sql)
                .bind(org_id)
                .bind(&env.name)
                .bind(env.kind.as_str())
                .bind(&env.description)
                .bind(i64::from(env.include_scaling))
                .bind(at)
                .execute(&mut *tx)
                .await?;
            let row = environment_named(&mut *tx, org_id, &env.name)
                .await?
                .expect("environment just written");
            let data = json!({"name": env.name, "type": env.kind, "description": env.description,
                "include_scaling": env.include_scaling});
            let change = if created { "created" } else { "updated" };
            append(
                &mut tx,
                Owner::Org(org_id),
                at,
                Fact::change("environment", row.id, change, data),
            )
            .await?;
            (row, created)
        })
    }

    async fn environment(&self, org_id: OrgId, name: &str) -> Result<Option<EnvironmentRow>> {
        environment_named(&self.pool, org_id, name).await
    }

    async fn environments(
        &self,
        org_id: OrgId,
        page: Option<Page>,
    ) -> Result<(Vec<EnvironmentRow>, u64)> {
        let (total,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM environments WHERE org_id = $1 AND archived = 0")
                .bind(org_id)
                .fetch_one(&self.pool)
                .await?;
        let mut sql =
            format!("{ENV_SELECT} WHERE e.org_id = $1 AND e.archived = 0 ORDER BY e.name");
        if let Some(p) = page {
            sql.push_str(&format!(" LIMIT {} OFFSET {}", p.limit(), p.offset()));
        }
        let rows = sqlx::query_as(AssertSqlSafe(sql))
            .bind(org_id)
            .fetch_all(&self.pool)
            .await?;
        Ok((rows, total as u64))
    }

    async fn set_environment_tags(
        &self,
        env_id: EnvironmentId,
        tags_json: &str,
        at: Timestamp,
    ) -> Result<()> {
        write_tx!(self, |tx| {
            sqlx::query("UPDATE environments SET tags = $1 WHERE id = $2")
                .bind(tags_json)
                .bind(env_id)
                .execute(&mut *tx)
                .await?;
            let fact = Fact::change("environment", env_id, "tagged", json!({"tags": tags_json}));
            append(&mut tx, Owner::Environment(env_id), at, fact).await?;
        })
    }

    async fn record_report(
        &self,
        env_id: EnvironmentId,
        kind: EnvironmentType,
        at: Timestamp,
        running: Vec<RunningArtifact>,
    ) -> Result<ReportOutcome> {
        write_tx!(self, |tx| {
            // Writing first takes the environment's lock in both databases, so
            // concurrent reports (from any number of server processes) take turns.
            sqlx::query("UPDATE environments SET last_reported_at = $1 WHERE id = $2")
                .bind(at)
                .bind(env_id)
                .execute(&mut *tx)
                .await?;
            let (latest,): (i64,) =
                sqlx::query_as("SELECT COALESCE(MAX(idx), 0) FROM snapshots WHERE env_id = $1")
                    .bind(env_id)
                    .fetch_one(&mut *tx)
                    .await?;
            let rows: Vec<(i64, String, i64, i64)> = sqlx::query_as(
                "SELECT id, fingerprint, replicas, from_idx FROM runs WHERE env_id = $1 AND to_idx IS NULL",
            )
            .bind(env_id)
            .fetch_all(&mut *tx)
            .await?;
            let open: Vec<OpenRun> = rows
                .iter()
                .map(|(id, fingerprint, replicas, _)| OpenRun {
                    id: *id,
                    fingerprint: fingerprint.clone(),
                    replicas: *replicas,
                })
                .collect();
            let change = match report::snapshot_change(latest, &open, &running) {
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
            for runs in started.chunks(CHUNK / 6) {
                let rows: Vec<String> = (0..runs.len())
                    .map(|i| format!("($1, $2, {})", placeholders(3 + i * 4, 4)))
                    .collect();
                let sql = format!(
                    "INSERT INTO runs (env_id, from_idx, fingerprint, name, replicas, instances) VALUES {}",
                    rows.join(", ")
                );
                let mut q = sqlx::query(AssertSqlSafe(sql)).bind(env_id).bind(index);
                for (fingerprint, name, replicas, instances) in runs {
                    q = q
                        .bind(fingerprint.clone())
                        .bind(name.clone())
                        .bind(*replicas)
                        .bind(instances.clone());
                }
                q.execute(&mut *tx).await?;
            }
            let ended = rows
                .iter()
                .filter(|(id, ..)| change.closed.binary_search(id).is_ok())
                .map(|(_, fingerprint, _, from)| (fingerprint.clone(), *from))
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

    async fn snapshot(&self, env_id: EnvironmentId, index: i64) -> Result<Option<SnapshotRow>> {
        Ok(self
            .snapshots(
                env_id,
                index,
                index,
                false,
                Page {
                    page: 1,
                    per_page: 1,
                },
            )
            .await?
            .pop())
    }

    async fn snapshot_at_time(&self, env_id: EnvironmentId, at: Timestamp) -> Result<Option<i64>> {
        Ok(sqlx::query_as(
            "SELECT idx FROM snapshots WHERE env_id = $1 AND created_at <= $2 ORDER BY idx DESC LIMIT 1",
        )
        .bind(env_id)
        .bind(at)
        .fetch_optional(&self.pool)
        .await?
        .map(|(idx,): (i64,)| idx))
    }

    async fn snapshots(
        &self,
        env_id: EnvironmentId,
        from: i64,
        to: i64,
        newest_first: bool,
        page: Page,
    ) -> Result<Vec<SnapshotRow>> {
        let sql = format!(
            "SELECT s.idx, s.kind, s.created_at, \
             (SELECT n.created_at FROM snapshots n WHERE n.env_id = s.env_id AND n.idx = s.idx + 1) AS next_at \
             FROM snapshots s WHERE s.env_id = $1 AND s.idx BETWEEN $2 AND $3 ORDER BY s.idx {} LIMIT {} OFFSET {}",
            if newest_first { "DESC" } else { "ASC" },
            page.limit(),
            page.offset()
        );
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(env_id)
            .bind(from)
            .bind(to)
            .fetch_all(&self.pool)
            .await?)
    }

    async fn runs_at(&self, env_id: EnvironmentId, index: i64) -> Result<Vec<RunRow>> {
        Ok(sqlx::query_as(AssertSqlSafe(format!(
            "{RUN_SELECT} WHERE r.env_id = $1 AND r.from_idx <= $2 AND (r.to_idx IS NULL OR r.to_idx >= $2) \
             ORDER BY r.id"
        )))
        .bind(env_id)
        .bind(index)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn runs_during(&self, env_id: EnvironmentId, from: i64, to: i64) -> Result<Vec<RunRow>> {
        Ok(sqlx::query_as(AssertSqlSafe(format!(
            "{RUN_SELECT} WHERE r.env_id = $1 AND r.from_idx <= $3 AND (r.to_idx IS NULL OR r.to_idx > $2) \
             ORDER BY r.id"
        )))
        .bind(env_id)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn runs_changed(&self, env_id: EnvironmentId, from: i64, to: i64) -> Result<Vec<RunRow>> {
        Ok(sqlx::query_as(AssertSqlSafe(format!(
            "{RUN_SELECT} WHERE r.env_id = $1 AND (r.from_idx BETWEEN $2 AND $3 OR r.to_idx BETWEEN $2 AND $3) \
             ORDER BY r.id"
        )))
        .bind(env_id)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn runs_of(&self, org_id: OrgId, fingerprints: &[Fingerprint]) -> Result<Vec<RunRow>> {
        self.fetch_in(texts(fingerprints.iter().map(Fingerprint::to_string)), |list| {
            format!(
                "{RUN_SELECT} WHERE e.org_id = {org_id} AND r.fingerprint IN ({list}) ORDER BY r.id"
            )
        })
        .await
    }
    async fn running_fingerprints(
        &self,
        org_id: OrgId,
        prefix: &HexPrefix,
    ) -> Result<Vec<Fingerprint>> {
        let (lo, hi) = prefix.range();
        let args = [Arg::Int(org_id.into()), Arg::Text(lo), Arg::Text(hi)];
        let rows: Vec<(Fingerprint,)> = bind_args(
            sqlx::query_as(
                "SELECT DISTINCT r.fingerprint FROM runs r JOIN environments e ON e.id = r.env_id \
                 WHERE e.org_id = $1 AND r.fingerprint >= $2 AND r.fingerprint < $3 ORDER BY r.fingerprint",
            ),
            &args,
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(fp,)| fp).collect())
    }

    async fn open_runs(&self, org_id: OrgId) -> Result<Vec<RunningNow>> {
        Ok(sqlx::query_as(
            "SELECT r.env_id, r.fingerprint, r.name, r.replicas \
             FROM environments e JOIN runs r ON r.env_id = e.id AND r.to_idx IS NULL \
             WHERE e.org_id = $1 ORDER BY r.env_id, r.name, r.fingerprint",
        )
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?)
    }
}

/// The environment of this name in the org, read through any connection.
async fn environment_named<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    org_id: OrgId,
    name: &str,
) -> Result<Option<EnvironmentRow>> {
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "{ENV_SELECT} WHERE e.org_id = $1 AND e.name = $2"
    )))
    .bind(org_id)
    .bind(name)
    .fetch_optional(db)
    .await?)
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
    Ok(id)
}
