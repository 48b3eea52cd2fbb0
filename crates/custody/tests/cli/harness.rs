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
    database_url: String,
    launch: Launch,
}

/// How a test server is started beyond its database and directory.
#[derive(Clone, Default)]
pub struct Launch {
    pub demo: bool,
    /// More `custody server` arguments; with `--evidence-store`, no `--evidence-dir` is given.
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
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
    /// `custody server [--demo]` on 127.0.0.1:0 over an SQLite file of its
    /// own; waits until it listens.
    pub fn start(demo: bool) -> Server {
        Self::launch(Launch {
            demo,
            ..Launch::default()
        })
    }

    /// [`Server::start`] with more arguments and environment variables.
    pub fn launch(launch: Launch) -> Server {
        let dir = temp_dir();
        let url = format!("sqlite://{}/custody.db", dir.display());
        Self::on(url, dir, launch)
    }

    /// `custody server` over this database (with evidence in a directory of its own).
    pub fn on_database(database_url: &str) -> Server {
        Self::on(database_url.to_string(), temp_dir(), Launch::default())
    }

    fn on(database_url: String, dir: PathBuf, launch: Launch) -> Server {
        let (child, host) = spawn(&database_url, &dir, &launch);
        Server {
            child,
            host,
            dir,
            database_url,
            launch,
        }
    }

    /// Kills the server with SIGKILL, mid-whatever, and starts it again.
    pub fn kill_and_restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let (child, host) = spawn(&self.database_url, &self.dir, &self.launch);
        self.child = child;
        self.host = host;
    }

    pub fn database_url(&self) -> String {
        self.database_url.clone()
    }
}

/// Starts `custody server` and waits until it says where it listens.
pub fn spawn(database_url: &str, dir: &std::path::Path, launch: &Launch) -> (Child, String) {
    let mut cmd = Command::new(BIN);
    cmd.args([
        "server",
        "--bind",
        "127.0.0.1:0",
        "--database-url",
        database_url,
    ])
    .args(&launch.args)
    .envs(launch.env.iter().map(|(k, v)| (k, v)))
    .env_remove("CUSTODY_ORG")
    .env_remove("KOSLI_ORG")
    .stdout(Stdio::piped())
    .stderr(Stdio::null());
    if !launch.args.iter().any(|a| a == "--evidence-store") {
        cmd.arg("--evidence-dir").arg(dir.join("evidence"));
    }
    if launch.demo {
        cmd.arg("--demo");
    }
    let mut child = cmd.spawn().expect("start custody server");
    let stdout = child.stdout.take().expect("stdout");
    let mut host = None;
    let mut lines = BufReader::new(stdout).lines();
    for line in lines.by_ref() {
        let line = line.expect("server output");
        if let Some((_, rest)) = line.split_once("Custody server listening on ") {
            host = rest.split_whitespace().next().map(String::from);
            break;
        }
    }
    // Keep reading, so the server's log lines never meet a closed pipe.
    std::thread::spawn(move || lines.for_each(drop));
    (child, host.expect("the server printed where it listens"))
}

impl Server {
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

/// PUTs a JSON body to an API path through `client`, failing the test on any error.
pub async fn put_json(client: &custody_client::Client, path: &[&str], body: serde_json::Value) {
    client
        .send(
            reqwest::Method::PUT,
            client.api_url(path),
            &custody_client::Body::Json(body),
        )
        .await
        .unwrap_or_else(|e| panic!("PUT {path:?}: {e}"));
}
