//! Environments, their snapshots and the runs that make them up: reading
//! them back, and the lookups by fingerprint across an org. Recording a
//! report is in [`super::reports`].

use async_trait::async_trait;
use custody_core::Timestamp;
use custody_core::ids::{EnvironmentId, OrgId};
use custody_core::report::RunningArtifact;
use custody_core::{EnvironmentType, Fingerprint, HexPrefix};
use sqlx::AssertSqlSafe;

use custody_core::ledger::facts::Fact;
use serde_json::json;

use super::ledger::{Owner, append};
use super::run_checkpoints::{self, CANDIDATES};
use super::writes::write_tx;
use super::{Arg, SqlStore, bind_args, ints, reports, run_instances, texts};
use crate::{
    EnvironmentRow, EnvironmentStore, EnvironmentUpsert, Page, ReportOutcome, Result, RunRow,
    RunSpan, RunningNow, SnapshotRow,
};

pub(super) const ENV_SELECT: &str = "SELECT e.id, e.org_id, e.name, e.kind, e.description, e.tags, e.include_scaling, \
     e.created_at, e.last_modified_at, e.last_reported_at, \
     (SELECT s.created_at FROM snapshots s WHERE s.env_id = e.id ORDER BY s.idx DESC LIMIT 1) AS last_changed_at, \
     COALESCE((SELECT MAX(s.idx) FROM snapshots s WHERE s.env_id = e.id), 0) AS latest_index, \
     e.archived FROM environments e";
const RUN_COLUMNS: &str = "SELECT r.id, e.name AS env_name, r.fingerprint, r.name, r.from_idx, r.to_idx, \
     r.replicas, r.instances, sf.created_at AS from_at, st.created_at AS to_at, r.base_run_id";
const RUN_JOINS: &str = "JOIN environments e ON e.id = r.env_id \
     JOIN snapshots sf ON sf.env_id = r.env_id AND sf.idx = r.from_idx \
     LEFT JOIN snapshots st ON st.env_id = r.env_id AND st.idx = r.to_idx";

/// Runs' stays, without the instances (so without their pieces to rebuild).
const SPAN_COLUMNS: &str = "SELECT r.fingerprint, r.name, r.from_idx, r.to_idx, r.replicas, \
     sf.created_at AS from_at, st.created_at AS to_at";
const SPAN_JOINS: &str = "JOIN snapshots sf ON sf.env_id = r.env_id AND sf.idx = r.from_idx \
     LEFT JOIN snapshots st ON st.env_id = r.env_id AND st.idx = r.to_idx";

/// A run as stored: its instances may be pieces over its base's.
#[derive(sqlx::FromRow)]
struct StoredRun {
    #[sqlx(flatten)]
    run: RunRow,
    base_run_id: Option<i64>,
}

impl SqlStore {
    /// The runs with their instances whole.
    async fn whole(&self, mut runs: Vec<StoredRun>) -> Result<Vec<RunRow>> {
        let pieces = runs
            .iter_mut()
            .map(|r| (r.base_run_id, &mut r.run.instances));
        run_instances::rebuild(&self.pool, pieces).await?;
        Ok(runs.into_iter().map(|r| r.run).collect())
    }
}

/// The runs of an org whose fingerprint is in `list` (placeholders), through
/// the `(org_id, fingerprint)` index.
pub(super) fn runs_of_statement(org_id: OrgId, list: &str) -> String {
    format!(
        "{RUN_COLUMNS} FROM runs r {RUN_JOINS} WHERE r.org_id = {org_id} AND r.fingerprint IN ({list}) ORDER BY r.id"
    )
}

