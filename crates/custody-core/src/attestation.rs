//! Attestation types and how each decides compliance from its payload. The
//! server, not the reporter, judges: a JUnit attestation is compliant when its
//! results have no failures or errors, whatever `is_compliant` says. Results
//! are read strictly — counts must be whole, non-negative numbers — so that a
//! payload of the wrong shape is refused, never taken for a clean result.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The built-in attestation types, by the API path segment they are posted to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Generic,
    Junit,
    Snyk,
    Sarif,
    Sonar,
    Jira,
    PullRequest,
    Custom,
    Decision,
}

impl Kind {
    /// Every kind the server judges itself (all but custom).
    pub const BUILT_IN: [Kind; 8] = [
        Kind::Generic,
        Kind::Junit,
        Kind::Snyk,
        Kind::Sarif,
        Kind::Sonar,
        Kind::Jira,
        Kind::PullRequest,
        Kind::Decision,
    ];

    /// The kind posted to `/attestations/{org}/{flow}/trail/{trail}/{segment}`.
    pub fn from_path(segment: &str) -> Option<Kind> {
        Some(match segment {
            "generic" => Kind::Generic,
            "junit" => Kind::Junit,
            "snyk" => Kind::Snyk,
            "sarif" => Kind::Sarif,
            "sonar" => Kind::Sonar,
            "jira" => Kind::Jira,
            "pull_request" => Kind::PullRequest,
            "custom" => Kind::Custom,
            "system" => Kind::Decision,
            _ => return None,
        })
    }

    /// The kind's own name: the type name of every kind but custom, whose
    /// attestations are named `custom:<type>`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Generic => "generic",
            Kind::Junit => "junit",
            Kind::Snyk => "snyk",
            Kind::Sarif => "sarif",
            Kind::Sonar => "sonar",
            Kind::Jira => "jira",
            Kind::PullRequest => "pull_request",
            Kind::Decision => "decision",
            Kind::Custom => "custom",
        }
    }

    /// The type name stored and shown (`custom:<type>` for custom types).
    pub fn type_name(self, payload: &Value) -> String {
        match self {
            Kind::Custom => format!(
                "custom:{}",
                payload["type_name"].as_str().unwrap_or_default()
            ),
            other => other.as_str().into(),
        }
    }

    /// The kind of a stored type name, as [`Kind::type_name`] made it.
    pub fn of_type_name(name: &str) -> Option<Kind> {
        if name.starts_with("custom:") {
            return Some(Kind::Custom);
        }
        Kind::BUILT_IN.into_iter().find(|k| k.as_str() == name)
    }
}

/// SARIF-style severities, lowest first.
pub const SEVERITIES: [&str; 5] = ["none", "low", "medium", "high", "critical"];

fn field<'a>(payload: &'a Value, name: &str, kind: &str) -> Result<&'a Value, String> {
    payload
        .get(name)
        .filter(|v| !v.is_null())
        .ok_or_else(|| format!("{kind} attestations need a '{name}' field"))
}

/// Reads a results field into its strict shape, saying what was wrong.
fn strict<T: DeserializeOwned>(value: &Value, name: &str, shape: &str) -> Result<T, String> {
    T::deserialize(value).map_err(|e| format!("'{name}' must be {shape}: {e}"))
}

/// One test suite's counts, as the JUnit results carry them.
#[derive(Deserialize)]
struct SuiteCounts {
    failures: u64,
    errors: u64,
}

/// One Snyk project's vulnerability counts.
#[derive(Deserialize)]
struct SnykCounts {
    high_count: u64,
    medium_count: u64,
    low_count: u64,
}

#[derive(Deserialize)]
struct SnykResults {
    results: Vec<SnykCounts>,
}

/// Findings per severity; every severity must be counted.
#[derive(Deserialize)]
struct Findings {
    none: u64,
    low: u64,
    medium: u64,
    high: u64,
    critical: u64,
}

impl Findings {
    /// The counts in [`SEVERITIES`] order.
    fn counts(&self) -> [u64; 5] {
        [self.none, self.low, self.medium, self.high, self.critical]
    }
}

