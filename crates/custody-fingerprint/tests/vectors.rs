//! Kosli's fingerprint test vectors (`reference/kosli-cli.md` §7.1–7.2),
//! rebuilt in temporary directories, plus the error cases and the exclude
//! semantics that Kosli's Go glob implies. Values marked "Go" were computed
//! by Kosli's own algorithm (Go, `filepathx` v1.0.0) on the same trees.

use std::fs;
use std::path::Path;

use custody_fingerprint::{FingerprintError, dir_fingerprint, file_fingerprint, fingerprint};
use tempfile::TempDir;

const EMPTY: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// Kosli's `cmd/kosli/testdata/folder1`.
const FOLDER1: &[(&str, &str)] = &[
    ("hello.txt", "Hello, world! Again!"),
    ("folder2/hello2.txt", "hello2"),
    ("folder2/hello3.txt", "hello3"),
];

/// `sample.yaml` plus `nested-dir/{file1,file2}` from Kosli's digest tests.
const NESTED: &[(&str, &str)] = &[
    ("sample.yaml", "some content. And some more."),
    ("nested-dir/file1", "content1"),
    ("nested-dir/file2", "content2"),
];
const NESTED_FP: &str = "5d3c17dae9e208bbb92ee04ff8342abf77cb0959764def4af3ccfe9a2109d4a7";

/// NESTED plus two `logs` directories, one at the root and one nested.
const WITH_LOGS: &[(&str, &str)] = &[
    ("logs/file1", "content1"),
    ("nested-dir/logs/log.txt", "this is a log"),
];

const KOSLI_IGNORE_FP: &str = "4048004ce6f91e8ce27c35e5e857948a46750567cf7c873ee32b120f4318363c";

/// A temporary directory holding the given (relative path, content) files.
fn tree(groups: &[&[(&str, &str)]]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for &(relative, content) in groups.iter().copied().flatten() {
        let path = dir.path().join(relative);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, content).unwrap();
    }
    dir
}

fn dir_fp(root: &Path, excludes: &[&str]) -> String {
    let excludes: Vec<String> = excludes.iter().map(|&e| e.to_owned()).collect();
    dir_fingerprint(root, &excludes).unwrap()
}

#[test]
fn file_vectors() {
    for (content, want) in [
        ("", EMPTY),
        (
            "this is non empty",
            "1256d6510a6606ad61a4f6104243a291b18383b456d50205eba893b51e1807bc",
        ),
        (
            "this is non empty.",
            "a50afcf37a327e0715b3148c2625bc28b3e4dcdf32b6cf78c8b8fa3ac1ebfe47",
        ),
        // cmd/kosli/testdata/file1
        (
            "hello world!",
            "7509e5bda0c762d2bac7f90d758b5b2263fa01ccbc542ab5e3df163be08e6ca9",
        ),
        // testdata/person-schema.json
        (
            "{\n    \"type\": \"object\",\n    \"additionalProperties\": true,\n    \"properties\": {\n        \"name\": {\"type\": \"string\"},\n        \"age\": {\"type\": \"integer\"}\n    }\n}",
            "1bef738d0bb1e690500f99a5b57d958caf3a5eb3e00d9012e1f4369fc6812e01",
        ),
    ] {
        let dir = tree(&[&[("artifact", content)]]);
        let path = dir.path().join("artifact");
        assert_eq!(file_fingerprint(&path).unwrap(), want, "{content:?}");
        assert_eq!(fingerprint("file", &path, &[]).unwrap(), want);
    }
}

#[test]
fn kosli_testdata_folders() {
    let folder1 = tree(&[FOLDER1]);
    let c438 = "c43808cb04c6e66c4c6fc1f972dd67c3b9b71c81e0a0c78730da3699922d17be";
    assert_eq!(dir_fp(folder1.path(), &[]), c438);
    assert_eq!(fingerprint("dir", folder1.path(), &[]).unwrap(), c438);
    let without_folder2 = "773fd3300860454a2b065c5912c03008adb11e6a6dcf7c1c64c094ceab8f430a";
    assert_eq!(dir_fp(folder1.path(), &["folder2"]), without_folder2);

    let with_ignore = tree(&[FOLDER1, &[(".kosli_ignore", "folder2\n")]]);
    let want = "038897ea5334462098d65125380d58a493671fb3b8bdbbee1e75ec8bd4a65c23";
    assert_eq!(dir_fp(with_ignore.path(), &[]), want);
}

