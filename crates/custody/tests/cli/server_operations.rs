//! Running `custody server` as an operator does: its settings come from its
//! own flags, `CUSTODY_*` variables and TOML file (never the CLI's `KOSLI_*`
//! defaults) and are checked at start; logs can be JSON; SIGTERM stops it
//! cleanly; `custody admin backup` copies a live SQLite database.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use crate::harness::{BIN, Server};

/// A data directory for one test.
fn dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temp dir")
}

/// `custody server ARGS` with only `env` set, and its log lines as they come.
fn spawn(args: &[&str], env: &[(&str, &str)], home: &std::path::Path) -> (Child, Receiver<String>) {
    let mut child = Command::new(BIN)
        .arg("server")
        .args(args)
        .env_clear()
        .env("HOME", home)
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start custody server");
    let (tx, rx) = channel();
    let stdout = child.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    (child, rx)
}

/// Log lines up to and including the first that contains `text`.
fn until(lines: &Receiver<String>, text: &str) -> Vec<String> {
    let mut seen = Vec::new();
    while let Ok(line) = lines.recv_timeout(Duration::from_secs(30)) {
        let found = line.contains(text);
        seen.push(line);
        if found {
            return seen;
        }
    }
    panic!("no log line with '{text}' in {seen:#?}");
}

