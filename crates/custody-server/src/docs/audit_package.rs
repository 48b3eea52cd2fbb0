//! Audit packages: one `tar.gz` holding the facts about a trail or an
//! artifact as JSON documents, every evidence file beside the attestation
//! that carries it, the org's signed log checkpoint, and a README saying
//! what is inside. The documents are bounded in size; evidence files are
//! streamed from the vault into the archive as it is sent, so a package of
//! any size costs a few buffers of memory. Entries are written in a fixed
//! order with the package's time, so a package is reproducible from its facts.

use std::io::{self, Read, Write};
use std::sync::Arc;

use axum::body::{Body, Bytes};
use flate2::Compression;
use flate2::write::GzEncoder;
use futures::StreamExt;
use futures::stream::BoxStream;
use serde::Serialize;
use tokio::runtime::Handle;
use tokio::sync::mpsc;

use crate::error::{ApiError, ApiResult};
use crate::evidence::ObjectStore;

/// The most document bytes a package holds, 256 MiB before compression
/// (evidence files are streamed and not counted).
pub const MAX_DOCUMENT_BYTES: u64 = 256 * 1024 * 1024;

/// How much of the archive is sent at a time.
const SEND_BYTES: usize = 64 * 1024;

/// What an entry of the package holds.
enum Content {
    /// A document, in memory.
    Document(Vec<u8>),
    /// An evidence file, read from the vault when the archive is written.
    Evidence { sha256: String, size: u64 },
}

impl Content {
    fn size(&self) -> u64 {
        match self {
            Content::Document(bytes) => bytes.len() as u64,
            Content::Evidence { size, .. } => *size,
        }
    }
}

/// A package being filled.
pub struct Package {
    root: String,
    at: u64,
    files: Vec<(String, Content)>,
    document_bytes: u64,
}

/// A file name that cannot climb out of its folder or hide (`..`, `/`, leading dots).
pub fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    match cleaned.trim_start_matches('.') {
        "" => "file".to_string(),
        rest => rest.to_string(),
    }
}

impl Package {
    /// A package whose entries sit under `root/`, dated `at` (Unix seconds).
    pub fn new(root: &str, at: f64) -> Package {
        Package {
            root: safe_name(root),
            at: at.max(0.0) as u64,
            files: Vec::new(),
            document_bytes: 0,
        }
    }

    /// Adds a document; refuses to grow past [`MAX_DOCUMENT_BYTES`].
    pub fn add(&mut self, path: &str, bytes: Vec<u8>) -> ApiResult<()> {
        self.document_bytes += bytes.len() as u64;
        if self.document_bytes > MAX_DOCUMENT_BYTES {
            return Err(ApiError::TooLarge(format!(
                "the audit package's documents would exceed {MAX_DOCUMENT_BYTES} bytes: download a shorter period or single attestations instead"
            )));
        }
        self.files
            .push((path.to_string(), Content::Document(bytes)));
        Ok(())
    }

    /// Adds a document as indented JSON.
    pub fn add_json(&mut self, path: &str, doc: &impl Serialize) -> ApiResult<()> {
        let bytes = serde_json::to_vec_pretty(doc)
            .map_err(|e| ApiError::Internal(format!("serialising {path}: {e}")))?;
        self.add(path, bytes)
    }

    /// Adds the evidence file stored under `sha256`, of `size` bytes.
    pub fn add_evidence(&mut self, path: &str, sha256: &str, size: u64) {
        let sha256 = sha256.to_string();
        self.files
            .push((path.to_string(), Content::Evidence { sha256, size }));
    }

    /// The `tar.gz`, with `readme` first and the files listed in it, written
    /// while it is sent. A failure once sending has begun (a vault that lost
    /// a file) ends the body with an error, so the download is cut short
    /// rather than wrong.
    pub fn into_body(self, readme: &str, vault: Arc<dyn ObjectStore>) -> Body {
        let mut listing = format!("{readme}\n## Files\n\n");
        for (path, content) in &self.files {
            listing.push_str(&format!("- `{path}` ({} bytes)\n", content.size()));
        }
        let (tx, rx) = mpsc::channel::<io::Result<Bytes>>(4);
        let handle = Handle::current();
        tokio::task::spawn_blocking(move || {
            let out = io::BufWriter::with_capacity(SEND_BYTES, Sender(tx.clone()));
            if let Err(e) = self.write(listing, &vault, &handle, out)
                && e.kind() != io::ErrorKind::BrokenPipe
            {
                tracing::warn!(error = %e, "an audit package was cut short");
                let _ = tx.blocking_send(Err(e));
            }
        });
        Body::from_stream(futures::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        }))
    }

    fn write(
        self,
        listing: String,
        vault: &Arc<dyn ObjectStore>,
        handle: &Handle,
        out: impl Write,
    ) -> io::Result<()> {
        let mut tar = tar::Builder::new(GzEncoder::new(out, Compression::default()));
        let readme = (
            "README.md".to_string(),
            Content::Document(listing.into_bytes()),
        );
        for (path, content) in std::iter::once(readme).chain(self.files) {
            let mut header = tar::Header::new_gnu();
            header.set_size(content.size());
            header.set_mode(0o644);
            header.set_mtime(self.at);
            header.set_entry_type(tar::EntryType::Regular);
            let path = format!("{}/{path}", self.root);
            match content {
                Content::Document(bytes) => tar.append_data(&mut header, path, bytes.as_slice())?,
                Content::Evidence { sha256, size } => {
                    let object = handle
                        .block_on(vault.open(&sha256))
                        .map_err(io::Error::other)?;
                    if object.size != size {
                        return Err(io::Error::new(
                            io::ErrorKind::InvalidData,
                            format!(
                                "evidence {sha256} is {} bytes in the vault, {size} on record",
                                object.size
                            ),
                        ));
                    }
                    let reader = ObjectReader {
                        handle,
                        chunks: object.chunks,
                        current: Bytes::new(),
                        left: size,
                    };
                    tar.append_data(&mut header, path, reader)?;
                }
            }
        }
        tar.into_inner()?.finish()?.flush()
    }
}

