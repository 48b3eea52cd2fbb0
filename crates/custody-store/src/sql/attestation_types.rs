//! Custom attestation types. A type row holds the name, description and archive
//! mark; every (re-)creation appends an immutable version numbered 1, 2, … in
//! the same transaction, so concurrent creations conflict instead of sharing a
//! number.

use async_trait::async_trait;
use custody_core::Timestamp;
use custody_core::ids::{AttestationTypeId, OrgId};
use sqlx::AssertSqlSafe;

use super::{SqlStore, ints};
use custody_core::ledger::facts::Fact;
use serde_json::json;

use super::ledger::{Owner, append};
use super::ledger_records::TypeVersionFields;
use super::writes::write_tx;
use crate::{
    AttestationTypeInsert, AttestationTypeRow, AttestationTypeStore, AttestationTypeVersionRow,
    Result,
};

/// The type columns plus its version count.
const TYPE_COLUMNS: &str = "t.id, t.org_id, t.name, t.description, t.archived_at, t.created_at, \
     (SELECT COUNT(*) FROM attestation_type_versions v WHERE v.type_id = t.id) AS versions";

#[async_trait]
impl AttestationTypeStore for SqlStore {
    async fn create_attestation_type(
        &self,
        org_id: OrgId,
        new: &AttestationTypeInsert,
        at: Timestamp,
    ) -> Result<AttestationTypeRow> {
        write_tx!(self, |tx| {
            let (type_id,): (AttestationTypeId,) = sqlx::query_as(
                "INSERT INTO attestation_types (org_id, name, description, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (org_id, name) \
             DO UPDATE SET description = excluded.description, archived_at = NULL \
             RETURNING id",
            )
            .bind(org_id)
            .bind(&new.name)
            .bind(&new.description)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            let (version,): (i64,) = sqlx::query_as(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM attestation_type_versions \
             WHERE type_id = $1",
            )
            .bind(type_id)
            .fetch_one(&mut *tx)
            .await?;
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO attestation_type_versions \
                 (type_id, version, type_schema, jq_rules, summary, created_at, created_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(type_id)
            .bind(version)
            .bind(new.type_schema.as_deref())
            .bind(&new.jq_rules)
            .bind(&new.summary)
            .bind(at)
            .bind(&new.created_by)
            .fetch_one(&mut *tx)
            .await?;
            let data =
                json!({"name": new.name, "description": new.description, "version": version});
            let change = if version == 1 { "created" } else { "versioned" };
            append(
                &mut tx,
                Owner::Org(org_id),
                at,
                Fact::change("attestation_type", type_id, change, data),
            )
            .await?;
            let fields = TypeVersionFields {
                id,
                type_id,
                version,
                type_schema: new.type_schema.clone(),
                jq_rules: new.jq_rules.clone(),
                summary: new.summary.clone(),
                created_by: new.created_by.clone(),
                created_at: at,
            };
            append(
                &mut tx,
                Owner::Org(org_id),
                at,
                Fact::Record(fields.record()),
            )
            .await?;
        })?;
        Ok(self
            .attestation_type(org_id, &new.name)
            .await?
            .expect("the type was just written"))
    }

    async fn attestation_type(
        &self,
        org_id: OrgId,
        name: &str,
    ) -> Result<Option<AttestationTypeRow>> {
        Ok(sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {TYPE_COLUMNS} FROM attestation_types t WHERE t.org_id = $1 AND t.name = $2"
        )))
        .bind(org_id)
        .bind(name)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn attestation_types(&self, org_id: OrgId) -> Result<Vec<AttestationTypeRow>> {
        Ok(sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {TYPE_COLUMNS} FROM attestation_types t \
             WHERE t.org_id = $1 AND t.archived_at IS NULL ORDER BY t.name"
        )))
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn attestation_type_versions(
        &self,
        type_ids: &[AttestationTypeId],
    ) -> Result<Vec<AttestationTypeVersionRow>> {
        self.fetch_in(ints(type_ids.iter().copied()), |list| {
            format!(
                "SELECT type_id, version, type_schema, jq_rules, summary, created_at, created_by \
                 FROM attestation_type_versions WHERE type_id IN ({list}) ORDER BY type_id, version"
            )
        })
        .await
    }

    async fn archive_attestation_type(
        &self,
        type_id: AttestationTypeId,
        at: Timestamp,
    ) -> Result<()> {
        write_tx!(self, |tx| {
            sqlx::query("UPDATE attestation_types SET archived_at = $1 WHERE id = $2")
                .bind(at)
                .bind(type_id)
                .execute(&mut *tx)
                .await?;
            let fact = Fact::change("attestation_type", type_id, "archived", json!({}));
            append(&mut tx, Owner::Type(type_id), at, fact).await?;
        })
    }
}
