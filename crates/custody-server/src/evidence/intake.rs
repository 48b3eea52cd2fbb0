//! Taking in an attachment: the upload's `attachment_file` part is checked
//! against the size limit, stored in the vault, then recorded on the
//! attestation it came with.

use custody_api::Attestation;
use custody_core::ids::AttestationId;
use custody_store::EvidenceRow;

use super::ATTACHMENT_PART;
use crate::body::Form;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// An attachment, stored and ready to record on its attestation.
pub struct Stored(EvidenceRow);

/// Stores the form's `attachment_file` part, if any. Past the size limit the
/// request fails with 413 and nothing is stored.
pub(crate) async fn receive(state: &AppState, form: &Form) -> ApiResult<Option<Stored>> {
    let Some((file_name, bytes)) = form.file(ATTACHMENT_PART) else {
        return Ok(None);
    };
    if bytes.len() > state.max_evidence_bytes {
        return Err(ApiError::TooLarge(format!(
            "the attachment '{file_name}' is {} bytes, more than this server's evidence limit of {} bytes (custody server --max-evidence-bytes); nothing was stored",
            bytes.len(),
            state.max_evidence_bytes
        )));
    }
    let sha256 = state.evidence.put(bytes).await?;
    state.metrics.evidence(bytes.len());
    let file_name = std::path::Path::new(file_name).file_name().map_or_else(
        || "evidence".to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok(Some(Stored(EvidenceRow {
        attestation_id: AttestationId(0),
        sha256,
        file_name,
        size: bytes.len() as i64,
    })))
}

/// Records a stored attachment on the attestation just made and shows it in `doc`.
pub(crate) async fn attach(
    state: &AppState,
    doc: &mut Attestation,
    stored: Stored,
) -> ApiResult<()> {
    let Stored(row) = stored;
    if !state
        .store
        .attach_evidence(&doc.attestation_id, &row, state.now())
        .await?
    {
        return Err(ApiError::Internal(format!(
            "attestation {} vanished before its evidence was recorded",
            doc.attestation_id
        )));
    }
    show(doc, Some(&row));
    Ok(())
}

/// Sets a document's evidence fields.
pub(crate) fn show(doc: &mut Attestation, evidence: Option<&EvidenceRow>) {
    doc.has_evidence = evidence.is_some();
    doc.evidence_archive_fingerprint = evidence.map(|e| e.sha256.clone());
    doc.evidence_file_name = evidence.map(|e| e.file_name.clone());
}
