//! SHA-256 hashing of byte strings and of file contents, streamed in
//! fixed-size blocks so large artifacts never sit in memory.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::FingerprintError;
use crate::progress::{NoProgress, Progress};

/// Read buffer size: large enough to keep the hasher busy, small enough that
/// one buffer per hashing thread costs little.
const BLOCK: usize = 64 * 1024;

/// The `file` fingerprint (Kosli §7.1): lower-case hex SHA-256 of the
/// content of the file at `path` (symlinks are followed).
pub fn file_fingerprint(path: &Path) -> Result<String, FingerprintError> {
    watched_file_fingerprint(path, &NoProgress)
}

/// [`file_fingerprint`], telling `progress` the file's size and then the
/// bytes hashed.
pub(crate) fn watched_file_fingerprint(
    path: &Path,
    progress: &dyn Progress,
) -> Result<String, FingerprintError> {
    let file = open(path)?;
    progress.start(file.metadata().map_or(0, |meta| meta.len()));
    hash_file(file, path, progress)
}

/// The hex SHA-256 of the content of the file at `path`, telling `progress`
/// the bytes hashed (and not the size: the caller knows the total).
pub(crate) fn content_digest(
    path: &Path,
    progress: &dyn Progress,
) -> Result<String, FingerprintError> {
    hash_file(open(path)?, path, progress)
}

fn open(path: &Path) -> Result<File, FingerprintError> {
    File::open(path).map_err(|e| FingerprintError::for_artifact("open", path, e))
}

fn hash_file(file: File, path: &Path, progress: &dyn Progress) -> Result<String, FingerprintError> {
    hash_reader(file, progress).map_err(|e| FingerprintError::io("read", path, e))
}

/// Lower-case hex SHA-256 of `bytes`.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Lower-case hex SHA-256 of everything `reader` yields, telling `progress`
/// each block's length.
fn hash_reader(mut reader: impl Read, progress: &dyn Progress) -> io::Result<String> {
    let mut hasher = Sha256::new();
    let mut buffer = vec![0; BLOCK];
    loop {
        match reader.read(&mut buffer) {
            Ok(0) => return Ok(hex::encode(hasher.finalize())),
            Ok(n) => {
                hasher.update(&buffer[..n]);
                progress.advance(n as u64);
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_bytes_as_lower_case_hex() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    /// A reader that hands out its data in uneven pieces, with an
    /// interruption, to show that blocks are joined correctly.
    struct Trickle<'a>(&'a [u8], bool);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.1 = !self.1;
            if self.1 {
                return Err(io::ErrorKind::Interrupted.into());
            }
            let n = buf.len().min(self.0.len()).min(7);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn streamed_hash_equals_one_shot_hash() {
        let data: Vec<u8> = (0..=255u8).cycle().take(3 * BLOCK + 5).collect();
        let streamed = hash_reader(Trickle(&data, false), &NoProgress).unwrap();
        assert_eq!(streamed, sha256_hex(&data));
    }
}
