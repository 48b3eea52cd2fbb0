//! `--artifact-type oci` against a fake registry on 127.0.0.1 (plain HTTP, as
//! Docker allows for local registries) that requires the bearer token flow:
//! the `HEAD` manifest request, its `Accept` list, the token request with
//! basic credentials (from flags or `~/.docker/config.json`), and the digest.

use std::collections::HashMap;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::harness::{BIN, ok, stderr};

pub const DIGEST: &str = "3f2e8c5a9b1d4e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7";
const ACCEPT: &str = "application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.docker.distribution.manifest.v1+prettyjws, application/vnd.docker.distribution.manifest.v1+json";
/// `ci-bot:s3cret`.
const BASIC: &str = "Basic Y2ktYm90OnMzY3JldA==";

pub type Log = Arc<Mutex<Vec<HashMap<String, String>>>>;

/// Serves the registry (image `team/app:1.0`, user `ci-bot:s3cret`) on a free
/// port; returns `127.0.0.1:PORT` and the request log. Also the fake ACR of
/// [`super::azure`].
pub fn registry() -> (String, Log) {
    let log: Log = Arc::default();
    let seen = log.clone();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let realm = format!("http://{addr}/token");
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let app = axum::Router::new().fallback(
                move |method: Method, uri: Uri, headers: HeaderMap| {
                    let (seen, realm) = (seen.clone(), realm.clone());
                    async move { answer(&seen, &realm, method, uri, headers) }
                },
            );
            axum::serve(listener, app).await.expect("serve");
        });
    });
    (addr, log)
}

fn answer(log: &Log, realm: &str, method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string()
    };
    log.lock().unwrap().push(HashMap::from([
        ("request".to_string(), format!("{method} {uri}")),
        ("accept".to_string(), header("accept")),
        ("authorization".to_string(), header("authorization")),
    ]));
    if uri.path() == "/token" {
        if header("authorization") != BASIC {
            return StatusCode::UNAUTHORIZED.into_response();
        }
        return axum::Json(json!({"token": "tok-123", "expires_in": 300})).into_response();
    }
    if uri.path() != "/v2/team/app/manifests/1.0" {
        return StatusCode::NOT_FOUND.into_response();
    }
    if header("authorization") != "Bearer tok-123" {
        let challenge = format!(
            "Bearer realm=\"{realm}\",service=\"fake-registry\",scope=\"repository:team/app:pull\""
        );
        return (StatusCode::UNAUTHORIZED, [("WWW-Authenticate", challenge)]).into_response();
    }
    (
        StatusCode::OK,
        [
            ("Docker-Content-Digest", format!("sha256:{DIGEST}")),
            (
                "Content-Type",
                "application/vnd.oci.image.index.v1+json".to_string(),
            ),
        ],
    )
        .into_response()
}

fn fingerprint(home: &std::path::Path, args: &[&str]) -> Output {
    Command::new(BIN)
        .arg("fingerprint")
        .args(args)
        .env_clear()
        .env("HOME", home)
        .output()
        .expect("run custody")
}

#[test]
fn oci_digests_follow_the_bearer_token_flow() {
    let (addr, log) = registry();
    let home = tempfile::tempdir().unwrap();
    let image = format!("{addr}/team/app:1.0");
    let flags = [
        "-t",
        "oci",
        "--registry-username",
        "ci-bot",
        "--registry-password",
        "s3cret",
    ];
    let out = fingerprint(home.path(), &[&[image.as_str()][..], &flags].concat());
    assert_eq!(ok(out), format!("{DIGEST}\n"));
    let requests: Vec<String> = log
        .lock()
        .unwrap()
        .iter()
        .map(|r| r["request"].clone())
        .collect();
    assert_eq!(
        requests,
        [
            "HEAD /v2/team/app/manifests/1.0".to_string(),
            "GET /token?service=fake-registry&scope=repository%3Ateam%2Fapp%3Apull".to_string(),
            "HEAD /v2/team/app/manifests/1.0".to_string(),
        ]
    );
    let first = log.lock().unwrap()[0].clone();
    assert_eq!(first["accept"], ACCEPT);
    assert_eq!(log.lock().unwrap()[1]["authorization"], BASIC);

    // Without flags the credentials come from ~/.docker/config.json.
    std::fs::create_dir_all(home.path().join(".docker")).unwrap();
    let config = json!({"auths": {addr.clone(): {"auth": "Y2ktYm90OnMzY3JldA=="}}});
    std::fs::write(home.path().join(".docker/config.json"), config.to_string()).unwrap();
    assert_eq!(
        ok(fingerprint(home.path(), &[&image, "-t", "oci"])),
        format!("{DIGEST}\n")
    );
}

