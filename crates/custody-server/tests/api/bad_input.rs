//! Bad input: every rejected request gets a clear JSON message and leaves the
//! data as it was (each test reads the data back afterwards).

use custody_client::Body;
use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::{self, EMPTY_TEMPLATE};
use crate::harness::{Api, fails, fails_like, fp, pod, start};
use custody_store::testing::TestDatabase;

const NOT_A_FINGERPRINT: &str =
    "is not a valid SHA256 fingerprint. It should match the pattern ^([a-f0-9]{64})$";

fn names(list: &Value) -> Vec<&str> {
    list.as_array()
        .expect("array")
        .iter()
        .map(|f| f["name"].as_str().expect("name"))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_bodies_are_rejected_and_change_nothing() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    let m = &srv.member;
    let (status, text) = m
        .raw(
            Method::PUT,
            "environments/acme",
            "application/json",
            b"{not json".to_vec(),
        )
        .await;
    assert_eq!(status, 400);
    let body: Value = serde_json::from_str(&text).expect("a JSON error body");
    assert_eq!(
        body,
        json!({"message": "invalid JSON body: key must be a string at line 1 column 2"})
    );
    let unknown_field = json!({"name": "prod", "type": "K8S", "colour": "red"});
    fails_like(
        m.put("environments/acme", unknown_field).await,
        400,
        "invalid JSON body: unknown field `colour`",
        "",
    );
    assert_eq!(m.json("environments/acme").await, json!([]));

    let template = [("template_file", EMPTY_TEMPLATE)];
    let no_data = m
        .form(Method::PUT, "flows/acme/template_file", None, &template)
        .await;
    fails(no_data, 400, "the multipart form has no 'data_json' part");
    let typo = m
        .form(
            Method::PUT,
            "flows/acme/template_file",
            Some(json!({"nmae": "x"})),
            &template,
        )
        .await;
    fails_like(
        typo,
        400,
        "invalid 'data_json' part: unknown field `nmae`",
        "expected one of `name`",
    );
    let not_form = m
        .put("flows/acme/template_file", json!({"name": "x"}))
        .await;
    fails_like(not_form, 400, "expected a multipart/form-data body: ", "");
    let public = Some(json!({"name": "x", "visibility": "secret"}));
    let vis = m
        .form(Method::PUT, "flows/acme/template_file", public, &template)
        .await;
    fails(
        vis,
        400,
        "visibility 'secret' is not valid: use public or private",
    );
    let bad_name = m
        .form(
            Method::PUT,
            "flows/acme/template_file",
            Some(json!({"name": "-bad"})),
            &template,
        )
        .await;
    fails(
        bad_name,
        400,
        "invalid flow name '-bad': it must match ^[a-zA-Z0-9][a-zA-Z0-9._~-]*$",
    );
    let yaml = [("template_file", "version: 1\ntrail:\n  atestations: []\n")];
    let bad_yaml = m
        .form(
            Method::PUT,
            "flows/acme/template_file",
            Some(json!({"name": "y"})),
            &yaml,
        )
        .await;
    let message = fails_like(
        bad_yaml,
        400,
        "invalid template: ",
        "unknown field `atestations`",
    );
    assert!(message.contains("line 3"), "{message}");
    fails(
        m.put(
            "flows/acme",
            json!({"name": "z", "template": ["artifact", " "]}),
        )
        .await,
        400,
        "invalid template: the template list has an empty item",
    );
    assert_eq!(m.json("flows/acme").await, json!([]), "no flow was created");
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn unknown_things_and_bad_values_are_reported() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    let m = &srv.member;
    fixtures::flow(m, "runner", EMPTY_TEMPLATE).await;
    fixtures::environment(m, "prod").await;

    let bad_fp = m
        .post(
            "artifacts/acme/runner",
            json!({"fingerprint": "abc", "filename": "x"}),
        )
        .await;
    fails(bad_fp, 400, &format!("abc {NOT_A_FINGERPRINT}"));
    fails(
        m.post(
            "artifacts/acme/runner",
            json!({"fingerprint": fp("abcde"), "filename": " "}),
        )
        .await,
        400,
        "'filename' (the artifact's display name) must not be empty",
    );
    let no_flow = "Flow named 'nope' does not exist for organization 'acme'";
    fails(
        m.post(
            "artifacts/acme/nope",
            json!({"fingerprint": fp("abcde"), "filename": "x"}),
        )
        .await,
        404,
        no_flow,
    );
    fails(m.get("flows/acme/nope").await, 404, no_flow);
    let att = m
        .form(
            Method::POST,
            "attestations/acme/nope/trail/t/generic",
            Some(json!({"attestation_name": "a"})),
            &[],
        )
        .await;
    fails(att, 404, no_flow);
    assert_eq!(m.json("artifacts/acme").await, json!([]));
    assert_eq!(
        m.json("trails/acme").await["data"],
        json!([]),
        "no trail was begun"
    );

    let no_env = "Environment named 'nope' does not exist for organization 'acme'";
    fails(
        m.put(
            "environments/acme/nope/report/K8S",
            json!({"artifacts": []}),
        )
        .await,
        404,
        no_env,
    );
    fails(m.get("environments/acme/nope").await, 404, no_env);
    fails(m.get("snapshots/acme/nope/-1").await, 404, no_env);
    fails(
        m.get("env-diff/acme?snappish1=nope&snappish2=prod").await,
        404,
        no_env,
    );
    let bad_env = json!({"name": "a b", "type": "K8S"});
    fails(
        m.put("environments/acme", bad_env).await,
        400,
        "Input payload validation failed: [map[name:invalid environment name 'a b': it must match ^[a-zA-Z0-9][a-zA-Z0-9._-]*$]]",
    );
    let bad_type = "Input payload validation failed: [map[type:'FOO' is not an environment type: use one of K8S, ECS, S3, lambda, server, docker, azure-apps, cloud-run, logical (types are case-sensitive)]]";
    fails(
        m.put("environments/acme", json!({"name": "x", "type": "FOO"}))
            .await,
        400,
        bad_type,
    );
    assert_eq!(names(&m.json("environments/acme").await), ["prod"]);

    let digest = json!({"artifacts": [{"podName": "p", "digests": {"x": "nothex"}}]});
    let message = format!("artifacts[0].digests['x']: nothex {NOT_A_FINGERPRINT}");
    fails(
        m.put("environments/acme/prod/report/K8S", digest).await,
        400,
        &message,
    );
    let shape = "artifacts[1] must be a JSON object with a 'digests' map of name to sha256";
    let pods = json!({"artifacts": [pod("p", "app", &fp("abcde"), 1), "pod"]});
    fails(
        m.put("environments/acme/prod/report/K8S", pods).await,
        400,
        shape,
    );
    let env = m.json("environments/acme/prod").await;
    assert_eq!(
        (env["last_reported_at"].clone(), env["state"].clone()),
        (Value::Null, Value::Null),
        "no report was recorded"
    );
    assert_eq!(m.json("snapshots/acme/prod").await, json!([]));

    fails(
        m.get("environments/acme?page=0").await,
        400,
        "page numbers start at 1",
    );
    fails(
        m.get("environments/acme?per_page=101").await,
        400,
        "per_page must be between 1 and 100",
    );
    fails_like(
        m.get("environments/acme?page=abc").await,
        400,
        "invalid query parameters: ",
        "page",
    );

    let (status, text) = srv
        .anonymous
        .raw(Method::GET, "nope", "text/plain", Vec::new())
        .await;
    assert_eq!(status, 404);
    let body: Value = serde_json::from_str(&text).expect("a JSON error body");
    assert_eq!(
        body,
        json!({"message": "no such API endpoint: see the Kosli API v2 paths in the README"})
    );
    srv.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn oversized_bodies_get_413() {
    let db = TestDatabase::sqlite();
    let srv = start(&db).await;
    let m = &srv.member;
    fixtures::flow(m, "runner", EMPTY_TEMPLATE).await;
    let huge = "x".repeat(33 * 1024 * 1024);
    let too_large = "the request body is larger than the server's limit of 32 MiB";
    // The server answers before reading the body and closes the connection
    // (without `Connection: close`), so the sender may see a broken pipe and
    // must retry like the CLI does; its own client keeps `m`'s pool usable.
    let once = || Api::with_retries(&srv.base, m.token.as_deref(), 5);
    let body = json!({"fingerprint": fp("abcde"), "filename": "x", "description": huge});
    fails(
        once()
            .call(Method::POST, "artifacts/acme/runner", Body::Json(body))
            .await,
        413,
        too_large,
    );
    let data = Some(json!({"name": "big"}));
    fails(
        once()
            .form(
                Method::PUT,
                "flows/acme/template_file",
                data,
                &[("template_file", &huge)],
            )
            .await,
        413,
        too_large,
    );
    assert_eq!(m.json("artifacts/acme").await, json!([]));
    assert_eq!(names(&m.json("flows/acme").await), ["runner"]);
    srv.stop().await;
}
