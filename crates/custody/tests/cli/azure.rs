//! `custody snapshot azure` against [`super::fake_azure`] and the fake
//! registry of [`super::oci`] as ACR: the exact report with digests from the
//! registry and from docker logs (listed or zipped), a stopped app and an app
//! not started since its last pull left out, a zip-deployed app fingerprinted
//! as a directory, and failed sign-in or an unreachable ARM named.

use std::process::{Command, Output};

use serde_json::{Value, json};

use super::fake_azure::{self, FakeAzure, LOG_DIGEST, PACKAGE, STARTED};
use super::harness::{BIN, Server, ok, stderr, stdout};
use super::k8s::admin_key;
use super::oci::{DIGEST, registry};

/// The JSON body a dry run prints.
fn payload(out: &str) -> Value {
    let (_, rest) = out
        .split_once("this is the payload that would be sent in a real run:")
        .expect(out);
    serde_json::from_str(rest.trim()).expect("payload JSON")
}

/// `snapshot azure az-prod` with the service principal's flags and `secret`.
fn command(secret: &str) -> Vec<&str> {
    let mut args = vec!["snapshot", "azure", "az-prod"];
    for (flag, value) in [
        ("--azure-client-id", "ci-bot"),
        ("--azure-client-secret", secret),
        ("--azure-tenant-id", "tenant-1"),
        ("--azure-subscription-id", "sub-1"),
        ("--azure-resource-group-name", "rg-prod"),
    ] {
        args.extend([flag, value]);
    }
    args
}

/// Runs `command(secret)` and `extra` against `fake`.
fn run(server: &Server, token: &str, fake: &FakeAzure, secret: &str, extra: &[&str]) -> Output {
    let scm = format!("{}/scm/{{app}}", fake.url);
    let env = [
        ("AZURE_AUTHORITY_HOST", fake.url.as_str()),
        ("CUSTODY_AZURE_ARM_URL", fake.url.as_str()),
        ("CUSTODY_AZURE_SCM_URL", scm.as_str()),
    ];
    server.run("acme", token, &[&command(secret), extra].concat(), &env)
}

/// The same with the right secret.
fn snapshot(server: &Server, token: &str, fake: &FakeAzure, extra: &[&str]) -> Output {
    run(server, token, fake, "s3cret", extra)
}

/// The fingerprint `custody fingerprint -t dir` gives the function app's files.
fn package_fingerprint() -> String {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in PACKAGE {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let out = Command::new(BIN)
        .args(["fingerprint", "-t", "dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    ok(out).trim().to_string()
}

fn app(name: &str, kind: &str, source: &str, digests: Value, started: i64) -> Value {
    json!({"app_name": name, "app_kind": kind, "digests_source": source,
           "digests": digests, "creationTimestamp": started})
}

#[test]
fn running_apps_are_reported_from_acr_logs_and_site_packages() {
    let (addr, _) = registry();
    let image = format!("{addr}/team/app:1.0");
    let fake = fake_azure::start(&image);
    let server = Server::start(false);
    let token = admin_key(&server);
    let container = "app,linux,container";
    let func = app(
        "func",
        "functionapp,linux",
        "kosli-cli",
        json!({"func": package_fingerprint()}),
        0,
    );

    let dry = ok(snapshot(&server, &token, &fake, &["--dry-run"]));
    assert!(
        dry.contains("/api/v2/environments/acme/az-prod/report/azure-apps"),
        "{dry}"
    );
    let acr = |name| app(name, container, "acr", json!({image.as_str(): DIGEST}), 0);
    let expected = json!({"artifacts": [acr("web"), func, acr("restarting")]});
    assert_eq!(payload(&dry), expected);
    let requests = fake.requests.lock().unwrap().join("\n");
    assert!(!requests.contains("stopped"), "{requests}");

    let logged = app(
        "web",
        container,
        "logs",
        json!({image.as_str(): LOG_DIGEST}),
        STARTED,
    );
    for extra in [&[][..], &["--zip"]] {
        let args = [&["--digests-source", "logs", "--dry-run"], extra].concat();
        let out = snapshot(&server, &token, &fake, &args);
        assert_eq!(
            payload(&stdout(&out)),
            json!({"artifacts": [logged, expected["artifacts"][1]]})
        );
        assert_eq!(
            stderr(&out),
            "[warning] ignoring azure app 'restarting' as its docker logs show no container started after the last image pull\n"
        );
    }

    let out = ok(snapshot(&server, &token, &fake, &["-A"]));
    assert_eq!(
        out,
        "environment az-prod was created\n3 azure apps were reported to environment az-prod\n"
    );
    let args = ["get", "snapshot", "az-prod", "-o", "json"];
    let snapshot_json = ok(server.run("acme", &token, &args, &[]));
    assert!(snapshot_json.contains(DIGEST), "{snapshot_json}");
    assert!(snapshot_json.contains("func"), "{snapshot_json}");
}

#[test]
fn bad_credentials_and_an_unreachable_arm_are_named() {
    let fake = fake_azure::start("127.0.0.1:1/team/app:1.0");
    let server = Server::start(false);
    let token = admin_key(&server);
    let out = run(&server, &token, &fake, "wrong", &[]);
    assert_eq!(
        stderr(&out),
        "Error: failed to get an Azure access token: 401 Unauthorized: invalid_client: AADSTS7000215: Invalid client secret provided.\n"
    );

    let env = [
        ("AZURE_AUTHORITY_HOST", fake.url.as_str()),
        ("CUSTODY_AZURE_ARM_URL", "http://127.0.0.1:1"),
    ];
    let args = command("s3cret");
    let err = stderr(&server.run("acme", &token, &args, &env));
    let sites = "http://127.0.0.1:1/subscriptions/sub-1/resourceGroups/rg-prod/providers/Microsoft.Web/sites?api-version=2022-03-01";
    assert!(
        err.starts_with(&format!(
            "Error: failed to list the apps of resource group rg-prod: cannot reach {sites}: "
        )),
        "{err}"
    );

    let out = server.run("acme", &token, &["snapshot", "azure", "az-prod"], &[]);
    assert_eq!(
        stderr(&out),
        "Error: required flag(s) \"azure-client-id\", \"azure-client-secret\", \"azure-resource-group-name\", \"azure-subscription-id\", \"azure-tenant-id\" not set\n"
    );
}
