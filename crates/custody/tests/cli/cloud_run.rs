//! `custody snapshot cloud-run` against [`super::fake_gcp`]: the exact report
//! (a service's revisions as its traffic names them, jobs, tag-pinned images
//! with their digests from the registry, `--resolve-names` with Artifact
//! Registry's tags) through each kind of Application Default Credentials,
//! name filters, Kosli's flag rules, and GCP's refusals in Kosli's words.

use serde_json::{Value, json};

use super::fake_gcp::{
    self, ALPHA_2, ALPHA_3, CLIENT_EMAIL, EXPORT, FakeGcp, KEY_PEM, PROXY, SANDMAN, image,
};
use super::fake_gcp_registry::{ALPHA_TAGS, BETA};
use super::harness::{Server, ok, stderr};
use super::k8s::admin_key;

const BASE: [&str; 7] = [
    "snapshot",
    "cloud-run",
    "cr-prod",
    "--project",
    "proj-x",
    "--region",
    "europe-west1",
];

/// The JSON body a dry run prints.
fn payload(out: &str) -> Value {
    let (_, rest) = out
        .split_once("this is the payload that would be sent in a real run:")
        .expect(out);
    serde_json::from_str(rest.trim()).expect("payload JSON")
}

/// A service account key file for the fake's token endpoint, in `dir`.
fn key_file(fake: &FakeGcp, dir: &std::path::Path) -> String {
    let key = json!({"type": "service_account", "project_id": "proj-x", "private_key_id": "k1",
        "private_key": KEY_PEM, "client_email": CLIENT_EMAIL, "token_uri": format!("{}/token", fake.url)});
    let path = dir.join("sa.json");
    std::fs::write(&path, key.to_string()).unwrap();
    path.display().to_string()
}

/// The fake, a server with an admin key, and a service account key file.
fn signed_in() -> (FakeGcp, Server, String, String) {
    let fake = fake_gcp::start();
    let server = Server::start(false);
    let token = admin_key(&server);
    let key = key_file(&fake, &server.dir);
    (fake, server, token, key)
}

fn revision(service: &str, revision: &str, digests: Value, created: i64) -> Value {
    json!({"digests": digests, "creationTimestamp": created, "kind": "service",
           "serviceName": service, "revisionName": revision})
}

fn job(name: &str, digest: &str, created: i64) -> Value {
    json!({"digests": {image(name, digest): digest}, "creationTimestamp": created,
           "kind": "job", "jobName": name})
}

fn everything() -> Vec<Value> {
    vec![
        revision(
            "alpha",
            "alpha-00003-xyz",
            json!({image("alpha", ALPHA_3): ALPHA_3}),
            1_714_642_200,
        ),
        revision(
            "alpha",
            "alpha-00002-abc",
            json!({image("alpha", ALPHA_2): ALPHA_2}),
            1_714_557_600,
        ),
        revision(
            "beta",
            "beta-00001-aaa",
            json!({"gcr.io/proj-x/beta:1.4": BETA, image("proxy", PROXY): PROXY}),
            1_713_614_400,
        ),
        job("sandman-job", SANDMAN, 1_709_251_200),
        job("nightly-export", EXPORT, 1_709_337_600),
    ]
}

#[test]
fn services_and_jobs_are_reported_with_a_service_account() {
    let (fake, server, token, key) = signed_in();
    let env = google(&fake, &key);
    let dry = ok(server.run("acme", &token, &[&BASE[..], &["--dry-run"]].concat(), &env));
    assert_eq!(
        payload(&dry),
        json!({"type": "cloud-run", "artifacts": everything()}),
        "the tag-pinned image has its digest from the registry"
    );
    let seen = fake.requests.lock().unwrap().clone();
    assert!(seen.contains(&"POST /token".to_string()), "{seen:?}");
    assert!(
        seen.contains(&"GET /v2/proj-x/beta/manifests/1.4".to_string()),
        "{seen:?}"
    );
    assert!(
        !seen.iter().any(|r| r.contains("dockerImages")),
        "names are only resolved when asked: {seen:?}"
    );
    assert!(
        seen.contains(
            &"GET /v2/projects/proj-x/locations/europe-west1/services?pageToken=p2".to_string()
        ),
        "the second page is read: {seen:?}"
    );

    let args = [&BASE[..], &["--auto-environment"]].concat();
    let out = ok(server.run("acme", &token, &args, &env));
    assert_eq!(
        out,
        "environment cr-prod was created\n[5] artifacts were reported to environment cr-prod\n"
    );
    let snapshot = ok(server.run(
        "acme",
        &token,
        &["get", "snapshot", "cr-prod", "-o", "json"],
        &[],
    ));
    for digest in [ALPHA_3, ALPHA_2, PROXY, SANDMAN, EXPORT] {
        assert!(snapshot.contains(digest), "{digest} runs: {snapshot}");
    }
}

