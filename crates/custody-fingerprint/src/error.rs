//! The one error type of the crate, with messages written for the person who
//! typed the command: each names the path or pattern at fault.

use std::io;
use std::path::Path;

/// Why a fingerprint could not be computed.
#[derive(Debug, thiserror::Error)]
pub enum FingerprintError {
    /// The artifact path is `" "`, almost always a stray space in a shell
    /// command (for example a line continuation followed by a space).
    #[error("the path is a single space; check for a stray space in the command")]
    SingleSpacePath,

    /// A `dir` artifact path exists but is not a directory.
    #[error("{path} is not a directory")]
    NotADirectory {
        /// The path as given.
        path: String,
    },

    /// A symlink inside the directory points at nothing, so its content
    /// cannot be hashed. Kosli fails the same way.
    #[error("{path} is a symlink to {target}, which does not exist; fix the link or exclude it")]
    DanglingSymlink {
        /// The symlink.
        path: String,
        /// The link's target text.
        target: String,
    },

    /// An exclude pattern (from the caller or `.kosli_ignore`) is malformed.
    #[error(
        "syntax error in exclude pattern {pattern:?}; patterns use Go's filepath.Match syntax plus **"
    )]
    BadPattern {
        /// The pattern as written by the user.
        pattern: String,
    },

    /// A file system call failed. The message reads like Go's
    /// (`open <path>: <reason>`); `error` is kept for callers who need its kind.
    #[error("{op} {path}: {error}")]
    Io {
        /// The failed call: `open`, `read`, `stat`, `lstat`, `readlink`.
        op: &'static str,
        /// The path it was called on.
        path: String,
        /// What the operating system said.
        error: io::Error,
    },

    /// This crate only computes `file` and `dir` fingerprints.
    #[error(
        "{artifact_type} is not a supported artifact type here: use file or dir (docker and oci images are fingerprinted by their registry digest elsewhere)"
    )]
    UnsupportedArtifactType {
        /// The requested type.
        artifact_type: String,
    },
}

impl FingerprintError {
    /// An [`FingerprintError::Io`] for `op` on `path`.
    pub(crate) fn io(op: &'static str, path: &Path, error: io::Error) -> Self {
        Self::Io {
            op,
            path: path.display().to_string(),
            error,
        }
    }

    /// Like [`FingerprintError::io`] for the artifact path itself: a path of
    /// a single space gets the dedicated hint instead.
    pub(crate) fn for_artifact(op: &'static str, path: &Path, error: io::Error) -> Self {
        if path.as_os_str() == " " {
            Self::SingleSpacePath
        } else {
            Self::io(op, path, error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn io_message_names_the_call_and_the_path() {
        let error = io::Error::new(io::ErrorKind::NotFound, "no such file or directory");
        let message = FingerprintError::io("open", Path::new("a/b.txt"), error).to_string();
        assert_eq!(message, "open a/b.txt: no such file or directory");
    }

    #[test]
    fn a_single_space_path_gets_the_stray_space_hint() {
        let error = io::Error::new(io::ErrorKind::NotFound, "no such file or directory");
        let message = FingerprintError::for_artifact("stat", Path::new(" "), error).to_string();
        assert_eq!(
            message,
            "the path is a single space; check for a stray space in the command"
        );
    }
}
