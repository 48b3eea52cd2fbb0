//! [`FsObjectStore`]: objects as files `<dir>/<aa>/<sha256>` (`aa` = the first
//! two hex digits). Uploads are spooled into `<dir>/.incoming`, flushed to
//! disk, then linked into place (copied and renamed where links cannot be
//! made), so a reader never sees a partial object, a stored one survives a
//! crash, and a large file is written once.

use std::path::{Path, PathBuf};

use async_trait::async_trait;
use rand::RngCore;

use futures::StreamExt;

use super::{Object, ObjectError, ObjectStore};
use crate::spool::{Spooled, chunks_of};

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
        forget_stale_uploads(&dir.join(INCOMING));
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

/// The spool directory inside the vault.
const INCOMING: &str = ".incoming";

/// Uploads left in the spool this long were cut off by a crash.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Removes spooled uploads a crash left behind (recent ones may belong to
/// another server sharing the directory, and are kept).
fn forget_stale_uploads(incoming: &Path) {
    let Ok(entries) = std::fs::read_dir(incoming) else {
        return;
    };
    for entry in entries.flatten() {
        let stale = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|at| at.elapsed().ok())
            .is_some_and(|age| age > STALE_AFTER);
        if stale {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether a key is a SHA-256 as the vault writes it: 64 lower-case hex digits.
pub(super) fn valid_key(sha256: &str) -> bool {
    sha256.len() == 64
        && sha256
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// Copies `from` to `temp`, flushes it to disk and renames it to `path`: for
/// a spool on another file system, or one that cannot link.
async fn copy_durably(from: &Path, temp: &Path, path: &Path) -> std::io::Result<()> {
    tokio::fs::copy(from, temp).await?;
    tokio::fs::File::open(temp).await?.sync_all().await?;
    tokio::fs::rename(temp, path).await
}

#[async_trait]
impl ObjectStore for FsObjectStore {
    fn spool_dir(&self) -> PathBuf {
        self.dir.join(INCOMING)
    }

    async fn put(&self, file: &Spooled) -> Result<(), ObjectError> {
        let path = self.path(&file.sha256)?;
        if tokio::fs::try_exists(&path).await? {
            return Ok(());
        }
        let parent = path.parent().unwrap_or(&self.dir);
        tokio::fs::create_dir_all(parent).await?;
        match tokio::fs::hard_link(file.path(), &path).await {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(()),
            Err(_) => {
                let mut suffix = [0u8; 8];
                rand::rng().fill_bytes(&mut suffix);
                let temp = parent.join(format!(".{}.{}.tmp", file.sha256, hex::encode(suffix)));
                if let Err(e) = copy_durably(file.path(), &temp, &path).await {
                    let _ = tokio::fs::remove_file(&temp).await;
                    return Err(e.into());
                }
            }
        }
        tokio::fs::File::open(parent).await?.sync_all().await?;
        Ok(())
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

    async fn open(&self, sha256: &str) -> Result<Object, ObjectError> {
        let file = match tokio::fs::File::open(self.path(sha256)?).await {
            Ok(file) => file,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ObjectError::NotFound(sha256.to_string()));
            }
            Err(e) => return Err(e.into()),
        };
        let size = file.metadata().await?.len();
        Ok(Object {
            size,
            chunks: chunks_of(file, ()).boxed(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spool::Spool;

    /// `bytes` spooled where the store takes its uploads from.
    async fn spooled(store: &FsObjectStore, bytes: &[u8]) -> Spooled {
        let mut file = Spool::new(store.spool_dir(), u64::MAX)
            .file()
            .await
            .unwrap();
        file.write(bytes).await.unwrap();
        file.finish().await.unwrap()
    }

    /// Puts `bytes` and returns their key.
    async fn put(store: &FsObjectStore, bytes: &[u8]) -> String {
        let file = spooled(store, bytes).await;
        store.put(&file).await.unwrap();
        file.sha256.clone()
    }

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
        let a = put(&store, b"this is non empty").await;
        let b = put(&store, b"this is non empty").await;
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
                tokio::spawn(async move { put(&store, &bytes).await })
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
