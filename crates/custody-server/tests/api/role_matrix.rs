//! Every API route against every kind of caller: no key, an unknown key, a
//! revoked key, each role of the org, and an admin of another org. Callers
//! below a route's role get 401 or 403 and never a byte of data; callers at or
//! above it get past the gate; the other org's admin never gets a 2xx.

use custody_client::{Body, FormBody};
use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::{self, EMPTY_TEMPLATE};
use crate::harness::{Api, TestServer, fp, ok, pod, sha, start_with};
use custody_server::notify::DeliverySettings;
use custody_server::throttle::AuthLimit;
use custody_store::testing::TestDatabase;

/// The least role a route needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    /// Any valid key, of any org: the route answers about the caller itself.
    AnyKey,
    Reader,
    Snapshotter,
    Member,
    Admin,
}

fn form(data: Value, files: &[(&str, &str)]) -> Body {
    Body::Form(FormBody {
        fields: vec![("data_json".into(), data)],
        files: files
            .iter()
            .map(|(n, t)| {
                (
                    n.to_string(),
                    format!("{n}.txt"),
                    t.as_bytes().to_vec().into(),
                )
            })
            .collect(),
    })
}

fn policy_form(name: &str) -> Body {
    Body::Form(FormBody {
        fields: vec![("payload".into(), json!({"name": name, "type": "env"}))],
        files: vec![(
            "policy_file".into(),
            "p.yml".into(),
            b"_schema: https://kosli.com/schemas/policy/environment/v1\n"
                .to_vec()
                .into(),
        )],
    })
}

