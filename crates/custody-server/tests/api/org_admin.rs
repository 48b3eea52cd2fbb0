//! Flow renames (both names resolve until the old one is taken), the org's
//! beta switch, the caller's default org, and the org-wide attestation list
//! with its filters and cursor.

use reqwest::Method;
use serde_json::json;

use crate::fixtures::{self, EMPTY_TEMPLATE};
use crate::harness::{fails, ok, start};
use custody_store::testing::TestDatabase;

#[tokio::test(flavor = "multi_thread")]
async fn flows_are_renamed_and_keep_their_old_name() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    let m = &srv.member;
    fixtures::flow(m, "billing", EMPTY_TEMPLATE).await;
    fixtures::flow(m, "taken", EMPTY_TEMPLATE).await;
    fixtures::attest(m, "billing", "t1", json!({"attestation_name": "unit"})).await;

    fails(
        m.put("flows/acme/billing/rename", json!({"new_name": "a b"}))
            .await,
        400,
        "Input payload validation failed: [map[new_name:invalid flow name 'a b': it must match ^[a-zA-Z0-9][a-zA-Z0-9._~-]*$]]",
    );
    fails(
        m.put("flows/acme/billing/rename", json!({"new_name": "taken"}))
            .await,
        409,
        "flow 'taken' already exists",
    );
    fails(
        m.put("flows/acme/nowhere/rename", json!({"new_name": "x"}))
            .await,
        404,
        "Flow named 'nowhere' does not exist for organization 'acme'",
    );
    fails(
        srv.reader
            .put("flows/acme/billing/rename", json!({"new_name": "x"}))
            .await,
        403,
        "the 'reader' role of service account 'reader-sa' does not allow this; it needs at least the member role",
    );
    let renamed = ok(
        m.put(
            "flows/acme/billing/rename",
            json!({"new_name": "invoicing"}),
        )
        .await,
        200,
    );
    assert_eq!(renamed["name"], "invoicing");
    assert_eq!(
        srv.reader.json("flows/acme/billing").await["name"],
        "invoicing"
    );
    let trail = srv.reader.json("trails/acme/billing/t1").await;
    assert_eq!(
        trail["name"], "t1",
        "the trail is reachable through the old name"
    );
    let names: Vec<String> = srv
        .reader
        .json("flows/acme")
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        names,
        ["invoicing", "taken"],
        "listed once, under the new name"
    );

    fixtures::flow(m, "billing", EMPTY_TEMPLATE).await;
    let fresh = srv.reader.json("flows/acme/billing").await;
    assert_eq!(
        fresh["name"], "billing",
        "a new flow takes the old name over"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn beta_switch_and_default_org() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    let org = srv.reader.json("organizations/acme").await;
    assert_eq!(org["experimental_features_enabled"], false);
    assert!(org["created_at"].is_i64(), "whole seconds: {org}");
    let on = json!({"experimental_features_enabled": true});
    fails(
        srv.member
            .put("organizations/acme/experimental_features", on.clone())
            .await,
        403,
        "the 'member' role of service account 'member-sa' does not allow this; it needs at least the admin role",
    );
    let after = ok(
        srv.admin
            .put("organizations/acme/experimental_features", on)
            .await,
        200,
    );
    assert_eq!(after["experimental_features_enabled"], true);
    assert_eq!(
        srv.reader.json("organizations/acme").await["experimental_features_enabled"],
        true
    );
    let bad = srv
        .admin
        .put(
            "organizations/acme/experimental_features",
            json!({"enabled": 1}),
        )
        .await;
    assert_eq!(bad.unwrap_err().0, 400, "an unknown field is refused");

    assert_eq!(
        srv.reader.json("user/default-org").await,
        json!({"default_org_name": "acme"})
    );
    let set = ok(
        srv.reader
            .call(Method::PUT, "user/acme", custody_client::Body::None)
            .await,
        200,
    );
    assert_eq!(set["default_org_name"], "acme");
    fails(
        srv.reader
            .call(Method::PUT, "user/elsewhere", custody_client::Body::None)
            .await,
        403,
        "Access denied to /api/v2/user/elsewhere",
    );
    assert_eq!(
        srv.anonymous.get("user/default-org").await.unwrap_err().0,
        401
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn attestations_are_listed_by_id_filter_and_cursor() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    let m = &srv.member;
    fixtures::flow(m, "web", EMPTY_TEMPLATE).await;
    fixtures::flow(m, "api", EMPTY_TEMPLATE).await;
    let mut ids = Vec::new();
    for (flow, name, compliant) in [
        ("web", "unit", true),
        ("web", "lint", false),
        ("api", "unit", true),
    ] {
        let data = json!({"attestation_name": name, "is_compliant": compliant});
        let reported = fixtures::attest(m, flow, "t1", data).await;
        ids.push(reported["attestation_id"].as_str().unwrap().to_string());
    }

    let one = srv
        .reader
        .json(&format!("attestations/acme?attestation_id={}", ids[1]))
        .await;
    let data = one["data"].as_array().unwrap();
    assert_eq!(data.len(), 1);
    assert_eq!(
        (
            data[0]["attestation_name"].as_str(),
            data[0]["flow_name"].as_str()
        ),
        (Some("lint"), Some("web"))
    );
    assert_eq!(data[0]["trail_name"], "t1");
    assert!(one["_links"]["next"].is_null());

    let names = |page: &serde_json::Value| -> Vec<String> {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| {
                format!(
                    "{}/{}",
                    a["flow_name"].as_str().unwrap(),
                    a["attestation_name"].as_str().unwrap()
                )
            })
            .collect()
    };
    let first = srv.reader.json("attestations/acme?per_page=2").await;
    assert_eq!(names(&first), ["api/unit", "web/lint"], "newest first");
    let next = first["_links"]["next"]
        .as_str()
        .expect("a next page")
        .to_string();
    let second = srv.reader.json(next.trim_start_matches("/api/v2/")).await;
    assert_eq!(names(&second), ["web/unit"]);
    assert!(second["_links"]["next"].is_null(), "the last page");

    let web = srv
        .reader
        .json("attestations/acme?flow=web&is_compliant=false")
        .await;
    assert_eq!(names(&web), ["web/lint"]);
    let both = srv
        .reader
        .json("attestations/acme?flow=web&flow=api&name=unit")
        .await;
    assert_eq!(names(&both), ["api/unit", "web/unit"]);
    let none = srv.reader.json("attestations/acme?type=junit").await;
    assert!(names(&none).is_empty());

    fails(
        srv.reader.get("attestations/acme?per_page=101").await,
        400,
        "Input payload validation failed: [map[per_page:101 is out of range: ask for 1 to 100]]",
    );
    fails(
        srv.reader.get("attestations/acme?after=soon").await,
        400,
        "Input payload validation failed: [map[after:'soon' is not a whole number]]",
    );
    let foreign = srv
        .other
        .get(&format!("attestations/acme?attestation_id={}", ids[0]))
        .await;
    assert_eq!(
        foreign.unwrap_err().0,
        403,
        "another org's key sees nothing"
    );
}
