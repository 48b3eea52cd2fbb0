//! Logical environments (members, refused reports, the composed snapshot),
//! renaming (history kept, old name freed) and archiving (hidden, history
//! kept, reports refused).

use serde_json::json;

use crate::fixtures::{self, report};
use crate::harness::{fails, fp, ok, pod, start};
use crate::snapshots::fingerprints;
use custody_store::testing::TestDatabase;

#[tokio::test(flavor = "multi_thread")]
async fn logical_environments_rename_and_archive() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    let s = &srv.snapshotter;
    let (fpa, fpb, fpc) = (fp("a1"), fp("b2"), fp("c3"));
    fixtures::environment(s, "blue").await;
    fixtures::environment(s, "green").await;
    fixtures::environment(s, "red").await;
    report(s, "blue", vec![pod("api-1", "api:1", &fpa, 1000)]).await;
    report(s, "green", vec![pod("web-1", "web:1", &fpb, 1000)]).await;
    report(s, "green", vec![pod("web-2", "web:2", &fpc, 1001)]).await;

    let created = ok(
        s.put(
            "environments/acme",
            json!({"name": "prod", "type": "logical", "included_environments": ["blue"]}),
        )
        .await,
        201,
    );
    assert_eq!(created["type"], "logical");
    fails(
        s.put("environments/acme", json!({"name": "prod", "type": "K8S"}))
            .await,
        400,
        "environment 'prod' has type logical: it cannot become K8S",
    );
    fails(
        s.put(
            "environments/acme",
            json!({"name": "bad", "type": "logical", "included_environments": ["prod"]}),
        )
        .await,
        400,
        "environment 'prod' is logical: a logical environment can only include physical environments",
    );
    ok(
        srv.member
            .put(
                "environments/acme/prod/join",
                json!({"physical_env_name": "green"}),
            )
            .await,
        200,
    );
    fails(
        srv.member
            .put(
                "environments/acme/blue/join",
                json!({"physical_env_name": "red"}),
            )
            .await,
        400,
        "environment 'blue' is not a logical environment: only logical environments can be joined",
    );
    fails(
        s.put(
            "environments/acme/prod/report/K8S",
            json!({"artifacts": [pod("x", "x:1", &fpa, 1)]}),
        )
        .await,
        400,
        "cannot report a snapshot to the logical environment prod",
    );

    // The members' latest snapshots, running artifacts only (web:1 stopped).
    let latest = srv.reader.json("snapshots/acme/prod/-1").await;
    assert_eq!(
        (latest["type"].as_str(), latest["index"].as_i64()),
        (Some("logical"), Some(0))
    );
    assert_eq!(
        fingerprints(&latest["artifacts"]),
        [fpa.as_str(), fpc.as_str()]
    );
    fails(
        srv.reader.get("snapshots/acme/prod/#1").await,
        400,
        "logical environment 'prod' has no numbered snapshots: ask for its latest (prod) or one at a time (prod@{...})",
    );

    // A rename keeps the history and frees the old name.
    ok(
        srv.member
            .put("environments/acme/blue/rename", json!({"new_name": "navy"}))
            .await,
        200,
    );
    fails(
        srv.reader.get("environments/acme/blue").await,
        404,
        "Environment named 'blue' does not exist for organization 'acme'",
    );
    let navy = srv.reader.json("snapshots/acme/navy/-1").await;
    assert_eq!(fingerprints(&navy["artifacts"]), [fpa.as_str()]);
    let still = srv.reader.json("snapshots/acme/prod/-1").await;
    assert_eq!(
        fingerprints(&still["artifacts"]).len(),
        2,
        "members follow a rename"
    );
    fails(
        srv.member
            .put(
                "environments/acme/navy/rename",
                json!({"new_name": "green"}),
            )
            .await,
        409,
        "environment 'green' already exists",
    );

    // Archiving hides the environment, keeps its history and refuses reports.
    ok(
        srv.member
            .put("environments/acme/red/archive", json!(null))
            .await,
        200,
    );
    let listed = srv.reader.json("environments/acme").await;
    let names: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["green", "navy", "prod"]);
    fails(
        s.put("environments/acme/red/report/K8S", json!({"artifacts": []}))
            .await,
        400,
        "cannot report a snapshot to the archived environment red: create it again to un-archive it",
    );
    ok(srv.reader.get("environments/acme/red").await, 200);
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn changing_an_environment_needs_the_role_archiving_needs() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    let (s, m) = (&srv.snapshotter, &srv.member);
    let definition = json!({"name": "prod", "type": "K8S", "description": "production"});
    ok(s.put("environments/acme", definition.clone()).await, 201);
    ok(s.put("environments/acme", definition.clone()).await, 200);
    let needs_member = "environment 'prod' exists: changing its type, description, scaling or members, or un-archiving it, needs at least the member role";
    for change in [
        json!({"name": "prod", "type": "K8S", "description": "renamed"}),
        json!({"name": "prod", "type": "ECS", "description": "production"}),
        json!({"name": "prod", "type": "K8S", "description": "production", "include_scaling": false}),
    ] {
        fails(s.put("environments/acme", change).await, 403, needs_member);
    }
    fails(
        s.put(
            "environments/acme/prod/join",
            json!({"physical_env_name": "prod"}),
        )
        .await,
        403,
        "the 'snapshotter' role of service account 'snapshotter-sa' does not allow this; it needs at least the member role",
    );
    ok(
        m.put("environments/acme/prod/archive", json!(null)).await,
        200,
    );
    fails(
        s.put("environments/acme", definition.clone()).await,
        403,
        needs_member,
    );
    let archived = srv.reader.json("environments/acme").await;
    assert_eq!(
        archived,
        json!([]),
        "the snapshotter's attempt left it archived"
    );
    ok(m.put("environments/acme", definition).await, 200);
    assert_eq!(
        srv.reader.json("environments/acme").await[0]["name"],
        "prod"
    );
    srv.stop().await;
}
