//! A CI pipeline and a runtime reporter driving a fresh server through the CLI:
//! bootstrap, flow with a template, trail, artifact, attestation, gate, snapshot.

use std::path::Path;
use std::process::Command;

use super::harness::{Server, admin, ok, stderr, stdout};

const TEMPLATE: &str = "version: 1\ntrail:\n  artifacts:\n  - name: backend\n    attestations:\n    - name: unit-test\n      type: generic\n";

pub fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=Ada", "-c", "user.email=ada@example.com"])
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git");
    assert!(status.success(), "git {args:?}");
}

/// Creates org `acme` and returns an API key with `role`.
pub fn key(server: &Server, role: &str) -> String {
    let out = admin(
        &server.database_url(),
        &["create-api-key", "--org", "acme", "--role", role],
    );
    out.lines()
        .nth(1)
        .expect("the key is on the second line")
        .to_string()
}

#[test]
fn a_pipeline_reports_and_gates_an_artifact() {
    let server = Server::start(false);
    let created = admin(&server.database_url(), &["create-org", "acme"]);
    assert!(
        created.contains("organization 'acme' was created"),
        "{created}"
    );
    let token = key(&server, "admin");
    let repo = server.dir.join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::write(repo.join("app.bin"), "this is non empty").unwrap();
    std::fs::write(repo.join("template.yml"), TEMPLATE).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "Build the app"]);
    let fp = "1256d6510a6606ad61a4f6104243a291b18383b456d50205eba893b51e1807bc";
    let run = |args: &[&str]| server.run_in(&repo, "acme", &token, args, &[]);

    assert_eq!(
        ok(run(&[
            "create",
            "flow",
            "backend",
            "--template-file",
            "template.yml"
        ])),
        "flow 'backend' was created\n"
    );
    assert_eq!(
        ok(run(&["begin", "trail", "t1", "--flow", "backend"])),
        "trail 't1' was begun\n"
    );
    assert_eq!(
        ok(run(&["begin", "trail", "t1", "--flow", "backend"])),
        "trail 't1' was updated\n"
    );
    let attested = ok(run(&[
        "attest",
        "artifact",
        "app.bin",
        "--artifact-type",
        "file",
        "--flow",
        "backend",
        "--trail",
        "t1",
        "--name",
        "backend",
        "--build-url",
        "https://ci.example.com/1",
        "--commit-url",
        "https://git.example.com/c",
    ]));
    assert_eq!(
        attested,
        format!("artifact app.bin was attested with fingerprint: {fp}\n")
    );

    let gate = run(&["assert", "artifact", "--fingerprint", fp]);
    assert!(
        !gate.status.success(),
        "an artifact missing its unit-test attestation is not compliant"
    );
    assert!(
        stdout(&gate).starts_with("Error: NON-COMPLIANT"),
        "{}",
        stdout(&gate)
    );
    assert!(stderr(&gate).contains("Artifact is not compliant"));

    let reported = ok(run(&[
        "attest",
        "generic",
        "--flow",
        "backend",
        "--trail",
        "t1",
        "--name",
        "backend.unit-test",
    ]));
    assert_eq!(
        reported,
        "generic attestation 'unit-test' is reported to trail: t1\n"
    );
    assert!(ok(run(&["assert", "artifact", "--fingerprint", fp])).starts_with("COMPLIANT"));
    assert!(ok(run(&["list", "trails", "--flow", "backend"])).contains("t1    "));

    assert_eq!(
        ok(run(&["create", "environment", "prod", "--type", "server"])),
        "environment prod was created\n"
    );
    let snap = ok(run(&[
        "snapshot", "path", "prod", "--path", "app.bin", "--name", "app",
    ]));
    assert!(
        snap.contains("[1] artifacts were reported to environment prod"),
        "{snap}"
    );
    let table = ok(run(&["get", "snapshot", "prod"]));
    assert!(
        table.contains("Name: app") && table.contains("backend") && table.contains(fp),
        "{table}"
    );
    assert_eq!(ok(run(&["assert", "snapshot", "prod"])), "COMPLIANT\n");
    let log = ok(run(&["log", "environment", "prod"]));
    assert!(
        log.contains("1 instance started running (from 0 to 1)."),
        "{log}"
    );
}

#[test]
fn flags_come_from_kosli_variables_dry_runs_change_nothing_and_errors_are_clear() {
    let server = Server::start(false);
    admin(&server.database_url(), &["create-org", "acme"]);
    let token = key(&server, "member");
    let kosli = [
        ("KOSLI_HOST", server.host.as_str()),
        ("KOSLI_ORG", "acme"),
        ("KOSLI_API_TOKEN", token.as_str()),
    ];
    let only_kosli = |args: &[&str]| {
        let mut cmd = Command::new(super::harness::BIN);
        cmd.args(args)
            .env_clear()
            .env("HOME", &server.dir)
            .envs(kosli);
        cmd.output().expect("run")
    };
    assert_eq!(
        ok(only_kosli(&[
            "create",
            "flow",
            "web",
            "--description",
            "UX"
        ])),
        "flow 'web' was created\n"
    );

    let dry = ok(server.run(
        "acme",
        &token,
        &["create", "flow", "ghost", "--dry-run"],
        &[],
    ));
    assert!(
        dry.starts_with("############### THIS IS A DRY-RUN  ###############"),
        "{dry}"
    );
    let flows = ok(server.run("acme", &token, &["list", "flows"], &[]));
    assert!(flows.contains("web") && !flows.contains("ghost"), "{flows}");

    let missing = server.run("acme", &token, &["get", "flow", "nope"], &[]);
    assert_eq!(missing.status.code(), Some(1));
    assert_eq!(
        stderr(&missing),
        "Error: Flow named 'nope' does not exist for organization 'acme'\n"
    );
    let bad = server.run(
        "acme",
        &token,
        &[
            "attest",
            "generic",
            "--flow",
            "web",
            "--trail",
            "t",
            "--name",
            "x",
            "--fingerprint",
            "xxxx",
        ],
        &[],
    );
    assert!(
        stderr(&bad).contains("xxxx is not a valid SHA256 fingerprint"),
        "{}",
        stderr(&bad)
    );

    let reader = key(&server, "reader");
    let denied = server.run("acme", &reader, &["create", "flow", "nope"], &[]);
    assert!(
        stderr(&denied).contains("does not allow this; it needs at least the member role"),
        "{}",
        stderr(&denied)
    );
    let other = server.run("globex", &token, &["list", "flows"], &[]);
    assert!(
        stderr(&other).contains("cannot access organization 'globex'"),
        "{}",
        stderr(&other)
    );
    let empty = server.run("acme", &token, &["list", "flows", "--org="], &[]);
    assert_eq!(
        stderr(&empty),
        "Error: flag '--org' was given an empty value\n"
    );
}
