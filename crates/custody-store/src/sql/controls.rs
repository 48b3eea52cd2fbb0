//! Controls: a row per identifier, a row per version, tags in their own table
//! for filtering, and decisions found through the attestations' `control`.

use std::collections::BTreeMap;

use async_trait::async_trait;
use custody_core::Timestamp;
use custody_core::ids::{ControlId, OrgId};
use custody_core::ledger::facts::Fact;
use serde_json::json;
use sqlx::AssertSqlSafe;

use super::artifacts::ATTESTATION_COLUMNS;
use super::ledger::{Owner, append};
use super::writes::write_tx;
use super::{Arg, Filters, SqlStore, conflict, qualified};
use crate::{
    AttestationRow, ControlContent, ControlFilter, ControlRow, ControlStore, ControlVersionRow,
    Page, Result,
};

/// Controls joined with their latest version.
const CONTROL_FROM: &str = "controls c JOIN control_versions v ON v.control_id = c.id AND v.version = \
     (SELECT MAX(version) FROM control_versions WHERE control_id = c.id)";
/// A control's columns, its latest version's beside its own.
const CONTROL_COLUMNS: &str = "c.id, c.org_id, c.identifier, c.tags, c.created_at, c.archived_at, \
     v.version, v.name, v.description, v.links";

async fn add_version(
    conn: &mut sqlx::AnyConnection,
    control_id: ControlId,
    version: i64,
    content: &ControlContent,
    at: Timestamp,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO control_versions (control_id, version, name, description, links, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(control_id)
    .bind(version)
    .bind(&content.name)
    .bind(&content.description)
    .bind(&content.links)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

fn fact_data(content: &ControlContent, version: i64) -> serde_json::Value {
    json!({"name": content.name, "description": content.description,
           "links": content.links, "version": version})
}

#[async_trait]
impl ControlStore for SqlStore {
    async fn create_control(
        &self,
        org_id: OrgId,
        identifier: &str,
        content: &ControlContent,
        at: Timestamp,
    ) -> Result<ControlRow> {
        write_tx!(self, |tx| {
            let (id,): (ControlId,) = sqlx::query_as(
                "INSERT INTO controls (org_id, identifier, tags, created_at) VALUES ($1, $2, '{}', $3) \
                 RETURNING id",
            )
            .bind(org_id)
            .bind(identifier)
            .bind(at)
            .fetch_one(&mut *tx)
            .await
            .map_err(conflict(format!("control '{identifier}' already exists")))?;
            add_version(&mut tx, id, 1, content, at).await?;
            let fact = Fact::change("control", id, "created", fact_data(content, 1));
            append(&mut tx, Owner::Org(org_id), at, fact).await?;
            ControlRow {
                id,
                org_id,
                identifier: identifier.to_string(),
                tags: "{}".into(),
                created_at: at,
                archived_at: None,
                version: 1,
                name: content.name.clone(),
                description: content.description.clone(),
                links: content.links.clone(),
            }
        })
    }

    async fn control(&self, org_id: OrgId, identifier: &str) -> Result<Option<ControlRow>> {
        let sql = format!(
            "SELECT {CONTROL_COLUMNS} FROM {CONTROL_FROM} WHERE c.org_id = $1 AND c.identifier = $2"
        );
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(org_id)
            .bind(identifier)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn controls(
        &self,
        org_id: OrgId,
        filter: &ControlFilter,
        page: Page,
    ) -> Result<(Vec<ControlRow>, u64)> {
        let mut filters = Filters::new().and("c.org_id = ?", [Arg::Int(org_id.into())]);
        filters = filters.and(
            if filter.archived {
                "c.archived_at IS NOT NULL"
            } else {
                "c.archived_at IS NULL"
            },
            [],
        );
        if let Some(part) = &filter.search {
            let (in_id, in_name) = (
                self.position("LOWER(c.identifier)", "?"),
                self.position("LOWER(v.name)", "?"),
            );
            let part = part.to_lowercase();
            filters = filters.and(
                &format!("({in_id} > 0 OR {in_name} > 0)"),
                [Arg::Text(part.clone()), Arg::Text(part)],
            );
        }
        for tag in &filter.tags {
            filters = filters.tagged("c.id", "control_tags", "control_id", tag);
        }
        let direction = if filter.descending { "DESC" } else { "ASC" };
        let order = format!(" ORDER BY c.identifier {direction}");
        let select = format!("SELECT {CONTROL_COLUMNS} FROM {CONTROL_FROM}");
        self.page_of(&select, CONTROL_FROM, &filters, &order, page)
            .await
    }

    async fn update_control(
        &self,
        control: &ControlRow,
        content: &ControlContent,
        at: Timestamp,
    ) -> Result<()> {
        write_tx!(self, |tx| {
            let (latest,): (i64,) =
                sqlx::query_as("SELECT MAX(version) FROM control_versions WHERE control_id = $1")
                    .bind(control.id)
                    .fetch_one(&mut *tx)
                    .await?;
            add_version(&mut tx, control.id, latest + 1, content, at).await?;
            let data = fact_data(content, latest + 1);
            let fact = Fact::change("control", control.id, "updated", data);
            append(&mut tx, Owner::Org(control.org_id), at, fact).await?;
        })
    }

    async fn set_control_archived(
        &self,
        control_id: ControlId,
        archived: bool,
        at: Timestamp,
    ) -> Result<()> {
        write_tx!(self, |tx| {
            let (org_id,): (OrgId,) = sqlx::query_as(
                "UPDATE controls SET archived_at = $1 WHERE id = $2 RETURNING org_id",
            )
            .bind(archived.then_some(at))
            .bind(control_id)
            .fetch_one(&mut *tx)
            .await?;
            let change = if archived { "archived" } else { "unarchived" };
            let fact = Fact::change("control", control_id, change, json!({}));
            append(&mut tx, Owner::Org(org_id), at, fact).await?;
        })
    }

    async fn control_versions(&self, control_id: ControlId) -> Result<Vec<ControlVersionRow>> {
        Ok(sqlx::query_as(
            "SELECT version, name, description, links, created_at FROM control_versions \
             WHERE control_id = $1 ORDER BY version",
        )
        .bind(control_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn set_control_tags(
        &self,
        control_id: ControlId,
        tags: &BTreeMap<String, String>,
        at: Timestamp,
    ) -> Result<()> {
        let names = ("controls", "control_tags", "control_id", "control");
        super::set_tags(self, names, control_id.into(), tags, at).await
    }

    async fn decisions(
        &self,
        org_id: OrgId,
        identifier: &str,
        page: Page,
    ) -> Result<(Vec<AttestationRow>, u64)> {
        let columns = qualified(ATTESTATION_COLUMNS, "a");
        let filters = Filters::new()
            .and("a.control = ?", [Arg::Text(identifier.to_string())])
            .and("f.org_id = ?", [Arg::Int(org_id.into())]);
        let from = "attestations a JOIN flows f ON f.id = a.flow_id";
        let select = format!("SELECT {columns} FROM {from}");
        self.page_of(
            &select,
            from,
            &filters,
            " ORDER BY a.created_at DESC, a.id DESC",
            page,
        )
        .await
    }
}
