//! The `dir` fingerprint (Kosli §7.2): a SHA-256 over the names and contents
//! of everything below a directory, in a fixed order.
//!
//! The tree is walked depth first, entries of each directory in byte order of
//! their names, the root itself left out. For each entry that is not
//! excluded, the hex SHA-256 of its base name is appended to a running text;
//! then a real directory is descended into, a symlink to a directory adds the
//! hex SHA-256 of its target text (and is not followed), and anything else
//! adds the hex SHA-256 of its content (through symlinks, even out of the
//! tree). The fingerprint is the hex SHA-256 of that text. Permissions,
//! times, owners and the root's own name play no part.
//!
//! Entry paths are built as Go path strings (`Join(parent, name)`) because
//! exclusion compares them, as strings, with the expanded patterns.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::FingerprintError;
use crate::file::{file_fingerprint, sha256_hex};
use crate::{exclude, gopath};

/// The `dir` fingerprint of the directory at `path`.
///
/// `excludes` are patterns relative to `path` (Go `filepath.Match` syntax
/// plus `**`), used together with the lines of `path/.kosli_ignore`;
/// excluded directories are skipped whole and patterns matching nothing are
/// ignored. Unlike Kosli, whose walk does not enter a root that is itself a
/// symlink (always giving the empty-directory fingerprint), a symlinked root
/// is followed.
pub fn dir_fingerprint(path: &Path, excludes: &[String]) -> Result<String, FingerprintError> {
    let meta = fs::metadata(path).map_err(|e| FingerprintError::for_artifact("stat", path, e))?;
    if !meta.is_dir() {
        return Err(FingerprintError::NotADirectory {
            path: path.display().to_string(),
        });
    }
    let root = gopath::bytes_of(path);
    let mut walk = Walk {
        excluded: exclude::excluded_paths(&root, excludes)?,
        digests: Sha256::new(),
    };
    walk.directory(&root)?;
    Ok(hex::encode(walk.digests.finalize()))
}

/// The state of one walk: what to skip, and the hash of the text so far.
struct Walk {
    excluded: HashSet<Vec<u8>>,
    digests: Sha256,
}

impl Walk {
    /// Appends one hex digest to the text being hashed.
    fn append(&mut self, hex_digest: &str) {
        self.digests.update(hex_digest.as_bytes());
    }

    /// Appends the entries below `dir` (a Go path string), depth first.
    fn directory(&mut self, dir: &[u8]) -> Result<(), FingerprintError> {
        let entries = gopath::read_dir_sorted(dir)
            .map_err(|e| FingerprintError::io("open", &gopath::path_of(dir), e))?;
        for (name, file_type) in entries {
            let path = gopath::join(dir, &name);
            if self.excluded.contains(&path) {
                continue;
            }
            let at = gopath::path_of(&path);
            if file_type.is_dir() {
                self.append(&sha256_hex(&name));
                self.directory(&path)?;
            } else if file_type.is_symlink() && symlink_to_directory(&at)? {
                let target =
                    fs::read_link(&at).map_err(|e| FingerprintError::io("readlink", &at, e))?;
                self.append(&sha256_hex(&name));
                self.append(&sha256_hex(target.as_os_str().as_encoded_bytes()));
            } else {
                let content = file_fingerprint(&at)?;
                self.append(&sha256_hex(&name));
                self.append(&content);
            }
        }
        Ok(())
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
