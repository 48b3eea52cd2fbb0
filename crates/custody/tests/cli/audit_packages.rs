//! Audit packages end to end: a trail's and an artifact's `tar.gz` hold the
//! README, the documents, each attestation's evidence byte for byte and the
//! signed log checkpoint; a reader may download them, another org may not.

use std::collections::BTreeMap;
use std::io::Read;

use serde_json::Value;

use super::harness::{Server, admin, ok, stderr};
use super::pipeline::{git, key};

/// The files of a package, by path inside its folder.
fn unpack(path: &std::path::Path) -> (String, BTreeMap<String, Vec<u8>>) {
    let bytes = std::fs::read(path).unwrap();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes.as_slice()));
    let mut root = String::new();
    let mut files = BTreeMap::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().display().to_string();
        let (folder, inner) = name.split_once('/').unwrap();
        root = folder.to_string();
        let mut content = Vec::new();
        entry.read_to_end(&mut content).unwrap();
        files.insert(inner.to_string(), content);
    }
    (root, files)
}

fn json(files: &BTreeMap<String, Vec<u8>>, name: &str) -> Value {
    serde_json::from_slice(&files[name]).unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn trails_and_artifacts_download_as_audit_packages() {
    let server = Server::start(false);
    admin(&server.database_url(), &["create-org", "acme"]);
    admin(&server.database_url(), &["create-org", "globex"]);
    let token = key(&server, "admin");
    let repo = server.dir.join("repo");
    std::fs::create_dir_all(repo.join("reports")).unwrap();
    let junit =
        "<testsuite name=\"api\" tests=\"1\" failures=\"0\"><testcase name=\"ok\"/></testsuite>";
    std::fs::write(repo.join("reports/junit.xml"), junit).unwrap();
    std::fs::write(repo.join("app.bin"), "the app").unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "App"]);
    let run = |args: &[&str]| server.run_in(&repo, "acme", &token, args, &[]);
    ok(run(&["create", "flow", "app", "--use-empty-template"]));
    ok(run(&[
        "begin", "trail", "t1", "--flow", "app", "--commit", "HEAD",
    ]));
    let artifact = ["--flow", "app", "--trail", "t1"];
    ok(run(&[
        &[
            "attest",
            "artifact",
            "app.bin",
            "--artifact-type",
            "file",
            "--name",
            "app",
            "--commit",
            "HEAD",
            "--build-url",
            "https://ci.example/1",
            "--commit-url",
            "https://git.example/c",
        ][..],
        &artifact,
    ]
    .concat()));
    ok(run(&[
        &[
            "attest",
            "junit",
            "--name",
            "unit-test",
            "--results-dir",
            "reports",
            "--commit",
            "HEAD",
        ][..],
        &artifact,
    ]
    .concat()));
    ok(run(&[
        &[
            "attest",
            "generic",
            "app.bin",
            "--artifact-type",
            "file",
            "--name",
            "review",
            "--commit",
            "HEAD",
        ][..],
        &artifact,
    ]
    .concat()));

    let file = server.dir.join("t1.tar.gz");
    let path = file.display().to_string();
    let saved = ok(run(&[
        "get",
        "trail",
        "t1",
        "--flow",
        "app",
        "--download-audit-package",
        &path,
    ]));
    assert!(
        saved.starts_with(&format!("audit package saved to {path} (")),
        "{saved}"
    );
    let (root, files) = unpack(&file);
    assert_eq!(root, "app-t1");
    assert_eq!(json(&files, "trail.json")["name"], "t1");
    let attestations = json(&files, "attestations.json");
    let names: Vec<&str> = attestations
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["attestation_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["unit-test", "review"]);
    let junit_attestation = &attestations[0];
    let folder = format!(
        "evidence/unit-test-{}/",
        junit_attestation["attestation_id"].as_str().unwrap()
    );
    let (evidence_path, evidence) = files
        .iter()
        .find(|(p, _)| p.starts_with(&folder))
        .expect("the junit evidence");
    assert!(!evidence.is_empty(), "{evidence_path}");
    let checkpoint = json(&files, "log-checkpoint.json");
    assert!(
        checkpoint["signature"]
            .as_str()
            .is_some_and(|s| !s.is_empty()),
        "{checkpoint}"
    );
    let readme = String::from_utf8(files["README.md"].clone()).unwrap();
    assert!(
        readme.starts_with("# Audit package of trail t1 of flow app"),
        "{readme}"
    );
    assert!(
        readme.contains(&format!("- `{evidence_path}` ({} bytes)", evidence.len())),
        "{readme}"
    );

    let fingerprint = json(&files, "attestations.json")[1]["artifact_fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    let art_file = server.dir.join("app.tar.gz").display().to_string();
    let reader = key(&server, "reader");
    let expression = format!("app@{}", &fingerprint[..12]);
    let by_reader = server.run_in(
        &repo,
        "acme",
        &reader,
        &[
            "get",
            "artifact",
            &expression,
            "--download-audit-package",
            &art_file,
        ],
        &[],
    );
    assert!(ok(by_reader).starts_with("audit package saved to"));
    let (_, files) = unpack(std::path::Path::new(&art_file));
    assert_eq!(json(&files, "artifact.json")["fingerprint"], fingerprint);
    let names: Vec<String> = json(&files, "attestations.json")
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["attestation_name"].as_str().unwrap().to_string())
        .collect();
    assert!(names.contains(&"review".to_string()), "{names:?}");

    let made = admin(
        &server.database_url(),
        &["create-api-key", "--org", "globex", "--role", "admin"],
    );
    let outsider = made.lines().nth(1).unwrap().to_string();
    let refused = server.run_in(
        &repo,
        "acme",
        &outsider,
        &[
            "get",
            "trail",
            "t1",
            "--flow",
            "app",
            "--download-audit-package",
            &path,
        ],
        &[],
    );
    assert!(!refused.status.success(), "{}", stderr(&refused));
    ok(run(&["create", "environment", "prod", "--type", "server"]));
    ok(run(&[
        "snapshot", "path", "prod", "--path", "app.bin", "--name", "app",
    ]));
    std::fs::write(repo.join("app.bin"), "the app, v2").unwrap();
    ok(run(&[
        "snapshot", "path", "prod", "--path", "app.bin", "--name", "app",
    ]));
    let env_file = server.dir.join("prod.tar.gz").display().to_string();
    let saved = ok(run(&[
        "get",
        "environment",
        "prod",
        "--download-audit-package",
        &env_file,
        "--interval",
        "1..2",
    ]));
    assert!(saved.starts_with("audit package saved to"), "{saved}");
    let (root, files) = unpack(std::path::Path::new(&env_file));
    assert_eq!(root, "prod-1-2");
    assert_eq!(json(&files, "environment.json")["name"], "prod");
    assert_eq!(json(&files, "snapshots.json").as_array().unwrap().len(), 2);
    let events = json(&files, "events.json");
    let described: Vec<&str> = events
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["description"].as_str())
        .collect();
    assert!(
        described.len() >= 2,
        "the first start and the change: {events}"
    );
    assert_eq!(json(&files, "snapshots/2.json")["index"], 2);
    assert!(files.contains_key("snapshots/1.json") && files.contains_key("log-checkpoint.json"));

    let commit_form = run(&[
        "get",
        "artifact",
        "app:16d9990",
        "--download-audit-package",
        &art_file,
    ]);
    assert!(
        stderr(&commit_form).contains("use FLOW@FINGERPRINT"),
        "{}",
        stderr(&commit_form)
    );
}
