//! `custody snapshot k8s` on a cluster of 1,000 namespaces and 5,000 pods
//! served by the CLI tests' fake Kubernetes API, reported to a real `custody
//! server`. Prints the time to collect and send them, cluster-wide (ten pages
//! of 500) and namespace by namespace (`--namespaces-regex`), beside a
//! baseline measured in the same run: a plain HTTP client getting the same
//! JSON pages with the same concurrency. Namespace by namespace at Kosli's
//! rate (50 requests a second after a burst of 100) is also printed beside the
//! floor that rate sets. The target is 2 s.
//!
//! `cargo bench -p custody --bench k8s_snapshot` (release, three rounds);
//! `-- --quick` one round without the rate-bound run; without arguments
//! (`cargo test --benches`) it only checks that it runs, on 20 namespaces.

#[allow(dead_code)] // The CLI tests use the rest of it.
#[path = "../tests/cli/fake_k8s.rs"]
mod fake_k8s;
#[allow(dead_code)] // The CLI tests use the rest of it.
#[path = "../tests/cli/harness.rs"]
mod harness;

use std::time::{Duration, Instant};

use fake_k8s::{Fake, big_cluster};
use futures::{StreamExt, TryStreamExt, stream};
use harness::{Server, admin, ok};

/// The target for 1,000 namespaces / 5,000 pods, collected and sent.
const TARGET: Duration = Duration::from_secs(2);
/// Namespaces listed at once, by the CLI and by the baseline.
const CONCURRENCY: usize = 49;

struct Run {
    namespaces: usize,
    pods: usize,
    rounds: usize,
    /// Also time the run held to Kosli's 50 requests a second.
    rate_bound: bool,
}

fn run() -> Run {
    let args: Vec<String> = std::env::args().collect();
    let has = |flag: &str| args.iter().any(|a| a == flag);
    if has("--quick") {
        Run {
            namespaces: 1000,
            pods: 5000,
            rounds: 1,
            rate_bound: false,
        }
    } else if has("--bench") {
        Run {
            namespaces: 1000,
            pods: 5000,
            rounds: 3,
            rate_bound: true,
        }
    } else {
        Run {
            namespaces: 20,
            pods: 100,
            rounds: 1,
            rate_bound: false,
        }
    }
}

/// The median of `rounds` runs of `snapshot k8s` with `extra` flags, each checked.
fn snapshot(server: &Server, token: &str, kc: &str, extra: &[&str], run: &Run) -> Duration {
    let mut times: Vec<Duration> = (0..run.rounds)
        .map(|_| {
            let mut args = vec!["snapshot", "k8s", "big", "-k", kc];
            args.extend(extra);
            let start = Instant::now();
            let out = ok(server.run("acme", token, &args, &[]));
            let took = start.elapsed();
            let expected = format!("[{}] pods were reported to environment big\n", run.pods);
            assert_eq!(out, expected, "{extra:?}");
            took
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

/// Gets `paths` from the fake, `CONCURRENCY` at a time, reading every body.
async fn get_all(client: &reqwest::Client, base: &str, paths: Vec<String>) -> Duration {
    let start = Instant::now();
    let sizes: Vec<usize> = stream::iter(paths)
        .map(|path| async move {
            let response = client
                .get(format!("{base}{path}"))
                .bearer_auth("test-token")
                .send()
                .await?
                .error_for_status()?;
            Ok::<_, reqwest::Error>(response.bytes().await?.len())
        })
        .buffered(CONCURRENCY)
        .try_collect()
        .await
        .expect("baseline GET");
    assert!(sizes.iter().all(|&n| n > 0));
    start.elapsed()
}

/// The baseline of each way of listing: the same pages, fetched by a plain client.
fn baselines(fake: &Fake, run: &Run) -> (Duration, Duration) {
    let kubeconfig = std::fs::read_to_string(&fake.kubeconfig).expect("kubeconfig");
    let base = kubeconfig
        .lines()
        .find_map(|l| l.trim().strip_prefix("server: "))
        .expect("the API address")
        .to_string();
    let pages = run.pods.div_ceil(500);
    let cluster_wide: Vec<String> = (0..pages)
        .map(|p| format!("/api/v1/pods?limit=500&continue={}", p * 500))
        .collect();
    let mut by_namespace = vec!["/api/v1/namespaces?limit=500".to_string()];
    by_namespace
        .extend((0..run.namespaces).map(|n| format!("/api/v1/namespaces/ns-{n}/pods?limit=500")));
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let client = reqwest::Client::new();
        let (mut wide, mut narrow) = (Vec::new(), Vec::new());
        for _ in 0..run.rounds {
            wide.push(get_all(&client, &base, cluster_wide.clone()).await);
            narrow.push(get_all(&client, &base, by_namespace.clone()).await);
        }
        wide.sort();
        narrow.sort();
        (wide[wide.len() / 2], narrow[narrow.len() / 2])
    })
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn verdict(took: Duration) -> String {
    if took <= TARGET {
        format!("meets the {} s target", TARGET.as_secs())
    } else {
        format!(
            "misses the {} s target by {:.0} ms",
            TARGET.as_secs(),
            ms(took - TARGET)
        )
    }
}

fn main() {
    let run = run();
    let server = Server::start(false);
    let db = server.database_url();
    admin(&db, &["create-org", "acme"]);
    let created = admin(&db, &["create-api-key", "--org", "acme", "--role", "admin"]);
    let token = created
        .lines()
        .nth(1)
        .expect("the key is on the second line");
    let fake = Fake::start(big_cluster(run.namespaces, run.pods), &server.dir);
    let kc = fake.kubeconfig.display().to_string();
    ok(server.run(
        "acme",
        token,
        &["create", "environment", "big", "--type", "K8S"],
        &[],
    ));
    // The first report creates the snapshot; the timed ones find it unchanged.
    snapshot(&server, token, &kc, &[], &Run { rounds: 1, ..run });
    let (wide_base, narrow_base) = baselines(&fake, &run);
    let (n, p) = (run.namespaces, run.pods);
    println!(
        "K8S_BENCH snapshot k8s, {n} namespaces / {p} pods, median of {}:",
        run.rounds
    );

    let wide = snapshot(&server, token, &kc, &[], &run);
    println!(
        "  cluster-wide, {} pages          {:>8.0} ms | baseline GETs {:>6.0} ms | {}",
        p.div_ceil(500),
        ms(wide),
        ms(wide_base),
        verdict(wide)
    );
    let regex = ["--namespaces-regex", "^ns-"];
    let unbound = [&regex[..], &["--qps", "100000", "--burst", "100000"]].concat();
    let narrow = snapshot(&server, token, &kc, &unbound, &run);
    println!(
        "  by namespace, rate unbounded     {:>8.0} ms | baseline GETs {:>6.0} ms | {}",
        ms(narrow),
        ms(narrow_base),
        verdict(narrow)
    );
    if run.rate_bound {
        let bound = snapshot(&server, token, &kc, &regex, &run);
        let floor = (n + 1).saturating_sub(100) as f64 / 50.0;
        println!(
            "  by namespace, 50 QPS / burst 100 {:>8.0} ms | floor the rate sets {:>6.0} ms | {}",
            ms(bound),
            floor * 1000.0,
            verdict(bound)
        );
    }
}
