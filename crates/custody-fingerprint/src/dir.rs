//! The `dir` fingerprint (Kosli §7.2): a SHA-256 over the names and contents
//! of everything below a directory, in a fixed order.
//!
//! [`crate::walk`] lists the text's pieces (hex SHA-256s of names, symlink
//! targets and file contents) in Kosli's order; [`crate::pool`] hashes the
//! files' contents on all cores; the fingerprint is the hex SHA-256 of the
//! pieces joined in walk order. Permissions, times, owners and the root's own
//! name play no part.

use std::fs;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::FingerprintError;
use crate::progress::{NoProgress, Progress};
use crate::walk::{self, Piece};
use crate::{exclude, gopath, pool};

/// The `dir` fingerprint of the directory at `path`.
///
/// `excludes` are patterns relative to `path` (Go `filepath.Match` syntax
/// plus `**`), used together with the lines of `path/.kosli_ignore`;
/// excluded directories are skipped whole and patterns matching nothing are
/// ignored. Unlike Kosli, whose walk does not enter a root that is itself a
/// symlink (always giving the empty-directory fingerprint), a symlinked root
/// is followed.
pub fn dir_fingerprint(path: &Path, excludes: &[String]) -> Result<String, FingerprintError> {
    watched_dir_fingerprint(path, excludes, &NoProgress)
}

/// [`dir_fingerprint`], telling `progress` the size of the files to hash and
/// then the bytes hashed.
pub(crate) fn watched_dir_fingerprint(
    path: &Path,
    excludes: &[String],
    progress: &dyn Progress,
) -> Result<String, FingerprintError> {
    dir_fingerprint_on(path, excludes, pool::threads_available(), progress)
}

