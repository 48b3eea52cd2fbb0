//! Typed attestations from real report files, end to end: JUnit results move a
//! trail from INCOMPLETE to NON-COMPLIANT to COMPLIANT and gate its artifact;
//! a SARIF scan is judged by its severity threshold (and `--output json`
//! returns the stored attestation with its URL); Snyk results, decisions
//! and overrides change the verdict.

use std::path::{Path, PathBuf};
use std::process::Output;

use super::harness::{Server, admin, ok, stderr, stdout};
use super::pipeline::{git, key};

const TEMPLATE: &str = "version: 1\ntrail:\n  attestations:\n  - name: scan\n    type: sarif\n  artifacts:\n  - name: backend\n    attestations:\n    - name: unit-test\n      type: junit\n";
const FP: &str = "1256d6510a6606ad61a4f6104243a291b18383b456d50205eba893b51e1807bc";

fn fixture(path: &str) -> String {
    format!(
        "{}/../custody-evidence/tests/fixtures/{path}",
        env!("CARGO_MANIFEST_DIR")
    )
}

/// A server with org `acme`, a git repository holding `app.bin` and the
/// template, and flow `backend` with trail `t1` holding the artifact.
struct Setup {
    server: Server,
    token: String,
    repo: PathBuf,
}

impl Setup {
    fn new() -> Setup {
        let server = Server::start(false);
        admin(&server.database_url(), &["create-org", "acme"]);
        let token = key(&server, "admin");
        let repo = server.dir.join("repo");
        std::fs::create_dir_all(&repo).unwrap();
        std::fs::write(repo.join("app.bin"), "this is non empty").unwrap();
        std::fs::write(repo.join("template.yml"), TEMPLATE).unwrap();
        git(&repo, &["init", "-q", "-b", "main"]);
        git(&repo, &["add", "."]);
        git(&repo, &["commit", "-q", "-m", "Build the app"]);
        let setup = Setup {
            server,
            token,
            repo,
        };
        ok(setup.run(&["create", "flow", "backend", "-f", "template.yml"]));
        ok(setup.run(&["begin", "trail", "t1", "--flow", "backend"]));
        ok(setup.run(&[
            "attest",
            "artifact",
            "app.bin",
            "-t",
            "file",
            "-f",
            "backend",
            "-T",
            "t1",
            "-n",
            "backend",
            "-b",
            "https://ci/1",
            "-u",
            "https://git/c",
        ]));
        setup
    }

    fn run(&self, args: &[&str]) -> Output {
        let args: Vec<&str> = args.iter().copied().chain(["-q"]).collect();
        self.server
            .run_in(Path::new(&self.repo), "acme", &self.token, &args, &[])
    }

    /// `attest TYPE` on trail t1 of flow backend.
    fn attest(&self, kind: &str, args: &[&str]) -> Output {
        let base = ["attest", kind, "-f", "backend", "-T", "t1"];
        self.run(&base.iter().chain(args).copied().collect::<Vec<_>>())
    }

    /// The trail's compliance as `get trail` shows it.
    fn trail_state(&self) -> String {
        let shown = ok(self.run(&["get", "trail", "t1", "--flow", "backend"]));
        let line = shown.lines().find(|l| l.starts_with("Compliance:"));
        line.expect("a Compliance line")
            .trim_start_matches("Compliance:")
            .trim()
            .to_string()
    }

    /// Whether `assert artifact` passes for the artifact.
    fn gate(&self) -> bool {
        let out = self.run(&["assert", "artifact", "--fingerprint", FP]);
        let text = stdout(&out);
        assert_eq!(
            out.status.success(),
            text.starts_with("COMPLIANT"),
            "{text}"
        );
        out.status.success()
    }
}