#[cfg(unix)]
#[test]
fn kosli_symlink_folders() {
    use std::os::unix::fs::symlink;
    for (dir_target, want) in [
        (
            "../../../a",
            "1c0740265b38509fb9ce7babf00d7eb57e7e08b59dad8be66897c1ebb5b36409",
        ),
        (
            "../../b",
            "2a5fe76bc616a97b2ff6f30f46380f1230b98a58df8aec6e96c1fb0e03b41fd9",
        ),
    ] {
        let dir = tree(&[&[("a/b/bob.txt", "bob\n"), ("a/b/c/d/dorris.txt", "dorris\n")]]);
        let b = dir.path().join("a/b");
        symlink("c/d/dorris.txt", b.join("point-to-dorris")).unwrap();
        symlink(dir_target, b.join("c/point-to-dir")).unwrap();
        assert_eq!(dir_fp(dir.path(), &[]), want, "{dir_target}");
    }
}

#[test]
fn kosli_digest_suite() {
    let empty = tempfile::tempdir().unwrap();
    assert_eq!(dir_fp(empty.path(), &[]), EMPTY);
    for (files, want) in [
        (
            &[("file.extra", "this is known extra content")][..],
            "c71f5baef8cce289c9b7c971cf219e21b787a025af68ad6539b82634fe62819e",
        ),
        (
            &[("sample.txt", "some content.")],
            "388ab80164bbd9d96f132b046b8d09354f68b79a3668da7b507625cd1230dddf",
        ),
        (
            &[("sample.txt", "some content. And some more.")],
            "5b0e14a923d7239b0a23750a6bbfc837f71e684b8bdc2909d5ff6d90e59449c1",
        ),
        (
            &[("sample.yaml", "some content. And some more.")],
            "c38fbc1a99dad628142d0b7e2e05901362623d2b81e316d2cf650b08e93e0cef",
        ),
        (NESTED, NESTED_FP),
        (
            &[
                ("sample.yaml", "some content. And some more."),
                ("nested-dir2/file1", "content1"),
                ("nested-dir2/file2", "content2"),
            ],
            "db40d79b3a15b17ee9fcc2f49aa73736e0073de6b5a35c459268bb9a31e55139",
        ),
    ] {
        assert_eq!(dir_fp(tree(&[files]).path(), &[]), want, "{files:?}");
    }
    // The root's own name is not hashed.
    let renamed = tree(&[&[("another-root/sample.yaml", "some content. And some more.")]]);
    let want = "c38fbc1a99dad628142d0b7e2e05901362623d2b81e316d2cf650b08e93e0cef";
    assert_eq!(dir_fp(&renamed.path().join("another-root"), &[]), want);
}

#[test]
fn kosli_exclusion_suite() {
    let root_logs_only = tree(&[NESTED, &WITH_LOGS[..1]]);
    assert_eq!(dir_fp(root_logs_only.path(), &["logs"]), NESTED_FP);
    let want = "2acbc9efc1f86f89086a9539244946839599b3639da7f4959744c20234cb4f40";
    let excludes = ["logs", "nested-dir/file1"];
    assert_eq!(dir_fp(root_logs_only.path(), &excludes), want);

    let both_logs = tree(&[NESTED, WITH_LOGS]);
    assert_eq!(dir_fp(both_logs.path(), &["logs", "*/logs"]), NESTED_FP);
    assert_ne!(dir_fp(both_logs.path(), &["logs"]), NESTED_FP);
}

#[test]
fn kosli_ignore_file_is_read_and_hashed() {
    let ignore = &[(".kosli_ignore", "logs\n*/logs")][..];
    let without_logs = tree(&[NESTED, ignore]);
    assert_eq!(dir_fp(without_logs.path(), &[]), KOSLI_IGNORE_FP);
    let with_logs = tree(&[NESTED, WITH_LOGS, ignore]);
    assert_eq!(dir_fp(with_logs.path(), &[]), KOSLI_IGNORE_FP);

    // Comments, blank lines and surrounding space do not matter, but the
    // bytes of the ignore file are hashed, so compare by excluding it.
    let messy = "  logs   # the root logs\n\n# nested\n\t*/logs\r\n";
    let with_comments = tree(&[NESTED, WITH_LOGS, &[(".kosli_ignore", messy)]]);
    assert_eq!(dir_fp(with_comments.path(), &[".kosli_ignore"]), NESTED_FP);
    // A nested .kosli_ignore is an ordinary file.
    let nested = tree(&[NESTED, &[("nested-dir/.kosli_ignore", "file1\nfile2\n")]]);
    assert_ne!(dir_fp(nested.path(), &[]), NESTED_FP);
    assert_eq!(dir_fp(nested.path(), &["*/.kosli_ignore"]), NESTED_FP);
}

#[test]
fn excluding_a_path_that_matches_nothing_is_ignored() {
    let dir = tree(&[NESTED]);
    assert_eq!(
        dir_fp(dir.path(), &["no-such-dir", "*.exe", "**/*.pyc"]),
        NESTED_FP
    );
}

