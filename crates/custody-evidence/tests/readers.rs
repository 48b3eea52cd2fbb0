//! The readers against real reports (cargo-nextest, pytest, Maven Surefire,
//! Checkov) and reports in the shape Snyk and Trivy write, in
//! `tests/fixtures/` (the CLI's directory tests read them too).

use serde_json::json;

use custody_evidence::junit::{self, Suite};
use custody_evidence::sarif;

fn fixture(path: &str) -> String {
    format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"))
}

fn load(path: &str) -> Result<serde_json::Value, custody_evidence::EvidenceError> {
    sarif::parse(&std::fs::read_to_string(path).unwrap())
}

fn suites(path: &str) -> Vec<Suite> {
    junit::parse(&std::fs::read_to_string(fixture(path)).unwrap()).unwrap()
}

fn suite(name: &str, counts: [u64; 4], duration: f64, timestamp: Option<f64>) -> Suite {
    let [total, failures, errors, skipped] = counts;
    Suite {
        name: name.into(),
        failures,
        errors,
        skipped,
        total,
        duration,
        timestamp,
    }
}

#[test]
fn nextest_reports_count_their_testcases_when_the_suite_has_no_time() {
    let found = suites("junit/nextest.xml");
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].name, "calc");
    assert_eq!(
        [
            found[0].total,
            found[0].failures,
            found[0].errors,
            found[0].skipped
        ],
        [2, 1, 0, 0]
    );
    assert!((found[0].duration - 0.316).abs() < 1e-9);
    assert_eq!(found[0].timestamp, None);
}

#[test]
fn pytest_reports_have_errors_skips_and_a_timestamp() {
    let found = suites("junit/pytest.xml");
    assert_eq!(
        found,
        vec![suite(
            "pytest",
            [4, 1, 1, 1],
            0.065,
            Some(1_795_843_589.525_824)
        )]
    );
}

#[test]
fn surefire_reports_are_a_bare_testsuite_with_properties() {
    let found = suites("junit/surefire.xml");
    assert_eq!(
        found,
        vec![suite(
            "com.example.CalculatorTest",
            [4, 1, 0, 1],
            0.048,
            None
        )]
    );
}

#[test]
fn nested_suites_fold_into_their_parent() {
    let found = suites("junit/nested.xml");
    assert_eq!(
        found,
        vec![
            suite("integration", [5, 1, 1, 1], 2.0, Some(1_714_557_600.123)),
            suite("unit", [2, 0, 0, 0], 0.25, None),
        ]
    );
    let sent = json!(found[1]);
    assert_eq!(
        sent,
        json!({"name": "unit", "failures": 0, "errors": 0, "skipped": 0, "total": 2, "duration": 0.25})
    );
}

#[test]
fn snyk_results_group_vulnerabilities_by_level() {
    let doc = load(&fixture("sarif/snyk-code.sarif")).unwrap();
    let results = sarif::snyk_results(&doc).unwrap();
    assert_eq!(results["schema_version"], 1);
    assert_eq!(
        results["tool"],
        json!({"name": "SnykCode", "version": "1.0.0"})
    );
    let run = &results["results"][0];
    assert_eq!(
        [&run["high_count"], &run["medium_count"], &run["low_count"]],
        [1, 1, 1]
    );
    let keys: Vec<&String> = run.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "high_count",
            "medium_count",
            "low_count",
            "high",
            "medium",
            "low"
        ],
        "the counts come first, as Kosli sends them"
    );
    let top: Vec<&String> = results.as_object().unwrap().keys().collect();
    assert_eq!(top, ["schema_version", "tool", "results"]);
    assert_eq!(run["high"][0]["id"], "javascript/Sqli");
    assert_eq!(
        run["high"][0]["locations"],
        json!([{"uri": "routes/index.js", "lines": "39-41"}])
    );
    assert_eq!(run["high"][0]["priority_score"], 803);
    assert_eq!(run["low"][0]["locations"][0]["lines"], "203");
    let clean = sarif::snyk_results(&load(&fixture("sarif/snyk-clean.sarif")).unwrap()).unwrap();
    assert_eq!(
        clean["results"],
        json!([{"high_count": 0, "medium_count": 0, "low_count": 0}])
    );
}

