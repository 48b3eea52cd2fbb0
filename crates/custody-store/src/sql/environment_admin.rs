//! Environment lifecycle: archiving and renaming keep the environment's row
//! (so its snapshots and runs stay attached), and logical environments list
//! their physical members in `environment_members`.

use async_trait::async_trait;
use custody_core::Timestamp;
use custody_core::ids::EnvironmentId;
use sqlx::AssertSqlSafe;

use custody_core::ledger::facts::Fact;
use serde_json::json;

use super::environments::ENV_SELECT;
use super::ledger::{Owner, append};
use super::writes::write_tx;
use super::{CHUNK, SqlStore, conflict, placeholders};
use crate::{EnvironmentAdminStore, EnvironmentRow, Result};

#[async_trait]
impl EnvironmentAdminStore for SqlStore {
    async fn archive_environment(&self, env_id: EnvironmentId, at: Timestamp) -> Result<()> {
        write_tx!(self, |tx| {
            sqlx::query(
                "UPDATE environments SET archived = 1, last_modified_at = $1 WHERE id = $2",
            )
            .bind(at)
            .bind(env_id)
            .execute(&mut *tx)
            .await?;
            let fact = Fact::change("environment", env_id, "archived", json!({}));
            append(&mut tx, Owner::Environment(env_id), at, fact).await?;
        })
    }

    async fn rename_environment(
        &self,
        env_id: EnvironmentId,
        new_name: &str,
        at: Timestamp,
    ) -> Result<()> {
        write_tx!(self, |tx| {
            sqlx::query("UPDATE environments SET name = $1, last_modified_at = $2 WHERE id = $3")
                .bind(new_name)
                .bind(at)
                .bind(env_id)
                .execute(&mut *tx)
                .await
                .map_err(conflict(format!("environment '{new_name}' already exists")))?;
            let fact = Fact::change("environment", env_id, "renamed", json!({"name": new_name}));
            append(&mut tx, Owner::Environment(env_id), at, fact).await?;
        })
    }

    async fn set_environment_members(
        &self,
        logical_id: EnvironmentId,
        physical_ids: &[EnvironmentId],
        at: Timestamp,
    ) -> Result<()> {
        write_tx!(self, |tx| {
            sqlx::query("DELETE FROM environment_members WHERE logical_id = $1")
                .bind(logical_id)
                .execute(&mut *tx)
                .await?;
            for chunk in physical_ids.chunks(CHUNK) {
                let sql = format!(
                    "INSERT INTO environment_members (logical_id, physical_id) \
                     SELECT $1, id FROM environments WHERE id IN ({}) ON CONFLICT DO NOTHING",
                    placeholders(2, chunk.len())
                );
                let mut query = sqlx::query(AssertSqlSafe(sql)).bind(logical_id);
                for id in chunk {
                    query = query.bind(*id);
                }
                query.execute(&mut *tx).await?;
            }
            let data = json!({"members": physical_ids});
            let fact = Fact::change("environment", logical_id, "members_set", data);
            append(&mut tx, Owner::Environment(logical_id), at, fact).await?;
        })
    }

    async fn join_environment(
        &self,
        logical_id: EnvironmentId,
        physical_id: EnvironmentId,
        at: Timestamp,
    ) -> Result<()> {
        write_tx!(self, |tx| {
            sqlx::query(
                "INSERT INTO environment_members (logical_id, physical_id) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(logical_id)
            .bind(physical_id)
            .execute(&mut *tx)
            .await?;
            let data = json!({"member": physical_id});
            let fact = Fact::change("environment", logical_id, "joined", data);
            append(&mut tx, Owner::Environment(logical_id), at, fact).await?;
        })
    }

    async fn environment_members(&self, logical_id: EnvironmentId) -> Result<Vec<EnvironmentRow>> {
        Ok(sqlx::query_as(AssertSqlSafe(format!(
            "{ENV_SELECT} JOIN environment_members m ON m.physical_id = e.id \
             WHERE m.logical_id = $1 ORDER BY e.name"
        )))
        .bind(logical_id)
        .fetch_all(&self.pool)
        .await?)
    }
}
