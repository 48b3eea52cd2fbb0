//! `custody snapshot path --watch` as a child process: a directory's file is
//! changed twice, rewritten unchanged and restored, and each change — but not
//! the rewrite — becomes a snapshot of the environment.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::harness::{BIN, Server, ok};
use super::k8s::admin_key;

/// The report lines the watch has printed so far.
fn reports(out: &Path) -> usize {
    std::fs::read_to_string(out)
        .unwrap_or_default()
        .lines()
        .filter(|l| *l == "[1] artifacts were reported to environment web")
        .count()
}

/// Waits (up to 20 s) until the watch has printed `count` report lines.
fn await_reports(out: &Path, count: usize) {
    let start = Instant::now();
    while reports(out) < count {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "expected {count} reports:\n{}",
            std::fs::read_to_string(out).unwrap_or_default()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_path_watch_reports_every_change() {
    let server = Server::start(false);
    let token = admin_key(&server);
    let dir = server.dir.join("app");
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    let file = dir.join("bin/app.conf");
    std::fs::write(&file, "v1").unwrap();
    let out = server.dir.join("watch.out");
    let mut child = Command::new(BIN)
        .args(["snapshot", "path", "web", "--path"])
        .arg(&dir)
        .args(["--name", "app", "--watch", "--debounce", "200ms", "-A"])
        .env_clear()
        .env("HOME", &server.dir)
        .env("CUSTODY_HOST", &server.host)
        .env("CUSTODY_ORG", "acme")
        .env("CUSTODY_API_TOKEN", &token)
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the watch");
    await_reports(&out, 1);
    for (content, expected) in [("v2", 2), ("v3", 3), ("v3", 3), ("v1", 4)] {
        std::fs::write(&file, content).unwrap();
        // Longer than the debounce: each write is reported (or not) on its own.
        std::thread::sleep(Duration::from_millis(800));
        await_reports(&out, expected);
    }
    let run = |args: &[&str]| ok(server.run("acme", &token, args, &[]));
    let snapshots = run(&["list", "snapshots", "web"]);
    let log = run(&["log", "environment", "web"]);
    child.kill().expect("stop the watch");
    child.wait().expect("wait");
    let printed = std::fs::read_to_string(&out).unwrap();
    assert_eq!(reports(&out), 4, "{printed}");
    assert!(
        printed.starts_with("environment web was created\n"),
        "{printed}"
    );
    assert_eq!(
        snapshots.lines().count(),
        5,
        "a header and four snapshots:\n{snapshots}\n{log}"
    );
    for index in 1..=4 {
        assert!(log.contains(&format!("#{index}")), "{log}");
    }
    assert!(!log.contains("#5"), "{log}");
}