#[test]
fn snyk_needs_a_sarif_schema_and_a_level() {
    let unschema = json!({"runs": []});
    assert_eq!(
        sarif::snyk_results(&unschema).unwrap_err().to_string(),
        "invalid sarif file"
    );
    let schema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";
    let levelless = json!({"$schema": schema, "runs": [{"results": [{"ruleId": "X"}]}]});
    assert_eq!(
        sarif::snyk_results(&levelless).unwrap_err().to_string(),
        "could not find level for rule ID: X"
    );
    let by_rule = json!({"$schema": schema, "runs": [{
        "tool": {"driver": {"rules": [{"id": "X", "properties": {"security-severity": "9.8"}}]}},
        "results": [{"ruleId": "X"}]
    }]});
    assert_eq!(
        sarif::snyk_results(&by_rule).unwrap()["results"][0]["high_count"],
        1
    );
}

#[test]
fn trivy_findings_take_their_security_severity() {
    let doc = load(&fixture("sarif/trivy.sarif")).unwrap();
    let results = sarif::sarif_results(&doc, "high");
    assert_eq!(
        results["tool"],
        json!({"name": "Trivy", "version": "0.56.2"})
    );
    assert_eq!(results["threshold"], "high");
    assert_eq!(
        results["findings"],
        json!({"none": 0, "low": 1, "medium": 2, "high": 1, "critical": 0})
    );
    assert_eq!(results["total"], 4);
    assert_eq!(results["results"][0]["rule_id"], "CVE-2024-6119");
    assert_eq!(results["results"][0]["severity"], "high");
    assert_eq!(
        results["results"][0]["location"],
        json!({"uri": "library/debian", "lines": "1"})
    );
}

#[test]
fn checkov_and_snyk_findings_take_their_level() {
    let checkov = sarif::sarif_results(&load(&fixture("sarif/checkov.sarif")).unwrap(), "low");
    assert_eq!(checkov["tool"]["name"], "Checkov");
    assert_eq!(checkov["findings"]["high"], 15);
    assert_eq!(checkov["total"], 15);
    let snyk = sarif::sarif_results(&load(&fixture("sarif/snyk-code.sarif")).unwrap(), "low");
    assert_eq!(
        snyk["findings"],
        json!({"none": 0, "low": 1, "medium": 1, "high": 1, "critical": 0})
    );
}

#[test]
fn severities_fall_back_to_rule_defaults_and_passes_are_not_findings() {
    let doc = json!({"runs": [{
        "tool": {"driver": {"name": "T", "rules": [
            {"id": "A", "defaultConfiguration": {"level": "note"}},
            {"id": "B", "properties": {"security-severity": "9.1"}}
        ]}},
        "results": [
            {"ruleIndex": 0, "message": {"text": "by index"}},
            {"ruleId": "B"},
            {"ruleId": "C"},
            {"ruleId": "D", "level": "none"},
            {"ruleId": "E", "kind": "pass", "level": "none"}
        ]
    }]});
    let results = sarif::sarif_results(&doc, "critical");
    assert_eq!(
        results["findings"],
        json!({"none": 1, "low": 1, "medium": 1, "high": 0, "critical": 1})
    );
    assert_eq!(results["results"][0]["message"], "by index");
    let many: Vec<_> = (0..sarif::LISTED + 5)
        .map(|_| json!({"level": "error"}))
        .collect();
    let capped = sarif::sarif_results(&json!({"runs": [{"results": many}]}), "low");
    assert_eq!(capped["total"], sarif::LISTED + 5);
    assert_eq!(capped["results"].as_array().unwrap().len(), sarif::LISTED);
    assert!(
        load(&fixture("junit/nextest.xml"))
            .unwrap_err()
            .to_string()
            .starts_with("invalid sarif file")
    );
}
