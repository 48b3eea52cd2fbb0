//! `custody snapshot k8s` against a fake Kubernetes API: the exact report a
//! cluster of realistic pods yields, namespace filters, the multi-environment
//! file, and errors (unreachable API, 403, pods without image IDs).

use serde_json::{Value, json};

use super::fake_k8s::{API, Cluster, ENVOY, Fake, NGINX, cluster, kubeconfig, pod};
use super::harness::{Server, admin, ok, stderr, stdout};
use super::pipeline::key;

/// Creates org `acme` and returns an admin API key.
pub fn admin_key(server: &Server) -> String {
    admin(&server.database_url(), &["create-org", "acme"]);
    key(server, "admin")
}

fn entry(ns: &str, name: &str, digests: Value, owner: Option<&str>) -> Value {
    let owners: Value = owner
        .map(|rs| json!([{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": rs,
                          "uid": format!("uid-{rs}"), "controller": true, "blockOwnerDeletion": true}]))
        .unwrap_or(Value::Null);
    json!({"podName": name, "namespace": ns, "digests": digests,
           "creationTimestamp": 1_795_168_800, "owners": owners})
}

/// The JSON body a dry run prints.
fn dry_run_payload(out: &str) -> Value {
    let (_, rest) = out
        .split_once("this is the payload that would be sent in a real run:")
        .expect(out);
    serde_json::from_str(rest.trim()).expect("payload JSON")
}

#[test]
fn a_cluster_is_reported_pod_by_pod() {
    let server = Server::start(false);
    let token = admin_key(&server);
    let fake = Fake::start(cluster(), &server.dir);
    let kc = fake.kubeconfig.display().to_string();
    let run = |args: &[&str]| server.run("acme", &token, args, &[]);

    let dry = ok(run(&[
        "snapshot",
        "k8s",
        "prod-k8s",
        "-k",
        &kc,
        "--dry-run",
    ]));
    assert!(
        dry.contains("/api/v2/environments/acme/prod-k8s/report/K8S"),
        "{dry}"
    );
    let expected = json!({"artifacts": [
        entry("kube-system", "coredns-668d6bf9bc-l7n2m", json!({"nginx:1.25": NGINX}), None),
        entry("prod", "api-5f7b9c-qq7rt", json!({"registry.example.com/api:2.0": API, "envoyproxy/envoy:v1.31": ENVOY}), Some("api-5f7b9c")),
        entry("prod", "web-7c5ddbdf54-x2k9p", json!({"nginx:1.25": NGINX}), Some("web-7c5ddbdf54")),
        entry("staging", "migrate-1-abcde", json!({"registry.example.com/api:2.0": API}), None),
    ]});
    assert_eq!(dry_run_payload(&dry), expected);
    assert_eq!(
        fake.requests(),
        ["/api/v1/pods?&limit=500"],
        "one paged list call"
    );

    let out = ok(run(&["snapshot", "k8s", "prod-k8s", "-k", &kc, "-A"]));
    assert_eq!(
        out,
        "environment prod-k8s was created\n[4] pods were reported to environment prod-k8s\n"
    );
    let snapshot: Value =
        serde_json::from_str(&ok(run(&["get", "snapshot", "prod-k8s", "-o", "json"]))).unwrap();
    let text = snapshot.to_string();
    for digest in [NGINX, API, ENVOY] {
        assert!(text.contains(digest), "{text}");
    }
    assert!(
        text.contains("web-7c5ddbdf54-x2k9p") && text.contains("coredns-668d6bf9bc-l7n2m"),
        "{text}"
    );
    let listed = ok(run(&["list", "snapshots", "prod-k8s"]));
    assert_eq!(listed.lines().count(), 2, "{listed}");
}

