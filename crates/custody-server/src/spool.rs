//! Spooling uploads to disk as they arrive, so an upload of any size costs the
//! server a few buffers of memory, never the whole file: an attachment part
//! goes straight to a temporary file, hashed on the way (the form extractor
//! cuts it off at the evidence limit), which the vault then takes.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::FromRef;
use sha2::{Digest, Sha256};
use tempfile::TempPath;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::body::MAX_BODY_BYTES;
use crate::evidence::DEFAULT_MAX_EVIDENCE_BYTES;

/// The size of the chunks a spooled file is read back in.
const READ_CHUNK: usize = 64 * 1024;

/// Where uploads are spooled and how large an attachment may be.
#[derive(Debug, Clone)]
pub struct Spool {
    dir: Arc<Path>,
    /// The largest attachment accepted, in bytes.
    pub max_attachment_bytes: u64,
}

impl Spool {
    pub fn new(dir: impl Into<PathBuf>, max_attachment_bytes: u64) -> Spool {
        Spool {
            dir: Arc::from(dir.into()),
            max_attachment_bytes,
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The longest request body taken: the largest attachment beside the
    /// form's other parts.
    pub fn max_request_bytes(&self) -> u64 {
        self.max_attachment_bytes + MAX_BODY_BYTES as u64
    }

    /// A new, empty temporary file in the spool directory.
    pub async fn file(&self) -> std::io::Result<SpoolFile> {
        tokio::fs::create_dir_all(&self.dir).await?;
        let dir = self.dir.to_path_buf();
        let named = tokio::task::spawn_blocking(move || {
            tempfile::Builder::new().prefix(".upload-").tempfile_in(dir)
        })
        .await
        .map_err(std::io::Error::other)??;
        let (file, path) = named.into_parts();
        Ok(SpoolFile {
            file: tokio::fs::File::from_std(file),
            path,
            hash: Sha256::new(),
            size: 0,
        })
    }
}

/// Without a server's state, uploads go to the system's temporary directory.
impl FromRef<()> for Spool {
    fn from_ref(_: &()) -> Spool {
        Spool::new(std::env::temp_dir(), DEFAULT_MAX_EVIDENCE_BYTES as u64)
    }
}

/// A temporary file being written, hashed as it grows.
pub struct SpoolFile {
    file: tokio::fs::File,
    path: TempPath,
    hash: Sha256,
    size: u64,
}

impl SpoolFile {
    pub fn size(&self) -> u64 {
        self.size
    }

    pub async fn write(&mut self, chunk: &[u8]) -> std::io::Result<()> {
        self.hash.update(chunk);
        self.size += chunk.len() as u64;
        self.file.write_all(chunk).await
    }

    /// The file on disk with its SHA-256 and size; removed when dropped.
    pub async fn finish(mut self) -> std::io::Result<Spooled> {
        self.file.flush().await?;
        self.file.sync_all().await?;
        Ok(Spooled {
            path: self.path,
            sha256: hex::encode(self.hash.finalize()),
            size: self.size,
        })
    }
}

/// A complete spooled file: its bytes are on disk, flushed; the file is
/// removed when this is dropped.
#[derive(Debug)]
pub struct Spooled {
    path: TempPath,
    pub sha256: String,
    pub size: u64,
}

impl Spooled {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// A file's bytes in chunks, keeping `keep` alive until the stream is dropped.
pub fn chunks_of<K: Send + 'static>(
    file: tokio::fs::File,
    keep: K,
) -> impl futures::Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    futures::stream::try_unfold((file, keep), |(mut file, keep)| async move {
        let mut chunk = vec![0u8; READ_CHUNK];
        let read = file.read(&mut chunk).await?;
        if read == 0 {
            return Ok(None);
        }
        chunk.truncate(read);
        Ok(Some((Bytes::from(chunk), (file, keep))))
    })
}

#[cfg(test)]
mod tests {
    use futures::TryStreamExt;

    use super::*;

    #[tokio::test]
    async fn a_spooled_file_holds_its_bytes_and_digest_until_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::new(dir.path().join("incoming"), 1 << 30);
        let bytes: Vec<u8> = (0..READ_CHUNK * 3 + 17).map(|i| (i % 251) as u8).collect();
        let mut file = spool.file().await.unwrap();
        for piece in bytes.chunks(10_000) {
            file.write(piece).await.unwrap();
        }
        assert_eq!(file.size(), bytes.len() as u64);
        let spooled = file.finish().await.unwrap();
        assert_eq!(spooled.sha256, hex::encode(Sha256::digest(&bytes)));
        let read = tokio::fs::File::open(spooled.path()).await.unwrap();
        let chunks: Vec<Bytes> = chunks_of(read, ()).try_collect().await.unwrap();
        assert!(chunks.iter().all(|c| c.len() <= READ_CHUNK));
        assert_eq!(chunks.concat(), bytes);
        let path = spooled.path().to_path_buf();
        drop(spooled);
        assert!(!path.exists(), "the spool file goes with its handle");
    }
}
