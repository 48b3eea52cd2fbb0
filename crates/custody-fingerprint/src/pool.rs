//! Hashing many files on several threads, with the results in the order of
//! the files and the failure of the first file that fails.
//!
//! The threads take the files' indices from one counter, so they start them
//! in order and each file is read start to end by one thread. Once a file has
//! failed, files after it are no longer started: their digests cannot matter.

use std::num::NonZero;
use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

use crate::error::FingerprintError;
use crate::file::content_digest;
use crate::progress::Progress;

/// How many threads hash a directory's files: one per core.
pub(crate) fn threads_available() -> usize {
    thread::available_parallelism().map_or(1, NonZero::get)
}

/// The content digest of each of `files`, in their order, computed on at most
/// `threads` threads; or the error of the first of them that fails.
pub(crate) fn content_digests(
    files: &[PathBuf],
    threads: usize,
    progress: &dyn Progress,
) -> Result<Vec<String>, FingerprintError> {
    let digests: Vec<OnceLock<Result<String, FingerprintError>>> =
        files.iter().map(|_| OnceLock::new()).collect();
    let next = AtomicUsize::new(0);
    let first_failed = AtomicUsize::new(usize::MAX);
    let hash_in_turn = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= files.len() || i > first_failed.load(Ordering::Relaxed) {
                return;
            }
            let digest = content_digest(&files[i], progress);
            if digest.is_err() {
                first_failed.fetch_min(i, Ordering::Relaxed);
            }
            digests[i].set(digest).expect("each index is taken once");
        }
    };
    thread::scope(|scope| {
        for _ in 1..threads.clamp(1, files.len().max(1)) {
            scope.spawn(hash_in_turn);
        }
        hash_in_turn();
    });
    // Every file before the first failure was hashed; later ones may not be.
    digests
        .into_iter()
        .map_while(OnceLock::into_inner)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::file::sha256_hex;
    use crate::progress::NoProgress;

    fn files_of(contents: &[&[u8]]) -> (tempfile::TempDir, Vec<PathBuf>) {
        let dir = tempfile::tempdir().unwrap();
        let files = contents
            .iter()
            .enumerate()
            .map(|(i, content)| {
                let path = dir.path().join(i.to_string());
                std::fs::write(&path, content).unwrap();
                path
            })
            .collect();
        (dir, files)
    }

    #[test]
    fn digests_keep_the_order_of_the_files_whatever_the_threads() {
        let contents: Vec<Vec<u8>> = (0..200u32)
            .map(|i| i.to_le_bytes().repeat(i as usize * 37))
            .collect();
        let contents: Vec<&[u8]> = contents.iter().map(Vec::as_slice).collect();
        let (_dir, files) = files_of(&contents);
        let want: Vec<String> = contents.iter().map(|c| sha256_hex(c)).collect();
        for threads in [1, 2, 3, 8, 500] {
            let got = content_digests(&files, threads, &NoProgress).unwrap();
            assert_eq!(got, want, "{threads} threads");
        }
    }

    #[test]
    fn no_files_give_no_digests() {
        assert!(content_digests(&[], 4, &NoProgress).unwrap().is_empty());
    }

    #[test]
    fn the_first_failing_file_gives_the_error() {
        let (dir, mut files) = files_of(&[b"a", b"b", b"c", b"d"]);
        files.insert(1, dir.path().join("missing-1"));
        files.insert(3, dir.path().join("missing-2"));
        for threads in [1, 2, 4] {
            let error = content_digests(&files, threads, &NoProgress).unwrap_err();
            let message = error.to_string();
            assert!(
                message.starts_with(&format!("open {}: ", files[1].display())),
                "{threads} threads: {message}"
            );
        }
    }
}
