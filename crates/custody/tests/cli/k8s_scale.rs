//! `custody snapshot k8s` on a big cluster: 5,000 pods collected into one
//! snapshot (cluster-wide in pages, and namespace by namespace), and requests
//! to the API held to `--qps` and `--burst`. The time it takes is measured by
//! `cargo bench -p custody --bench k8s_snapshot`, not here.

use std::time::Duration;

use super::fake_k8s::{Fake, NGINX, big_cluster};
use super::harness::{Server, ok, stderr};
use super::k8s::admin_key;

#[test]
fn five_thousand_pods_are_collected_into_one_snapshot() {
    let server = Server::start(false);
    let token = admin_key(&server);
    let fake = Fake::start(big_cluster(50, 5000), &server.dir);
    let kc = fake.kubeconfig.display().to_string();
    let run = |args: &[&str]| ok(server.run("acme", &token, args, &[]));
    run(&["create", "environment", "big", "--type", "K8S"]);
    for (label, extra) in [
        ("cluster-wide, paged", vec![]),
        ("50 namespaces by regex", vec!["--namespaces-regex", "^ns-"]),
    ] {
        let mut args = vec!["snapshot", "k8s", "big", "-k", &kc];
        args.extend(extra);
        assert_eq!(
            run(&args),
            "[5000] pods were reported to environment big\n",
            "{label}"
        );
        let latest = run(&["get", "snapshot", "big", "-o", "json"]);
        let snapshot: serde_json::Value = serde_json::from_str(&latest).expect("a snapshot");
        let artifacts = snapshot["artifacts"].as_array().expect("artifacts");
        assert_eq!(artifacts.len(), 1, "{label}: one image runs");
        let nginx = &artifacts[0];
        assert_eq!(nginx["fingerprint"], NGINX, "{label}");
        let instances = nginx["instances"].as_array().map_or(0, Vec::len);
        assert_eq!(instances, 5000, "{label}: every pod is counted");
    }
    let pages = fake.requests();
    assert_eq!(
        pages
            .iter()
            .filter(|r| r.starts_with("/api/v1/pods?"))
            .count(),
        10,
        "cluster-wide, 500 pods a page: {pages:?}"
    );
}

#[test]
fn requests_to_the_api_keep_to_qps_and_burst() {
    let server = Server::start(false);
    let token = admin_key(&server);
    let (namespaces, qps, burst) = (30, 10.0, 5);
    let fake = Fake::start(big_cluster(namespaces, namespaces), &server.dir);
    let kc = fake.kubeconfig.display().to_string();
    let run = |args: &[&str]| server.run("acme", &token, args, &[]);
    let (qps_flag, burst_flag) = (qps.to_string(), burst.to_string());
    let out = ok(run(&[
        "snapshot",
        "k8s",
        "paced",
        "-k",
        &kc,
        "--namespaces-regex",
        "^ns-",
        "--qps",
        &qps_flag,
        "--burst",
        &burst_flag,
        "-A",
    ]));
    assert_eq!(
        out,
        "environment paced was created\n[30] pods were reported to environment paced\n"
    );
    let arrivals = fake.arrivals();
    assert_eq!(
        arrivals.len(),
        namespaces + 1,
        "the namespace list, then each namespace"
    );
    // After the burst each request waits for a token, so the last cannot come
    // before (requests - burst) / qps; without a bucket all 31 take milliseconds.
    // A quarter is left off for the first request's own latency.
    let floor = (arrivals.len() - burst) as f64 / qps;
    let span = arrivals[arrivals.len() - 1] - arrivals[0];
    assert!(
        span >= Duration::from_secs_f64(floor * 0.75),
        "{} requests in {span:?}, under the {floor} s the rate allows",
        arrivals.len()
    );

    for (flag, value, complaint) in [
        ("--qps", "0", "requests per second above 0"),
        ("--burst", "0", "0 is not in 1.."),
    ] {
        let out = run(&["snapshot", "k8s", "paced", "-k", &kc, flag, value]);
        assert!(!out.status.success());
        assert!(stderr(&out).contains(complaint), "{}", stderr(&out));
    }
}