#[test]
fn junit_results_drive_the_trail_and_gate_the_artifact() {
    let s = Setup::new();
    let clean_scan = ["-n", "scan", "-R", &fixture("sarif/checkov.sarif")];
    assert_eq!(s.trail_state(), "INCOMPLETE");
    assert!(!s.gate());

    let failing = fixture("junit");
    let reported = ok(s.attest("junit", &["-n", "backend.unit-test", "-R", &failing]));
    assert_eq!(
        reported,
        "junit attestation 'unit-test' is reported to trail: t1\n"
    );
    assert_eq!(s.trail_state(), "NON-COMPLIANT");
    let gate = s.run(&["assert", "artifact", "--fingerprint", FP]);
    assert_eq!(gate.status.code(), Some(1));
    assert!(
        stdout(&gate).contains(
            "unit-test                      junit                          COMPLETE        false"
        ),
        "{}",
        stdout(&gate)
    );

    ok(s.attest(
        "junit",
        &["-n", "backend.unit-test", "-R", &fixture("junit-passing")],
    ));
    assert_eq!(s.trail_state(), "INCOMPLETE", "the scan is still missing");
    ok(s.attest(
        "sarif",
        &[&clean_scan[..], &["--severity-threshold", "critical"][..]].concat(),
    ));
    assert_eq!(s.trail_state(), "COMPLIANT");
    assert!(s.gate());

    let latin1 = fixture("latin1");
    let refused = s.attest("junit", &["-n", "backend.unit-test", "-R", &latin1]);
    assert_eq!(
        stderr(&refused),
        format!(
            "Error: failed to parse XML file {latin1}/latin1.xml: only UTF-8 encoding is supported. If this is not a JUnit results file, use --results-dir to specify the directory containing only JUnit XML files\n"
        )
    );
    let empty = fixture("sarif");
    let none = s.attest("junit", &["-n", "backend.unit-test", "-R", &empty]);
    assert_eq!(
        stderr(&none),
        format!("Error: no tests found in {empty} directory\n")
    );
    assert_eq!(
        s.trail_state(),
        "COMPLIANT",
        "refused reports change nothing"
    );
}

#[test]
fn sarif_findings_are_judged_by_the_threshold() {
    let s = Setup::new();
    ok(s.attest(
        "junit",
        &["-n", "backend.unit-test", "-R", &fixture("junit-passing")],
    ));
    let trivy = fixture("sarif/trivy.sarif");
    let at = |threshold: &str| {
        ok(s.attest(
            "sarif",
            &[
                "-n",
                "scan",
                "-R",
                &trivy,
                "--severity-threshold",
                threshold,
            ],
        ))
    };
    assert_eq!(
        at("high"),
        "sarif attestation 'scan' is reported to trail: t1\n"
    );
    assert_eq!(s.trail_state(), "NON-COMPLIANT");
    assert!(!s.gate());
    at("critical");
    assert_eq!(s.trail_state(), "COMPLIANT");
    assert!(s.gate());
    at("low");
    assert_eq!(s.trail_state(), "NON-COMPLIANT");

    let dry = ok(s.attest("sarif", &["-n", "scan", "-R", &trivy, "--dry-run"]));
    assert!(
        dry.contains("/trail/t1/sarif") && dry.contains("\"threshold\": \"low\""),
        "{dry}"
    );
    let bad = s.attest(
        "sarif",
        &["-n", "scan", "-R", &trivy, "--severity-threshold", "severe"],
    );
    assert!(stderr(&bad).starts_with("Error: invalid value 'severe' for '--severity-threshold"));

    // `--output json` gives the stored attestation and where it is shown.
    let json = ok(s.attest("sarif", &["-n", "scan", "-R", &trivy, "--output", "json"]));
    let doc: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let id = doc["attestation_id"].as_str().expect("an id");
    assert_eq!(doc["attestation_name"], "scan");
    assert_eq!(doc["is_compliant"], false);
    assert_eq!(
        doc["html_url"],
        format!(
            "{}/acme/flows/backend/trails/t1?attestation_id={id}",
            s.server.host
        )
    );
    let shown = ok(s.run(&["get", "attestation", "--attestation-id", id, "-o", "json"]));
    assert!(
        shown.contains(&format!("\"html_url\": {}", doc["html_url"])),
        "{shown}"
    );
    let yaml = s.attest("sarif", &["-n", "scan", "-R", &trivy, "--output", "yaml"]);
    assert_eq!(stderr(&yaml), "Error: unsupported output format: yaml\n");
}