/// Every Google endpoint at the fake, with a service account key.
fn google<'a>(fake: &'a FakeGcp, key: &'a str) -> [(&'static str, &'a str); 4] {
    [
        ("GOOGLE_APPLICATION_CREDENTIALS", key),
        ("CUSTODY_CLOUD_RUN_URL", fake.url.as_str()),
        ("CUSTODY_GCP_REGISTRY_URL", fake.url.as_str()),
        ("CUSTODY_ARTIFACT_REGISTRY_URL", fake.url.as_str()),
    ]
}

#[test]
fn resolve_names_names_digest_pinned_images_by_their_longest_tag() {
    let (fake, server, token, key) = signed_in();
    let env = google(&fake, &key);
    let args = [&BASE[..], &["--dry-run", "--resolve-names"]].concat();
    let reported = payload(&ok(server.run("acme", &token, &args, &env)));
    let tagged =
        |name: &str, tag: &str| format!("europe-west1-docker.pkg.dev/proj-x/apps/{name}:{tag}");
    let mut expected = everything();
    expected[0]["digests"] = json!({tagged("alpha", ALPHA_TAGS[1]): ALPHA_3});
    expected[3]["digests"] = json!({tagged("sandman-job", "v1.2.0"): SANDMAN});
    assert_eq!(
        reported["artifacts"],
        json!(expected),
        "images without tags, or not found, keep their digest-pinned names"
    );
    let seen = fake.requests.lock().unwrap().clone();
    let asked = format!(
        "GET /v1/projects/proj-x/locations/europe-west1/repositories/apps/dockerImages/alpha@sha256:{ALPHA_3}"
    );
    assert!(seen.contains(&asked), "{seen:?}");

    let unreadable = [
        ("CUSTODY_ARTIFACT_REGISTRY_URL", "http://127.0.0.1:1"),
        ("CUSTODY_GCP_REGISTRY_URL", "http://127.0.0.1:1"),
    ];
    let env = [&env[..2], &unreadable[..]].concat();
    let reported = payload(&ok(server.run("acme", &token, &args, &env)));
    let mut expected = everything();
    expected[2]["digests"]["gcr.io/proj-x/beta:1.4"] = json!("");
    assert_eq!(
        reported["artifacts"],
        json!(expected),
        "registries that cannot be read change nothing"
    );
}