/// [`watched_dir_fingerprint`] hashing on at most `threads` threads.
fn dir_fingerprint_on(
    path: &Path,
    excludes: &[String],
    threads: usize,
    progress: &dyn Progress,
) -> Result<String, FingerprintError> {
    let meta = fs::metadata(path).map_err(|e| FingerprintError::for_artifact("stat", path, e))?;
    if !meta.is_dir() {
        return Err(FingerprintError::NotADirectory {
            path: path.display().to_string(),
        });
    }
    let root = gopath::bytes_of(path);
    let plan = walk::plan(&root, &exclude::excluded_paths(&root, excludes)?);
    progress.start(plan.total_bytes);
    let contents = pool::content_digests(&plan.files, threads, progress)?;
    if let Some(error) = plan.stopped_by {
        return Err(error);
    }
    let mut text = Sha256::new();
    for piece in &plan.pieces {
        let digest = match piece {
            Piece::Digest(digest) => digest,
            Piece::ContentOf(file) => &contents[*file],
        };
        text.update(digest.as_bytes());
    }
    Ok(hex::encode(text.finalize()))
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::os::unix::net::UnixListener;
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicU64, Ordering};

    use super::*;
    use crate::file::sha256_hex;

    /// The fingerprint as one thread computes it, reading each file whole:
    /// Kosli's algorithm for trees of plain files and directories, skipping
    /// the `excluded` paths (relative to the root).
    fn sequential_reference(root: &Path, dir: &Path, excluded: &HashSet<PathBuf>) -> String {
        fn append(text: &mut Sha256, root: &Path, dir: &Path, excluded: &HashSet<PathBuf>) {
            let mut entries: Vec<_> = fs::read_dir(dir).unwrap().map(Result::unwrap).collect();
            entries.sort_by_key(fs::DirEntry::file_name);
            for entry in entries {
                let path = entry.path();
                if excluded.contains(path.strip_prefix(root).unwrap()) {
                    continue;
                }
                text.update(sha256_hex(entry.file_name().as_encoded_bytes()));
                if entry.file_type().unwrap().is_dir() {
                    append(text, root, &path, excluded);
                } else {
                    text.update(sha256_hex(&fs::read(&path).unwrap()));
                }
            }
        }
        let mut text = Sha256::new();
        append(&mut text, root, dir, excluded);
        hex::encode(text.finalize())
    }

    /// The size of file `i` of [`varied_tree`]: every seventh is empty.
    fn varied_size(i: usize) -> usize {
        if i.is_multiple_of(7) {
            0
        } else {
            (i * 7919) % 300_000
        }
    }

    /// A tree of `files` files of [`varied_size`]s, spread over nested
    /// directories, and an empty directory.
    fn varied_tree(files: usize) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..files {
            let nested = dir.path().join(format!("d{}/e{}", i % 5, i % 3));
            fs::create_dir_all(&nested).unwrap();
            let content: Vec<u8> = (0..varied_size(i)).map(|b| (b * 31 + i) as u8).collect();
            fs::write(nested.join(format!("f{i}")), content).unwrap();
        }
        fs::create_dir_all(dir.path().join("empty/dir")).unwrap();
        dir
    }

    fn on_threads(root: &Path, excludes: &[String], threads: usize) -> String {
        dir_fingerprint_on(root, excludes, threads, &NoProgress).unwrap()
    }

    fn failure_on_threads(root: &Path, threads: usize) -> FingerprintError {
        dir_fingerprint_on(root, &[], threads, &NoProgress).unwrap_err()
    }

    #[test]
    fn parallel_hashing_gives_the_sequential_fingerprint() {
        let tree = varied_tree(300);
        let want = sequential_reference(tree.path(), tree.path(), &HashSet::new());
        for threads in [1, 2, 4, 16] {
            assert_eq!(on_threads(tree.path(), &[], threads), want, "{threads}");
        }
        assert_eq!(dir_fingerprint(tree.path(), &[]).unwrap(), want);
    }

    #[test]
    fn excluded_paths_are_left_out_on_every_thread_count() {
        let tree = varied_tree(120);
        let excludes = ["d1", "d2/e0", "d3/e1/f10", "empty/dir"].map(String::from);
        let excluded = excludes.iter().map(PathBuf::from).collect();
        let want = sequential_reference(tree.path(), tree.path(), &excluded);
        for threads in [1, 2, 4] {
            assert_eq!(on_threads(tree.path(), &excludes, threads), want);
        }
    }

    /// Counts what it is told.
    #[derive(Default)]
    struct Tally {
        total: AtomicU64,
        hashed: AtomicU64,
    }

    impl Progress for Tally {
        fn start(&self, total_bytes: u64) {
            self.total.fetch_add(total_bytes, Ordering::Relaxed);
        }

        fn advance(&self, bytes: u64) {
            self.hashed.fetch_add(bytes, Ordering::Relaxed);
        }
    }

    #[test]
    fn progress_is_told_every_byte_of_content() {
        let tree = varied_tree(60);
        let tally = Tally::default();
        watched_dir_fingerprint(tree.path(), &[], &tally).unwrap();
        let want = (0..60).map(varied_size).sum::<usize>() as u64;
        assert_eq!(tally.total.into_inner(), want);
        assert_eq!(tally.hashed.into_inner(), want);
    }

    /// Opening a socket fails (ENXIO), even for root.
    const ENXIO: i32 = 6;

    /// A file that even root cannot open: a listening socket.
    fn unopenable_file(path: &Path) -> UnixListener {
        UnixListener::bind(path).unwrap()
    }

    #[test]
    fn an_unreadable_file_fails_as_it_did_on_one_thread() {
        let tree = varied_tree(40);
        let socket = tree.path().join("d2/e1/f20.sock");
        let _listener = unopenable_file(&socket);
        let want = format!(
            "open {}: {}",
            socket.display(),
            std::io::Error::from_raw_os_error(ENXIO)
        );
        for threads in [1, 2, 4] {
            let error = failure_on_threads(tree.path(), threads);
            assert_eq!(error.to_string(), want, "{threads} threads");
        }
    }

    #[test]
    fn the_first_failure_in_walk_order_wins() {
        let tree = varied_tree(40);
        let _listener = unopenable_file(&tree.path().join("d1/late.sock"));
        std::os::unix::fs::symlink("nowhere", tree.path().join("d0/early")).unwrap();
        let error = failure_on_threads(tree.path(), 2);
        assert!(
            matches!(error, FingerprintError::DanglingSymlink { .. }),
            "{error}"
        );

        let tree = varied_tree(40);
        let socket = tree.path().join("d0/early.sock");
        let _listener = unopenable_file(&socket);
        std::os::unix::fs::symlink("nowhere", tree.path().join("d4/late")).unwrap();
        let error = failure_on_threads(tree.path(), 2);
        assert!(
            error
                .to_string()
                .starts_with(&format!("open {}", socket.display())),
            "{error}"
        );
    }
}
