//! `custody snapshot k8s --watch` through a scripted rollout streamed by the
//! fake API (start, scale, replace, roll back: each change a snapshot).

use std::process::{Command, Stdio};
use std::time::Duration;

use super::fake_k8s::{API, Cluster, Fake, NGINX, pod};
use super::harness::{BIN, Server, ok};
use super::k8s::admin_key;

#[test]
fn a_watch_records_a_rollout_and_its_rollback() {
    let server = Server::start(false);
    let token = admin_key(&server);
    let old = format!("docker-pullable://nginx@sha256:{NGINX}");
    let new = format!("sha256:{API}");
    let step = Duration::from_millis(1500);
    let v1 = |name: &str| {
        pod(
            "prod",
            name,
            "Running",
            &[("nginx:1.25", &old)],
            Some("web-1"),
        )
    };
    let v2 = |name: &str| {
        pod(
            "prod",
            name,
            "Running",
            &[("nginx:1.27", &new)],
            Some("web-2"),
        )
    };
    let watch = vec![
        (step, "ADDED", v1("web-1-a")),
        (step, "ADDED", v1("web-1-b")),
        (step, "ADDED", v2("web-2-a")),
        (Duration::ZERO, "DELETED", v1("web-1-a")),
        (Duration::ZERO, "DELETED", v1("web-1-b")),
        (step, "ADDED", v1("web-1-c")),
        (Duration::ZERO, "DELETED", v2("web-2-a")),
    ];
    let fake = Fake::start(
        Cluster {
            watch,
            ..Cluster::default()
        },
        &server.dir,
    );
    let mut child = Command::new(BIN)
        .args([
            "snapshot",
            "k8s",
            "prod-k8s",
            "--watch",
            "--debounce",
            "300ms",
            "-A",
            "-k",
        ])
        .arg(&fake.kubeconfig)
        .env_clear()
        .env("HOME", &server.dir)
        .env("CUSTODY_HOST", &server.host)
        .env("CUSTODY_ORG", "acme")
        .env("CUSTODY_API_TOKEN", &token)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start the watch");
    std::thread::sleep(step * 5);
    let run = |args: &[&str]| ok(server.run("acme", &token, args, &[]));
    let snapshots = run(&["list", "snapshots", "prod-k8s"]);
    let log = run(&["log", "environment", "prod-k8s"]);
    child.kill().expect("stop the watch");
    child.wait().expect("wait");
    assert_eq!(
        snapshots.lines().count(),
        6,
        "empty at first, start, scale, replace, roll back:\n{snapshots}\n{log}"
    );
    for (index, description) in [
        (2, "started running (from 0 to 1)"),
        (3, "(from 1 to 2)"),
        (4, "stopped running (from 2 to 0)"),
        (5, "stopped running (from 1 to 0)"),
    ] {
        assert!(log.contains(&format!("#{index}")), "{log}");
        assert!(log.contains(description), "{log}");
    }
    assert!(log.contains(NGINX) && log.contains(API), "{log}");
    assert!(fake.requests().iter().any(|r| r.contains("watch=true")));
}
