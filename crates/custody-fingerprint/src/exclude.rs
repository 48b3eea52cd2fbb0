//! Which paths a directory fingerprint leaves out.
//!
//! The patterns are the caller's excludes followed by the lines of the root's
//! `.kosli_ignore` (only the root's; nested ones are ordinary files). Each
//! pattern is joined to the root and expanded by [`crate::glob`]; the result
//! is the set of path strings that the walk skips on exact equality, as in
//! Kosli. Patterns that match nothing are ignored.

use std::collections::HashSet;
use std::fs;
use std::io;

use crate::error::FingerprintError;
use crate::glob::{self, GlobError};
use crate::gopath;

/// The name of the ignore file read from the root of a directory artifact.
const IGNORE_FILE: &[u8] = b".kosli_ignore";

/// The path strings to skip while walking `root` (a Go path string).
pub(crate) fn excluded_paths(
    root: &[u8],
    excludes: &[String],
) -> Result<HashSet<Vec<u8>>, FingerprintError> {
    let mut patterns: Vec<Vec<u8>> = excludes.iter().map(|p| p.as_bytes().to_vec()).collect();
    patterns.extend(ignore_file_patterns(root)?);
    let mut excluded = HashSet::new();
    for pattern in patterns {
        match glob::expand(&gopath::join(root, &pattern)) {
            Ok(paths) => excluded.extend(paths),
            Err(GlobError::BadPattern) => {
                return Err(FingerprintError::BadPattern {
                    pattern: String::from_utf8_lossy(&pattern).into_owned(),
                });
            }
            Err(GlobError::Io(error)) => return Err(error),
        }
    }
    Ok(excluded)
}

/// The patterns in `<root>/.kosli_ignore`, none if it does not exist.
fn ignore_file_patterns(root: &[u8]) -> Result<Vec<Vec<u8>>, FingerprintError> {
    let path = gopath::path_of(&gopath::join(root, IGNORE_FILE));
    match fs::read(&path) {
        Ok(content) => Ok(parse_ignore_file(&content)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Vec::new()),
        // Kosli opens it, fails to read a directory, and silently uses no lines.
        Err(e) if e.kind() == io::ErrorKind::IsADirectory => Ok(Vec::new()),
        Err(e) => Err(FingerprintError::io("open", &path, e)),
    }
}

/// One pattern per line: cut at the first `#`, trimmed (which also drops the
/// `\r` of a CRLF line end), blank lines dropped.
fn parse_ignore_file(content: &[u8]) -> Vec<Vec<u8>> {
    content
        .split(|&b| b == b'\n')
        .map(|line| line.split(|&b| b == b'#').next().unwrap_or_default())
        .map(trim_space)
        .filter(|line| !line.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// Go's `bytes.TrimSpace`: strips Unicode white space from both ends and
/// stops at the first byte that is not valid UTF-8.
fn trim_space(line: &[u8]) -> &[u8] {
    let start = line.utf8_chunks().next().map_or(0, |chunk| {
        chunk.valid().len() - chunk.valid().trim_start().len()
    });
    let line = &line[start..];
    let end = match line.utf8_chunks().last() {
        Some(chunk) if chunk.invalid().is_empty() => {
            line.len() - (chunk.valid().len() - chunk.valid().trim_end().len())
        }
        _ => line.len(),
    };
    &line[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(content: &[u8]) -> Vec<String> {
        parse_ignore_file(content)
            .into_iter()
            .map(|p| String::from_utf8(p).unwrap())
            .collect()
    }

    #[test]
    fn ignore_lines_lose_comments_blanks_and_surrounding_space() {
        let content = b"logs\n  *.tmp   # temporary files\n# only a comment\n\n\t\r\nbuild/out\r\n";
        assert_eq!(parsed(content), ["logs", "*.tmp", "build/out"]);
    }

    #[test]
    fn a_last_line_without_newline_counts() {
        assert_eq!(parsed(b"logs\n*/logs"), ["logs", "*/logs"]);
    }

    #[test]
    fn unicode_space_is_trimmed_but_invalid_bytes_stop_the_trim() {
        assert_eq!(trim_space("\u{a0}a b\u{3000}".as_bytes()), b"a b");
        assert_eq!(trim_space(b" \xffa \xfe "), b"\xffa \xfe");
        assert_eq!(trim_space(b"  \t "), b"");
    }
}
