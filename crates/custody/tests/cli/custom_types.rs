//! Custom attestation types through the CLI: create (twice, for a second
//! version), list, get by version, a custom attestation gating an artifact,
//! and archiving.

use std::path::Path;
use std::process::Command;

use super::harness::{Server, admin, ok, stderr};

const TEMPLATE: &str = "version: 1\ntrail:\n  artifacts:\n  - name: app\n    attestations:\n    - name: coverage\n      type: custom:cov\n";
const SCHEMA: &str = r#"{"type": "object", "required": ["line"]}"#;

fn git(dir: &Path, args: &[&str]) {
    let status = Command::new("git")
        .args(["-c", "user.name=Ada", "-c", "user.email=ada@example.com"])
        .args(args)
        .current_dir(dir)
        .status()
        .expect("git");
    assert!(status.success(), "git {args:?}");
}

#[test]
fn a_custom_type_judges_an_artifact() {
    let server = Server::start(false);
    admin(&server.database_url(), &["create-org", "acme"]);
    let out = admin(
        &server.database_url(),
        &["create-api-key", "--org", "acme", "--role", "member"],
    );
    let token = out.lines().nth(1).expect("key line").to_string();
    let repo = server.dir.join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::write(repo.join("app.bin"), "custom").unwrap();
    std::fs::write(repo.join("template.yml"), TEMPLATE).unwrap();
    std::fs::write(repo.join("schema.json"), SCHEMA).unwrap();
    std::fs::write(repo.join("low.json"), r#"{"line": 40}"#).unwrap();
    std::fs::write(repo.join("high.json"), r#"{"line": 95}"#).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "Build"]);
    let run = |args: &[&str]| server.run_in(&repo, "acme", &token, args, &[]);

    assert_eq!(
        ok(run(&["list", "attestation-types"])),
        "No attestation types were found.\n"
    );
    let create = [
        "create",
        "attestation-type",
        "cov",
        "-d",
        "Coverage",
        "-s",
        "schema.json",
    ];
    assert_eq!(
        ok(run(&[&create[..], &["--jq", ".line >= 50"]].concat())),
        "attestation-type cov was created\n"
    );
    ok(run(&[
        &create[..],
        &["--jq", ".line >= 80", "--summary", "Lines=.line"],
    ]
    .concat()));
    let list = ok(run(&["list", "attestation-types"]));
    assert_eq!(
        list.lines().collect::<Vec<_>>(),
        ["NAME  DESCRIPTION  LATEST VERSION", "cov   Coverage     2"]
    );
    let first = ok(run(&["get", "attestation-type", "cov@v1"]));
    assert!(
        first.contains(".line >= 50") && !first.contains(".line >= 80"),
        "{first}"
    );
    let trimmed: Vec<&str> = first.lines().map(str::trim).collect();
    let at = |label: &str| {
        trimmed
            .iter()
            .position(|l| l.starts_with(label))
            .unwrap_or_else(|| panic!("no {label} in {first}"))
    };
    assert_eq!(
        [trimmed[0], trimmed[1], trimmed[2], trimmed[3]],
        [
            "Name:          cov",
            "Description:   Coverage",
            "Organization:  acme",
            "Archived:      false"
        ],
        "{first}"
    );
    assert!(
        !first.contains("Created at:") && !first.contains("Last modified at:"),
        "one version has no history of the type: {first}"
    );
    assert!(at("Versions:") < at("Version:      1"), "{first}");
    assert!(at("Type schema:  {") < at("Evaluator:"), "{first}");
    assert_eq!(trimmed[at("Content Type:")], "Content Type:  jq");
    assert_eq!(trimmed[at("Rules:") + 1], ".line >= 50");
    let missing = run(&["get", "attestation-type", "nope"]);
    assert_eq!(
        stderr(&missing),
        "Error: Custom attestation type 'nope' does not exist for org 'acme'\n"
    );
    let no_version = run(&["get", "attestation-type", "cov@v10"]);
    assert_eq!(
        stderr(&no_version),
        "Error: version 10 does not exist for custom attestation type 'cov'\n"
    );
    let bad = run(&["get", "attestation-type", "cov@1"]);
    assert_eq!(
        stderr(&bad),
        "Error: version number should be given as '@v<version#>'\n"
    );

    ok(run(&[
        "create",
        "flow",
        "svc",
        "--template-file",
        "template.yml",
    ]));
    let fp = ok(run(&["fingerprint", "app.bin", "--artifact-type", "file"]));
    let fp = fp.trim();
    let on_trail = ["--flow", "svc", "--trail", "t1"];
    ok(run(&[
        &[
            "attest",
            "artifact",
            "app.bin",
            "--artifact-type",
            "file",
            "--name",
            "app",
            "--build-url",
            "https://ci/1",
            "--commit-url",
            "https://git/c",
        ][..],
        &on_trail,
    ]
    .concat()));
    let attest = |data: &str| {
        run(&[
            &[
                "attest",
                "custom",
                "--type",
                "cov",
                "--name",
                "app.coverage",
                "--attestation-data",
                data,
            ][..],
            &on_trail,
        ]
        .concat())
    };
    assert_eq!(
        ok(attest("low.json")),
        "custom:cov attestation 'coverage' is reported to trail: t1\n"
    );
    assert!(
        !run(&["assert", "artifact", "--fingerprint", fp])
            .status
            .success()
    );
    ok(attest("high.json"));
    assert!(ok(run(&["assert", "artifact", "--fingerprint", fp])).starts_with("COMPLIANT"));
    let shown = ok(run(&[
        &["get", "attestation", "coverage", "--fingerprint", fp][..],
        &on_trail[..2],
    ]
    .concat()));
    let rows: Vec<&str> = shown.lines().map(str::trim_end).collect();
    let at = rows.iter().position(|l| *l == "Summary:").expect(&shown);
    let row: Vec<&str> = rows[at + 1].split_whitespace().collect();
    assert_eq!(row, ["Lines:", "95"], "evaluated by the server: {shown}");
    assert!(shown.contains("Attestation URL:"), "{shown}");

    assert_eq!(
        ok(run(&["archive", "attestation-type", "cov"])),
        "Custom attestation type cov was archived\n"
    );
    let refused = attest("high.json");
    assert!(
        stderr(&refused).contains("custom attestation type 'cov' is archived"),
        "{}",
        stderr(&refused)
    );
}
