//! Attestation details on the trail page: what each attestation says, by
//! kind (JUnit totals and failing cases, scan findings by severity, pull requests and Jira
//! issues, custom types' summaries and the rules they failed), its user data
//! and its evidence, which
//! `…/attestations/{id}/evidence` downloads with the viewer's session.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use custody_api::SummaryValue;
use custody_core::ids::AttestationId;
use custody_evidence::junit_cases::FailedCase;
use custody_store::TrailRow;
use serde_json::Value;

use super::format::{Badge, When};
use super::{Viewer, WebError};
use crate::error::ApiError;
use crate::routes::evidence;
use crate::state::AppState;

/// One attestation as the trail page shows it.
pub struct Detail {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub badge: Badge,
    pub when: When,
    /// Lines summarising the results (`12 tests, 1 failure`…).
    pub summary: Vec<String>,
    /// Links the attestation names (pull requests, issues, origin).
    pub links: Vec<String>,
    pub user_data: String,
    /// The attachment's file name, when one was sent.
    pub evidence: Option<String>,
}

fn count(items: &[Value], key: &str) -> i64 {
    items.iter().filter_map(|i| i[key].as_i64()).sum()
}

/// What an attestation's results say, by kind.
fn summary(kind: &str, payload: &Value) -> Vec<String> {
    match kind {
        "junit" => {
            let suites = payload["junit_results"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let mut lines = vec![format!(
                "{} tests in {} suites: {} failures, {} errors, {} skipped",
                count(&suites, "total"),
                suites.len(),
                count(&suites, "failures"),
                count(&suites, "errors"),
                count(&suites, "skipped"),
            )];
            lines.extend(suites.iter().filter_map(failing_suite));
            lines.extend(failing_cases(payload));
            lines
        }
        "snyk" | "sarif" => {
            let results = &payload[format!("{kind}_results")];
            let findings = results["findings"]
                .as_object()
                .map(|f| {
                    f.iter()
                        .map(|(severity, n)| format!("{severity}: {n}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            vec![format!("findings by severity: {findings}")]
        }
        "sonar" => vec![format!(
            "quality gate: {}",
            payload["sonar_results"]["qualityGate"]["status"]
                .as_str()
                .or(payload["sonar_results"]["status"].as_str())
                .unwrap_or("unknown")
        )],
        _ => custom_summary(payload),
    }
}

/// A suite that did not pass, named with what failed in it.
fn failing_suite(suite: &Value) -> Option<String> {
    let failures = suite["failures"].as_i64().unwrap_or(0);
    let errors = suite["errors"].as_i64().unwrap_or(0);
    (failures + errors > 0).then(|| {
        let name = suite["name"].as_str().filter(|n| !n.is_empty());
        format!(
            "failing suite {}: {failures} failures, {errors} errors",
            name.unwrap_or("(unnamed)")
        )
    })
}

/// The failing test cases the server read from the uploaded XML:
/// `failure in unit › tests.test_app.test_sum: assert 3 == 4`.
fn failing_cases(payload: &Value) -> Vec<String> {
    let cases: Vec<FailedCase> =
        serde_json::from_value(payload["failing_cases"].clone()).unwrap_or_default();
    cases
        .iter()
        .map(|c| {
            let class = if c.classname.is_empty() {
                String::new()
            } else {
                format!("{}.", c.classname)
            };
            let message = if c.message.is_empty() {
                String::new()
            } else {
                format!(": {}", c.message)
            };
            format!("{} in {} › {class}{}{message}", c.outcome, c.suite, c.name)
        })
        .collect()
}

/// A custom type's summary rows as the server evaluated them (`Name: value`),
/// then each of its rules that did not hold.
fn custom_summary(payload: &Value) -> Vec<String> {
    let rows: Vec<SummaryValue> =
        serde_json::from_value(payload["summary"].clone()).unwrap_or_default();
    let failed: Vec<String> =
        serde_json::from_value(payload["failed_rules"].clone()).unwrap_or_default();
    rows.iter()
        .map(|row| format!("{}: {}", row.name, row.shown()))
        .chain(failed.iter().map(|rule| format!("rule not met: {rule}")))
        .collect()
}

fn links(payload: &Value) -> Vec<String> {
    let mut out: Vec<String> = payload["pull_requests"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(payload["jira_results"].as_array().into_iter().flatten())
        .filter_map(|x| x["url"].as_str().map(String::from))
        .collect();
    out.extend(payload["origin_url"].as_str().map(String::from));
    out.retain(|u| u.starts_with("https://") || u.starts_with("http://"));
    out
}

/// The trail's attestations, oldest first, in two queries.
pub async fn of_trail(state: &AppState, trail: &TrailRow) -> Result<Vec<Detail>, ApiError> {
    let rows = state.store.trail_attestations(&[trail.id]).await?;
    let ids: Vec<AttestationId> = rows.iter().map(|r| r.id).collect();
    let evidence = state.store.evidence_of(&ids).await?;
    let now = state.now().seconds();
    Ok(rows
        .into_iter()
        .map(|row| {
            let payload: Value = serde_json::from_str(&row.payload).unwrap_or_default();
            let user_data = match &payload["user_data"] {
                Value::Null => String::new(),
                Value::Object(m) if m.is_empty() => String::new(),
                data => serde_json::to_string_pretty(data).unwrap_or_default(),
            };
            Detail {
                summary: summary(&row.kind, &payload),
                links: links(&payload),
                user_data,
                evidence: evidence
                    .iter()
                    .find(|e| e.attestation_id == row.id)
                    .map(|e| e.file_name.clone()),
                badge: Badge::compliant(Some(row.is_compliant != 0)),
                when: When::at(row.created_at.seconds(), now),
                id: row.public_id,
                name: row.name,
                kind: row.kind,
            }
        })
        .collect())
}

/// `GET /{org}/flows/{flow}/trails/{trail}/attestations/{id}/evidence`.
pub async fn download(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, flow, trail, id)): Path<(String, String, String, String)>,
) -> Result<Response, WebError> {
    super::Nav::of(&viewer, &org, String::new())?;
    let path = Path((org, flow, trail, id));
    Ok(evidence::download(State(state), viewer.authed(), path)
        .await?
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn results_are_summarised_by_kind() {
        let junit = json!({"junit_results": [{"name": "api", "total": 10, "failures": 1, "errors": 0, "skipped": 2},
                                             {"total": 2, "failures": 0, "errors": 1},
                                             {"name": "ui", "total": 4, "failures": 0, "errors": 0}]});
        assert_eq!(
            summary("junit", &junit),
            [
                "16 tests in 3 suites: 1 failures, 1 errors, 2 skipped",
                "failing suite api: 1 failures, 0 errors",
                "failing suite (unnamed): 0 failures, 1 errors",
            ]
        );
        let cases = json!({"junit_results": [{"name": "api", "total": 1, "failures": 1, "errors": 0, "skipped": 0}],
                           "failing_cases": [{"suite": "api", "classname": "tests.app", "name": "test_sum",
                                              "outcome": "failure", "message": "assert 3 == 4"},
                                             {"suite": "api", "classname": "", "name": "t2",
                                              "outcome": "error", "message": ""}]});
        assert_eq!(
            summary("junit", &cases)[2..],
            [
                "failure in api › tests.app.test_sum: assert 3 == 4",
                "error in api › t2"
            ]
        );
        let sarif = json!({"sarif_results": {"findings": {"high": 2, "low": 1}}});
        assert_eq!(
            summary("sarif", &sarif),
            ["findings by severity: high: 2, low: 1"]
        );
        assert!(summary("generic", &json!({})).is_empty());
        let custom = json!({"summary": [{"name": "Tool", "value": "trivy"}, {"name": "Critical", "value": 0},
                                        {"name": "Broken", "value": null, "error": "failed"}],
                            "failed_rules": [".critical == 0"]});
        assert_eq!(
            summary("custom:scan", &custom),
            [
                "Tool: trivy",
                "Critical: 0",
                "Broken: error: failed",
                "rule not met: .critical == 0"
            ]
        );
    }

    #[test]
    fn only_web_links_are_shown() {
        let payload = json!({"pull_requests": [{"url": "https://git.example/pr/1"}, {"url": "javascript:alert(1)"}],
                             "origin_url": "https://ci.example/run/7"});
        assert_eq!(
            links(&payload),
            ["https://git.example/pr/1", "https://ci.example/run/7"]
        );
    }
}
