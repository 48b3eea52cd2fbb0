//! Multipart bodies: JSON fields, then file parts that carry either bytes in
//! memory or a file on disk, read as it is sent (and again on a retry), so a
//! large attachment costs the CLI a buffer, not its size. An
//! [`UploadProgress`] hears how much of the files has gone.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use reqwest::multipart::{Form, Part};
use serde_json::Value;
use tokio::io::AsyncReadExt;

use crate::ClientError;

/// A multipart body: JSON fields first, then files (part name, file name, content).
#[derive(Debug, Clone, Default)]
pub struct FormBody {
    pub fields: Vec<(String, Value)>,
    pub files: Vec<(String, String, FileContent)>,
}

/// What a file part carries.
#[derive(Debug, Clone)]
pub enum FileContent {
    Bytes(Vec<u8>),
    /// A file read from disk while the request is sent.
    Path(PathBuf),
}

impl From<Vec<u8>> for FileContent {
    fn from(bytes: Vec<u8>) -> Self {
        FileContent::Bytes(bytes)
    }
}

/// Told `(bytes sent, bytes in all)` of a form's files on disk as they go up.
#[derive(Clone)]
pub struct UploadProgress(pub Arc<dyn Fn(u64, u64) + Send + Sync>);

impl std::fmt::Debug for UploadProgress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("UploadProgress")
    }
}

/// The slowest upload rate a request's time limit allows for: 1 MiB/s.
const SLOWEST_BYTES_PER_SECOND: u64 = 1024 * 1024;

/// How much of a file is read at a time.
const CHUNK_BYTES: usize = 64 * 1024;

/// The request's form, and how long sending it may take at the slowest rate
/// allowed (`None` when it holds no file on disk).
pub(crate) fn multipart(
    form: &FormBody,
    progress: Option<&UploadProgress>,
) -> Result<(Form, Option<Duration>), ClientError> {
    let mut out = Form::new();
    for (name, value) in &form.fields {
        out = out.text(name.clone(), value.to_string());
    }
    let sizes = form
        .files
        .iter()
        .map(|(_, _, content)| match content {
            FileContent::Bytes(_) => Ok(0),
            FileContent::Path(path) => std::fs::metadata(path)
                .map(|m| m.len())
                .map_err(|e| ClientError::Usage(format!("cannot read {}: {e}", path.display()))),
        })
        .collect::<Result<Vec<u64>, _>>()?;
    let total: u64 = sizes.iter().sum();
    let sent = Arc::new(AtomicU64::new(0));
    for ((name, file_name, content), size) in form.files.iter().zip(sizes) {
        let part = match content {
            FileContent::Bytes(bytes) => Part::bytes(bytes.clone()),
            FileContent::Path(path) => {
                let stream = read_as_sent(path.clone(), sent.clone(), total, progress.cloned());
                Part::stream_with_length(reqwest::Body::wrap_stream(stream), size)
            }
        };
        let part = part
            .file_name(file_name.clone())
            .mime_str("application/octet-stream")
            .map_err(|e| ClientError::Usage(e.to_string()))?;
        out = out.part(name.clone(), part);
    }
    let limit = (total > 0).then(|| Duration::from_secs(120 + total / SLOWEST_BYTES_PER_SECOND));
    Ok((out, limit))
}

/// A file's bytes in chunks, counted into `sent` and told to `progress`.
fn read_as_sent(
    path: PathBuf,
    sent: Arc<AtomicU64>,
    total: u64,
    progress: Option<UploadProgress>,
) -> impl futures::Stream<Item = std::io::Result<Vec<u8>>> + Send + 'static {
    let opened: Option<tokio::fs::File> = None;
    futures::stream::try_unfold(opened, move |file| {
        let (path, sent, progress) = (path.clone(), sent.clone(), progress.clone());
        async move {
            let mut file = match file {
                Some(file) => file,
                None => tokio::fs::File::open(&path).await?,
            };
            let mut chunk = vec![0u8; CHUNK_BYTES];
            let read = file.read(&mut chunk).await?;
            if read == 0 {
                return Ok(None);
            }
            chunk.truncate(read);
            let so_far = sent.fetch_add(read as u64, Ordering::Relaxed);
            if let Some(UploadProgress(tell)) = &progress {
                tell(so_far + read as u64, total);
            }
            Ok(Some((chunk, Some(file))))
        }
    })
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use futures::StreamExt;

    use super::*;

    #[tokio::test]
    async fn a_file_on_disk_is_read_in_chunks_and_its_progress_told() {
        let dir = std::env::temp_dir().join(format!("custody-form-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("evidence.bin");
        let bytes: Vec<u8> = (0..200_000u32).map(|i| (i % 199) as u8).collect();
        std::fs::write(&path, &bytes).unwrap();
        let told = Arc::new(Mutex::new(Vec::new()));
        let heard = told.clone();
        let progress = UploadProgress(Arc::new(move |sent, total| {
            heard.lock().unwrap().push((sent, total));
        }));
        let total = bytes.len() as u64 + 10;
        let sent = Arc::new(AtomicU64::new(10));
        let chunks: Vec<Vec<u8>> = read_as_sent(path.clone(), sent, total, Some(progress))
            .map(Result::unwrap)
            .collect()
            .await;
        assert!(chunks.len() > 1, "read in chunks");
        assert_eq!(chunks.concat(), bytes);
        let told = told.lock().unwrap();
        assert_eq!(
            told.last(),
            Some(&(total, total)),
            "counted on from other files"
        );
        assert!(told.windows(2).all(|w| w[0].0 < w[1].0));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_missing_file_is_a_usage_error_before_sending() {
        let form = FormBody {
            fields: vec![],
            files: vec![(
                "attachment_file".into(),
                "x".into(),
                FileContent::Path("/nonexistent/evidence.tgz".into()),
            )],
        };
        let err = multipart(&form, None).err().unwrap();
        assert!(
            matches!(&err, ClientError::Usage(m) if m.starts_with("cannot read /nonexistent/evidence.tgz")),
            "{err:?}"
        );
    }

    #[test]
    fn files_on_disk_lengthen_the_time_limit() {
        let dir = std::env::temp_dir().join(format!("custody-limit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("big.bin");
        std::fs::File::create(&path)
            .unwrap()
            .set_len(10 * SLOWEST_BYTES_PER_SECOND)
            .unwrap();
        let in_memory = FormBody {
            fields: vec![],
            files: vec![("f".into(), "f".into(), vec![1u8; 10].into())],
        };
        assert_eq!(multipart(&in_memory, None).unwrap().1, None);
        let on_disk = FormBody {
            fields: vec![],
            files: vec![("f".into(), "f".into(), FileContent::Path(path))],
        };
        assert_eq!(
            multipart(&on_disk, None).unwrap().1,
            Some(Duration::from_secs(130))
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}
