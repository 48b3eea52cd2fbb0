//! Kosli-compatible fingerprints of `file` and `dir` artifacts.
//!
//! A fingerprint is the lower-case hex SHA-256 that identifies an artifact
//! across Custody (and Kosli): pipelines report artifacts by it and
//! environment snapshots are joined to them by it. This crate owns the two
//! fingerprints computed from the local file system, bit for bit equal to the
//! Kosli CLI's (`reference/kosli-cli.md` §7.1–7.2):
//!
//! * [`file_fingerprint`]: SHA-256 of the file's bytes;
//! * [`dir_fingerprint`]: SHA-256 over the names and contents of a directory
//!   tree, with exclude patterns and `.kosli_ignore` handled as Kosli does
//!   (Go glob syntax plus `**`).
//!
//! [`fingerprint`] picks one by artifact type, and
//! [`fingerprint_with_progress`] reports the bytes hashed as it goes. A
//! directory's files are hashed on all cores. Image fingerprints (`docker`,
//! `oci`) are registry digests and live elsewhere.
//!
//! Paths follow Unix conventions (`/` separators, `\` escapes in patterns),
//! as Kosli does on Linux and macOS.

mod dir;
mod error;
mod exclude;
mod file;
mod glob;
mod gomatch;
mod gopath;
mod pool;
mod progress;
mod walk;

use std::path::Path;

pub use dir::dir_fingerprint;
pub use error::FingerprintError;
pub use file::file_fingerprint;
pub use progress::{NoProgress, Progress};

/// The fingerprint of the artifact at `path`, by Kosli artifact type:
/// `file` or `dir` (`excludes` only applies to `dir`). Any other type is a
/// [`FingerprintError::UnsupportedArtifactType`].
pub fn fingerprint(
    artifact_type: &str,
    path: &Path,
    excludes: &[String],
) -> Result<String, FingerprintError> {
    fingerprint_with_progress(artifact_type, path, excludes, &NoProgress)
}

/// [`fingerprint`], telling `progress` how many content bytes there are to
/// hash and then the bytes hashed.
pub fn fingerprint_with_progress(
    artifact_type: &str,
    path: &Path,
    excludes: &[String],
    progress: &dyn Progress,
) -> Result<String, FingerprintError> {
    match artifact_type {
        "file" => file::watched_file_fingerprint(path, progress),
        "dir" => dir::watched_dir_fingerprint(path, excludes, progress),
        _ => Err(FingerprintError::UnsupportedArtifactType {
            artifact_type: artifact_type.to_owned(),
        }),
    }
}
