//! Loads the demo into a real server over HTTP, then asks the API what the
//! tutorial "From commit to production" shows: the flows, runner:16d9990's
//! history, snapshot aws-prod#65 and its diff with aws-prod#64.

use custody_api::{Artifact, Flow, Snapshot, SnapshotDiff};
use custody_client::{Client, Response};
use custody_core::Timestamp;
use custody_server::{AppState, admin, open_store, serve};
use custody_store::testing::TestDatabase;
use tokio::net::TcpListener;

const ORG: &str = "cyber-dojo";
const FIX: &str = "9af401c4350b21e3f1df17d6ad808da43d9646e75b6da902cc7c492bcfb9c625";
const OLD_RUNNER: &str = "eeb0cfc9ee7f69fbd9531d5b8c1e8d22a8de119e2a422344a714a868e9a8bfec";
const SHAS: &str = "76c442c04283c4ca1af22d882750eb960cf53c0aa041bbdb2db9df2f2c1282be";
const DIFFER: &str = "d8440b94f7f9174c180324ceafd4148360d9d7c916be2b910f132c58b8a943ae";

/// Unix seconds of an August 2022 Berlin (CEST) time.
fn aug(day: i64, hour: i64, minute: i64, second: i64) -> f64 {
    const AUG_1: i64 = 1_659_304_800; // 2022-08-01 00:00 CEST
    (AUG_1 + (day - 1) * 86_400 + hour * 3_600 + minute * 60 + second) as f64
}

