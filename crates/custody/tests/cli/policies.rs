//! Environment policies through the CLI: create, list and get a policy, attach
//! it, gate an unknown artifact with `assert artifact --environment` (non-zero
//! exit and the failure reason), allow-list it, then detach.

use super::harness::{Server, admin, ok, stdout};
use super::pipeline::key;

const POLICY: &str = "_schema: https://kosli.com/schemas/policy/environment/v1\nartifacts:\n  provenance:\n    required: true\n";

#[test]
fn policies_gate_artifacts_in_an_environment() {
    let server = Server::start(false);
    admin(&server.database_url(), &["create-org", "acme"]);
    let token = key(&server, "admin");
    std::fs::write(server.dir.join("vendor.bin"), "third party").unwrap();
    std::fs::write(server.dir.join("policy.yml"), POLICY).unwrap();
    std::fs::write(
        server.dir.join("bad.yml"),
        "_schema: x\nartifacts: {foo: 1}\n",
    )
    .unwrap();
    let run = |args: &[&str]| server.run("acme", &token, args, &[]);

    ok(run(&["create", "environment", "prod", "--type", "server"]));
    ok(run(&[
        "snapshot",
        "path",
        "prod",
        "--path",
        "vendor.bin",
        "--name",
        "vendor",
    ]));
    let create = [
        "create",
        "policy",
        "prov",
        "policy.yml",
        "--description",
        "needs provenance",
    ];
    assert_eq!(ok(run(&create)), "policy 'prov' was created\n");
    assert_eq!(ok(run(&create)), "policy 'prov' was updated\n");
    let bad = run(&["create", "policy", "bad", "bad.yml"]);
    assert!(!bad.status.success(), "a bad policy is rejected");
    let attached = ok(run(&["attach-policy", "prov", "-e", "prod"]));
    assert_eq!(
        attached,
        "policy 'prov' is attached to environments: [prod]\n"
    );
    let listed = ok(run(&["list", "policies"]));
    let rows: Vec<&str> = listed.lines().collect();
    assert_eq!(rows.len(), 2, "{listed}");
    assert!(
        rows[0].starts_with("NAME  DESCRIPTION       CREATED AT")
            && rows[0].ends_with("LAST VERSION  USED BY ENVS"),
        "{listed}"
    );
    assert!(
        rows[1].starts_with("prov  needs provenance  ")
            && rows[1].ends_with("1             [prod]"),
        "Kosli counts the versions and prints Go's list of environments: {listed}"
    );
    let got = ok(run(&["get", "policy", "prov"]));
    let lines: Vec<&str> = got.lines().collect();
    assert_eq!(lines[0], "Name:                      prov");
    assert_eq!(lines[1], "Description:               needs provenance");
    assert!(lines[2].starts_with("Created At:                "), "{got}");
    assert_eq!(lines[3], "Versions:                  1");
    assert_eq!(lines[4], "Attached to environments:  [prod]");
    assert_eq!(lines[5], "Policy content:");
    assert!(
        lines[6].starts_with("     _schema:"),
        "the YAML is indented by a tab stop: {got}"
    );

    let fp = ok(run(&[
        "fingerprint",
        "vendor.bin",
        "--artifact-type",
        "file",
    ]));
    let fp = fp.trim();
    let gate = [
        "assert",
        "artifact",
        "--fingerprint",
        fp,
        "--environment",
        "prod",
    ];
    let no = run(&gate);
    assert!(!no.status.success(), "not compliant without provenance");
    let out = stdout(&no);
    assert!(
        out.starts_with("Error: NON-COMPLIANT\nEnvironment: prod\nPolicy-name"),
        "{out}"
    );
    assert!(
        out.contains("  prov                           NON-COMPLIANT\n"),
        "{out}"
    );
    assert!(out.contains("    artifact has no provenance"), "{out}");
    let by_policy = run(&[
        "assert",
        "artifact",
        "--fingerprint",
        fp,
        "--policy",
        "prov",
    ]);
    assert!(!by_policy.status.success());
    let dry = run(&[
        "assert",
        "artifact",
        "--fingerprint",
        fp,
        "--environment",
        "prod",
        "--dry-run",
    ]);
    assert!(dry.status.success(), "--dry-run always exits 0");

    let allowed = ok(run(&[
        "allow",
        "artifact",
        "vendor",
        "--fingerprint",
        fp,
        "-e",
        "prod",
        "--reason",
        "vendor image",
    ]));
    assert_eq!(
        allowed,
        format!("artifact {fp} was allow listed in environment: prod\n")
    );
    assert!(ok(run(&gate)).starts_with("COMPLIANT\n"));
    assert_eq!(ok(run(&["assert", "snapshot", "prod"])), "COMPLIANT\n");
    let detached = ok(run(&["detach-policy", "prov", "--environment", "prod"]));
    assert_eq!(
        detached,
        "policy 'prov' is detached from environments: [prod]\n"
    );
}
