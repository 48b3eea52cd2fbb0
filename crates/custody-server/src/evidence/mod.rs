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

use std::path::PathBuf;

use async_trait::async_trait;
use axum::body::Bytes;
use futures::StreamExt;
use futures::stream::BoxStream;

pub use fs::FsObjectStore;
pub use s3::S3ObjectStore;

use crate::error::ApiError;
use crate::spool::Spooled;

/// The multipart part that carries an attestation's attachment.
pub const ATTACHMENT_PART: &str = "attachment_file";

/// The attachment size limit unless configured: 10 MiB.
pub const DEFAULT_MAX_EVIDENCE_BYTES: usize = 10 * 1024 * 1024;

/// The largest attachment size limit that can be configured: 16 GiB
/// (attachments are streamed, so the limit is one of disk, not memory).
pub const MAX_EVIDENCE_LIMIT: usize = 16 << 30;

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

/// A stored object being read.
pub struct Object {
    pub size: u64,
    pub chunks: BoxStream<'static, std::io::Result<Bytes>>,
}

/// Bytes kept by their SHA-256.
#[async_trait]
pub trait ObjectStore: Send + Sync {
    /// Where uploads are spooled before [`ObjectStore::put`]: a directory
    /// from which a put can take them in without copying, where it can.
    fn spool_dir(&self) -> PathBuf;
    /// Stores a spooled file under its SHA-256 (once, whatever the number of
    /// puts), durably before it returns.
    async fn put(&self, file: &Spooled) -> Result<(), ObjectError>;
    /// The object stored under a hex SHA-256, read as it streams: its size
    /// and its bytes in chunks.
    async fn open(&self, sha256: &str) -> Result<Object, ObjectError>;
    /// The bytes stored under a hex SHA-256, all in memory (for small files).
    async fn get(&self, sha256: &str) -> Result<Vec<u8>, ObjectError> {
        let object = self.open(sha256).await?;
        let mut bytes = Vec::with_capacity(usize::try_from(object.size).unwrap_or(0));
        let mut chunks = object.chunks;
        while let Some(chunk) = chunks.next().await {
            bytes.extend_from_slice(&chunk?);
        }
        Ok(bytes)
    }
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
