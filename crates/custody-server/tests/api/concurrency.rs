//! Concurrent CI jobs writing the same things at once — a trail begun by eight
//! jobs, eight versions of one policy, eight deployments in one flow, one flow,
//! environment and custom type created eight times — all get a 2xx, never a
//! 500 or a 409 to retry, and the records come out contiguous: on SQLite, and
//! on PostgreSQL with two server processes sharing the database.

use futures::future::join_all;
use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::{self, EMPTY_TEMPLATE};
use crate::harness::{Api, Reply, TestServer, fp, sha, start};
use crate::policies::put_policy;
use custody_store::testing::TestDatabase;

const WRITERS: usize = 8;

/// Runs `request` once per writer, spread over the servers, all at once.
async fn at_once<F, Fut>(servers: &[&TestServer], request: F) -> Vec<Reply>
where
    F: Fn(Api, usize) -> Fut,
    Fut: std::future::Future<Output = Reply> + Send + 'static,
{
    let tasks = (0..WRITERS).map(|n| {
        let api = servers[n % servers.len()].member.clone();
        tokio::spawn(request(api, n))
    });
    join_all(tasks)
        .await
        .into_iter()
        .map(|r| r.expect("writer task"))
        .collect()
}

#[track_caller]
fn all_succeeded(what: &str, replies: &[Reply]) {
    for reply in replies {
        match reply {
            Ok((status, _)) => assert!((200..300).contains(status), "{what}: {status}"),
            Err((status, message)) => panic!("{what}: {status} {message}"),
        }
    }
}

fn numbers(replies: &[Reply], field: &str) -> Vec<i64> {
    let mut n: Vec<i64> = replies
        .iter()
        .map(|r| {
            r.as_ref().expect("succeeded").1[field]
                .as_i64()
                .expect(field)
        })
        .collect();
    n.sort_unstable();
    n
}

async fn concurrent_writers_scenario(servers: &[&TestServer]) {
    let reader = &servers[0].reader;
    let m = &servers[0].member;
    fixtures::flow(m, "busy", EMPTY_TEMPLATE).await;

    let trails = at_once(servers, |api, n| async move {
        let data = json!({"name": "t", "description": format!("job {n}")});
        api.form(Method::PUT, "trails/acme/busy", Some(data), &[])
            .await
    })
    .await;
    all_succeeded("begin trail", &trails);
    let created = trails.iter().filter(|r| matches!(r, Ok((201, _)))).count();
    assert_eq!(created, 1, "one job begins the trail, the others update it");

    let yaml = |n: usize| {
        format!("_schema: https://kosli.com/schemas/policy/environment/v1\n# version {n}\n")
    };
    let policies = at_once(servers, |api, n| {
        let text = yaml(n);
        async move { put_policy(&api, "prod", &text).await }
    })
    .await;
    all_succeeded("policy versions", &policies);
    let policy = reader.json("policies/acme/prod").await;
    let versions: Vec<i64> = policy["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| v["version"].as_i64().expect("version"))
        .collect();
    assert_eq!(versions, (1..=WRITERS as i64).collect::<Vec<_>>());

    fixtures::environment(m, "prod").await;
    let fingerprint = fp("de01");
    fixtures::artifact(m, "busy", &fingerprint, "app:1", &sha("d1"), None, None).await;
    let deployments = at_once(servers, |api, _| {
        let fingerprint = fingerprint.clone();
        async move {
            let body = json!({"artifact_fingerprint": fingerprint, "environment": "prod"});
            api.post("deployments/acme/busy", body).await
        }
    })
    .await;
    all_succeeded("deployments", &deployments);
    assert_eq!(
        numbers(&deployments, "deployment_id"),
        (1..=WRITERS as i64).collect::<Vec<_>>()
    );

    let flows = at_once(servers, |api, _| async move {
        let data = json!({"name": "twin", "description": "created by everyone"});
        api.form(
            Method::PUT,
            "flows/acme/template_file",
            Some(data),
            &[("template_file", EMPTY_TEMPLATE)],
        )
        .await
    })
    .await;
    all_succeeded("flows", &flows);
    let environments = at_once(servers, |api, _| async move {
        api.put(
            "environments/acme",
            json!({"name": "twin-env", "type": "K8S"}),
        )
        .await
    })
    .await;
    all_succeeded("environments", &environments);
    let types = at_once(servers, |api, n| async move {
        let rule = format!(".n >= {n}");
        let data =
            json!({"name": "twin-type", "evaluator": {"content_type": "jq", "rules": [rule]}});
        api.form(
            Method::POST,
            "custom-attestation-types/acme",
            Some(data),
            &[],
        )
        .await
    })
    .await;
    all_succeeded("custom types", &types);
    let doc: Value = reader.json("custom-attestation-types/acme/twin-type").await;
    assert_eq!(doc["latest_version"], WRITERS as i64);
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_writers_on_sqlite_all_succeed() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    concurrent_writers_scenario(&[&srv]).await;
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_writers_on_two_postgres_servers_all_succeed() {
    let db = TestDatabase::postgres().await;
    let first = start(&db).await;
    let second = first.beside(&db).await;
    concurrent_writers_scenario(&[&first, &second]).await;
    second.stop().await;
    first.stop().await;
}
