//! The evidence vault's records: which stored object is an attestation's
//! attachment. The bytes live in the server's object store, keyed by SHA-256.

use async_trait::async_trait;
use sqlx::AssertSqlSafe;

use super::artifacts::ATTESTATION_COLUMNS;
use super::{SqlStore, conflict, ints};
use crate::{AttestationRow, EvidenceRow, EvidenceStore, Result};

#[async_trait]
impl EvidenceStore for SqlStore {
    async fn attach_evidence(&self, public_id: &str, e: &EvidenceRow) -> Result<bool> {
        let done = sqlx::query(
            "INSERT INTO attestation_evidence (attestation_id, sha256, file_name, size) \
             SELECT id, $2, $3, $4 FROM attestations WHERE public_id = $1",
        )
        .bind(public_id)
        .bind(&e.sha256)
        .bind(&e.file_name)
        .bind(e.size)
        .execute(&self.pool)
        .await
        .map_err(conflict(format!(
            "attestation {public_id} already has an attachment"
        )))?;
        Ok(done.rows_affected() == 1)
    }

    async fn attestation(&self, public_id: &str) -> Result<Option<AttestationRow>> {
        let sql = format!("SELECT {ATTESTATION_COLUMNS} FROM attestations WHERE public_id = $1");
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(public_id)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn evidence_of(&self, attestation_ids: &[i64]) -> Result<Vec<EvidenceRow>> {
        self.fetch_in(ints(attestation_ids.iter().copied()), |list| {
            format!(
                "SELECT attestation_id, sha256, file_name, size FROM attestation_evidence \
                 WHERE attestation_id IN ({list}) ORDER BY attestation_id"
            )
        })
        .await
    }
}