#[test]
fn snyk_results_decisions_and_overrides_change_the_verdict() {
    let s = Setup::new();
    ok(s.attest(
        "junit",
        &["-n", "backend.unit-test", "-R", &fixture("junit-passing")],
    ));
    ok(s.attest(
        "sarif",
        &[
            "-n",
            "scan",
            "-R",
            &fixture("sarif/trivy.sarif"),
            "--severity-threshold",
            "critical",
        ],
    ));
    assert_eq!(s.trail_state(), "COMPLIANT");

    let snyk = ok(s.attest(
        "snyk",
        &["-n", "deps", "-R", &fixture("sarif/snyk-code.sarif")],
    ));
    assert_eq!(snyk, "snyk attestation 'deps' is reported to trail: t1\n");
    assert_eq!(s.trail_state(), "NON-COMPLIANT");
    ok(s.attest(
        "snyk",
        &["-n", "deps", "-R", &fixture("sarif/snyk-clean.sarif")],
    ));
    assert_eq!(s.trail_state(), "COMPLIANT");

    let unknown = s.attest("decision", &["-n", "cab", "--control", "RCTL-043", "-C"]);
    assert!(
        stderr(&unknown).contains("Controls are a beta feature"),
        "{}",
        stderr(&unknown)
    );
    ok(s.run(&["enable", "beta"]));
    let unknown = s.attest("decision", &["-n", "cab", "--control", "RCTL-043", "-C"]);
    assert!(
        stderr(&unknown).contains("Control 'RCTL-043' does not exist in organization 'acme'"),
        "{}",
        stderr(&unknown)
    );
    ok(s.run(&["create", "control", "RCTL-043", "--name", "CAB approval"]));
    let missing = s.attest("decision", &["--name", "cab", "--control", "RCTL-043"]);
    assert_eq!(
        stderr(&missing),
        "Error: required flag(s) \"compliant\" not set\n"
    );
    let decided = ok(s.attest(
        "decision",
        &["-n", "cab", "--control", "RCTL-043", "--compliant=false"],
    ));
    assert_eq!(
        decided,
        "decision attestation 'cab' is reported to trail: t1\n"
    );
    assert_eq!(s.trail_state(), "NON-COMPLIANT");
    ok(s.attest("decision", &["-n", "cab", "--control", "RCTL-043", "-C"]));
    assert_eq!(s.trail_state(), "COMPLIANT");

    ok(s.attest(
        "junit",
        &["-n", "backend.unit-test", "-R", &fixture("junit")],
    ));
    assert!(!s.gate());
    let overridden = ok(s.attest(
        "override",
        &[
            "-n",
            "backend.unit-test",
            "--original-attestation-type",
            "junit",
            "--new-compliance-status",
            "--reason",
            "flaky suite quarantined in JIRA-12",
        ],
    ));
    assert_eq!(
        overridden,
        "attestation 'unit-test' has been overridden in trail: t1\n"
    );
    assert_eq!(s.trail_state(), "COMPLIANT");
    assert!(s.gate());
    let no_reason = s.attest(
        "override",
        &[
            "-n",
            "scan",
            "--original-attestation-type",
            "sarif",
            "--new-compliance-status=false",
        ],
    );
    assert_eq!(
        stderr(&no_reason),
        "Error: required flag(s) \"reason\" not set\n"
    );
}

const EVERY_ATTESTATION_COMPLIANT: &str = r#"package policy

default allow := false

allow if count(violations) == 0

violations contains sprintf("%s is not compliant", [name]) if {
    some name, att in input.trail.compliance_status.attestations_statuses
    not att.is_compliant
}

