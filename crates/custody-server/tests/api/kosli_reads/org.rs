//! The scenario every read runs against: one org with flows, trails,
//! artifacts, attestations, environments, reports and a service account.

use reqwest::Method;
use serde_json::{Value, json};

use super::{POLICY, T1, T2, TEMPLATE, TYPE_SCHEMA};
use crate::fixtures::{self, artifact, attest};
use crate::harness::{T0, fp, ok, pod, sha};
use crate::policies::put_policy;

/// A K8S pod running `fingerprint`, owned by a ReplicaSet as real pods are.
fn owned_pod(name: &str, image: &str, fingerprint: &str, created: i64) -> Value {
    let mut p = pod(name, image, fingerprint, created);
    p["owners"] = json!([{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": format!("{name}-rs"),
        "uid": "0f8c7d2e", "controller": true, "blockOwnerDeletion": true}]);
    p
}

fn pods(image: &str, fingerprint: &str, n: i64, created: i64) -> Vec<Value> {
    (1..=n)
        .map(|i| {
            owned_pod(
                &format!("{image}-{i}"),
                &format!("{image}:1"),
                fingerprint,
                created + i,
            )
        })
        .collect()
}

/// The fingerprints of the scenario: A runs in both reports and in `ecs`
/// (scaled 2 → 3), B only in the first (exits), C only in the second (no
/// provenance, allow-listed), D in both unchanged.
pub struct Org {
    pub a: String,
    pub b: String,
    pub c: String,
    pub d: String,
    pub commit: String,
    pub first: i64,
    pub second: i64,
    pub key_id: String,
    /// The answer to `POST .../api-keys`, as `kosli create api-key` decodes it.
    pub created_key: Value,
}

/// A flow with a template and tags, a trail with git commit info, four
/// artifacts, junit and generic attestations, a custom type, a policy attached
/// to a tagged K8S environment with an allow-list entry and two reports, an ECS
/// environment, an empty server environment, a service account and a key.
pub async fn build(srv: &crate::harness::TestServer) -> Org {
    let (m, s) = (&srv.member, &srv.snapshotter);
    let (a, b, c, d) = (fp("a1"), fp("b2"), fp("c3"), fp("d4"));
    let commit = sha("c0ffee1");
    srv.at(T0);
    fixtures::flow(m, "app", TEMPLATE).await;
    ok(
        m.patch("tags/acme/flow/app", json!({"set_tags": {"team": "core"}}))
            .await,
        200,
    );
    let git = json!({"sha1": commit, "message": "add the app", "author": "Ada <ada@example.com>",
        "branch": "main", "timestamp": T0 - 60.0, "url": format!("https://git.example/commit/{commit}")});
    let repo = json!({"name": "acme/app", "url": "https://github.com/acme/app",
        "provider": "github", "id": "77"});
    let trail = json!({"name": "t1", "description": "release 1", "git_commit_info": git,
        "origin_url": "https://ci.example/1", "repo_info": repo});
    ok(
        m.form(Method::PUT, "trails/acme/app", Some(trail), &[])
            .await,
        201,
    );
    let cov = json!({"name": "cov", "description": "coverage",
        "evaluator": {"content_type": "jq", "rules": [".line >= 80"]},
        "summary": [{"name": "Lines", "expression": ".line"}]});
    ok(
        m.form(
            Method::POST,
            "custom-attestation-types/acme",
            Some(cov),
            &[("type_schema", TYPE_SCHEMA)],
        )
        .await,
        201,
    );
    ok(put_policy(m, "prov", POLICY).await, 201);
    fixtures::environment(s, "prod").await;
    ok(
        m.patch(
            "tags/acme/environment/prod",
            json!({"set_tags": {"tier": "1"}}),
        )
        .await,
        200,
    );
    for (name, kind) in [("ecs", "ECS"), ("edge", "server")] {
        ok(
            m.put(
                "environments/acme",
                json!({"name": name, "type": kind, "description": format!("the {name} env")}),
            )
            .await,
            201,
        );
    }
    ok(
        m.call(
            Method::POST,
            "environments/acme/prod/policies",
            custody_client::Body::Json(json!({"policy_names": ["prov"]})),
        )
        .await,
        200,
    );
    let allow = json!({"artifact_fingerprint": c, "artifact_name": "sidecar", "description": "vendor image"});
    ok(m.put("allowlists/acme/prod", allow).await, 201);

    srv.at(T0 + 10.0);
    artifact(m, "app", &a, "app:1", &commit, Some("t1"), Some("app")).await;
    artifact(m, "app", &b, "batch:1", &sha("b0b0b0b"), None, None).await;
    artifact(m, "app", &d, "db:1", &sha("d0d0d0d"), None, None).await;
    srv.at(T0 + 20.0);
    let results = json!([{"name": "suite", "tests": 3, "failures": 0, "errors": 0}]);
    let junit = json!({"attestation_name": "unit-test", "artifact_fingerprint": a,
        "junit_results": results});
    ok(
        m.form(
            Method::POST,
            "attestations/acme/app/trail/t1/junit",
            Some(junit),
            &[],
        )
        .await,
        201,
    );
    srv.at(T0 + 30.0);
    attest(
        m,
        "app",
        "t1",
        json!({"attestation_name": "pr", "git_commit_info": git}),
    )
    .await;

    srv.at(T1);
    let mut running = pods("app", &a, 2, 1_700_000_050);
    running.extend(pods("batch", &b, 1, 1_700_000_060));
    running.extend(pods("db", &d, 1, 1_700_000_070));
    let (first, _) = fixtures::report(s, "prod", running).await;
    let ecs = json!({"artifacts": [{"taskArn": "arn:aws:ecs:task/1", "cluster_name": "main",
        "service_name": "app", "digests": {"app:1": a}, "creationTimestamp": 1_700_000_080}]});
    ok(s.put("environments/acme/ecs/report/ECS", ecs).await, 200);
    ok(
        s.put(
            "environments/acme/edge/report/server",
            json!({"artifacts": []}),
        )
        .await,
        200,
    );
    srv.at(T2);
    let mut running = pods("app", &a, 3, 1_700_003_600);
    running.extend(pods("sidecar", &c, 1, 1_700_003_610));
    running.extend(pods("db", &d, 1, 1_700_000_070));
    let (second, _) = fixtures::report(s, "prod", running).await;

    srv.at(T2 + 50.0);
    let admin = &srv.admin;
    ok(
        admin
            .post(
                "service-accounts/acme",
                json!({"name": "ci", "privilege": "member", "description": "CI"}),
            )
            .await,
        201,
    );
    let key = ok(
        admin
            .post(
                "service-accounts/acme/ci/api-keys",
                json!({"description": "ci key", "expires_at": 1_900_000_000}),
            )
            .await,
        201,
    );
    srv.at(T2 + 100.0);
    Org {
        a,
        b,
        c,
        d,
        commit,
        first,
        second,
        key_id: key["id"].as_str().unwrap_or_default().to_string(),
        created_key: key,
    }
}
