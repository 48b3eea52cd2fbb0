//! The evidence vault: attachments of attestations, stored content-addressed by
//! SHA-256 behind [`ObjectStore`] ([`FsObjectStore`] by default), so identical
//! files are kept once. [`receive`] takes an upload's `attachment_file` part,
//! enforcing the size limit before anything is stored.

mod fs;

use async_trait::async_trait;
use custody_api::Attestation;
use custody_store::EvidenceRow;

pub use fs::FsObjectStore;

use crate::body::Form;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The multipart part that carries an attestation's attachment.
pub const ATTACHMENT_PART: &str = "attachment_file";

/// The attachment size limit unless configured: 10 MiB.
pub const DEFAULT_MAX_EVIDENCE_BYTES: usize = 10 * 1024 * 1024;

/// What can go wrong in an object store.
#[derive(Debug, thiserror::Error)]
pub enum ObjectError {
    #[error("no stored object has sha256 {0}")]
    NotFound(String),
    #[error("'{0}' is not a SHA-256 in hex")]
    BadKey(String),
    #[error("evidence storage failed: {0}")]
    Io(#[from] std::io::Error),
}

/// Bytes kept by their SHA-256.
#[async_trait]
pub trait ObjectStore: Send + Sync {
    /// Stores bytes (once, whatever the number of puts) and returns their hex SHA-256.
    async fn put(&self, bytes: &[u8]) -> Result<String, ObjectError>;
    /// The bytes stored under a hex SHA-256.
    async fn get(&self, sha256: &str) -> Result<Vec<u8>, ObjectError>;
}

impl From<ObjectError> for ApiError {
    fn from(e: ObjectError) -> Self {
        match e {
            ObjectError::NotFound(_) => {
                ApiError::Internal(format!("the evidence vault has lost a stored file: {e}"))
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

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
    let file_name = std::path::Path::new(file_name).file_name().map_or_else(
        || "evidence".to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    Ok(Some(Stored(EvidenceRow {
        attestation_id: 0,
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
