//! The deprecated `snapshot server --paths GLOB,...`: every path a glob matches
//! is reported as an artifact named by its absolute path. Globs use Go's
//! `filepath.Match` syntax (`*`, `?`, `[a-z]`, `\` escapes) plus `**` for any
//! number of directories, as Kosli's `filepathx` does.

use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

use anyhow::bail;
use serde_json::Value;

use super::spec::entry;

/// Whether `name` matches one glob component (no `/` in either).
fn matches(pattern: &[char], name: &[char]) -> bool {
    match pattern.split_first() {
        None => name.is_empty(),
        Some(('*', rest)) => (0..=name.len()).any(|skip| matches(rest, &name[skip..])),
        Some((p, rest)) => {
            let Some((c, name_rest)) = name.split_first() else {
                return false;
            };
            match p {
                '?' => matches(rest, name_rest),
                '[' => match class(rest, *c) {
                    Some((true, after)) => matches(after, name_rest),
                    _ => false,
                },
                '\\' => rest
                    .split_first()
                    .is_some_and(|(e, after)| e == c && matches(after, name_rest)),
                _ => p == c && matches(rest, name_rest),
            }
        }
    }
}

/// Matches `c` against a `[...]` class (after its `[`): whether it matched,
/// and the pattern after the `]`; `None` for a malformed class.
fn class(pattern: &[char], c: char) -> Option<(bool, &[char])> {
    let (negated, mut rest) = match pattern.split_first() {
        Some(('^', rest)) => (true, rest),
        _ => (false, pattern),
    };
    let mut found = false;
    let mut first = true;
    loop {
        let (&lo, after) = rest.split_first()?;
        if lo == ']' && !first {
            return Some((found != negated, after));
        }
        first = false;
        let (lo, after) = if lo == '\\' {
            (*after.first()?, &after[1..])
        } else {
            (lo, after)
        };
        let (hi, after) = match after {
            ['-', hi, tail @ ..] if *hi != ']' => (*hi, tail),
            _ => (lo, after),
        };
        found |= lo <= c && c <= hi;
        rest = after;
    }
}

/// The names in a directory, sorted; none when it cannot be read.
fn child_names(dir: &Path) -> Vec<OsString> {
    let mut names: Vec<OsString> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    names.sort();
    names
}

/// `base` and everything below it, without following symlinks.
fn descendants(base: &Path, out: &mut Vec<PathBuf>) {
    out.push(base.to_path_buf());
    let dir = if base.as_os_str().is_empty() {
        Path::new(".")
    } else {
        base
    };
    if dir.symlink_metadata().is_ok_and(|m| m.is_dir()) {
        for name in child_names(dir) {
            descendants(&base.join(name), out);
        }
    }
}

/// The existing paths a glob matches, in walk order.
pub fn expand(pattern: &str) -> Vec<PathBuf> {
    let start = if pattern.starts_with('/') {
        PathBuf::from("/")
    } else {
        PathBuf::new()
    };
    let mut found = vec![start];
    for part in pattern.split('/').filter(|p| !p.is_empty()) {
        let mut next = Vec::new();
        for base in &found {
            let dir = if base.as_os_str().is_empty() {
                Path::new(".")
            } else {
                base.as_path()
            };
            if part == "**" {
                descendants(base, &mut next);
            } else if part.contains(['*', '?', '[', '\\']) {
                let chars: Vec<char> = part.chars().collect();
                for name in child_names(dir) {
                    if matches(&chars, &name.to_string_lossy().chars().collect::<Vec<_>>()) {
                        next.push(base.join(name));
                    }
                }
            } else {
                next.push(base.join(part));
            }
        }
        next.dedup();
        found = next;
    }
    found.retain(|p| !p.as_os_str().is_empty() && p.symlink_metadata().is_ok());
    found
}

/// Go's `filepath.Abs`: absolute and lexically cleaned.
fn absolute(path: &Path) -> PathBuf {
    let joined = std::env::current_dir()
        .map(|cwd| cwd.join(path))
        .unwrap_or_else(|_| path.to_path_buf());
    let mut clean = PathBuf::new();
    for component in joined.components() {
        match component {
            Component::ParentDir => {
                clean.pop();
            }
            Component::CurDir => {}
            other => clean.push(other),
        }
    }
    clean
}

/// The report entries of every path the globs match.
pub fn artifacts(paths: &[String], excludes: &[String]) -> anyhow::Result<Vec<Value>> {
    let found: Vec<PathBuf> = paths.iter().flat_map(|p| expand(p)).collect();
    if found.is_empty() {
        bail!("no matches found for [{}]", paths.join(" "));
    }
    found
        .iter()
        .map(|path| {
            entry(
                &absolute(path).display().to_string(),
                &path.display().to_string(),
                excludes,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn glob_match(pattern: &str, name: &str) -> bool {
        matches(
            &pattern.chars().collect::<Vec<_>>(),
            &name.chars().collect::<Vec<_>>(),
        )
    }

    #[test]
    fn components_match_like_go() {
        assert!(glob_match("*.txt", "a.txt") && glob_match("*", ".hidden"));
        assert!(glob_match("a?c", "abc") && !glob_match("a?c", "ac"));
        assert!(glob_match("[a-c]x", "bx") && !glob_match("[^a-c]x", "bx"));
        assert!(glob_match("\\*", "*") && !glob_match("\\*", "a"));
        assert!(!glob_match("[a-", "a"));
    }

    #[test]
    fn globs_expand_over_the_tree() {
        let dir = std::env::temp_dir().join(format!("custody-glob-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("app/logs")).unwrap();
        for file in ["app/a.txt", "app/b.bin", "app/logs/l.txt"] {
            std::fs::write(dir.join(file), file).unwrap();
        }
        let root = dir.display().to_string();
        let names = |pattern: &str| -> Vec<String> {
            expand(&format!("{root}/{pattern}"))
                .iter()
                .map(|p| p.strip_prefix(&dir).unwrap().display().to_string())
                .collect()
        };
        assert_eq!(names("app/*.txt"), ["app/a.txt"]);
        assert_eq!(names("**/*.txt"), ["app/a.txt", "app/logs/l.txt"]);
        assert_eq!(names("app/logs"), ["app/logs"]);
        assert!(names("nothing/*").is_empty());
        let found = artifacts(&[format!("{root}/app/*.bin")], &[]).unwrap();
        assert_eq!(found.len(), 1);
        assert!(
            found[0]["digests"]
                .get(format!("{root}/app/b.bin"))
                .is_some()
        );
        let err = artifacts(&[format!("{root}/none")], &[])
            .unwrap_err()
            .to_string();
        assert_eq!(err, format!("no matches found for [{root}/none]"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