#[test]
fn bad_references_and_missing_images_are_named() {
    let (addr, _) = registry();
    let home = tempfile::tempdir().unwrap();
    let out = fingerprint(home.path(), &["Team/App", "-t", "oci"]);
    assert_eq!(
        stderr(&out),
        "Error: failed to parse image reference for //Team/App: invalid reference format: repository name must be lowercase\n"
    );
    let missing = format!("{addr}/team/other:2");
    let out = fingerprint(home.path(), &[&missing, "-t", "oci"]);
    assert_eq!(
        stderr(&out),
        format!(
            "Error: failed to get digest for //{missing}: HEAD http://{addr}/v2/team/other/manifests/2: unexpected status code 404 Not Found\n"
        )
    );
}

/// A `docker-credential-<name>` helper in `bin`: it records the server it
/// was asked about and answers with `ci-bot:s3cret` for `server`, else fails
/// as Docker's helpers do.
fn helper(bin: &std::path::Path, name: &str, server: &str) {
    use std::os::unix::fs::PermissionsExt;
    let path = bin.join(format!("docker-credential-{name}"));
    let script = format!(
        "#!/bin/sh\nread server\necho \"$server\" >> \"{log}\"\n\
         if [ \"$1\" = get ] && [ \"$server\" = \"{server}\" ]; then\n\
         echo '{{\"ServerURL\":\"{server}\",\"Username\":\"ci-bot\",\"Secret\":\"s3cret\"}}'\n\
         else echo 'credentials not found in native keychain'; exit 1; fi\n",
        log = bin.join("asked.log").display()
    );
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn credential_helpers_and_stores_answer_for_their_registries() {
    let (addr, _) = registry();
    let home = tempfile::tempdir().unwrap();
    let bin = home.path().join("bin");
    std::fs::create_dir_all(home.path().join(".docker")).unwrap();
    std::fs::create_dir_all(&bin).unwrap();
    helper(&bin, "fake", &addr);
    helper(&bin, "elsewhere", "other.example");
    let image = format!("{addr}/team/app:1.0");
    let path = format!("{}:/usr/bin:/bin", bin.display());
    let run = |config: serde_json::Value| {
        std::fs::write(home.path().join(".docker/config.json"), config.to_string()).unwrap();
        Command::new(BIN)
            .args(["fingerprint", &image, "-t", "oci"])
            .env_clear()
            .env("HOME", home.path())
            .env("PATH", &path)
            .output()
            .expect("run custody")
    };
    let helped = run(json!({"credHelpers": {addr.clone(): "fake"}, "credsStore": "elsewhere"}));
    assert_eq!(
        ok(helped),
        format!("{DIGEST}\n"),
        "the registry's own helper wins"
    );
    let stored = run(json!({"credsStore": "fake", "auths": {addr.clone(): {}}}));
    assert_eq!(ok(stored), format!("{DIGEST}\n"), "the global store");
    let fallback = run(json!({"credsStore": "elsewhere",
                              "auths": {addr.clone(): {"auth": "Y2ktYm90OnMzY3JldA=="}}}));
    assert!(
        stderr(&fallback).contains("[warning] docker credential helper 'elsewhere'"),
        "{}",
        stderr(&fallback)
    );
    assert_eq!(
        ok(fallback),
        format!("{DIGEST}\n"),
        "the file's auth when the store knows nothing"
    );
    let asked = std::fs::read_to_string(bin.join("asked.log")).unwrap();
    assert_eq!(
        asked.lines().collect::<Vec<_>>(),
        [addr.as_str(), &addr, &addr]
    );
    let refused = run(json!({"credsStore": "elsewhere"}));
    assert!(
        stderr(&refused).contains("unexpected status code 401"),
        "{}",
        stderr(&refused)
    );
}
