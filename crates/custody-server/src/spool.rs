//! Spooling large request bodies to disk as they arrive, so an upload of any
//! size costs the server a few buffers of memory, never the whole file: an
//! attachment part goes straight to a temporary file (hashed on the way, cut
//! off at the evidence limit), and a write under an `Idempotency-Key` keeps
//! its body on disk past [`IN_MEMORY_BYTES`] while its digest is taken.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::FromRef;
use sha2::{Digest, Sha256};
use tempfile::TempPath;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::body::MAX_BODY_BYTES;
use crate::evidence::DEFAULT_MAX_EVIDENCE_BYTES;

/// Bodies up to this size stay in memory.
pub const IN_MEMORY_BYTES: usize = 1024 * 1024;

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

    /// The file's bytes as a body, read in chunks; the file goes when the body does.
    pub async fn into_body(self) -> std::io::Result<Body> {
        let file = tokio::fs::File::open(&self.path).await?;
        Ok(Body::from_stream(chunks_of(file, self)))
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

/// A request body read through: in memory while small, then on disk.
pub enum Held {
    Memory(Vec<u8>),
    Disk(Spooled),
}

impl Held {
    /// The body again, to hand on to the handler.
    pub async fn into_body(self) -> std::io::Result<Body> {
        match self {
            Held::Memory(bytes) => Ok(Body::from(bytes)),
            Held::Disk(spooled) => spooled.into_body().await,
        }
    }
}

/// Why a body could not be held.
#[derive(Debug)]
pub enum HoldError {
    /// Longer than the limit.
    TooLarge,
    /// The client's stream failed.
    Read(String),
    /// The spool could not be written.
    Spool(std::io::Error),
}

/// Reads `body` to its end, at most `limit` bytes, showing each chunk to
/// `seen`; what was read is kept in memory up to [`IN_MEMORY_BYTES`], then
/// moved to a spool file.
pub async fn hold(
    spool: &Spool,
    body: Body,
    limit: u64,
    mut seen: impl FnMut(&[u8]),
) -> Result<Held, HoldError> {
    let mut body = body.into_data_stream();
    let mut memory = Vec::new();
    let mut disk: Option<SpoolFile> = None;
    let mut total = 0u64;
    while let Some(chunk) = futures::StreamExt::next(&mut body).await {
        let chunk = chunk.map_err(|e| HoldError::Read(e.to_string()))?;
        total += chunk.len() as u64;
        if total > limit {
            return Err(HoldError::TooLarge);
        }
        seen(&chunk);
        match disk.as_mut() {
            Some(file) => file.write(&chunk).await.map_err(HoldError::Spool)?,
            None if memory.len() + chunk.len() <= IN_MEMORY_BYTES => {
                memory.extend_from_slice(&chunk);
            }
            None => {
                let mut file = spool.file().await.map_err(HoldError::Spool)?;
                file.write(&memory).await.map_err(HoldError::Spool)?;
                file.write(&chunk).await.map_err(HoldError::Spool)?;
                memory = Vec::new();
                disk = Some(file);
            }
        }
    }
    match disk {
        Some(file) => Ok(Held::Disk(file.finish().await.map_err(HoldError::Spool)?)),
        None => Ok(Held::Memory(memory)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body_of(bytes: &[u8], chunk: usize) -> Body {
        let chunks: Vec<Result<Bytes, std::io::Error>> = bytes
            .chunks(chunk)
            .map(|c| Ok(Bytes::copy_from_slice(c)))
            .collect();
        Body::from_stream(futures::stream::iter(chunks))
    }

    async fn read_back(held: Held) -> Vec<u8> {
        let body = held.into_body().await.unwrap();
        axum::body::to_bytes(body, usize::MAX)
            .await
            .unwrap()
            .to_vec()
    }

    fn files_in(dir: &Path) -> usize {
        std::fs::read_dir(dir).map_or(0, |entries| entries.count())
    }

    #[tokio::test]
    async fn small_bodies_stay_in_memory_and_large_ones_go_to_disk_and_back() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::new(dir.path().join("incoming"), 1 << 30);
        let small = vec![1u8; 1000];
        let held = hold(&spool, body_of(&small, 100), u64::MAX, |_| {})
            .await
            .unwrap();
        assert!(matches!(held, Held::Memory(_)));
        assert_eq!(read_back(held).await, small);

        let large: Vec<u8> = (0..IN_MEMORY_BYTES * 3).map(|i| (i % 253) as u8).collect();
        let mut seen = 0usize;
        let held = hold(&spool, body_of(&large, 70_000), u64::MAX, |c| {
            seen += c.len();
        })
        .await
        .unwrap();
        assert_eq!(seen, large.len(), "every chunk is shown");
        let Held::Disk(spooled) = held else {
            panic!("a body past the memory limit is spooled");
        };
        assert_eq!(spooled.size, large.len() as u64);
        assert_eq!(spooled.sha256, hex::encode(Sha256::digest(&large)));
        assert_eq!(files_in(spool.dir()), 1);
        assert_eq!(read_back(Held::Disk(spooled)).await, large);
        assert_eq!(
            files_in(spool.dir()),
            0,
            "the spool file goes with its body"
        );
    }

    #[tokio::test]
    async fn a_body_past_the_limit_is_refused_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let spool = Spool::new(dir.path(), 1 << 30);
        let large = vec![7u8; IN_MEMORY_BYTES * 2];
        let limit = large.len() as u64 - 1;
        let refused = hold(&spool, body_of(&large, 65_536), limit, |_| {}).await;
        assert!(matches!(refused, Err(HoldError::TooLarge)));
        assert_eq!(files_in(spool.dir()), 0);
        let exact = hold(&spool, body_of(&large, 65_536), limit + 1, |_| {}).await;
        assert!(exact.is_ok());
    }
}
