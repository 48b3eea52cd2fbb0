//! Starts `custody server` as a child process on a free port with its own SQLite
//! file, and runs CLI commands against it.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};

pub const BIN: &str = env!("CARGO_BIN_EXE_custody");

/// A running server and its data directory; both go away on drop.
pub struct Server {
    child: Child,
    pub host: String,
    pub dir: PathBuf,
}

fn temp_dir() -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let dir = std::env::temp_dir().join(format!(
        "custody-e2e-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

impl Server {
    /// `custody server [--demo]` on 127.0.0.1:0; waits until it listens.
    pub fn start(demo: bool) -> Server {
        let dir = temp_dir();
        let mut cmd = Command::new(BIN);
        cmd.args(["server", "--bind", "127.0.0.1:0", "--database-url"])
            .arg(format!("sqlite://{}/custody.db", dir.display()))
            .env_remove("CUSTODY_ORG")
            .env_remove("KOSLI_ORG")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if demo {
            cmd.arg("--demo");
        }
        let mut child = cmd.spawn().expect("start custody server");
        let stdout = child.stdout.take().expect("stdout");
        let mut host = None;
        for line in BufReader::new(stdout).lines() {
            let line = line.expect("server output");
            if let Some(rest) = line.strip_prefix("Custody server listening on ") {
                host = rest.split_whitespace().next().map(String::from);
                break;
            }
        }
        let host = host.expect("the server printed where it listens");
        Server { child, host, dir }
    }

    pub fn database_url(&self) -> String {
        format!("sqlite://{}/custody.db", self.dir.display())
    }

    /// Runs `custody ARGS` against this server with `org` and `token`.
    pub fn run(&self, org: &str, token: &str, args: &[&str], env: &[(&str, &str)]) -> Output {
        self.run_in(&self.dir, org, token, args, env)
    }

    /// The same, in a working directory.
    pub fn run_in(
        &self,
        cwd: &std::path::Path,
        org: &str,
        token: &str,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Output {
        let mut cmd = Command::new(BIN);
        cmd.args(args)
            .current_dir(cwd)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.dir)
            .env("CUSTODY_HOST", &self.host)
            .env("CUSTODY_ORG", org)
            .env("CUSTODY_API_TOKEN", token)
            .env("CUSTODY_MAX_API_RETRIES", "0");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("run custody")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// `custody admin ARGS --database-url URL`, returning stdout.
pub fn admin(database_url: &str, args: &[&str]) -> String {
    let out = Command::new(BIN)
        .arg("admin")
        .args(args)
        .args(["--database-url", database_url])
        .output()
        .expect("run custody admin");
    ok(out)
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Asserts success and returns stdout.
pub fn ok(o: Output) -> String {
    assert!(
        o.status.success(),
        "command failed:\nstdout: {}\nstderr: {}",
        stdout(&o),
        stderr(&o)
    );
    stdout(&o)
}

/// Lines with trailing spaces removed (the reference text has none).
pub fn trimmed(text: &str) -> Vec<String> {
    text.lines().map(|l| l.trim_end().to_string()).collect()
}