violations contains sprintf("%s.%s is not compliant", [artifact, name]) if {
    some artifact, status in input.trail.compliance_status.artifacts_statuses
    some name, att in status.attestations_statuses
    not att.is_compliant
}
"#;

#[test]
fn rego_policies_judge_trails_and_name_the_failing_attestation() {
    let s = Setup::new();
    ok(s.attest(
        "junit",
        &["-n", "backend.unit-test", "-R", &fixture("junit")],
    ));
    ok(s.attest(
        "sarif",
        &["-n", "scan", "-R", &fixture("sarif/checkov.sarif")],
    ));
    std::fs::write(s.repo.join("every.rego"), EVERY_ATTESTATION_COMPLIANT).unwrap();
    let evaluate = |extra: &[&str]| {
        let base = [
            "evaluate",
            "trail",
            "t1",
            "--flow",
            "backend",
            "--policy",
            "every.rego",
        ];
        s.run(&base.iter().chain(extra).copied().collect::<Vec<_>>())
    };

    let denied = evaluate(&[]);
    assert_eq!(denied.status.code(), Some(1));
    assert_eq!(
        stderr(&denied),
        "Error: policy denied: [backend.unit-test is not compliant scan is not compliant]\n"
    );
    let rows: Vec<Vec<String>> = stdout(&denied)
        .lines()
        .map(|l| l.split_whitespace().map(String::from).collect())
        .collect();
    assert_eq!(rows[0], ["RESULT:", "DENIED"]);
    assert_eq!(
        rows[1].join(" "),
        "VIOLATIONS: backend.unit-test is not compliant"
    );
    assert_eq!(rows[2].join(" "), "scan is not compliant");
    assert_eq!(rows[3][..3], ["CAUSED", "BY:", "scan"]);
    assert_eq!(rows[4][0], "backend.unit-test", "{rows:?}");
    assert!(
        rows[4][1].contains("/acme/flows/backend/trails/t1?attestation_id="),
        "{rows:?}"
    );

    let narrowed = evaluate(&[
        "--attestations",
        "scan",
        "-o",
        "json",
        "--show-input",
        "--no-assert",
    ]);
    let verdict: serde_json::Value = serde_json::from_str(&stdout(&narrowed)).unwrap();
    assert_eq!(
        verdict["violations"],
        serde_json::json!(["scan is not compliant"]),
        "only the scan is judged: {verdict}"
    );
    let status = &verdict["input"]["trail"]["compliance_status"];
    let scan = &status["attestations_statuses"]["scan"];
    assert_eq!(scan["attestation_type"], "sarif");
    assert!(
        scan["sarif_results"].is_object(),
        "filled in from the attestation: {scan}"
    );
    assert_eq!(
        status["artifacts_statuses"]["backend"]["attestations_statuses"],
        serde_json::json!({})
    );

    let decision = evaluate(&["-o", "json", "--no-assert"]);
    assert!(decision.status.success());
    let verdict: serde_json::Value = serde_json::from_str(&stdout(&decision)).unwrap();
    let causes = &verdict["caused_by"];
    assert_eq!(
        (&causes[0]["attestation"], &causes[0]["allows"]),
        (&"scan".into(), &false.into())
    );
    assert_eq!(causes[1]["artifact"], "backend");
    assert_eq!(causes[1]["attestation"], "unit-test");
    assert_eq!(
        causes[1]["clears"],
        serde_json::json!(["backend.unit-test is not compliant"])
    );
    assert!(verdict.get("input").is_none());

    std::fs::write(
        s.repo.join("two.rego"),
        "package policy\n\nallow if count(input.trails) == 2\n",
    )
    .unwrap();
    let trails = [
        "evaluate", "trails", "t1", "t1", "--flow", "backend", "-p", "two.rego",
    ];
    assert_eq!(ok(s.run(&trails)), "RESULT:  ALLOWED\n");
    let missing = s.run(&[
        "evaluate", "trail", "nope", "--flow", "backend", "-p", "two.rego",
    ]);
    assert!(stderr(&missing).contains("nope"), "{}", stderr(&missing));
}