/// Whether a built-in attestation is compliant. Custom types are judged by their
/// type's rules, elsewhere.
pub fn builtin_compliance(kind: Kind, payload: &Value) -> Result<bool, String> {
    match kind {
        Kind::Generic => match payload.get("is_compliant") {
            None | Some(Value::Null) => Ok(true),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(format!("'is_compliant' must be true or false, not {other}")),
        },
        Kind::Junit => {
            let suites: Vec<SuiteCounts> = strict(
                field(payload, "junit_results", "junit")?,
                "junit_results",
                "a list of test suite results with whole-number 'failures' and 'errors'",
            )?;
            if suites.is_empty() {
                return Err(
                    "'junit_results' lists no test suites: attest the results of a test run".into(),
                );
            }
            Ok(suites.iter().all(|s| s.failures == 0 && s.errors == 0))
        }
        Kind::Snyk => {
            let results: SnykResults = strict(
                field(payload, "snyk_results", "snyk")?,
                "snyk_results",
                "an object whose 'results' list whole-number high_count, medium_count and low_count",
            )?;
            Ok(results
                .results
                .iter()
                .all(|r| r.high_count == 0 && r.medium_count == 0 && r.low_count == 0))
        }
        Kind::Sarif => {
            let results = field(payload, "sarif_results", "sarif")?;
            let threshold = match &results["threshold"] {
                Value::Null => "low",
                Value::String(t) => t.as_str(),
                other => {
                    return Err(format!(
                        "'sarif_results.threshold' must be a severity, not {other}"
                    ));
                }
            };
            let from = SEVERITIES
                .iter()
                .position(|s| *s == threshold)
                .ok_or_else(|| {
                    format!(
                        "unknown severity threshold '{threshold}': use one of {}",
                        SEVERITIES.join(", ")
                    )
                })?;
            let findings: Findings = strict(
                field(results, "findings", "sarif")?,
                "sarif_results.findings",
                "whole-number counts for each of none, low, medium, high and critical",
            )?;
            Ok(findings.counts()[from.max(1)..].iter().all(|n| *n == 0))
        }
        Kind::Sonar => {
            let results = field(payload, "sonar_results", "sonar")?;
            let gate = results["qualityGate"]["status"]
                .as_str()
                .or(results["status"].as_str());
            Ok(matches!(gate, Some("OK" | "SUCCESS" | "PASSED")))
        }
        Kind::Jira => {
            let results = field(payload, "jira_results", "jira")?
                .as_array()
                .ok_or("'jira_results' must be a list")?;
            Ok(!results.is_empty()
                && results
                    .iter()
                    .all(|r| r["issue_exists"].as_bool() == Some(true)))
        }
        Kind::PullRequest => {
            let prs = field(payload, "pull_requests", "pull request")?
                .as_array()
                .ok_or("'pull_requests' must be a list")?;
            if prs.iter().any(|pr| !pr.is_object()) {
                return Err("'pull_requests' must list pull request objects".into());
            }
            Ok(!prs.is_empty())
        }
        Kind::Decision => field(payload, "attestation_data", "decision")?["is_compliant"]
            .as_bool()
            .ok_or_else(|| {
                "decision attestations need 'attestation_data.is_compliant' (true or false)"
                    .to_string()
            }),
        Kind::Custom => Err("custom attestations are judged by their type's rules".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_type_name_gives_back_its_kind() {
        for segment in [
            "generic",
            "junit",
            "snyk",
            "sarif",
            "sonar",
            "jira",
            "pull_request",
            "custom",
            "system",
        ] {
            let kind = Kind::from_path(segment).unwrap();
            let name = kind.type_name(&json!({"type_name": "coverage"}));
            assert_eq!(Kind::of_type_name(&name), Some(kind), "{name}");
        }
        assert_eq!(Kind::of_type_name("custom:coverage"), Some(Kind::Custom));
        assert_eq!(Kind::of_type_name("coverage"), None);
    }

    #[test]
    fn junit_fails_on_failures_or_errors() {
        let ok = json!({"junit_results": [{"name": "a", "failures": 0, "errors": 0, "total": 3}]});
        assert_eq!(builtin_compliance(Kind::Junit, &ok), Ok(true));
        let bad =
            json!({"junit_results": [{"failures": 0, "errors": 0}, {"failures": 0, "errors": 1}]});
        assert_eq!(builtin_compliance(Kind::Junit, &bad), Ok(false));
        assert!(
            builtin_compliance(Kind::Junit, &json!({}))
                .unwrap_err()
                .contains("junit_results")
        );
    }

    #[test]
    fn results_of_the_wrong_shape_are_refused_never_compliant() {
        for failures in [
            json!("3"),
            json!(2.0),
            json!(-1),
            json!([]),
            json!(null),
            json!({}),
        ] {
            let payload = json!({"junit_results": [{"failures": failures, "errors": 0}]});
            let err = builtin_compliance(Kind::Junit, &payload).unwrap_err();
            assert!(err.contains("whole-number 'failures'"), "{err}");
        }
        for results in [
            json!([]),
            json!({}),
            json!("x"),
            json!({"results": [{"low_count": 0}]}),
        ] {
            let payload = json!({"junit_results": [], "snyk_results": results});
            assert!(
                builtin_compliance(Kind::Snyk, &payload).is_err(),
                "{payload}"
            );
        }
        assert!(builtin_compliance(Kind::Junit, &json!({"junit_results": []})).is_err());
        let partial = json!({"sarif_results": {"findings": {"high": 0}}});
        assert!(builtin_compliance(Kind::Sarif, &partial).is_err());
        let text = json!({"sarif_results": {"findings": {"none": 0, "low": 0, "medium": 0, "high": "0", "critical": 0}}});
        assert!(builtin_compliance(Kind::Sarif, &text).is_err());
        assert!(builtin_compliance(Kind::Sarif, &json!({"sarif_results": {}})).is_err());
        assert!(builtin_compliance(Kind::Generic, &json!({"is_compliant": "true"})).is_err());
        assert!(builtin_compliance(Kind::PullRequest, &json!({"pull_requests": [1]})).is_err());
    }

    #[test]
    fn snyk_fails_on_any_vulnerability() {
        let clean = json!({"snyk_results": {"results": [{"high_count": 0, "medium_count": 0, "low_count": 0}]}});
        assert_eq!(builtin_compliance(Kind::Snyk, &clean), Ok(true));
        let low = json!({"snyk_results": {"results": [{"high_count": 0, "medium_count": 0, "low_count": 2}]}});
        assert_eq!(builtin_compliance(Kind::Snyk, &low), Ok(false));
    }

    #[test]
    fn sarif_fails_at_or_above_the_threshold() {
        let findings = json!({"critical": 0, "high": 0, "medium": 4, "low": 9, "none": 1});
        let at = |t: &str| json!({"sarif_results": {"threshold": t, "findings": findings}});
        assert_eq!(builtin_compliance(Kind::Sarif, &at("high")), Ok(true));
        assert_eq!(builtin_compliance(Kind::Sarif, &at("medium")), Ok(false));
        assert!(builtin_compliance(Kind::Sarif, &at("severe")).is_err());
    }

    #[test]
    fn other_types() {
        let gate = |s: &str| json!({"sonar_results": {"qualityGate": {"status": s}}});
        assert_eq!(builtin_compliance(Kind::Sonar, &gate("OK")), Ok(true));
        assert_eq!(builtin_compliance(Kind::Sonar, &gate("ERROR")), Ok(false));
        assert_eq!(
            builtin_compliance(Kind::Jira, &json!({"jira_results": []})),
            Ok(false)
        );
        assert_eq!(
            builtin_compliance(Kind::PullRequest, &json!({"pull_requests": [{}]})),
            Ok(true)
        );
        let decision = json!({"attestation_data": {"is_compliant": false}});
        assert_eq!(builtin_compliance(Kind::Decision, &decision), Ok(false));
        assert_eq!(
            builtin_compliance(Kind::Generic, &json!({"is_compliant": false})),
            Ok(false)
        );
        assert_eq!(Kind::from_path("system"), Some(Kind::Decision));
        assert_eq!(
            Kind::Custom.type_name(&json!({"type_name": "coverage"})),
            "custom:coverage"
        );
    }
}
