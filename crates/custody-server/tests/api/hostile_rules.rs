//! Custom attestation types written to harm the server: rules that read its
//! environment, stop it, recurse without end, grow without bound or loop
//! without output. Each is refused at creation or fails its attestation with
//! a message naming the limit, and the server keeps answering throughout.

use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::{self, artifact};
use crate::harness::{Api, T0, TestServer, fails_like, fp, ok, sha, start};
use custody_store::testing::TestDatabase;

pub(crate) async fn create_type(
    api: &Api,
    name: &str,
    rule: &str,
) -> Result<(u16, Value), (u16, String)> {
    let data = json!({"name": name, "evaluator": {"content_type": "jq", "rules": [rule]}});
    api.form(
        Method::POST,
        "custom-attestation-types/acme",
        Some(data),
        &[],
    )
    .await
}

pub(crate) async fn attest(api: &Api, type_name: &str) -> Result<(u16, Value), (u16, String)> {
    let payload = json!({
        "attestation_name": "check",
        "type_name": type_name,
        "attestation_data": {"n": 1},
    });
    api.form(
        Method::POST,
        "attestations/acme/svc/trail/t1/custom",
        Some(payload),
        &[],
    )
    .await
}

/// A server with flow `svc`, trail `t1` and the custom type `honest`.
pub(crate) async fn serving_an_honest_type(db: &TestDatabase) -> TestServer {
    let srv = start(db).await;
    srv.at(T0);
    let m = &srv.member;
    fixtures::flow(m, "svc", "version: 1\n").await;
    artifact(m, "svc", &fp("a1"), "app:1", &sha("b2"), Some("t1"), None).await;
    ok(create_type(m, "honest", ".n == 1").await, 201);
    srv
}

/// The server still answers reads and judges an honest rule.
async fn still_serving(srv: &TestServer) {
    let types = srv.reader.json("custom-attestation-types/acme").await;
    assert!(types.as_array().is_some_and(|t| !t.is_empty()));
    let honest = ok(attest(&srv.member, "honest").await, 201);
    assert_eq!(honest["is_compliant"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn rules_cannot_read_the_environment_or_stop_the_server() {
    let db = TestDatabase::sqlite();
    let srv = serving_an_honest_type(&db).await;
    let m = &srv.member;

    for rule in [
        "env.CUSTODY_DATABASE_URL | error",
        "env | tostring | error",
        "$ENV | tostring | error",
        "halt",
        "halt_error",
        "\"bye\" | halt_error(5)",
        "input",
        "debug | true",
        "stderr | true",
        "input_filename | error",
    ] {
        let message = fails_like(
            create_type(m, "leak", rule).await,
            400,
            "invalid jq rule: ",
            "",
        );
        assert!(
            message.contains("not available to rules") || message.contains("not a valid"),
            "{rule}: {message}"
        );
        assert!(
            !message.contains("postgres://") && !message.contains("PATH="),
            "{message}"
        );
    }
    let nested = format!("{}true{}", "(".repeat(10_000), ")".repeat(10_000));
    fails_like(
        create_type(m, "deep", &nested).await,
        400,
        "invalid jq rule: ",
        "the limit is 4096",
    );
    let nested = format!("{}true{}", "[".repeat(100), "]".repeat(100));
    fails_like(
        create_type(m, "deep", &nested).await,
        400,
        "invalid jq rule: ",
        "nests more than 32",
    );
    still_serving(&srv).await;
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn rules_over_a_limit_fail_their_attestation_and_the_server_carries_on() {
    let db = TestDatabase::sqlite();
    let srv = serving_an_honest_type(&db).await;
    let m = &srv.member;

    let cases = [
        ("recursion", "def f: 1 + f; f", "recursed too deeply"),
        ("memory", "[range(infinite)] | length > 0", "limit"),
        (
            "doubling",
            "\"x\" | until(length > 1e12; . + .) | length > 0",
            "limit",
        ),
        ("spin", "def f: f; f", "took longer than 1500 ms"),
        (
            "repeat",
            "[limit(1; repeat(empty))] | length > 0",
            "took longer than",
        ),
        ("until", "until(false; .)", "took longer than"),
    ];
    for (name, rule, _) in cases {
        ok(create_type(m, name, rule).await, 201);
    }
    for (name, rule, expected) in cases {
        let message = fails_like(attest(m, name).await, 400, "", expected);
        assert!(!message.contains("internal"), "{rule}: {message}");
        still_serving(&srv).await;
    }

    // Endless rules in parallel hold at most the sandbox's workers, never the
    // request handlers: reads go on being answered while they run.
    let spinners: Vec<_> = (0..4)
        .map(|_| {
            let m = m.clone();
            tokio::spawn(async move { attest(&m, "spin").await })
        })
        .collect();
    for _ in 0..5 {
        srv.reader.json("flows/acme").await;
    }
    for spinner in spinners {
        fails_like(spinner.await.expect("joined"), 400, "", "took longer than");
    }
    still_serving(&srv).await;
    let trail = srv.reader.json("trails/acme/svc/t1").await;
    let recorded = trail.to_string();
    assert!(
        !recorded.contains("\"spin\""),
        "refused attestations are not stored"
    );
    srv.stop().await;
}