#[test]
fn namespaces_are_filtered_and_environments_come_from_a_file() {
    let server = Server::start(false);
    let token = admin_key(&server);
    let fake = Fake::start(cluster(), &server.dir);
    let kc = fake.kubeconfig.display().to_string();
    let run = |args: &[&str]| server.run("acme", &token, args, &[]);
    for env in ["prod-k8s", "infra-k8s"] {
        ok(run(&["create", "environment", env, "--type", "K8S"]));
    }

    let out = run(&[
        "snapshot",
        "k8s",
        "prod-k8s",
        "-k",
        &kc,
        "-n",
        "prod,staging",
        "--debug",
    ]);
    assert!(
        stderr(&out).contains("scanning the following namespaces: [prod staging]"),
        "{}",
        stderr(&out)
    );
    assert!(
        stdout(&out).contains("[3] pods were reported to environment prod-k8s"),
        "{}",
        stdout(&out)
    );
    assert!(
        !fake
            .requests()
            .iter()
            .any(|r| r.starts_with("/api/v1/namespaces?")),
        "names are used directly"
    );

    let out = ok(run(&[
        "snapshot",
        "k8s",
        "infra-k8s",
        "-k",
        &kc,
        "--namespaces-regex",
        "system",
    ]));
    assert_eq!(out, "[1] pods were reported to environment infra-k8s\n");
    assert!(
        fake.requests()
            .iter()
            .any(|r| r.starts_with("/api/v1/namespaces?"))
    );

    let both = run(&["snapshot", "k8s", "x", "-k", &kc, "-n", "a", "-x", "b"]);
    assert!(
        stderr(&both).contains("only one of --namespaces, --exclude-namespaces is allowed"),
        "{}",
        stderr(&both)
    );

    let file = server.dir.join("envs.yaml");
    std::fs::write(&file, "environments:\n  - name: prod-k8s\n    namespaces: [prod]\n  - name: infra-k8s\n    excludeNamespaces: [prod, staging, default]\n").unwrap();
    let out = ok(run(&[
        "snapshot",
        "k8s",
        "-k",
        &kc,
        "--config-file",
        &file.display().to_string(),
    ]));
    assert_eq!(
        out,
        "[2] pods were reported to environment prod-k8s\n[1] pods were reported to environment infra-k8s\n"
    );
    std::fs::write(&file, "environments: []\n").unwrap();
    let bad = run(&[
        "snapshot",
        "k8s",
        "-k",
        &kc,
        "--environments-file",
        &file.display().to_string(),
    ]);
    assert!(
        stderr(&bad)
            .contains("invalid config: 'environments' list must contain at least one entry"),
        "{}",
        stderr(&bad)
    );
}

#[test]
fn api_failures_are_clear_errors() {
    let server = Server::start(false);
    let token = admin_key(&server);
    let run = |args: &[&str]| server.run("acme", &token, args, &[]);
    ok(run(&["create", "environment", "prod-k8s", "--type", "K8S"]));

    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let dead = kubeconfig(&server.dir, &format!("http://{closed}"));
    let out = run(&[
        "snapshot",
        "k8s",
        "prod-k8s",
        "-k",
        &dead.display().to_string(),
    ]);
    assert!(!out.status.success());
    assert!(stderr(&out).contains(&format!("failed to list pods in all namespaces: cannot reach the Kubernetes API at http://{closed}/")), "{}", stderr(&out));

    let dir = server.dir.join("forbidden");
    std::fs::create_dir_all(&dir).unwrap();
    let fake = Fake::start(
        Cluster {
            forbidden: true,
            ..cluster()
        },
        &dir,
    );
    let out = run(&[
        "snapshot",
        "k8s",
        "prod-k8s",
        "-k",
        &fake.kubeconfig.display().to_string(),
        "-n",
        "prod",
    ]);
    assert!(
        stderr(&out)
            .contains("permission denied listing pods in namespace prod: pods is forbidden"),
        "{}",
        stderr(&out)
    );

    let dir = server.dir.join("unpulled");
    std::fs::create_dir_all(&dir).unwrap();
    let mut unpulled = cluster();
    unpulled.pods.push(pod(
        "prod",
        "web-new-zz",
        "Running",
        &[("nginx:1.27", "")],
        None,
    ));
    unpulled.pods.push(pod(
        "staging",
        "crashed-aa",
        "Failed",
        &[("nginx:1.27", "")],
        None,
    ));
    let fake = Fake::start(unpulled, &dir);
    let kc = fake.kubeconfig.display().to_string();
    let out = run(&["snapshot", "k8s", "prod-k8s", "-k", &kc]);
    assert!(
        stderr(&out).contains("pod web-new-zz in namespace prod has containers without image IDs"),
        "{}",
        stderr(&out)
    );
    let out = ok(run(&[
        "snapshot", "k8s", "prod-k8s", "-k", &kc, "-n", "staging",
    ]));
    assert_eq!(out, "[1] pods were reported to environment prod-k8s\n");
    let logs = ok(run(&["list", "snapshots", "prod-k8s"]));
    assert_eq!(
        logs.lines().count(),
        2,
        "only the staging report was recorded: {logs}"
    );
}