/// Every route: method, path, body and the role it needs.
fn routes() -> Vec<(Method, String, Body, Role)> {
    use Method as M;
    use Role::*;
    let fpa = fp("a1");
    let j = |v: Value| Body::Json(v);
    let artifact = json!({"fingerprint": fp("b2"), "filename": "app:2", "git_commit": sha("c2"),
        "commit_url": "https://git.example/c2", "build_url": "https://ci.example/2"});
    let att = json!({"attestation_name": "lint", "artifact_fingerprint": fpa});
    let r = |m: Method, p: &str, b: Body, role: Role| (m, p.to_string(), b, role);
    vec![
        r(M::GET, "flows/acme", Body::None, Reader),
        r(
            M::PUT,
            "flows/acme",
            j(json!({"name": "legacy", "template": ["artifact"]})),
            Member,
        ),
        r(
            M::PUT,
            "flows/acme/template_file",
            form(json!({"name": "f2"}), &[("template_file", EMPTY_TEMPLATE)]),
            Member,
        ),
        r(M::GET, "flows/acme/f1", Body::None, Reader),
        r(M::PUT, "flows/acme/gone/archive", Body::None, Member),
        r(
            M::PUT,
            "flows/acme/f1/rename",
            j(json!({"new_name": "f1"})),
            Member,
        ),
        r(M::GET, "attestations/acme", Body::None, Reader),
        r(M::GET, "organizations/acme", Body::None, Reader),
        r(
            M::PUT,
            "organizations/acme/experimental_features",
            j(json!({"experimental_features_enabled": true})),
            Admin,
        ),
        r(M::GET, "user/default-org", Body::None, AnyKey),
        r(M::PUT, "user/acme", Body::None, Reader),
        r(
            M::PATCH,
            "tags/acme/flow/f1",
            j(json!({"set_tags": {"k": "v"}})),
            Member,
        ),
        r(M::GET, "trails/acme", Body::None, Reader),
        r(
            M::PUT,
            "trails/acme/f1",
            form(json!({"name": "t2"}), &[]),
            Member,
        ),
        r(M::GET, "trails/acme/f1", Body::None, Reader),
        r(M::GET, "trails/acme/f1/t1", Body::None, Reader),
        r(M::GET, "artifacts/acme", Body::None, Reader),
        r(M::POST, "artifacts/acme/f1", j(artifact), Member),
        r(
            M::GET,
            &format!("artifacts/acme/f1/fingerprint/{fpa}"),
            Body::None,
            Reader,
        ),
        r(
            M::GET,
            &format!("artifacts/acme/f1/commit_sha/{}", sha("c1")),
            Body::None,
            Reader,
        ),
        r(
            M::POST,
            "attestations/acme/f1/trail/t1/override",
            j(json!({"attestation_name": "lint", "is_compliant": true, "reason": "r"})),
            Member,
        ),
        r(
            M::POST,
            "attestations/acme/f1/trail/t1/generic",
            form(att.clone(), &[]),
            Member,
        ),
        r(
            M::GET,
            "attestations/acme/f1/trail/t1/lint",
            Body::None,
            Reader,
        ),
        r(
            M::GET,
            "attestations/acme/f1/trail/t1/attestation/none/evidence",
            Body::None,
            Reader,
        ),
        r(
            M::GET,
            &format!("attestations/acme/f1/artifact/{fpa}/lint"),
            Body::None,
            Reader,
        ),
        r(
            M::POST,
            "evidence/acme/artifact/f1/generic",
            j(json!({"artifact_fingerprint": fpa, "name": "e"})),
            Member,
        ),
        r(M::GET, "custom-attestation-types/acme", Body::None, Reader),
        r(
            M::POST,
            "custom-attestation-types/acme",
            form(json!({"name": "cov"}), &[]),
            Member,
        ),
        r(
            M::GET,
            "custom-attestation-types/acme/cov",
            Body::None,
            Reader,
        ),
        r(
            M::PUT,
            "custom-attestation-types/acme/old/archive",
            Body::None,
            Member,
        ),
        r(
            M::POST,
            "deployments/acme/f1",
            j(json!({"artifact_fingerprint": fpa, "environment": "e1"})),
            Member,
        ),
        r(M::GET, "environments/acme", Body::None, Reader),
        r(
            M::PUT,
            "environments/acme",
            j(json!({"name": "e1", "type": "K8S"})),
            Snapshotter,
        ),
        r(M::GET, "environments/acme/e1", Body::None, Reader),
        r(M::PUT, "environments/acme/e9/archive", Body::None, Member),
        r(
            M::PUT,
            "environments/acme/e8/rename",
            j(json!({"new_name": "e8b"})),
            Member,
        ),
        r(
            M::PUT,
            "environments/acme/logic/join",
            j(json!({"physical_env_name": "e1"})),
            Member,
        ),
        r(
            M::POST,
            "environments/acme/e1/policies",
            j(json!({"policy_names": ["p1"]})),
            Member,
        ),
        r(
            M::DELETE,
            "environments/acme/e1/policies",
            j(json!({"policy_names": ["p1"]})),
            Member,
        ),
        r(M::GET, "policies/acme", Body::None, Reader),
        r(M::PUT, "policies/acme", policy_form("p2"), Member),
        r(M::GET, "policies/acme/p1", Body::None, Reader),
        r(
            M::PUT,
            "allowlists/acme/e1",
            j(json!({"artifact_fingerprint": fpa, "artifact_name": "app:1", "description": "r"})),
            Member,
        ),
        r(
            M::PUT,
            "environments/acme/e1/report/K8S",
            j(json!({"artifacts": [pod("x", "app:1", &fpa, 1)]})),
            Snapshotter,
        ),
        r(M::GET, "environments/acme/e1/events", Body::None, Reader),
        r(M::GET, "snapshots/acme/e1", Body::None, Reader),
        r(M::GET, "snapshots/acme/e1/1", Body::None, Reader),
        r(
            M::GET,
            "env-diff/acme?snappish1=e1%231&snappish2=e1%231",
            Body::None,
            Reader,
        ),
        r(
            M::GET,
            &format!("search/acme/sha/{}", &fpa[..8]),
            Body::None,
            Reader,
        ),
        r(
            M::GET,
            &format!("asserts/acme/fingerprint/{fpa}"),
            Body::None,
            Reader,
        ),
        r(M::GET, "service-accounts/acme", Body::None, Admin),
        r(
            M::POST,
            "service-accounts/acme",
            j(json!({"name": "bot", "privilege": "reader"})),
            Admin,
        ),
        r(M::GET, "service-accounts/acme/victim", Body::None, Admin),
        r(
            M::PATCH,
            "service-accounts/acme/victim",
            j(json!({"description": "x"})),
            Admin,
        ),
        r(
            M::GET,
            "service-accounts/acme/victim/api-keys",
            Body::None,
            Admin,
        ),
        r(
            M::POST,
            "service-accounts/acme/victim/api-keys",
            j(json!({"description": "k"})),
            Admin,
        ),
        r(
            M::GET,
            "service-accounts/acme/victim/api-keys/nope",
            Body::None,
            Admin,
        ),
        r(
            M::POST,
            "service-accounts/acme/victim/api-keys/nope/rotate",
            j(json!({})),
            Admin,
        ),
        r(
            M::DELETE,
            "service-accounts/acme/victim/api-keys/nope",
            Body::None,
            Admin,
        ),
        r(M::DELETE, "service-accounts/acme/victim", Body::None, Admin),
        r(M::GET, "log/acme/checkpoint", Body::None, Reader),
        r(M::GET, "log/acme/public-key", Body::None, Reader),
        r(M::GET, "log/acme/entries?from=0&to=5", Body::None, Reader),
        r(
            M::GET,
            "log/acme/proofs/inclusion?from=0&to=2",
            Body::None,
            Reader,
        ),
        r(
            M::GET,
            "log/acme/proofs/consistency?from=1&to=2",
            Body::None,
            Reader,
        ),
        r(M::GET, "log/acme/unlogged", Body::None, Reader),
        // Packages of nothing: what is admitted is answered 404, not bytes.
        r(
            M::GET,
            "trails/acme/f1/none/audit_package",
            Body::None,
            Reader,
        ),
        r(
            M::GET,
            &format!("artifacts/acme/f1/{}/audit_package", fp("f0")),
            Body::None,
            Reader,
        ),
        r(
            M::GET,
            "environments/acme/none/audit_package",
            Body::None,
            Reader,
        ),
        r(M::GET, "repos/acme", Body::None, Reader),
        r(M::GET, "metrics/acme/dora", Body::None, Reader),
        r(
            M::POST,
            "policy-evaluations/acme",
            j(
                json!({"snapshot": "prod#1", "policy_yaml": "_schema: https://kosli.com/schemas/policy/environment/v1\n"}),
            ),
            Reader,
        ),
        r(M::GET, "repos/acme/app-repo", Body::None, Reader),
        r(M::GET, "controls/acme", Body::None, Reader),
        r(
            M::POST,
            "controls/acme",
            j(json!({"identifier": "c2", "name": "Second"})),
            Member,
        ),
        r(M::GET, "controls/acme/c1", Body::None, Reader),
        r(
            M::PUT,
            "controls/acme/c1",
            j(json!({"name": "Renamed"})),
            Member,
        ),
        r(M::POST, "controls/acme/c1/archive", Body::None, Member),
        r(M::POST, "controls/acme/c1/unarchive", Body::None, Member),
        r(M::GET, "controls/acme/c1/versions", Body::None, Reader),
        r(M::GET, "controls/acme/c1/decisions", Body::None, Reader),
        r(M::GET, "controls/acme/c1/coverage", Body::None, Reader),
        r(M::PUT, "actions/acme/environments", j(env_action()), Member),
        r(
            M::PUT,
            "actions/acme/flows",
            j(
                json!({"name": "trails", "flows": ["f1"], "triggers": ["ON_STARTED_TRAIL"],
                "targets": [{"type": "SLACK", "webhook": "https://hooks.example.com/x"}]}),
            ),
            Member,
        ),
        r(M::GET, "actions/acme", Body::None, Reader),
        r(M::GET, "actions/acme/1", Body::None, Reader),
        r(M::DELETE, "actions/acme/1", Body::None, Member),
    ]
}