#[test]
fn wildcards_match_dot_files_and_never_cross_slashes() {
    let dir = tree(&[NESTED, &[(".hidden", "h"), ("nested-dir/.env", "e")]]);
    assert_eq!(dir_fp(dir.path(), &["?hidden", "*/.*"]), NESTED_FP);
    assert_eq!(dir_fp(dir.path(), &["*"]), EMPTY);
    // `*.yaml` matches at the root only; `nested-dir/*.yaml` one level down.
    let x_yaml = &[("nested-dir/x.yaml", "x")][..];
    let dir = tree(&[NESTED, x_yaml]);
    assert_eq!(dir_fp(dir.path(), &["nested-dir/*.yaml"]), NESTED_FP);
    let nested_only = tree(&[&NESTED[1..], x_yaml]);
    let want = dir_fp(nested_only.path(), &[]);
    assert_eq!(dir_fp(dir.path(), &["*.yaml"]), want);
}

#[test]
fn double_star_matches_any_depth_with_kosli_quirks() {
    let dir = tree(&[NESTED, WITH_LOGS]);
    assert_eq!(dir_fp(dir.path(), &["**/l?gs"]), NESTED_FP);
    assert_eq!(dir_fp(dir.path(), &["**"]), EMPTY);
    // Go: "**/*.txt" drops nested-dir/logs/log.txt only.
    let want = "51da8f723d6732bbe955bbf5e2d907077f75e7fc2af940ad619d1105995529a5";
    assert_eq!(dir_fp(dir.path(), &["**/*.txt"]), want);
    // Go quirk: with a meta-free last piece the zero-level match is the
    // uncleaned `root//logs`, so the root `logs` directory stays (empty).
    let logs_emptied = tree(&[NESTED]);
    fs::create_dir(logs_emptied.path().join("logs")).unwrap();
    let want = dir_fp(logs_emptied.path(), &[]);
    assert_eq!(dir_fp(dir.path(), &["**/logs"]), want);
}

#[test]
fn entries_are_walked_in_byte_order_of_their_names() {
    // Go: upper case before `_` before lower case before non-ASCII.
    let files = [
        ("a", "1"),
        ("B/c", "2"),
        ("_", "3"),
        (".h", "4"),
        ("Z", "5"),
        ("é", "6"),
    ];
    let dir = tree(&[&files]);
    let want = "7df213550f603ceb26f87786c75f80bf448982455cc2d4d523375b136f355568";
    assert_eq!(dir_fp(dir.path(), &[]), want);
}

#[cfg(unix)]
#[test]
fn a_dangling_symlink_fails_unless_excluded() {
    let dir = tree(&[NESTED]);
    std::os::unix::fs::symlink("nowhere", dir.path().join("dangling")).unwrap();
    let error = dir_fingerprint(dir.path(), &[]).unwrap_err();
    let is_dangling = matches!(error, FingerprintError::DanglingSymlink { .. });
    assert!(is_dangling, "{error:?}");
    assert!(error.to_string().contains("dangling"), "{error}");
    assert_eq!(dir_fp(dir.path(), &["dangling"]), NESTED_FP);
}

#[test]
fn a_file_is_not_a_directory() {
    let dir = tree(&[NESTED]);
    let file = dir.path().join("sample.yaml");
    let error = dir_fingerprint(&file, &[]).unwrap_err();
    let want = format!("{} is not a directory", file.display());
    assert_eq!(error.to_string(), want);
}

#[test]
fn missing_paths_are_named_in_the_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    for error in [file_fingerprint(&missing), dir_fingerprint(&missing, &[])] {
        let error = error.unwrap_err();
        assert!(matches!(error, FingerprintError::Io { .. }), "{error:?}");
        let named = error.to_string().contains(&*missing.to_string_lossy());
        assert!(named, "{error}");
    }
}

#[test]
fn a_single_space_path_gets_a_hint() {
    let hint = "the path is a single space; check for a stray space in the command";
    let space = Path::new(" ");
    for error in [file_fingerprint(space), dir_fingerprint(space, &[])] {
        assert_eq!(error.unwrap_err().to_string(), hint);
    }
}

#[test]
fn bad_patterns_and_unknown_types_are_errors() {
    let dir = tree(&[NESTED]);
    let error = dir_fingerprint(dir.path(), &["[".to_owned()]).unwrap_err();
    assert!(matches!(&error, FingerprintError::BadPattern { pattern } if pattern == "["));
    for artifact_type in ["docker", "oci", "Dir", ""] {
        let error = fingerprint(artifact_type, dir.path(), &[]).unwrap_err();
        let message = error.to_string();
        assert!(message.contains("use file or dir"), "{message}");
    }
}