/// Hands the archive's bytes to the response body.
struct Sender(mpsc::Sender<io::Result<Bytes>>);

impl Write for Sender {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0
            .blocking_send(Ok(Bytes::copy_from_slice(buf)))
            .map_err(|_| io::Error::new(io::ErrorKind::BrokenPipe, "the download was dropped"))?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// An evidence file read from the vault's stream, exactly `left` more bytes.
struct ObjectReader<'a> {
    handle: &'a Handle,
    chunks: BoxStream<'static, io::Result<Bytes>>,
    current: Bytes,
    left: u64,
}

impl Read for ObjectReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.handle.block_on(self.chunks.next()) {
                Some(chunk) => self.current = chunk?,
                None if self.left == 0 => return Ok(0),
                None => {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "an evidence file ended before its recorded size",
                    ));
                }
            }
        }
        let n = buf.len().min(self.current.len());
        if n as u64 > self.left {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "an evidence file is longer than its recorded size",
            ));
        }
        buf[..n].copy_from_slice(&self.current[..n]);
        self.current = self.current.slice(n..);
        self.left -= n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evidence::FsObjectStore;
    use crate::spool::Spool;

    fn unpack(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
        archive
            .entries()
            .unwrap()
            .map(|e| {
                let mut e = e.unwrap();
                let mut content = Vec::new();
                e.read_to_end(&mut content).unwrap();
                (e.path().unwrap().display().to_string(), content)
            })
            .collect()
    }

    /// A vault holding `bytes`, and their key.
    async fn vault_with(bytes: &[u8]) -> (Arc<dyn ObjectStore>, String) {
        let vault = FsObjectStore::temporary().unwrap();
        let mut file = Spool::new(vault.spool_dir(), u64::MAX)
            .file()
            .await
            .unwrap();
        file.write(bytes).await.unwrap();
        let file = file.finish().await.unwrap();
        vault.put(&file).await.unwrap();
        (Arc::new(vault), file.sha256.clone())
    }

    async fn sent(body: Body) -> Result<Vec<u8>, axum::Error> {
        axum::body::to_bytes(body, usize::MAX)
            .await
            .map(|b| b.to_vec())
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn packages_list_their_files_in_the_readme_and_stream_evidence() {
        let evidence: Vec<u8> = (0..300_000u32).map(|i| (i % 241) as u8).collect();
        let (vault, sha) = vault_with(&evidence).await;
        let mut p = Package::new("trail-t1", 1_700_000_000.0);
        p.add_json("trail.json", &serde_json::json!({"name": "t1"}))
            .unwrap();
        p.add_evidence("evidence/a/report.bin", &sha, evidence.len() as u64);
        let files = unpack(&sent(p.into_body("# Trail t1\n", vault)).await.unwrap());
        let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "trail-t1/README.md",
                "trail-t1/trail.json",
                "trail-t1/evidence/a/report.bin"
            ]
        );
        let readme = String::from_utf8_lossy(&files[0].1);
        assert!(
            readme.contains("- `evidence/a/report.bin` (300000 bytes)"),
            "{readme}"
        );
        assert!(files[2].1 == evidence, "the evidence byte for byte");
    }

    #[tokio::test(flavor = "multi_thread")]
    async fn evidence_unlike_its_record_cuts_the_download_short() {
        let (vault, sha) = vault_with(b"twelve bytes").await;
        for recorded in [11, 13] {
            let mut p = Package::new("t", 0.0);
            p.add_evidence("evidence/x", &sha, recorded);
            assert!(sent(p.into_body("# t\n", vault.clone())).await.is_err());
        }
        let mut p = Package::new("t", 0.0);
        p.add_evidence("evidence/lost", &"ab".repeat(32), 5);
        assert!(sent(p.into_body("# t\n", vault)).await.is_err());
    }

    #[test]
    fn documents_are_bounded() {
        let mut p = Package::new("t", 0.0);
        p.add("big.json", vec![b' '; MAX_DOCUMENT_BYTES as usize])
            .unwrap();
        assert!(matches!(
            p.add("more.json", vec![b' ']),
            Err(ApiError::TooLarge(_))
        ));
    }

    #[test]
    fn names_cannot_climb_out() {
        assert_eq!(safe_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_name(".hidden"), "hidden");
        assert_eq!(safe_name(""), "file");
        assert_eq!(safe_name("report v1.xml"), "report_v1.xml");
    }
}