/// An action over `e1` (never delivered: the matrix's server does not poll).
fn env_action() -> Value {
    json!({"name": "e1-hook", "environments": ["e1"], "triggers": ["ON_STARTED_ARTIFACT"],
        "targets": [{"type": "WEBHOOK", "webhook": "https://hooks.example.com/x"}]})
}

/// What the routes act on.
async fn furnish(srv: &TestServer) -> String {
    let (m, a) = (&srv.member, &srv.admin);
    fixtures::flow(m, "f1", EMPTY_TEMPLATE).await;
    fixtures::flow(m, "gone", EMPTY_TEMPLATE).await;
    let with_repo =
        json!({"name": "t-repo", "repo_info": {"name": "app-repo", "provider": "github"}});
    ok(
        m.form(Method::PUT, "trails/acme/f1", Some(with_repo), &[])
            .await,
        201,
    );
    fixtures::beta(a, "acme").await;
    let control = json!({"identifier": "c1", "name": "First"});
    ok(m.post("controls/acme", control).await, 201);
    for env in ["e1", "e8", "e9"] {
        fixtures::environment(m, env).await;
    }
    ok(
        m.put(
            "environments/acme",
            json!({"name": "logic", "type": "logical"}),
        )
        .await,
        201,
    );
    ok(m.put("actions/acme/environments", env_action()).await, 201);
    fixtures::artifact(m, "f1", &fp("a1"), "app:1", &sha("c1"), Some("t1"), None).await;
    fixtures::report(
        &srv.snapshotter,
        "e1",
        vec![pod("x", "app:1", &fp("a1"), 1)],
    )
    .await;
    let policy = crate::policies::put_policy(
        m,
        "p1",
        "_schema: https://kosli.com/schemas/policy/environment/v1\n",
    )
    .await;
    ok(policy, 201);
    let old = json!({"name": "old"});
    ok(
        m.form(
            Method::POST,
            "custom-attestation-types/acme",
            Some(old),
            &[],
        )
        .await,
        201,
    );
    ok(
        a.post(
            "service-accounts/acme",
            json!({"name": "victim", "privilege": "reader"}),
        )
        .await,
        201,
    );
    let key = ok(
        a.post(
            "service-accounts/acme/member-sa/api-keys",
            json!({"description": "soon revoked"}),
        )
        .await,
        201,
    );
    let (id, secret) = (
        key["id"].as_str().unwrap().to_string(),
        key["key"].as_str().unwrap().to_string(),
    );
    ok(
        a.delete(&format!("service-accounts/acme/member-sa/api-keys/{id}"))
            .await,
        200,
    );
    secret
}