/// GETs `/api/v2/<segments>?<query>`; callers decode the body.
async fn get(client: &Client, segments: &[&str], query: &[(&str, &str)]) -> Response {
    let mut url = client.api_url(segments);
    if !query.is_empty() {
        url.query_pairs_mut().extend_pairs(query);
    }
    client
        .get(url.clone())
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn loads_the_tutorial_data_set() {
    let db = TestDatabase::sqlite();
    let store = open_store(&db.url).await.expect("open the store");
    admin::create_org(
        store.as_ref(),
        ORG,
        Timestamp::from_seconds(aug(1, 7, 0, 0)),
    )
    .await
    .expect("create the org");
    let key = admin::create_api_key(
        store.as_ref(),
        ORG,
        "admin",
        "demo",
        Timestamp::from_seconds(aug(1, 7, 0, 0)),
    )
    .await
    .expect("create a key")
    .key;
    let state = AppState::new(store);
    let clock = state.clock.clone();
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let host = format!("http://{}", listener.local_addr().expect("address"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let stop_signal = async {
        let _ = stopped.await;
    };
    let grace = std::time::Duration::from_secs(5);
    let server = tokio::spawn(serve(listener, state, stop_signal, grace));
    let client = Client::new(&host, Some(key), 0).expect("client");

    let summary = custody_demo::load(&client, ORG, &|t| {
        clock.replay_at(Timestamp::from_seconds(t))
    })
    .await
    .expect("load the demo");
    let snapshots = |env: &str| summary.snapshots.get(env).copied();
    assert_eq!(
        (summary.flows, summary.archived_flows, summary.environments),
        (13, 1, 2),
        "{summary}"
    );
    assert_eq!(
        (
            summary.artifacts,
            summary.evidence,
            summary.deployments,
            summary.reports
        ),
        (87, 85, 153, 375),
        "{summary}"
    );
    assert_eq!(
        (snapshots("aws-beta"), snapshots("aws-prod")),
        (Some(158), Some(137)),
        "{summary}"
    );

    list_flows(&client).await;
    get_artifact(&client).await;
    get_snapshot(&client).await;
    diff_snapshots(&client).await;

    let _ = stop.send(());
    server.await.expect("server task").expect("server");
}

async fn list_flows(client: &Client) {
    let flows: Vec<Flow> = get(client, &["flows", ORG], &[])
        .await
        .json()
        .expect("decode");
    let listed: Vec<(&str, &str, &str)> = flows
        .iter()
        .map(|f| {
            (
                f.name.as_str(),
                f.description.as_str(),
                f.visibility.as_str(),
            )
        })
        .collect();
    let tutorial = [
        ("creator", "UX for Group/Kata creation"),
        ("custom-start-points", "Custom exercises choices"),
        ("dashboard", "UX for a group practice dashboard"),
        ("differ", "Diff files from two traffic-lights"),
        ("exercises-start-points", "Exercises choices"),
        ("languages-start-points", "Language+TestFramework choices"),
        ("nginx", "Reverse proxy"),
        ("repler", "REPL for Python images"),
        ("runner", "Test runner"),
        ("saver", "Group/Kata model+persistence"),
        ("version-reporter", "UX for git+image version-reporter"),
        ("web", "UX for practicing TDD"),
    ];
    let expected: Vec<(&str, &str, &str)> =
        tutorial.iter().map(|(n, d)| (*n, *d, "public")).collect();
    assert_eq!(listed, expected);
}

async fn get_artifact(client: &Client) {
    let found: Vec<Artifact> = get(
        client,
        &["artifacts", ORG, "runner", "commit_sha", "16d9990"],
        &[],
    )
    .await
    .json()
    .expect("decode");
    assert_eq!(found.len(), 1, "{found:#?}");
    let a = &found[0];
    assert_eq!(a.filename, "cyberdojo/runner:16d9990");
    assert_eq!(a.flow_name, "runner");
    assert_eq!(a.fingerprint, FIX);
    assert_eq!(a.created_at, aug(22, 11, 35, 0));
    assert_eq!(
        a.git_commit.as_deref(),
        Some("16d9990ad23a40eecaf087abac2a58a2d2a4b3f4")
    );
    assert_eq!(
        a.commit_url.as_deref(),
        Some(
            "https://github.com/cyber-dojo/runner/commit/16d9990ad23a40eecaf087abac2a58a2d2a4b3f4"
        )
    );
    assert_eq!(
        a.build_url.as_deref(),
        Some("https://github.com/cyber-dojo/runner/actions/runs/2902808452")
    );
    assert_eq!(a.state, "COMPLIANT");
    let history: Vec<(&str, f64)> = a
        .history
        .iter()
        .map(|h| (h.event.as_str(), h.timestamp))
        .collect();
    assert_eq!(
        history,
        vec![
            ("Artifact created", aug(22, 11, 35, 0)),
            ("branch-coverage evidence received", aug(22, 11, 36, 2)),
            (
                "Deployment #18 to aws-beta environment",
                aug(22, 11, 37, 17)
            ),
            (
                "Deployment #19 to aws-prod environment",
                aug(22, 11, 38, 21)
            ),
            (
                "Started running in aws-beta#84 environment",
                aug(22, 11, 38, 28)
            ),
            (
                "Started running in aws-prod#65 environment",
                aug(22, 11, 39, 22)
            ),
            (
                "Scaled down from 3 to 2 in aws-beta#117 environment",
                aug(24, 18, 3, 42)
            ),
            (
                "No longer running in aws-beta#119 environment",
                aug(24, 18, 5, 42)
            ),
            (
                "Scaled down from 3 to 1 in aws-prod#94 environment",
                aug(24, 18, 10, 28)
            ),
            (
                "No longer running in aws-prod#96 environment",
                aug(24, 18, 12, 28)
            ),
        ]
    );
}

async fn get_snapshot(client: &Client) {
    let s: Snapshot = get(client, &["snapshots", ORG, "aws-prod", "#65"], &[])
        .await
        .json()
        .expect("decode");
    assert_eq!((s.index, s.timestamp), (65, aug(22, 11, 39, 22)));
    let running: Vec<_> = s
        .artifacts
        .iter()
        .filter(|a| a.annotation.now > 0)
        .collect();
    let fingerprints: Vec<&str> = running.iter().map(|a| a.fingerprint.as_str()).collect();
    // The table's order: newest first, so the tutorial's first two and last two rows.
    assert_eq!(fingerprints[..2], [FIX, SHAS], "{fingerprints:?}");
    assert_eq!(
        fingerprints[fingerprints.len() - 2..],
        [OLD_RUNNER, DIFFER],
        "{fingerprints:?}"
    );
    let row = |fp: &str| {
        running
            .iter()
            .find(|a| a.fingerprint == fp)
            .expect("running")
    };
    let fix = row(FIX);
    assert_eq!(
        fix.name,
        "274425519734.dkr.ecr.eu-central-1.amazonaws.com/runner:16d9990"
    );
    assert_eq!(fix.creation_timestamp.len(), 3);
    assert_eq!(
        fix.creation_timestamp.iter().max().map(|&t| t as f64),
        Some(aug(22, 11, 39, 17))
    );
    assert_eq!(row(OLD_RUNNER).creation_timestamp.len(), 1);
    assert_eq!(
        row(OLD_RUNNER).git_commit.as_deref().map(|c| &c[..7]),
        Some("85d83c6")
    );
    assert_eq!(
        row(SHAS).flow_name.as_deref(),
        Some("shas"),
        "an archived flow keeps its provenance"
    );
    assert_eq!(
        row(DIFFER).name,
        "274425519734.dkr.ecr.eu-central-1.amazonaws.com/differ:1a2b170"
    );
    // The tutorial's column widths: FLOW fits 9 runes, ARTIFACT fits "Name: " and 73.
    let widest_flow = running
        .iter()
        .map(|a| a.flow_name.as_deref().unwrap_or("N/A").len())
        .max();
    let widest_name = running.iter().map(|a| a.name.len()).max();
    assert_eq!((widest_flow, widest_name), (Some(9), Some(73)));
}

async fn diff_snapshots(client: &Client) {
    let query = [("snappish1", "aws-prod#64"), ("snappish2", "aws-prod#65")];
    let d: SnapshotDiff = get(client, &["env-diff", ORG], &query)
        .await
        .json()
        .expect("decode");
    assert!(
        d.snappish1.artifacts.is_empty() && d.changed.artifacts.is_empty(),
        "{d:#?}"
    );
    let only: Vec<_> = d
        .snappish2
        .artifacts
        .iter()
        .map(|a| a.fingerprint.as_str())
        .collect();
    assert_eq!(only, [FIX]);
    let new = &d.snappish2.artifacts[0];
    assert_eq!(new.flow.as_deref(), Some("runner"));
    assert_eq!(new.most_recent_timestamp as f64, aug(22, 11, 39, 17));
    assert!(new.pods.is_empty(), "ECS tasks are not pods");
    assert!(d.not_changed.artifacts.len() >= 10, "{d:#?}");
}
