//! Kosli's policy contract, case by case, and the causes of a deny.

use serde_json::{Value, json};

use super::blame::causes;
use super::*;

fn judge(policy: &str, input: Value) -> anyhow::Result<Verdict> {
    Policy::new(policy, None)?.judge(&input)
}

const REALISTIC: &str = r#"package policy

default allow := false

required := object.get(data, ["params", "required_attestations"], ["pull-request", "unit-tests"])

allow if count(violations) == 0

violations contains msg if {
    some name in required
    not input.trail.compliance_status.attestations_statuses[name]
    msg := sprintf("required attestation %q is missing", [name])
}

violations contains msg if {
    some name in required
    att := input.trail.compliance_status.attestations_statuses[name]
    not att.is_compliant
    msg := sprintf("attestation %q is not compliant", [name])
}
"#;

fn trail(unit_tests: bool) -> Value {
    json!({"trail": {"name": "release-42", "compliance_status": {"attestations_statuses": {
        "pull-request": {"attestation_name": "pull-request", "attestation_id": "a1", "is_compliant": true},
        "unit-tests": {"attestation_name": "unit-tests", "attestation_id": "a2", "is_compliant": unit_tests,
                       "html_url": "http://h/acme/flows/f/trails/release-42?attestation_id=a2"},
        "snyk-scan": {"attestation_name": "snyk-scan", "attestation_id": "a3", "is_compliant": false}}}},
        "version": "v2.36.3"})
}

#[test]
fn a_realistic_policy_allows_and_denies_with_reasons() {
    assert_eq!(
        judge(REALISTIC, trail(true)).unwrap(),
        Verdict {
            allow: true,
            violations: vec![]
        }
    );
    let denied = judge(REALISTIC, trail(false)).unwrap();
    assert_eq!(
        denied.violations,
        [r#"attestation "unit-tests" is not compliant"#]
    );
    let params = json!({"required_attestations": ["pull-request", "snyk-scan", "sbom"]});
    let mut policy = Policy::new(REALISTIC, Some(&params)).unwrap();
    let denied = policy.judge(&trail(true)).unwrap();
    assert_eq!(
        denied.violations,
        [
            r#"attestation "snyk-scan" is not compliant"#,
            r#"required attestation "sbom" is missing"#
        ]
    );
}

#[test]
fn the_contract_is_checked_before_judging() {
    let err = |policy: &str| judge(policy, json!({})).unwrap_err().to_string();
    assert_eq!(
        err("package foo\nallow := true"),
        "policy package must be 'package policy', got 'foo'"
    );
    assert_eq!(
        err("package policy\nx := true"),
        "policy must declare an 'allow' rule"
    );
    assert!(err("package policy\nallow {\n true\n}").starts_with("failed to parse policy: "));
    assert_eq!(
        err("package policy\nallow if { input.score > 3 }"),
        "policy did not return a result for 'data.policy.allow'"
    );
    assert_eq!(
        err("package policy\nallow := \"yes\""),
        "policy 'allow' rule must evaluate to boolean, got string"
    );
    let unsafe_var = err("package policy\ndefault allow := false\nallow if {\n x := y\n x == 7\n}");
    assert!(
        unsafe_var.starts_with("policy evaluation failed: "),
        "{unsafe_var}"
    );
}

#[test]
fn only_string_violations_survive_and_rego_v1_imports_compile() {
    let policy = "package policy\ndefault allow := false\nviolations contains \"snyk\"\nviolations contains 42";
    assert_eq!(judge(policy, json!({})).unwrap().violations, ["snyk"]);
    let v1 = "package policy\nimport rego.v1\ndefault allow := false\nallow if input.score > 3";
    assert!(judge(v1, json!({"score": 5})).unwrap().allow);
}

#[test]
fn builtins_real_policies_use_are_available() {
    for body in [
        r#"regex.match("^v[0-9]+\\.[0-9]+\\.[0-9]+$", input.version)"#,
        r#"semver.compare(trim_prefix(input.version, "v"), "2.0.0") >= 0"#,
        r#"time.parse_rfc3339_ns("2026-01-14T09:35:00Z") > 0"#,
        r#"count(object.keys(input.trail.compliance_status.attestations_statuses)) == 3"#,
        r#"every name, att in input.trail.compliance_status.attestations_statuses { att.attestation_name == name }"#,
        r#"json.unmarshal(json.marshal(input)).version == "v2.36.3""#,
        r#"sprintf("%s/%d", ["trail", 42]) == "trail/42""#,
    ] {
        let policy = format!("package policy\ndefault allow := false\nallow if {{\n {body}\n}}");
        let verdict = judge(&policy, trail(true));
        assert!(
            verdict.as_ref().is_ok_and(|v| v.allow),
            "{body}: {verdict:?}"
        );
    }
}

#[test]
fn a_policy_cannot_reach_the_network_or_run_forever() {
    let http = "package policy\ndefault allow := false\nallow if http.send({\"method\": \"GET\", \"url\": \"http://127.0.0.1:9\"}).status_code == 200";
    assert!(judge(http, json!({})).is_err());
    let endless = "package policy\ndefault allow := false\nallow if { count([[x, y] | some x in input.items; some y in input.items]) > 0 }";
    let items: Vec<u32> = (0..3000).collect();
    let limit = std::time::Duration::from_millis(300);
    let started = std::time::Instant::now();
    let mut policy = Policy::with_time_limit(endless, None, limit).unwrap();
    let stopped = policy
        .judge(&json!({ "items": items }))
        .unwrap_err()
        .to_string();
    assert!(
        stopped.starts_with("policy evaluation failed: "),
        "{stopped}"
    );
    assert!(started.elapsed() < limit * 10, "{:?}", started.elapsed());
}

#[test]
fn a_deny_names_the_attestations_that_caused_it() {
    let mut policy = Policy::new(REALISTIC, None).unwrap();
    let input = trail(false);
    let denied = policy.judge(&input).unwrap();
    let found = causes(&mut policy, &input, &denied);
    assert_eq!(found.len(), 1, "snyk-scan is not required: {found:?}");
    assert_eq!(found[0].label(), "unit-tests");
    assert_eq!(found[0].attestation_id.as_deref(), Some("a2"));
    assert!(found[0].allows);
    assert_eq!(found[0].clears, denied.violations);

    let both = json!({"trails": [trail(false)["trail"], trail(true)["trail"]]});
    let per_trail = "package policy\ndefault allow := false\nallow if count(violations) == 0\nviolations contains t.name if { some t in input.trails; some a in t.compliance_status.attestations_statuses; not a.is_compliant }";
    let mut policy = Policy::new(per_trail, None).unwrap();
    let denied = policy.judge(&both).unwrap();
    let found = causes(&mut policy, &both, &denied);
    let labels: Vec<String> = found.iter().map(|c| c.label()).collect();
    assert!(
        labels.is_empty(),
        "no single attestation clears a trail with two failing: {labels:?}"
    );
}

#[test]
fn a_question_the_policy_cannot_answer_names_no_cause() {
    // Without a default, `allow` is undefined once unit-tests is compliant.
    let policy = "package policy\nallow := false if input.trail.compliance_status.attestations_statuses[\"unit-tests\"].is_compliant == false";
    let mut policy = Policy::new(policy, None).unwrap();
    let input = trail(false);
    let denied = policy.judge(&input).unwrap();
    assert!(!denied.allow);
    assert_eq!(causes(&mut policy, &input, &denied), []);
}