/// The OpenAPI document lists exactly the routes of the matrix.
async fn documented_exactly(srv: &TestServer, routes: &[(Method, String, Body, Role)]) {
    let doc = srv.anonymous.json("openapi.json").await;
    assert_eq!(doc["openapi"], "3.1.0");
    let mut operations: Vec<(String, String)> = Vec::new();
    for (template, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("methods").keys() {
            operations.push((method.to_uppercase(), template.clone()));
        }
    }
    let matches = |template: &str, path: &str| {
        let path = path.split('?').next().unwrap_or(path);
        let (t, p): (Vec<&str>, Vec<&str>) =
            (template.split('/').collect(), path.split('/').collect());
        t.len() == p.len() + 3
            && t[..3] == ["", "api", "v2"]
            && t[3..]
                .iter()
                .zip(&p)
                .all(|(t, p)| t.starts_with('{') || t == p)
    };
    for (method, path, _, _) in routes {
        let found = operations
            .iter()
            .filter(|(m, t)| m == method.as_str() && matches(t, path))
            .count();
        assert!(found >= 1, "{method} {path} is not in the OpenAPI document");
    }
    assert_eq!(
        operations.len(),
        routes.len(),
        "every documented operation is in the matrix"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_route_admits_exactly_its_roles() {
    let db = TestDatabase::sqlite();
    let generous = AuthLimit {
        burst: 1_000,
        per_second: 1.0,
    };
    let srv = start_with(&db, |state| {
        state
            .with_auth_limit(generous)
            .with_delivery(DeliverySettings {
                poll: std::time::Duration::from_secs(86_400),
                ..DeliverySettings::default()
            })
    })
    .await;
    let revoked = furnish(&srv).await;
    let below: Vec<(&str, Api, Option<Role>)> = vec![
        ("no key", srv.anonymous.clone(), None),
        ("unknown key", srv.with_key("cust_0000"), None),
        ("revoked key", srv.with_key(&revoked), None),
        ("other org's admin", srv.other.clone(), None),
        ("reader", srv.reader.clone(), Some(Role::Reader)),
        (
            "snapshotter",
            srv.snapshotter.clone(),
            Some(Role::Snapshotter),
        ),
        ("member", srv.member.clone(), Some(Role::Member)),
        ("admin", srv.admin.clone(), Some(Role::Admin)),
    ];
    let routes = routes();
    documented_exactly(&srv, &routes).await;
    let mut leaks = Vec::new();
    for (method, path, body, needs) in &routes {
        for (who, api, role) in &below {
            let reply = api.call(method.clone(), path, body.clone()).await;
            let status = match &reply {
                Ok((status, _)) => *status,
                Err((status, _)) => *status,
            };
            let valid_key = role.is_some() || *who == "other org's admin";
            let admitted = match needs {
                Role::AnyKey => valid_key,
                _ => role.is_some_and(|r| r >= *needs),
            };
            let refused = matches!(status, 401 | 403);
            let expected_refusal = match (role, *who) {
                (None, "other org's admin") => 403,
                (None, _) => 401,
                _ => 403,
            };
            if admitted == refused || (!admitted && status != expected_refusal) || status >= 500 {
                leaks.push(format!("{method} {path} as {who}: {status} {reply:?}"));
            }
            if let (false, Ok((_, data))) = (admitted, &reply) {
                leaks.push(format!("{method} {path} as {who} returned data: {data}"));
            }
        }
    }
    assert!(
        leaks.is_empty(),
        "{} problems:\n{}",
        leaks.len(),
        leaks.join("\n")
    );
    srv.stop().await;
}
