//! Attestations read back (by id, or listed for an org) and the evidence
//! vault's records: which stored object is an attestation's attachment. The
//! bytes live in the server's object store, keyed by SHA-256.

use async_trait::async_trait;
use custody_core::Timestamp;
use custody_core::ids::{AttestationId, OrgId};
use sqlx::AssertSqlSafe;

use custody_core::ledger::facts::Fact;

use super::artifacts::ATTESTATION_COLUMNS;
use super::ledger::{Owner, append};
use super::ledger_records::evidence_record;
use super::writes::write_tx;
use super::{SqlStore, attestation_list, conflict, ints};
use crate::{
    AttestationFilter, AttestationRow, EvidenceRow, EvidenceStore, ListedAttestation, Result,
};

#[async_trait]
impl EvidenceStore for SqlStore {
    async fn attach_evidence(
        &self,
        public_id: &str,
        e: &EvidenceRow,
        at: Timestamp,
    ) -> Result<bool> {
        write_tx!(self, |tx| {
            let attached: Option<(AttestationId,)> = sqlx::query_as(
                "INSERT INTO attestation_evidence (attestation_id, sha256, file_name, size) \
                 SELECT id, $2, $3, $4 FROM attestations WHERE public_id = $1 RETURNING attestation_id",
            )
            .bind(public_id)
            .bind(&e.sha256)
            .bind(&e.file_name)
            .bind(e.size)
            .fetch_optional(&mut *tx)
            .await
            .map_err(conflict(format!(
                "attestation {public_id} already has an attachment"
            )))?;
            if let Some((attestation_id,)) = attached {
                let row = EvidenceRow {
                    attestation_id,
                    ..e.clone()
                };
                let fact = Fact::Record(evidence_record(&row));
                append(&mut tx, Owner::Attestation(attestation_id), at, fact).await?;
            }
            attached.is_some()
        })
    }

    async fn attestation(&self, public_id: &str) -> Result<Option<AttestationRow>> {
        let sql = format!("SELECT {ATTESTATION_COLUMNS} FROM attestations WHERE public_id = $1");
        Ok(sqlx::query_as(AssertSqlSafe(sql))
            .bind(public_id)
            .fetch_optional(&self.pool)
            .await?)
    }

    async fn evidence_of(&self, attestation_ids: &[AttestationId]) -> Result<Vec<EvidenceRow>> {
        self.fetch_in(ints(attestation_ids.iter().copied()), |list| {
            format!(
                "SELECT attestation_id, sha256, file_name, size FROM attestation_evidence \
                 WHERE attestation_id IN ({list}) ORDER BY attestation_id"
            )
        })
        .await
    }

    async fn org_attestations(
        &self,
        org_id: OrgId,
        filter: &AttestationFilter,
        limit: u32,
    ) -> Result<Vec<ListedAttestation>> {
        attestation_list::list(self, org_id, filter, limit).await
    }
}
