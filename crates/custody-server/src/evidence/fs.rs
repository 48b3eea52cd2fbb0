//! [`FsObjectStore`]: objects as files `<dir>/<aa>/<sha256>` (`aa` = the first
//! two hex digits), each written to a temporary file, flushed to disk and
//! renamed into place, so a reader never sees a partial object and a stored
//! one survives a crash.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::{ObjectError, ObjectStore};

/// Objects in a directory.
pub struct FsObjectStore {
    dir: PathBuf,
    /// Keeps a temporary vault alive as long as the store.
    _temporary: Option<tempfile::TempDir>,
}

impl FsObjectStore {
    /// A store in `dir`, created if missing.
    pub fn open(dir: impl Into<PathBuf>) -> std::io::Result<Self> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        Ok(FsObjectStore {
            dir,
            _temporary: None,
        })
    }

    /// A store in a fresh temporary directory, removed when the store is dropped.
    pub fn temporary() -> std::io::Result<Self> {
        let temp = tempfile::Builder::new()
            .prefix("custody-evidence-")
            .tempdir()?;
        Ok(FsObjectStore {
            dir: temp.path().to_path_buf(),
            _temporary: Some(temp),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where an object lives; the key must be 64 lower-case hex digits.
    fn path(&self, sha256: &str) -> Result<PathBuf, ObjectError> {
        if !valid_key(sha256) {
            return Err(ObjectError::BadKey(sha256.to_string()));
        }
        Ok(self.dir.join(&sha256[..2]).join(sha256))
    }
}

/// Whether a key is a SHA-256 as the vault writes it: 64 lower-case hex digits.
pub(super) fn valid_key(sha256: &str) -> bool {
    sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Writes `bytes` to `temp`, flushes them to disk, renames the file to `path`
/// and flushes the directory, so an acknowledged object survives a crash.
async fn write_durably(temp: &Path, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let mut file = tokio::fs::File::create(temp).await?;
    file.write_all(bytes).await?;
    file.sync_all().await?;
    tokio::fs::rename(temp, path).await?;
    if let Some(parent) = path.parent() {
        tokio::fs::File::open(parent).await?.sync_all().await?;
    }
    Ok(())
}

#[async_trait]
impl ObjectStore for FsObjectStore {
    async fn put(&self, bytes: &[u8]) -> Result<String, ObjectError> {
        let sha256 = hex::encode(Sha256::digest(bytes));
        let path = self.path(&sha256)?;
        if tokio::fs::try_exists(&path).await? {
            return Ok(sha256);
        }
        let parent = path.parent().unwrap_or(&self.dir);
        tokio::fs::create_dir_all(parent).await?;
        let mut suffix = [0u8; 8];
        rand::rng().fill_bytes(&mut suffix);
        let temp = parent.join(format!(".{sha256}.{}.tmp", hex::encode(suffix)));
        if let Err(e) = write_durably(&temp, &path, bytes).await {
            let _ = tokio::fs::remove_file(&temp).await;
            return Err(e.into());
        }
        Ok(sha256)
    }

    async fn check(&self) -> Result<(), ObjectError> {
        let meta = tokio::fs::metadata(&self.dir).await?;
        if meta.is_dir() && !meta.permissions().readonly() {
            Ok(())
        } else {
            Err(ObjectError::Io(std::io::Error::other(format!(
                "{} is not a writable directory",
                self.dir.display()
            ))))
        }
    }

    async fn get(&self, sha256: &str) -> Result<Vec<u8>, ObjectError> {
        match tokio::fs::read(self.path(sha256)?).await {
            Ok(bytes) => Ok(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Err(ObjectError::NotFound(sha256.to_string()))
            }
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files_under(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                out.extend(files_under(&path));
            } else {
                out.push(path);
            }
        }
        out
    }

    #[tokio::test]
    async fn identical_content_is_stored_once_under_its_sha256() {
        let store = FsObjectStore::temporary().unwrap();
        let a = store.put(b"this is non empty").await.unwrap();
        let b = store.put(b"this is non empty").await.unwrap();
        assert_eq!(a, b);
        assert_eq!(
            a,
            "1256d6510a6606ad61a4f6104243a291b18383b456d50205eba893b51e1807bc"
        );
        let files = files_under(store.dir());
        assert_eq!(
            files,
            vec![store.dir().join("12").join(&a)],
            "one file, no temporaries"
        );
        assert_eq!(store.get(&a).await.unwrap(), b"this is non empty");
    }

    #[tokio::test]
    async fn writes_are_atomic_and_concurrent_puts_agree() {
        let store = std::sync::Arc::new(FsObjectStore::temporary().unwrap());
        let bytes = vec![7u8; 1 << 20];
        let puts: Vec<_> = (0..8)
            .map(|_| {
                let (store, bytes) = (store.clone(), bytes.clone());
                tokio::spawn(async move { store.put(&bytes).await.unwrap() })
            })
            .collect();
        let mut keys = Vec::new();
        for put in puts {
            keys.push(put.await.unwrap());
        }
        keys.dedup();
        assert_eq!(keys.len(), 1);
        assert_eq!(
            files_under(store.dir()).len(),
            1,
            "temporaries renamed away"
        );
        assert_eq!(store.get(&keys[0]).await.unwrap(), bytes);
    }

    #[tokio::test]
    async fn unknown_and_malformed_keys_are_refused() {
        let store = FsObjectStore::temporary().unwrap();
        let unknown = "ab".repeat(32);
        assert!(matches!(
            store.get(&unknown).await,
            Err(ObjectError::NotFound(k)) if k == unknown
        ));
        for bad in ["../../etc/passwd", "AB", &"A".repeat(64)] {
            assert!(matches!(store.get(bad).await, Err(ObjectError::BadKey(_))));
        }
    }

    #[tokio::test]
    async fn a_vault_whose_directory_is_gone_is_not_ready() {
        let store = FsObjectStore::temporary().unwrap();
        store.check().await.unwrap();
        std::fs::remove_dir_all(store.dir()).unwrap();
        assert!(matches!(store.check().await, Err(ObjectError::Io(_))));
    }

    #[test]
    fn a_temporary_vault_is_removed_with_its_store() {
        let store = FsObjectStore::temporary().unwrap();
        let dir = store.dir().to_path_buf();
        assert!(dir.is_dir());
        drop(store);
        assert!(!dir.exists());
    }
}
