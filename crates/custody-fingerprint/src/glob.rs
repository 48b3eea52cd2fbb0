//! Exclude-pattern expansion exactly as Kosli does it: the Go library
//! `yargevad/filepathx` v1.0.0, i.e. Go's `filepath.Glob` plus `**`,
//! returning the matched path *strings*.
//!
//! A pattern without `**` goes straight to `filepath.Glob`. Otherwise it is
//! split at each `**`; starting from the single match `""`, each piece is
//! globbed after every current match (`match + piece`), and every path found,
//! together with everything beneath it (Go's `filepath.Walk`, which does not
//! follow symlinks), becomes a match for the next piece. So `**` stands for
//! zero or more directory levels.
//!
//! One Go quirk is kept on purpose, since fingerprints must equal Kosli's:
//! for `root/**/logs` the zero-level case globs `root//logs`, and Go returns a
//! meta-free pattern as written, uncleaned. That string never equals a walked
//! path, so `root/logs` itself is not excluded, but everything inside it is
//! (the walk below it yields cleaned paths). With meta in the last piece
//! (`root/**/l?gs`) Go cleans the results and `root/logs` is excluded.

use std::collections::BTreeSet;
use std::fs;

use crate::error::FingerprintError;
use crate::gomatch::{self, BadPattern};
use crate::gopath;

/// Why a pattern could not be expanded.
pub(crate) enum GlobError {
    /// The pattern (or a directory part of it) is malformed.
    BadPattern,
    /// Walking below a match failed.
    Io(FingerprintError),
}

impl From<BadPattern> for GlobError {
    fn from(_: BadPattern) -> Self {
        Self::BadPattern
    }
}

/// `filepathx.Glob`: the path strings matching `pattern`.
pub(crate) fn expand(pattern: &[u8]) -> Result<BTreeSet<Vec<u8>>, GlobError> {
    let pieces = split_double_star(pattern);
    if pieces.len() == 1 {
        return Ok(glob(pattern, 0)?.into_iter().collect());
    }
    let mut matches = BTreeSet::from([Vec::new()]);
    for piece in pieces {
        let mut hits = BTreeSet::new();
        for found in &matches {
            for path in glob(&[found.as_slice(), piece].concat(), 0)? {
                walk(&path, &mut hits)?;
            }
        }
        matches = hits;
    }
    Ok(matches)
}

/// Go's `strings.Split(pattern, "**")`.
fn split_double_star(pattern: &[u8]) -> Vec<&[u8]> {
    let mut pieces = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i + 1 < pattern.len() {
        if &pattern[i..i + 2] == b"**" {
            pieces.push(&pattern[start..i]);
            i += 2;
            start = i;
        } else {
            i += 1;
        }
    }
    pieces.push(&pattern[start..]);
    pieces
}

/// Go's `filepath.Glob`. File system errors are ignored, as in Go.
fn glob(pattern: &[u8], depth: usize) -> Result<Vec<Vec<u8>>, BadPattern> {
    const MAX_DEPTH: usize = 10_000;
    if depth == MAX_DEPTH {
        return Err(BadPattern);
    }
    gomatch::is_match(pattern, b"")?;
    if !gomatch::has_meta(pattern) {
        let exists = fs::symlink_metadata(gopath::path_of(pattern)).is_ok();
        return Ok(exists.then(|| pattern.to_vec()).into_iter().collect());
    }
    let (dir, file) = gopath::split(pattern);
    let dir = match dir {
        b"" => b".",
        b"/" => dir,
        _ => &dir[..dir.len() - 1],
    };
    let mut matches = Vec::new();
    if !gomatch::has_meta(dir) {
        glob_in(dir, file, &mut matches)?;
        return Ok(matches);
    }
    if dir == pattern {
        return Err(BadPattern);
    }
    for parent in glob(dir, depth + 1)? {
        glob_in(&parent, file, &mut matches)?;
    }
    Ok(matches)
}

/// Go's `filepath.glob`: appends the entries of `dir` whose names match the
/// single-component `pattern`. `dir` is followed if it is a symlink.
fn glob_in(dir: &[u8], pattern: &[u8], matches: &mut Vec<Vec<u8>>) -> Result<(), BadPattern> {
    if !fs::metadata(gopath::path_of(dir)).is_ok_and(|m| m.is_dir()) {
        return Ok(());
    }
    let Ok(entries) = gopath::read_dir_sorted(dir) else {
        return Ok(());
    };
    for (name, _) in entries {
        if gomatch::is_match(pattern, &name)? {
            matches.push(gopath::join(dir, &name));
        }
    }
    Ok(())
}

/// Go's `filepath.Walk` collecting paths: `path` as given, then everything
/// below it (symlinks are not followed), each as `Join(parent, name)`.
/// A path already collected had its subtree collected with it, so it is not
/// walked again (Go walks it again, to the same result).
fn walk(path: &[u8], into: &mut BTreeSet<Vec<u8>>) -> Result<(), GlobError> {
    let at = gopath::path_of(path);
    let meta = fs::symlink_metadata(&at)
        .map_err(|e| GlobError::Io(FingerprintError::io("lstat", &at, e)))?;
    if into.insert(path.to_vec()) && meta.is_dir() {
        let entries = gopath::read_dir_sorted(path)
            .map_err(|e| GlobError::Io(FingerprintError::io("open", &at, e)))?;
        for (name, _) in entries {
            walk(&gopath::join(path, &name), into)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_go_strings_split() {
        assert_eq!(split_double_star(b"a/**/b"), vec![&b"a/"[..], b"/b"]);
        assert_eq!(split_double_star(b"a***b"), vec![&b"a"[..], b"*b"]);
        assert_eq!(split_double_star(b"**"), vec![&b""[..], b""]);
        assert_eq!(split_double_star(b"a*b"), vec![&b"a*b"[..]]);
    }
}
