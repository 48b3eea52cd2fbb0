//! `snapshot docker` and `--artifact-type docker` against a fake Docker Engine
//! API on a unix socket: the exact report body, the resulting snapshot, skipped
//! containers, an unreachable daemon, and logical/renamed/archived environments.

use std::process::{Command, Output};

use serde_json::{Value, json};

use super::fake_docker::{NGINX, REDIS, Recorder, start_daemon};
use super::harness::{BIN, Server, ok, stderr, stdout};
use super::pipeline::key;

/// `custody ARGS` against `host` with the fake daemon.
fn custody(host: &str, docker_host: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_clear()
        .env("CUSTODY_HOST", host)
        .env("CUSTODY_ORG", "acme")
        .env("CUSTODY_API_TOKEN", "secret")
        .env("CUSTODY_MAX_API_RETRIES", "0")
        .env("DOCKER_HOST", docker_host)
        .output()
        .expect("run custody")
}

#[test]
fn the_report_holds_containers_with_repo_digests() {
    let dir = tempfile::tempdir().unwrap();
    let docker_host = start_daemon(dir.path());
    let api = Recorder::start();
    let out = custody(&api.host, &docker_host, &["snapshot", "docker", "dock"]);
    assert_eq!(
        ok(out.clone()),
        "[2] containers were reported to environment dock\n"
    );
    assert_eq!(
        stderr(&out),
        "[warning] ignoring container 'local-build' as it uses an image with no repo digest\n\
         [warning] ignoring container 'orphan' as its image 'old:gone' is no longer present\n"
    );
    let requests = api.requests.lock().unwrap().clone();
    assert_eq!(
        requests,
        [(
            "PUT".to_string(),
            "/api/v2/environments/acme/dock/report/docker".to_string(),
            json!({"artifacts": [
                {"digests": {"nginx:1.25": NGINX}, "creationTimestamp": 1_764_000_000},
                {"digests": {"redis:7": REDIS}, "creationTimestamp": 1_764_000_100},
            ]})
        )]
    );
    // `assert artifact` fingerprints through the same path as `fingerprint`.
    custody(
        &api.host,
        &docker_host,
        &["assert", "artifact", "nginx:1.25", "-t", "docker"],
    );
    let asked = api.requests.lock().unwrap()[1].1.clone();
    assert!(asked.contains(NGINX), "{asked}");
    let fingerprint = custody(
        &api.host,
        &docker_host,
        &["fingerprint", "redis:7", "-t", "docker"],
    );
    assert_eq!(ok(fingerprint), format!("{REDIS}\n"));
}

#[test]
fn an_unreachable_daemon_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("missing.sock");
    let host = format!("unix://{}", socket.display());
    let out = custody("http://127.0.0.1:9", &host, &["snapshot", "docker", "dock"]);
    assert!(!out.status.success());
    assert_eq!(
        stderr(&out),
        format!(
            "Error: cannot connect to the Docker daemon at {host}: No such file or directory (os error 2). Is the docker daemon running?\n"
        )
    );
}

fn snapshot_fingerprints(server: &Server, token: &str, env: &str) -> Vec<String> {
    let out = ok(server.run(
        "acme",
        token,
        &["get", "snapshot", env, "--output", "json"],
        &[],
    ));
    let doc: Value = serde_json::from_str(&out).unwrap();
    let mut fps: Vec<String> = doc["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["fingerprint"].as_str().unwrap().to_string())
        .collect();
    fps.sort();
    fps
}

#[test]
fn docker_snapshots_feed_logical_renamed_and_archived_environments() {
    let server = Server::start(false);
    super::harness::admin(&server.database_url(), &["create-org", "acme"]);
    let token = key(&server, "admin");
    let docker_host = start_daemon(&server.dir);
    let docker = [("DOCKER_HOST", docker_host.as_str())];
    let run = |args: &[&str]| server.run("acme", &token, args, &docker);

    assert_eq!(
        ok(run(&["snapshot", "docker", "dock", "--auto-environment"])),
        "environment dock was created\n[2] containers were reported to environment dock\n"
    );
    assert_eq!(
        snapshot_fingerprints(&server, &token, "dock"),
        [NGINX, REDIS]
    );

    ok(run(&[
        "create",
        "environment",
        "all",
        "--type",
        "logical",
        "--included-environments",
        "dock",
    ]));
    ok(run(&["create", "environment", "spare", "--type", "docker"]));
    assert_eq!(
        ok(run(&[
            "join",
            "environment",
            "--physical",
            "spare",
            "--logical",
            "all"
        ])),
        "environment 'spare' was joined to 'all'\n"
    );
    assert_eq!(
        snapshot_fingerprints(&server, &token, "all"),
        [NGINX, REDIS]
    );
    let refused = run(&["snapshot", "docker", "all"]);
    assert!(
        stderr(&refused).contains("cannot report a snapshot to the logical environment all"),
        "{}",
        stderr(&refused)
    );

    assert_eq!(
        ok(run(&["rename", "environment", "dock", "harbour"])),
        "environment dock was renamed to harbour\n"
    );
    assert_eq!(
        snapshot_fingerprints(&server, &token, "harbour"),
        [NGINX, REDIS]
    );
    assert_eq!(
        ok(run(&["archive", "environment", "harbour"])),
        "environment harbour was archived\n"
    );
    let refused = run(&["snapshot", "docker", "harbour"]);
    assert!(!refused.status.success(), "{}", stdout(&refused));
    assert!(
        stderr(&refused).contains("cannot report a snapshot to the archived environment harbour"),
        "{}",
        stderr(&refused)
    );
}
