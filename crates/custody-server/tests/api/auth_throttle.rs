//! The failed-authentication throttle: ten unknown keys from an address are
//! answered, then the address waits (429 with `Retry-After`); working keys
//! never count; and servers on one PostgreSQL database count together, so a
//! guesser spreading its attempts over replicas is throttled just the same.
//! Behind a trusted proxy the client its `X-Forwarded-For` names is counted;
//! anyone else's header is ignored.

use custody_server::client_address::TrustedProxies;
use custody_store::testing::TestDatabase;

use crate::harness::{Api, TestServer, ok, start, start_with};

/// The status of a request with an unknown key.
async fn guess(guesser: &Api) -> u16 {
    guesser.get("flows/acme").await.expect_err("refused").0
}

/// Asserts that `server` makes the guessing address wait, with `Retry-After`
/// and a message saying why.
async fn waits(server: &TestServer) {
    let response = reqwest::Client::new()
        .get(server.with_key("cust_guess").url("flows/acme"))
        .bearer_auth("cust_guess")
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 429, "{}", server.base);
    let wait: u64 = response.headers()["retry-after"]
        .to_str()
        .expect("text")
        .parse()
        .expect("seconds");
    assert!((1..=2).contains(&wait), "{wait}");
    let body: serde_json::Value = response.json().await.expect("JSON");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("too many requests with unknown API keys"),
        "{body}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn failed_authentication_is_throttled_per_address() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    let guesser = srv.with_key("cust_guess");
    let mut statuses = Vec::new();
    for _ in 0..12 {
        statuses.push(guess(&guesser).await);
    }
    assert_eq!(
        statuses[..10],
        [401; 10],
        "the first ten guesses are answered"
    );
    assert_eq!(statuses[10..], [429, 429], "then the address must wait");
    waits(&srv).await;
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn replicas_on_one_postgresql_throttle_an_address_together() {
    let db = TestDatabase::postgres().await;
    let first = start(&db).await;
    let servers = [first.beside(&db).await, first.beside(&db).await, first];
    for server in servers.iter().cycle().take(30) {
        ok(server.reader.get("flows/acme").await, 200);
    }
    let guessers: Vec<Api> = servers.iter().map(|s| s.with_key("cust_guess")).collect();
    let mut statuses = Vec::new();
    for guesser in guessers.iter().cycle().take(10) {
        statuses.push(guess(guesser).await);
    }
    assert_eq!(
        statuses, [401; 10],
        "ten guesses over three replicas are answered, working keys having cost none"
    );
    for server in &servers {
        waits(server).await;
    }
    for server in servers {
        server.stop().await;
    }
}

/// The status of a guess sent with `X-Forwarded-For: forwarded`.
async fn guess_as(server: &TestServer, forwarded: &str) -> u16 {
    reqwest::Client::new()
        .get(server.with_key("cust_guess").url("flows/acme"))
        .bearer_auth("cust_guess")
        .header("x-forwarded-for", forwarded)
        .send()
        .await
        .expect("send")
        .status()
        .as_u16()
}

#[tokio::test(flavor = "multi_thread")]
async fn behind_a_trusted_proxy_each_forwarded_client_is_counted_apart() {
    let db = TestDatabase::sqlite();
    let proxies = TrustedProxies::parse(&["127.0.0.0/8".to_string()]).expect("CIDR");
    let srv = start_with(&db, |state| state.with_trusted_proxies(proxies)).await;
    let mut first = Vec::new();
    for _ in 0..11 {
        first.push(guess_as(&srv, "203.0.113.5").await);
    }
    assert_eq!(first[..10], [401; 10], "{first:?}");
    assert_eq!(first[10], 429, "the forwarded client must wait: {first:?}");
    assert_eq!(
        guess_as(&srv, "198.51.100.7, 203.0.113.6").await,
        401,
        "another client behind the same proxy is not blocked"
    );
    assert_eq!(
        guess_as(&srv, "203.0.113.6, 203.0.113.5").await,
        429,
        "the rightmost hop is the client: a faked first entry changes nothing"
    );
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn without_trusted_proxies_a_forwarded_header_cannot_dodge_the_limit() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    let mut statuses = Vec::new();
    for n in 0..11 {
        statuses.push(guess_as(&srv, &format!("203.0.113.{n}")).await);
    }
    assert_eq!(statuses[..10], [401; 10], "{statuses:?}");
    assert_eq!(
        statuses[10], 429,
        "the connection's address counts: {statuses:?}"
    );
    srv.stop().await;
}
