//! Paths as Go sees them: byte strings with `/` separators, cleaned and joined
//! lexically by Go's `path/filepath` rules (`Clean`, `Join`, `Split`).
//!
//! Kosli decides what to exclude by comparing *path strings*: the strings its
//! glob produced against the strings its directory walk produced. Matching
//! Kosli bit for bit therefore means building those strings the way Go does,
//! including where Go does not clean them. This module owns that, plus the
//! conversions between these byte strings and [`Path`]s.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The raw bytes of `path` (on Unix exactly the bytes the OS uses).
pub(crate) fn bytes_of(path: &Path) -> Vec<u8> {
    path.as_os_str().as_encoded_bytes().to_vec()
}

/// The [`Path`] named by the byte string `bytes`.
#[cfg(unix)]
pub(crate) fn path_of(bytes: &[u8]) -> PathBuf {
    use std::os::unix::ffi::OsStrExt;
    PathBuf::from(std::ffi::OsStr::from_bytes(bytes))
}

/// The [`Path`] named by the byte string `bytes` (non-Unix: names are UTF-8).
#[cfg(not(unix))]
pub(crate) fn path_of(bytes: &[u8]) -> PathBuf {
    PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}

/// Go's `filepath.Clean`: the shortest lexically equivalent path.
pub(crate) fn clean(path: &[u8]) -> Vec<u8> {
    let rooted = path.first() == Some(&b'/');
    let mut parts: Vec<&[u8]> = Vec::new();
    for part in path.split(|&b| b == b'/') {
        match part {
            b"" | b"." => {}
            b".." => match parts.last() {
                Some(&last) if last != b".." => {
                    parts.pop();
                }
                _ if rooted => {}
                _ => parts.push(part),
            },
            _ => parts.push(part),
        }
    }
    let mut out = if rooted { b"/".to_vec() } else { Vec::new() };
    out.extend(parts.join(&b'/'));
    if out.is_empty() {
        out.push(b'.');
    }
    out
}

/// Go's `filepath.Join(dir, name)`: empty leading elements are skipped and
/// the result is cleaned.
pub(crate) fn join(dir: &[u8], name: &[u8]) -> Vec<u8> {
    match (dir.is_empty(), name.is_empty()) {
        (true, true) => Vec::new(),
        (true, false) => clean(name),
        (false, _) => clean(&[dir, b"/", name].concat()),
    }
}

/// Go's `filepath.Split`: everything up to and including the last `/`, and
/// the rest.
pub(crate) fn split(path: &[u8]) -> (&[u8], &[u8]) {
    let at = path.iter().rposition(|&b| b == b'/').map_or(0, |i| i + 1);
    path.split_at(at)
}

/// The entries of directory `dir`, sorted by name bytes as Go's `ReadDir`
/// sorts them, with their (not followed) file types.
pub(crate) fn read_dir_sorted(dir: &[u8]) -> io::Result<Vec<(Vec<u8>, fs::FileType)>> {
    let mut entries = fs::read_dir(path_of(dir))?
        .map(|entry| {
            let entry = entry?;
            let name = entry.file_name().as_encoded_bytes().to_vec();
            Ok((name, entry.file_type()?))
        })
        .collect::<io::Result<Vec<_>>>()?;
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cleaned(path: &str) -> String {
        String::from_utf8(clean(path.as_bytes())).unwrap()
    }

    #[test]
    fn clean_follows_go() {
        // Cases from Go's path/filepath tests.
        for (input, want) in [
            ("", "."),
            ("abc/", "abc"),
            ("a//c", "a/c"),
            ("a/./c", "a/c"),
            ("/abc/", "/abc"),
            ("./", "."),
            ("/..", "/"),
            ("abc/def/..", "abc"),
            ("abc/../../..", "../.."),
            ("../../abc", "../../abc"),
            ("/../abc", "/abc"),
            ("abc/./../def", "def"),
            ("a/../b/../c/..", "."),
            ("//abc", "/abc"),
            ("///", "/"),
        ] {
            assert_eq!(cleaned(input), want, "Clean({input:?})");
        }
    }

    #[test]
    fn join_cleans_and_skips_an_empty_directory() {
        assert_eq!(join(b"./root/", b"logs"), b"root/logs");
        assert_eq!(join(b"root", b""), b"root");
        assert_eq!(join(b"", b"a//b"), b"a/b");
        assert_eq!(join(b"", b""), b"");
        assert_eq!(join(b"root", b"**/x"), b"root/**/x");
    }

    #[test]
    fn split_keeps_the_separator_with_the_directory() {
        assert_eq!(split(b"root//logs"), (&b"root//"[..], &b"logs"[..]));
        assert_eq!(split(b"name"), (&b""[..], &b"name"[..]));
        assert_eq!(split(b"/"), (&b"/"[..], &b""[..]));
    }
}
