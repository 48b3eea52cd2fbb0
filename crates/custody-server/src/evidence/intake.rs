//! Taking in an attachment: the upload's `attachment_file` part, spooled
//! within the size limit, is stored in the vault, then recorded on the
//! attestation it came with.

use custody_api::Attestation;
use custody_core::ids::AttestationId;
use custody_store::EvidenceRow;

use crate::body::Form;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// An attachment, stored and ready to record on its attestation.
pub struct Stored(EvidenceRow);

/// Stores the form's `attachment_file` part, if any (its size was held to
/// the limit as it was spooled).
pub(crate) async fn receive(state: &AppState, form: &Form) -> ApiResult<Option<Stored>> {
    let Some(attachment) = form.attachment() else {
        return Ok(None);
    };
    state.evidence.put(&attachment.file).await?;
    state.metrics.evidence(attachment.file.size);
    let file_name = std::path::Path::new(&attachment.file_name)
        .file_name()
        .map_or_else(
            || "evidence".to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
    Ok(Some(Stored(EvidenceRow {
        attestation_id: AttestationId(0),
        sha256: attachment.file.sha256.clone(),
        file_name,
        size: i64::try_from(attachment.file.size).unwrap_or(i64::MAX),
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
