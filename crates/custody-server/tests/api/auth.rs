//! Authentication, roles and orgs, and the admin API for service accounts and
//! API keys: secrets shown once, rotation with and without a grace period,
//! revocation, and the guard against deleting one's own account.

use reqwest::Method;
use serde_json::json;

use crate::fixtures::{self, EMPTY_TEMPLATE};
use crate::harness::{T0, fails, fp, ok, start};
use custody_store::testing::TestDatabase;

fn needs(role: &str, account: &str, needed: &str) -> String {
    format!(
        "the '{role}' role of service account '{account}' does not allow this; it needs at least the {needed} role"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_roles_and_orgs_are_enforced() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    let missing = "missing API key: send 'Authorization: Bearer <key>' (custody --api-token or CUSTODY_API_TOKEN)";
    fails(srv.anonymous.get("flows/acme").await, 401, missing);
    let unknown = "the API key is unknown, revoked or expired";
    fails(
        srv.with_key("cust_0000").get("flows/acme").await,
        401,
        unknown,
    );

    fixtures::flow(&srv.member, "runner", EMPTY_TEMPLATE).await;
    let report = json!({"fingerprint": fp("abcde"), "filename": "x"});
    fails(
        srv.reader
            .post("artifacts/acme/runner", report.clone())
            .await,
        403,
        &needs("reader", "reader-sa", "member"),
    );
    assert_eq!(
        srv.reader.json("artifacts/acme").await,
        json!([]),
        "nothing was stored"
    );
    let env = json!({"name": "prod", "type": "K8S"});
    fails(
        srv.reader.put("environments/acme", env.clone()).await,
        403,
        &needs("reader", "reader-sa", "snapshotter"),
    );

    let s = &srv.snapshotter;
    assert_eq!(
        ok(s.put("environments/acme", env).await, 201)["name"],
        "prod"
    );
    assert_eq!(fixtures::report(s, "prod", vec![]).await, (1, true));
    let data = Some(json!({"name": "mine"}));
    let denied = s
        .form(
            Method::PUT,
            "flows/acme/template_file",
            data,
            &[("template_file", EMPTY_TEMPLATE)],
        )
        .await;
    fails(
        denied,
        403,
        &needs("snapshotter", "snapshotter-sa", "member"),
    );
    fails(
        s.post("artifacts/acme/runner", report).await,
        403,
        &needs("snapshotter", "snapshotter-sa", "member"),
    );
    fails(
        srv.member.get("service-accounts/acme").await,
        403,
        &needs("member", "member-sa", "admin"),
    );
    assert_eq!(
        srv.reader.json("flows/acme").await.as_array().map(Vec::len),
        Some(1),
        "only runner"
    );

    let foreign =
        "this API key belongs to organization 'other' and cannot access organization 'acme'";
    fails(srv.other.get("flows/acme").await, 403, foreign);
    fails(srv.other.get("environments/acme/prod").await, 403, foreign);
    assert_eq!(
        srv.other.json("flows/other").await,
        json!([]),
        "the other org sees none of acme's flows"
    );
    assert_eq!(srv.other.json("environments/other").await, json!([]));
    fails(
        srv.member.get("flows/other").await,
        403,
        "this API key belongs to organization 'acme' and cannot access organization 'other'",
    );

    // HTTP Basic with the key as user name works like a bearer token.
    let url = srv.member.url("flows/acme");
    let basic = reqwest::Client::new()
        .get(url)
        .basic_auth(member_key(&srv).await, Some(""))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status().as_u16(), 200);
    srv.stop().await;
}

