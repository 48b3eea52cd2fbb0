//! [`S3ObjectStore`]: the evidence vault in an S3-compatible bucket, through
//! `object_store`, for replicas that share one vault. Objects are keyed as on
//! disk, `<prefix>/<aa>/<sha256>`; a put is acknowledged only once the upload
//! has completed, and an object already there is not sent again. Uploads are
//! spooled in the system's temporary directory and sent from there, large
//! ones in parts, so no file is held in memory whole. Credentials,
//! region and endpoint come from the standard `AWS_*` variables
//! (`AWS_ENDPOINT_URL` and `AWS_ALLOW_HTTP=true` for a local S3).

use async_trait::async_trait;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::{ObjectStoreExt, PutPayload, WriteMultipart};
use std::path::PathBuf;
use tokio::io::AsyncReadExt;

use super::fs::valid_key;
use futures::StreamExt;

use super::{Object, ObjectError, ObjectStore};
use crate::spool::Spooled;

/// Files up to this size go up in one request; larger ones in parts of it.
const PART_BYTES: usize = 8 * 1024 * 1024;
/// How much of a spooled file is read at a time.
const READ_BYTES: usize = 1024 * 1024;
/// Parts uploading at once.
const PARTS_IN_FLIGHT: usize = 2;

/// Objects in a bucket, under a prefix.
#[derive(Debug)]
pub struct S3ObjectStore {
    bucket: AmazonS3,
    prefix: String,
}

impl S3ObjectStore {
    /// The vault at `s3://BUCKET[/PREFIX]`.
    pub fn open(url: &str) -> Result<Self, ObjectError> {
        let rest = url.strip_prefix("s3://").ok_or_else(|| {
            ObjectError::Config(format!(
                "evidence store '{url}' is not an s3://BUCKET[/PREFIX] address"
            ))
        })?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(ObjectError::Config(format!(
                "evidence store '{url}' names no bucket: use s3://BUCKET[/PREFIX]"
            )));
        }
        let bucket = AmazonS3Builder::from_env()
            .with_bucket_name(bucket)
            .build()
            .map_err(|e| ObjectError::Config(format!("cannot use evidence store '{url}': {e}")))?;
        Ok(S3ObjectStore {
            bucket,
            prefix: prefix.trim_matches('/').to_string(),
        })
    }

    fn path(&self, sha256: &str) -> Result<Path, ObjectError> {
        if !valid_key(sha256) {
            return Err(ObjectError::BadKey(sha256.to_string()));
        }
        let key = format!("{}/{sha256}", &sha256[..2]);
        Ok(match self.prefix.as_str() {
            "" => Path::from(key),
            prefix => Path::from(format!("{prefix}/{key}")),
        })
    }
}

fn remote(e: object_store::Error) -> ObjectError {
    ObjectError::Io(std::io::Error::other(e.to_string()))
}

#[async_trait]
impl ObjectStore for S3ObjectStore {
    fn spool_dir(&self) -> PathBuf {
        std::env::temp_dir()
    }

    async fn put(&self, file: &Spooled) -> Result<(), ObjectError> {
        let path = self.path(&file.sha256)?;
        match self.bucket.head(&path).await {
            Ok(_) => return Ok(()),
            Err(object_store::Error::NotFound { .. }) => {}
            Err(e) => return Err(remote(e)),
        }
        let mut source = tokio::fs::File::open(file.path()).await?;
        if file.size <= PART_BYTES as u64 {
            let mut bytes = Vec::with_capacity(file.size as usize);
            source.read_to_end(&mut bytes).await?;
            self.bucket
                .put(&path, PutPayload::from(bytes))
                .await
                .map_err(remote)?;
            return Ok(());
        }
        let upload = self.bucket.put_multipart(&path).await.map_err(remote)?;
        let mut parts = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
        let mut chunk = vec![0u8; READ_BYTES];
        loop {
            let read = match source.read(&mut chunk).await {
                Ok(0) => break,
                Ok(read) => read,
                Err(e) => {
                    let _ = parts.abort().await;
                    return Err(e.into());
                }
            };
            if let Err(e) = parts.wait_for_capacity(PARTS_IN_FLIGHT).await {
                let _ = parts.abort().await;
                return Err(remote(e));
            }
            parts.write(&chunk[..read]);
        }
        parts.finish().await.map_err(remote)?;
        Ok(())
    }

    async fn open(&self, sha256: &str) -> Result<Object, ObjectError> {
        let path = self.path(sha256)?;
        match self.bucket.get(&path).await {
            Ok(found) => Ok(Object {
                size: found.meta.size,
                chunks: found
                    .into_stream()
                    .map(|chunk| chunk.map_err(std::io::Error::other))
                    .boxed(),
            }),
            Err(object_store::Error::NotFound { .. }) => {
                Err(ObjectError::NotFound(sha256.to_string()))
            }
            Err(e) => Err(remote(e)),
        }
    }

    async fn check(&self) -> Result<(), ObjectError> {
        // Any answer about an object that is never stored shows the bucket is reachable.
        let probe = self.path(&"0".repeat(64))?;
        match self.bucket.head(&probe).await {
            Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(remote(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_name_a_bucket_and_keys_are_checked() {
        for bad in ["bucket", "s3://", "s3:///prefix"] {
            assert!(
                matches!(S3ObjectStore::open(bad), Err(ObjectError::Config(_))),
                "{bad}"
            );
        }
        let vault = S3ObjectStore::open("s3://evidence/custody/prod/").unwrap();
        let key = "ab".repeat(32);
        assert_eq!(
            vault.path(&key).unwrap().to_string(),
            format!("custody/prod/ab/{key}")
        );
        assert!(matches!(vault.path("../x"), Err(ObjectError::BadKey(_))));
        let bare = S3ObjectStore::open("s3://evidence").unwrap();
        assert_eq!(bare.path(&key).unwrap().to_string(), format!("ab/{key}"));
    }
}