fn wait(child: &mut Child, within: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        assert!(Instant::now() < deadline, "the server did not stop in time");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn terminate(child: &Child) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let home = dir();
    let db = format!("sqlite://{}/c.db", home.path().display());
    let (mut child, lines) = spawn(
        &["--bind", "127.0.0.1:0", "--database-url", &db],
        &[],
        home.path(),
    );
    until(&lines, "Custody server listening on");
    terminate(&child);
    let status = wait(&mut child, Duration::from_secs(20));
    assert!(status.success(), "{status:?}");
    let log: Vec<String> = lines.try_iter().collect();
    let joined = log.join("\n");
    for text in ["SIGTERM received", "shutting down", "stopped"] {
        assert!(joined.contains(text), "no '{text}' in\n{joined}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn each_request_is_one_log_line_without_its_key_or_query() {
    let home = dir();
    let db = format!("sqlite://{}/c.db", home.path().display());
    let args = [
        "--bind",
        "127.0.0.1:0",
        "--database-url",
        &db,
        "--log-format",
        "json",
    ];
    let (mut child, lines) = spawn(&args, &[], home.path());
    let listening = until(&lines, "Custody server listening on")
        .pop()
        .expect("a line");
    let host = listening
        .split("listening on ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .expect("the address")
        .to_string();
    let answer = reqwest::Client::new()
        .get(format!("{host}/api/v2/flows/acme?search=hunter2-query"))
        .bearer_auth("hunter2-key")
        .header("x-request-id", "trace-42")
        .send()
        .await
        .expect("request");
    assert_eq!(answer.status().as_u16(), 401);
    let logged = until(&lines, "trace-42");
    let line = logged.last().expect("the request's line");
    let event: serde_json::Value = serde_json::from_str(line).expect("JSON");
    assert_eq!(event["method"], "GET", "{line}");
    assert_eq!(event["route"], "/api/v2/flows/{org}", "{line}");
    assert_eq!(event["status"], 401, "{line}");
    assert!(event["latency_ms"].is_number(), "{line}");
    terminate(&child);
    assert!(wait(&mut child, Duration::from_secs(20)).success());
    let everything: Vec<String> = logged.into_iter().chain(lines.try_iter()).collect();
    for line in &everything {
        assert!(
            !line.contains("hunter2"),
            "a secret reached the log: {line}"
        );
    }
}

#[test]
fn the_server_reads_its_own_settings_and_logs_json_when_asked() {
    let home = dir();
    let db = format!("sqlite://{}/c.db", home.path().display());
    let env = [
        ("CUSTODY_LOG_FORMAT", "json"),
        ("CUSTODY_DATABASE_URL", db.as_str()),
        ("KOSLI_PUBLIC_URL", "http://kosli.example"),
        ("KOSLI_BIND", "not-an-address"),
    ];
    let (mut child, lines) = spawn(&["--bind", "127.0.0.1:0"], &env, home.path());
    let log = until(&lines, "Custody server listening on");
    for line in &log {
        let event: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(
            event["level"].is_string() && event["message"].is_string(),
            "{line}"
        );
    }
    let web = log
        .iter()
        .find(|l| l.contains("Web UI:"))
        .expect("the UI's address");
    assert!(web.contains("http://127.0.0.1:"), "{web}");
    assert!(
        !web.contains("kosli.example"),
        "KOSLI_* configured the server: {web}"
    );
    terminate(&child);
    assert!(wait(&mut child, Duration::from_secs(20)).success());
}

#[test]
fn a_config_file_configures_the_server_and_flags_win_over_it() {
    let home = dir();
    let file = home.path().join("custody.toml");
    let settings = format!(
        "bind = \"127.0.0.1:1\"\ndatabase_url = \"sqlite://{0}/c.db\"\nevidence_dir = \"{0}/vault\"\npublic_url = \"https://custody.example.com/\"\npool_size = 2\n",
        home.path().display()
    );
    std::fs::write(&file, settings).expect("write config");
    let config = file.to_str().expect("path");
    let (mut child, lines) = spawn(
        &["--config", config, "--bind", "127.0.0.1:0"],
        &[],
        home.path(),
    );
    let log = until(&lines, "Custody server listening on").join("\n");
    assert!(
        log.contains("Web UI: https://custody.example.com/"),
        "{log}"
    );
    assert!(home.path().join("vault").is_dir());
    assert!(home.path().join("c.db").is_file());
    terminate(&child);
    assert!(wait(&mut child, Duration::from_secs(20)).success());
}

#[test]
fn wrong_settings_stop_the_server_with_what_to_fix() {
    let home = dir();
    let bad_file = home.path().join("bad.toml");
    std::fs::write(&bad_file, "bnd = \"127.0.0.1:0\"\n").expect("write");
    let bad_file = bad_file.to_str().expect("path").to_string();
    let cases: [(&[&str], &str); 5] = [
        (
            &["--log-format", "xml"],
            "log_format must be text or json, not 'xml'",
        ),
        (
            &["--pool-size", "0"],
            "pool_size must be between 1 and 1000",
        ),
        (&["--bind", "8080"], "bind address '8080'"),
        (
            &["--database-url", "mysql://u:pw@db/x"],
            "use sqlite://PATH or postgres://",
        ),
        (&["--config", &bad_file], "unknown field `bnd`"),
    ];
    for (args, expected) in cases {
        let out = Command::new(BIN)
            .arg("server")
            .args(args)
            .env_clear()
            .env("HOME", home.path())
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} started");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
        assert!(!stderr.contains("pw@"), "{stderr}");
    }
}

#[test]
fn admin_backup_copies_a_live_database_and_migrate_is_idempotent() {
    let server = Server::start(false);
    let url = server.database_url();
    let admin = |args: &[&str]| {
        Command::new(BIN)
            .arg("admin")
            .args(args)
            .env_clear()
            .env("HOME", &server.dir)
            .output()
            .expect("run admin")
    };
    assert!(
        admin(&["create-org", "acme", "--database-url", &url])
            .status
            .success()
    );
    let copy = server.dir.join("backup.db");
    let copy_arg = copy.to_str().expect("path");
    let out = admin(&["backup", "--to", copy_arg, "--database-url", &url]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let copy_url = format!("sqlite://{copy_arg}");
    let orgs = admin(&["list-orgs", "--database-url", &copy_url]);
    assert_eq!(String::from_utf8_lossy(&orgs.stdout), "acme\n");
    let again = admin(&["backup", "--to", copy_arg, "--database-url", &url]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("exists already"));
    let migrated = admin(&["migrate", "--database-url", &url]);
    assert_eq!(
        String::from_utf8_lossy(&migrated.stdout),
        "the database schema is up to date\n"
    );
}
