//! The evidence vault: attachments of attestations, stored content-addressed by
//! SHA-256 behind [`ObjectStore`] ([`FsObjectStore`] by default, or
//! [`S3ObjectStore`] in a bucket replicas share), so identical files are kept
//! once. [`intake`] takes an upload's `attachment_file` part
//! and records it on its attestation; [`junit_cases`] reads the failing test
//! cases out of a JUnit attestation's uploaded XML.

mod fs;
pub mod intake;
pub mod junit_cases;
mod s3;

use async_trait::async_trait;

pub use fs::FsObjectStore;
pub use s3::S3ObjectStore;

use crate::error::ApiError;

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
    /// The vault's address or settings cannot be used.
    #[error("{0}")]
    Config(String),
}

/// Bytes kept by their SHA-256.
#[async_trait]
pub trait ObjectStore: Send + Sync {
    /// Stores bytes (once, whatever the number of puts) and returns their hex SHA-256.
    async fn put(&self, bytes: &[u8]) -> Result<String, ObjectError>;
    /// The bytes stored under a hex SHA-256.
    async fn get(&self, sha256: &str) -> Result<Vec<u8>, ObjectError>;
    /// Whether objects can be stored now (what `/ready` asks).
    async fn check(&self) -> Result<(), ObjectError>;
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
