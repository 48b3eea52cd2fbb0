//! The evidence vault end to end: `attest generic --attachments DIR` uploads the
//! directory as `evidence.tgz`, `get attestation` shows it, and
//! `get attestation --download-evidence FILE` brings the same bytes back
//! (`get attestation --attestation-id ID` finds the same attestation);
//! `attest junit` uploads the XML files it read unless `--upload-results=false`.

use std::process::Command;

use super::harness::{Server, admin, ok, stderr, stdout};
use super::pipeline::{git, key};

#[test]
fn attachments_are_uploaded_shown_and_downloaded() {
    let server = Server::start(false);
    admin(&server.database_url(), &["create-org", "acme"]);
    let token = key(&server, "admin");
    let repo = server.dir.join("repo");
    std::fs::create_dir_all(repo.join("reports/sub")).unwrap();
    std::fs::write(repo.join("reports/a.xml"), "<testsuite/>").unwrap();
    std::fs::write(repo.join("reports/sub/b.txt"), "bee").unwrap();
    std::fs::write(repo.join("template.yml"), "version: 1\n").unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "Reports"]);
    let run = |args: &[&str]| server.run_in(&repo, "acme", &token, args, &[]);
    ok(run(&["create", "flow", "vault", "-f", "template.yml"]));
    let trail = ["--flow", "vault", "--trail", "t1"];
    let attest = |attachments: &str| {
        let mut args = vec!["attest", "generic", "--name", "scan", "--commit", "HEAD"];
        args.extend(trail);
        args.extend(["--attachments", attachments]);
        run(&args)
    };

    let missing = attest("reports,nope.txt");
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("failed to attach nope.txt: no such file or directory"),
        "{}",
        stderr(&missing)
    );
    assert_eq!(
        ok(attest("reports")),
        "generic attestation 'scan' is reported to trail: t1\n"
    );

    let get = [
        "get",
        "attestation",
        "scan",
        "--flow",
        "vault",
        "--trail",
        "t1",
    ];
    let shown = ok(run(&get));
    assert!(shown.starts_with("Name:"), "{shown}");
    assert!(
        shown.contains("Evidence file:         evidence.tgz\n"),
        "{shown}"
    );
    let sha = shown
        .lines()
        .find_map(|l| l.strip_prefix("Evidence fingerprint:  "))
        .expect("the evidence fingerprint is shown")
        .to_string();
    assert_eq!(sha.len(), 64, "{shown}");
    let json = ok(run(&[&get[..], &["-o", "json"]].concat()));
    assert!(json.contains("\"has_evidence\": true"), "{json}");
    assert!(
        json.contains(&format!("\"evidence_archive_fingerprint\": \"{sha}\"")),
        "{json}"
    );

    let id = json
        .lines()
        .find_map(|l| l.trim().strip_prefix("\"attestation_id\": \""))
        .and_then(|rest| rest.split('"').next())
        .expect("the attestation id is shown")
        .to_string();
    let by_id = ok(run(&["get", "attestation", "--attestation-id", &id]));
    assert_eq!(by_id, shown, "the same attestation, found by its id");

    let saved = ok(run(
        &[&get[..], &["--download-evidence", "out.tgz"]].concat()
    ));
    let size = std::fs::metadata(repo.join("out.tgz")).unwrap().len();
    assert_eq!(
        saved,
        format!("evidence saved to out.tgz ({size} bytes, sha256 {sha})\n")
    );
    let listing = Command::new("tar")
        .args(["-tzf", "out.tgz"])
        .current_dir(&repo)
        .output()
        .expect("tar");
    assert_eq!(
        stdout(&listing),
        "a.xml\nsub/b.txt\n",
        "entries relative to the directory"
    );

    // An attestation without an attachment has nothing to download.
    let mut plain = vec!["attest", "generic", "--name", "plain", "--commit", "HEAD"];
    plain.extend(trail);
    ok(run(&plain));
    let none = run(&[
        "get",
        "attestation",
        "plain",
        "--flow",
        "vault",
        "--trail",
        "t1",
        "--download-evidence",
        "none.bin",
    ]);
    assert!(!none.status.success());
    assert!(
        stderr(&none).contains("has no evidence attached"),
        "{}",
        stderr(&none)
    );
    assert!(!repo.join("none.bin").exists());

    // Nor does a name with no attestation on the trail.
    let missing = run(&[
        "get",
        "attestation",
        "never-reported",
        "--flow",
        "vault",
        "--trail",
        "t1",
        "--download-evidence",
        "missing.bin",
    ]);
    assert!(!missing.status.success());
    assert!(
        stderr(&missing).contains("No attestations found: there is no evidence to download"),
        "{}",
        stderr(&missing)
    );
    assert!(!repo.join("missing.bin").exists());
}

#[test]
fn junit_results_are_uploaded_unless_told_not_to() {
    let server = Server::start(false);
    admin(&server.database_url(), &["create-org", "acme"]);
    let token = key(&server, "admin");
    let repo = server.dir.join("repo");
    std::fs::create_dir_all(repo.join("reports/sub")).unwrap();
    let suite = |name: &str| {
        format!(
            r#"<testsuite name="{name}" tests="1" failures="0" errors="0"><testcase name="t"/></testsuite>"#
        )
    };
    std::fs::write(repo.join("reports/a.xml"), suite("a")).unwrap();
    std::fs::write(repo.join("reports/sub/b.xml"), suite("b")).unwrap();
    std::fs::write(repo.join("reports/notes.txt"), "not a result").unwrap();
    std::fs::write(repo.join("template.yml"), "version: 1\n").unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "Reports"]);
    let run = |args: &[&str]| server.run_in(&repo, "acme", &token, args, &[]);
    ok(run(&["create", "flow", "vault", "-f", "template.yml"]));
    let attest = |name: &str, upload: &str| {
        ok(run(&[
            "attest",
            "junit",
            "--name",
            name,
            "--commit",
            "HEAD",
            "--flow",
            "vault",
            "--trail",
            "t1",
            "--results-dir",
            "reports",
            "--upload-results",
            upload,
        ]))
    };
    let get = |name: &str, extra: &[&str]| {
        let args = [
            "get",
            "attestation",
            name,
            "--flow",
            "vault",
            "--trail",
            "t1",
        ];
        run(&[&args[..], extra].concat())
    };

    assert_eq!(
        attest("tests", "true"),
        "junit attestation 'tests' is reported to trail: t1\n"
    );
    let shown = ok(get("tests", &[]));
    assert!(
        shown.contains("Evidence file:         evidence.tgz\n"),
        "{shown}"
    );
    ok(get("tests", &["--download-evidence", "out.tgz"]));
    let listing = Command::new("tar")
        .args(["-tzf", "out.tgz"])
        .current_dir(&repo)
        .output()
        .expect("tar");
    assert_eq!(
        stdout(&listing),
        "reports/a.xml\nreports/sub/b.xml\n",
        "every parsed XML file, at its own path"
    );

    attest("quiet", "false");
    let json = ok(get("quiet", &["-o", "json"]));
    assert!(json.contains("\"has_evidence\": false"), "{json}");
    let none = get("quiet", &["--download-evidence", "none.tgz"]);
    assert!(!none.status.success());
    assert!(stderr(&none).contains("has no evidence attached"));
}
