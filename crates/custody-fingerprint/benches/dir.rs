//! Fingerprint throughput beside `openssl dgst -sha256` measured in the same
//! run: a directory tree against two openssl processes splitting its files
//! (one per core of a 2-core machine), and one large file against one openssl
//! process. Prints MB/s (10^6 bytes) and the ratio ours / openssl; the target
//! for directories is 0.8. Without openssl on PATH only our figures print.
//!
//! `cargo bench -p custody-fingerprint --bench dir` (release, ~400 MB tree and a
//! 256 MB file); `-- --quick` for a short run on a few MB.

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use custody_fingerprint::{dir_fingerprint, file_fingerprint};

/// The target of a directory fingerprint, as a fraction of two openssl processes.
const DIRECTORY_TARGET: f64 = 0.8;

struct Sizes {
    files: usize,
    largest_file: u64,
    large_file: u64,
    rounds: usize,
}

const FULL: Sizes = Sizes {
    files: 256,
    largest_file: 3_000_000,
    large_file: 256_000_000,
    rounds: 3,
};

const QUICK: Sizes = Sizes {
    files: 32,
    largest_file: 500_000,
    large_file: 4_000_000,
    rounds: 1,
};

/// Writes `len` pseudo-random bytes (xorshift, seeded by `seed`) to `path`.
fn write_noise(path: &Path, len: u64, seed: u64) {
    let mut out = BufWriter::with_capacity(1 << 20, File::create(path).expect("create"));
    let mut state = seed | 1;
    let mut left = len;
    while left > 0 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let bytes = state.to_le_bytes();
        let n = left.min(8) as usize;
        out.write_all(&bytes[..n]).expect("write");
        left -= n as u64;
    }
    out.flush().expect("flush");
}

/// A tree of `sizes.files` files of 1 to `largest_file` bytes in nested
/// directories; returns the files and their sizes.
fn build_tree(root: &Path, sizes: &Sizes) -> Vec<(PathBuf, u64)> {
    (0..sizes.files)
        .map(|i| {
            let dir = root.join(format!("pkg{}/lib{}", i % 8, i % 3));
            fs::create_dir_all(&dir).expect("mkdir");
            let path = dir.join(format!("part{i}.bin"));
            let len = 1 + (i as u64 * 2_654_435_761) % sizes.largest_file;
            write_noise(&path, len, i as u64);
            (path, len)
        })
        .collect()
}

/// The files split in two halves of about equal bytes, largest first.
fn halves(files: &[(PathBuf, u64)]) -> [Vec<PathBuf>; 2] {
    let mut by_size: Vec<&(PathBuf, u64)> = files.iter().collect();
    by_size.sort_by_key(|(_, len)| std::cmp::Reverse(*len));
    let mut halves: [(Vec<PathBuf>, u64); 2] = Default::default();
    for (path, len) in by_size {
        let lighter = usize::from(halves[1].1 < halves[0].1);
        halves[lighter].0.push(path.clone());
        halves[lighter].1 += len;
    }
    halves.map(|(paths, _)| paths)
}

/// Whether `openssl` can be run.
fn openssl_available() -> bool {
    Command::new("openssl")
        .arg("version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Runs one `openssl dgst -sha256` per group of files, all at once, and
/// returns their output.
fn openssl_dgst(groups: &[Vec<PathBuf>]) -> Vec<String> {
    let children: Vec<_> = groups
        .iter()
        .map(|files| {
            Command::new("openssl")
                .args(["dgst", "-sha256", "-r"])
                .args(files)
                .stdout(Stdio::piped())
                .spawn()
                .expect("openssl")
        })
        .collect();
    children
        .into_iter()
        .map(|child| {
            let out = child.wait_with_output().expect("openssl");
            assert!(out.status.success(), "openssl failed");
            String::from_utf8(out.stdout).expect("openssl output")
        })
        .collect()
}

/// The shortest of `rounds` timings of `work`, and its last result.
fn fastest<T>(rounds: usize, mut work: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut result = None;
    for _ in 0..rounds {
        let start = Instant::now();
        let value = work();
        best = best.min(start.elapsed());
        result = Some(value);
    }
    (best, result.expect("at least one round"))
}

fn mb_per_s(bytes: u64, time: Duration) -> f64 {
    bytes as f64 / 1e6 / time.as_secs_f64()
}

/// Prints one measured line, with the ratio to `baseline` when there is one.
fn report(label: &str, bytes: u64, time: Duration, baseline: Option<Duration>, target: &str) {
    let ours = mb_per_s(bytes, time);
    match baseline {
        Some(base) => println!(
            "  {label:<26} {ours:>9.1} MB/s   ratio {:.2}{target}",
            ours / mb_per_s(bytes, base)
        ),
        None => println!("  {label:<26} {ours:>9.1} MB/s"),
    }
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let sizes = if quick { QUICK } else { FULL };
    if quick {
        println!("quick run: too small for the ratios to mean much (openssl's start-up dominates)");
    }
    let openssl = openssl_available();
    if !openssl {
        println!("openssl is not on PATH: the openssl baselines are skipped");
    }
    let scratch = tempfile::tempdir().expect("temporary directory");

    let tree = scratch.path().join("tree");
    let files = build_tree(&tree, &sizes);
    let tree_bytes: u64 = files.iter().map(|(_, len)| len).sum();
    let threads = std::thread::available_parallelism().map_or(1, usize::from);
    println!(
        "directory: {} files, {:.1} MB ({threads} cores)",
        files.len(),
        tree_bytes as f64 / 1e6
    );
    let two_openssl = openssl.then(|| {
        let split = halves(&files);
        let (time, _) = fastest(sizes.rounds, || openssl_dgst(&split));
        report("two openssl processes", tree_bytes, time, None, "");
        time
    });
    let (time, _) = fastest(sizes.rounds, || {
        dir_fingerprint(&tree, &[]).expect("dir fingerprint")
    });
    let target = format!(" of two openssl (target >= {DIRECTORY_TARGET:.2})");
    report("dir fingerprint", tree_bytes, time, two_openssl, &target);

    let large = scratch.path().join("large.bin");
    write_noise(&large, sizes.large_file, 42);
    println!("one file: {:.1} MB", sizes.large_file as f64 / 1e6);
    let one_openssl = openssl.then(|| {
        let (time, out) = fastest(sizes.rounds, || openssl_dgst(&[vec![large.clone()]]));
        report("one openssl process", sizes.large_file, time, None, "");
        (time, out[0].split_whitespace().next().map(str::to_owned))
    });
    let (time, ours) = fastest(sizes.rounds, || {
        file_fingerprint(&large).expect("file fingerprint")
    });
    let (baseline, theirs) = one_openssl.unzip();
    report(
        "file fingerprint",
        sizes.large_file,
        time,
        baseline,
        " of one openssl (one core)",
    );
    if let Some(theirs) = theirs.flatten() {
        assert_eq!(ours, theirs, "openssl and Custody disagree on the digest");
    }
}