/// The distinct fingerprints an org ever ran in `[$2, $3)`, through the
/// `(org_id, fingerprint)` index.
pub(super) const RUNNING_FINGERPRINTS: &str = "SELECT DISTINCT fingerprint FROM runs \
     WHERE org_id = $1 AND fingerprint >= $2 AND fingerprint < $3 ORDER BY fingerprint";

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
        reports::record(self, env_id, kind, at, &running).await
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
        // Through the (env_id, created_at) index, however far back `at` is;
        // snapshots are numbered in the order they are taken.
        Ok(sqlx::query_as(
            "SELECT idx FROM snapshots WHERE env_id = $1 AND created_at <= $2 \
             ORDER BY created_at DESC, idx DESC LIMIT 1",
        )
        .bind(env_id)
        .bind(at)
        .fetch_optional(&self.pool)
        .await?
        .map(|(idx,): (i64,)| idx))
    }

    async fn first_snapshot_since(
        &self,
        env_id: EnvironmentId,
        at: Timestamp,
    ) -> Result<Option<i64>> {
        // Through the (env_id, created_at) index; snapshots are numbered in
        // the order they are taken.
        Ok(sqlx::query_as(
            "SELECT idx FROM snapshots WHERE env_id = $1 AND created_at >= $2 \
             ORDER BY created_at, idx LIMIT 1",
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
        self.whole(
            sqlx::query_as(AssertSqlSafe(format!(
                "{RUN_COLUMNS} FROM {CANDIDATES} JOIN runs r ON r.id = k.id {RUN_JOINS} \
             WHERE r.from_idx <= $2 AND (r.to_idx IS NULL OR r.to_idx >= $2) ORDER BY r.id"
            )))
            .bind(env_id)
            .bind(index)
            .bind(run_checkpoints::before(index))
            .fetch_all(&self.pool)
            .await?,
        )
        .await
    }

    async fn runs_during(&self, env_id: EnvironmentId, from: i64, to: i64) -> Result<Vec<RunSpan>> {
        Ok(sqlx::query_as(AssertSqlSafe(format!(
            "{SPAN_COLUMNS} FROM {CANDIDATES} JOIN runs r ON r.id = k.id {SPAN_JOINS} \
             WHERE r.from_idx <= $2 AND (r.to_idx IS NULL OR r.to_idx > $4) ORDER BY r.id"
        )))
        .bind(env_id)
        .bind(to)
        .bind(run_checkpoints::before(from))
        .bind(from)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn runs_changed(
        &self,
        env_id: EnvironmentId,
        from: i64,
        to: i64,
    ) -> Result<Vec<RunSpan>> {
        Ok(sqlx::query_as(AssertSqlSafe(format!(
            "{SPAN_COLUMNS} FROM runs r {SPAN_JOINS} \
             WHERE r.env_id = $1 AND (r.from_idx BETWEEN $2 AND $3 OR r.to_idx BETWEEN $2 AND $3) \
             ORDER BY r.id"
        )))
        .bind(env_id)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn runs_of(&self, org_id: OrgId, fingerprints: &[Fingerprint]) -> Result<Vec<RunRow>> {
        let runs = self
            .fetch_in(
                texts(fingerprints.iter().map(Fingerprint::to_string)),
                |list| runs_of_statement(org_id, list),
            )
            .await?;
        self.whole(runs).await
    }
    async fn running_fingerprints(
        &self,
        org_id: OrgId,
        prefix: &HexPrefix,
    ) -> Result<Vec<Fingerprint>> {
        let (lo, hi) = prefix.range();
        let args = [Arg::Int(org_id.into()), Arg::Text(lo), Arg::Text(hi)];
        let rows: Vec<(Fingerprint,)> = bind_args(sqlx::query_as(RUNNING_FINGERPRINTS), &args)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.into_iter().map(|(fp,)| fp).collect())
    }

    async fn open_runs(&self, env_ids: &[EnvironmentId]) -> Result<Vec<RunningNow>> {
        let mut runs: Vec<RunningNow> = self
            .fetch_in(ints(env_ids.iter().copied()), |list| {
                format!(
                    "SELECT env_id, fingerprint, name, replicas FROM runs \
                     WHERE env_id IN ({list}) AND to_idx IS NULL"
                )
            })
            .await?;
        runs.sort_by(|a, b| {
            (a.env_id, &a.name, &a.fingerprint).cmp(&(b.env_id, &b.name, &b.fingerprint))
        });
        Ok(runs)
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
