//! The walk of a `dir` fingerprint: what the hashed text is made of, in
//! order, without reading any file's content.
//!
//! The tree is walked depth first, entries of each directory in byte order of
//! their names, the root itself left out. Each entry that is not excluded
//! gives the hex SHA-256 of its base name; then a real directory is descended
//! into, a symlink to a directory gives the hex SHA-256 of its target text
//! (and is not followed), and anything else gives the hex SHA-256 of its
//! content (through symlinks, even out of the tree), left for
//! [`crate::pool`] to compute.
//!
//! Entry paths are built as Go path strings (`Join(parent, name)`) because
//! exclusion compares them, as strings, with the expanded patterns.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use crate::error::FingerprintError;
use crate::file::sha256_hex;
use crate::gopath;

/// One piece of the hashed text.
#[derive(Debug)]
pub(crate) enum Piece {
    /// A hex digest known from the walk (a name or a symlink's target).
    Digest(String),
    /// The hex digest of the content of [`Plan::files`]`[i]`.
    ContentOf(usize),
}

/// Everything the walk found, in the order Kosli hashes it.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    /// The pieces of the text, in order.
    pub(crate) pieces: Vec<Piece>,
    /// The files whose content is hashed, in order of their pieces.
    pub(crate) files: Vec<PathBuf>,
    /// Their sizes added up, as found when walking (for progress only).
    pub(crate) total_bytes: u64,
    /// The failure that ended the walk early. It comes after every piece, so
    /// it is the fingerprint's error unless hashing one of `files` fails.
    pub(crate) stopped_by: Option<FingerprintError>,
}

/// Walks the directory `root` (a Go path string), skipping `excluded`.
pub(crate) fn plan(root: &[u8], excluded: &HashSet<Vec<u8>>) -> Plan {
    let mut plan = Plan::default();
    if let Err(error) = plan.directory(root, excluded) {
        plan.stopped_by = Some(error);
    }
    plan
}

impl Plan {
    /// Adds the entries below `dir` (a Go path string), depth first.
    fn directory(
        &mut self,
        dir: &[u8],
        excluded: &HashSet<Vec<u8>>,
    ) -> Result<(), FingerprintError> {
        let entries = gopath::read_dir_sorted(dir)
            .map_err(|e| FingerprintError::io("open", &gopath::path_of(dir), e))?;
        for (name, file_type) in entries {
            let path = gopath::join(dir, &name);
            if excluded.contains(&path) {
                continue;
            }
            let at = gopath::path_of(&path);
            if file_type.is_dir() {
                self.digest_of(&name);
                self.directory(&path, excluded)?;
            } else if file_type.is_symlink() && symlink_to_directory(&at)? {
                let target =
                    fs::read_link(&at).map_err(|e| FingerprintError::io("readlink", &at, e))?;
                self.digest_of(&name);
                self.digest_of(target.as_os_str().as_encoded_bytes());
            } else {
                self.digest_of(&name);
                self.content_of(at);
            }
        }
        Ok(())
    }

    fn digest_of(&mut self, bytes: &[u8]) {
        self.pieces.push(Piece::Digest(sha256_hex(bytes)));
    }

    fn content_of(&mut self, file: PathBuf) {
        // A size that cannot be read only makes the progress less exact;
        // hashing the file reports the failure.
        self.total_bytes += fs::metadata(&file).map_or(0, |meta| meta.len());
        self.pieces.push(Piece::ContentOf(self.files.len()));
        self.files.push(file);
    }
}

/// Whether the symlink `link` resolves to a directory; a link resolving to
/// nothing is an error, as in Kosli.
fn symlink_to_directory(link: &Path) -> Result<bool, FingerprintError> {
    match fs::metadata(link) {
        Ok(meta) => Ok(meta.is_dir()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(FingerprintError::DanglingSymlink {
            path: link.display().to_string(),
            target: fs::read_link(link).map_or_else(|_| "?".into(), |t| t.display().to_string()),
        }),
        Err(e) => Err(FingerprintError::io("stat", link, e)),
    }
}