/// Creates a fresh member key through the admin API (the harness keeps its keys inside clients).
async fn member_key(srv: &crate::harness::TestServer) -> String {
    let key = ok(
        srv.admin
            .post(
                "service-accounts/acme/member-sa/api-keys",
                json!({"description": "basic"}),
            )
            .await,
        201,
    );
    key["key"].as_str().expect("key").to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn admins_manage_service_accounts_and_keys() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    let a = &srv.admin;
    let account = ok(
        a.post(
            "service-accounts/acme",
            json!({"name": "ci", "privilege": "member", "description": "CI"}),
        )
        .await,
        201,
    );
    assert_eq!(
        account,
        json!({"name": "ci", "description": "CI", "privilege": "member", "created_at": T0})
    );
    let bad = json!({"name": "bot", "privilege": "owner"});
    fails(
        a.post("service-accounts/acme", bad).await,
        400,
        "'owner' is not a role: use one of reader, snapshotter, member, admin",
    );
    let names: Vec<String> = a
        .json("service-accounts/acme")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap().to_string())
        .collect();
    assert!(
        names.contains(&"ci".to_string()) && !names.contains(&"bot".to_string()),
        "{names:?}"
    );

    let first = ok(
        a.post(
            "service-accounts/acme/ci/api-keys",
            json!({"description": "ci key"}),
        )
        .await,
        201,
    );
    let (id1, key1) = (
        first["id"].as_str().unwrap().to_string(),
        first["key"].as_str().unwrap().to_string(),
    );
    assert!(key1.starts_with("cust_"), "{key1}");
    let ci1 = srv.with_key(&key1);
    assert_eq!(
        fixtures::flow(&ci1, "made-by-ci", EMPTY_TEMPLATE).await,
        201,
        "the new key works"
    );

    let keys = a.json("service-accounts/acme/ci/api-keys").await;
    assert_eq!(
        keys,
        json!([{"id": id1, "description": "ci key", "created_at": T0, "expires_at": null, "last_used_at": null}])
    );
    assert!(
        !keys.to_string().contains(&key1),
        "the secret is never listed"
    );
    assert_eq!(
        a.json(&format!("service-accounts/acme/ci/api-keys/{id1}"))
            .await["id"],
        id1.as_str()
    );

    srv.at(T0 + 100.0);
    let second = ok(
        a.post(
            &format!("service-accounts/acme/ci/api-keys/{id1}/rotate"),
            json!({}),
        )
        .await,
        201,
    );
    let (id2, key2) = (
        second["id"].as_str().unwrap().to_string(),
        second["key"].as_str().unwrap().to_string(),
    );
    assert_ne!(key2, key1);
    ok(ci1.get("flows/acme").await, 200);
    let ci2 = srv.with_key(&key2);
    ok(ci2.get("flows/acme").await, 200);
    let old = a
        .json(&format!("service-accounts/acme/ci/api-keys/{id1}"))
        .await;
    assert_eq!(
        old["expires_at"],
        T0 + 100.0 + 24.0 * 3600.0,
        "24 hours of grace by default"
    );

    let rotate2 = format!("service-accounts/acme/ci/api-keys/{id2}/rotate");
    fails(
        a.post(&rotate2, json!({"grace_period_hours": 1000})).await,
        400,
        "grace_period_hours must be between 0 and 720",
    );
    let third = ok(
        a.post(&rotate2, json!({"grace_period_hours": 0})).await,
        201,
    );
    let (id3, key3) = (
        third["id"].as_str().unwrap().to_string(),
        third["key"].as_str().unwrap().to_string(),
    );
    let revoked = "the API key is unknown, revoked or expired";
    fails(ci2.get("flows/acme").await, 401, revoked);
    let ci3 = srv.with_key(&key3);
    ok(ci3.get("flows/acme").await, 200);
    ok(ci1.get("flows/acme").await, 200);
    srv.at(T0 + 100.0 + 25.0 * 3600.0);
    fails(ci1.get("flows/acme").await, 401, revoked);

    ok(
        a.delete(&format!("service-accounts/acme/ci/api-keys/{id3}"))
            .await,
        200,
    );
    fails(ci3.get("flows/acme").await, 401, revoked);
    let gone = format!("API key '{id3}' does not exist for service account 'ci'");
    fails(
        a.delete(&format!("service-accounts/acme/ci/api-keys/{id3}"))
            .await,
        404,
        &gone,
    );
    let past = json!({"description": "old", "expires_at": T0});
    fails(
        a.post("service-accounts/acme/ci/api-keys", past).await,
        400,
        "expires_at must be in the future",
    );

    let own = "cannot delete service account 'admin-sa': this request is authenticated with one of its keys";
    fails(a.delete("service-accounts/acme/admin-sa").await, 400, own);
    ok(a.get("service-accounts/acme/admin-sa").await, 200);
    let fresh = ok(
        a.post(
            "service-accounts/acme/ci/api-keys",
            json!({"description": "last"}),
        )
        .await,
        201,
    );
    ok(a.delete("service-accounts/acme/ci").await, 200);
    fails(
        a.get("service-accounts/acme/ci").await,
        404,
        "Service account 'ci' does not exist in organization 'acme'",
    );
    fails(
        srv.with_key(fresh["key"].as_str().unwrap())
            .get("flows/acme")
            .await,
        401,
        revoked,
    );
    let foreign =
        "this API key belongs to organization 'other' and cannot access organization 'acme'";
    fails(srv.other.get("service-accounts/acme").await, 403, foreign);
    srv.stop().await;
}
