//! Flow names over time: a renamed flow keeps answering to its old name (an
//! alias) until another flow is created or renamed with that name.

use custody_core::Timestamp;
use custody_core::ids::OrgId;
use sqlx::AssertSqlSafe;

use custody_core::ledger::facts::Fact;
use serde_json::json;

use super::flows::FLOW_COLUMNS;
use super::ledger::{Owner, append};
use super::writes::write_tx;
use super::{SqlStore, conflict, qualified};
use crate::{FlowRow, Result};

/// The flow an old name still points at.
pub(super) async fn aliased<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    org_id: OrgId,
    name: &str,
) -> Result<Option<FlowRow>> {
    let columns = qualified(FLOW_COLUMNS, "f");
    Ok(sqlx::query_as(AssertSqlSafe(format!(
        "SELECT {columns} FROM flows f JOIN flow_aliases a ON a.flow_id = f.id \
         WHERE a.org_id = $1 AND a.name = $2"
    )))
    .bind(org_id)
    .bind(name)
    .fetch_optional(db)
    .await?)
}

/// A flow now holds this name: the alias, if any, is dropped.
pub(super) async fn claim<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    org_id: OrgId,
    name: &str,
) -> Result<()> {
    sqlx::query("DELETE FROM flow_aliases WHERE org_id = $1 AND name = $2")
        .bind(org_id)
        .bind(name)
        .execute(db)
        .await?;
    Ok(())
}

pub(super) async fn rename(
    store: &SqlStore,
    flow: &FlowRow,
    new_name: &str,
    at: Timestamp,
) -> Result<()> {
    write_tx!(store, |tx| {
        sqlx::query("UPDATE flows SET name = $1 WHERE id = $2")
            .bind(new_name)
            .bind(flow.id)
            .execute(&mut *tx)
            .await
            .map_err(conflict(format!("flow '{new_name}' already exists")))?;
        claim(&mut *tx, flow.org_id, new_name).await?;
        sqlx::query(
            "INSERT INTO flow_aliases (org_id, name, flow_id) VALUES ($1, $2, $3) \
             ON CONFLICT (org_id, name) DO UPDATE SET flow_id = excluded.flow_id",
        )
        .bind(flow.org_id)
        .bind(&flow.name)
        .bind(flow.id)
        .execute(&mut *tx)
        .await?;
        let data = json!({"name": new_name, "old_name": flow.name});
        let fact = Fact::change("flow", flow.id, "renamed", data);
        append(&mut tx, Owner::Flow(flow.id), at, fact).await?;
    })
}