#[test]
fn user_credentials_and_the_metadata_server_sign_in_too() {
    let fake = fake_gcp::start();
    let server = Server::start(false);
    let token = admin_key(&server);
    let gcloud = server.dir.join(".config/gcloud");
    std::fs::create_dir_all(&gcloud).unwrap();
    let user = json!({"type": "authorized_user", "client_id": "cli-client", "client_secret": "cli-secret",
                      "refresh_token": "1//refresh", "token_uri": format!("{}/token", fake.url)});
    std::fs::write(
        gcloud.join("application_default_credentials.json"),
        user.to_string(),
    )
    .unwrap();
    let env = [("CUSTODY_CLOUD_RUN_URL", fake.url.as_str())];
    let args = [&BASE[..], &["--dry-run", "--include", "sandman-job"]].concat();
    let dry = ok(server.run("acme", &token, &args, &env));
    assert_eq!(
        payload(&dry)["artifacts"],
        json!([job("sandman-job", SANDMAN, 1_709_251_200)])
    );

    std::fs::remove_file(gcloud.join("application_default_credentials.json")).unwrap();
    let host = fake.url.trim_start_matches("http://");
    let env = [
        ("CUSTODY_CLOUD_RUN_URL", fake.url.as_str()),
        ("GCE_METADATA_HOST", host),
    ];
    let args = [
        &BASE[..],
        &["--dry-run", "--exclude-regex", "^(alpha|beta)$"],
    ]
    .concat();
    let dry = ok(server.run("acme", &token, &args, &env));
    let reported = payload(&dry);
    let names: Vec<&Value> = reported["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| &a["jobName"])
        .collect();
    assert_eq!(
        names,
        [&json!("sandman-job"), &json!("nightly-export")],
        "services left out"
    );
}

#[test]
fn refusals_and_flag_rules_are_told_in_kosli_words() {
    let (fake, server, token, key) = signed_in();
    let env = [
        ("GOOGLE_APPLICATION_CREDENTIALS", key.as_str()),
        ("CUSTODY_CLOUD_RUN_URL", fake.url.as_str()),
    ];
    let run = |args: &[&str], env: &[(&str, &str)]| stderr(&server.run("acme", &token, args, env));
    let elsewhere = |project: &str| {
        let mut args = BASE.to_vec();
        args[4] = project;
        run(&args, &env)
    };
    assert!(
        elsewhere("nope").starts_with(
            "Error: GCP project \"nope\" or region \"europe-west1\" not found or not accessible (underlying error: 404 Not Found: Project not found"
        ),
        "{}",
        elsewhere("nope")
    );
    assert!(elsewhere("locked").starts_with(
        "Error: GCP permission denied: the caller needs 'roles/run.viewer' on project \"locked\" (underlying error: 403 Forbidden"
    ));
    let forged = json!({"type": "service_account", "private_key": KEY_PEM,
                        "client_email": "someone@else", "token_uri": format!("{}/token", fake.url)});
    std::fs::write(server.dir.join("forged.json"), forged.to_string()).unwrap();
    let forged_path = server.dir.join("forged.json").display().to_string();
    let err = run(
        &BASE,
        &[
            ("GOOGLE_APPLICATION_CREDENTIALS", &forged_path),
            ("CUSTODY_CLOUD_RUN_URL", &fake.url),
        ],
    );
    assert!(
        err.contains("GCP authentication failed") && err.contains("400 Bad Request invalid_grant"),
        "{err}"
    );
    let err = run(
        &BASE,
        &[
            ("GOOGLE_OAUTH_ACCESS_TOKEN", "ya29.stale"),
            ("CUSTODY_CLOUD_RUN_URL", &fake.url),
        ],
    );
    assert!(
        err.starts_with("Error: GCP authentication failed") && err.contains("metadata server"),
        "{err}"
    );

    for (flags, message) in [
        (
            vec!["--include", "alpha", "--exclude", "beta"],
            "only one of --include, --exclude is allowed",
        ),
        (
            vec!["--include", "alpha", "--exclude-regex", "^b"],
            "only one of --include, --exclude-regex is allowed",
        ),
        (
            vec!["--include-regex", "^a", "--exclude", "beta"],
            "only one of --include-regex, --exclude is allowed",
        ),
        (
            vec!["--include-regex", "^a", "--exclude-regex", "^b"],
            "only one of --include-regex, --exclude-regex is allowed",
        ),
    ] {
        assert_eq!(
            run(&[&BASE[..], &flags].concat(), &env),
            format!("Error: {message}\n")
        );
    }
    let err = run(
        &[&BASE[..], &["--include-regex", "[invalid"]].concat(),
        &env,
    );
    assert!(
        err.starts_with("Error: invalid include name regex pattern '[invalid'"),
        "{err}"
    );
    let err = run(&["snapshot", "cloud-run", "cr-prod", "--region", "r"], &env);
    assert_eq!(err, "Error: required flag(s) \"project\" not set\n");
    let err = run(
        &["snapshot", "cloud-run", "--project", "p", "--region", "r"],
        &env,
    );
    assert_eq!(err, "Error: accepts 1 arg(s), received 0\n");
}
