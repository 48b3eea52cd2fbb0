//! SARIF 2.1.0 scan reports: `snyk_results` for `attest snyk` (Kosli's shape
//! and level mapping) and `sarif_results` for `attest sarif` (any scanner:
//! findings counted per severity, judged against a threshold by the server).

use serde_json::{Map, Value, json};

use crate::EvidenceError;

/// How many findings `sarif_results.results` lists; all are counted.
pub const LISTED: usize = 100;

const SCHEMA_PREFIXES: [&str; 2] = [
    "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/main/",
    "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/master/Schemata/sarif-schema-",
];
const SCHEMA_ERRATA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// A SARIF document's JSON, with at least a `runs` list.
pub fn parse(text: &str) -> Result<Value, EvidenceError> {
    let doc: Value = serde_json::from_str(text)
        .map_err(|e| EvidenceError(format!("invalid sarif file: {e}")))?;
    if !doc["runs"].is_array() {
        return Err(EvidenceError::of("invalid sarif file: it has no 'runs'"));
    }
    Ok(doc)
}

fn runs(doc: &Value) -> &[Value] {
    doc["runs"].as_array().map_or(&[], Vec::as_slice)
}

fn results(run: &Value) -> &[Value] {
    run["results"].as_array().map_or(&[], Vec::as_slice)
}

/// `{name, version}` of the first run's tool.
fn tool(doc: &Value) -> Value {
    let driver = &doc["runs"][0]["tool"]["driver"];
    let text = |k: &str| driver[k].as_str().unwrap_or_default().to_string();
    json!({"name": text("name"), "version": text("version")})
}

/// The rule a result refers to, by `ruleId`, else by `ruleIndex`.
fn rule<'a>(run: &'a Value, result: &Value) -> &'a Value {
    let rules = &run["tool"]["driver"]["rules"];
    let by_id = result["ruleId"].as_str().and_then(|id| {
        rules
            .as_array()?
            .iter()
            .find(|r| r["id"].as_str() == Some(id))
    });
    let by_index = || &rules[result["ruleIndex"].as_u64().unwrap_or(u64::MAX) as usize];
    by_id.unwrap_or_else(by_index)
}

/// `[{uri, lines}]`: lines as `start` or `start-end`.
fn locations(result: &Value) -> Vec<Value> {
    let list = result["locations"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    list.iter()
        .map(|l| {
            let physical = &l["physicalLocation"];
            let mut out =
                json!({"uri": physical["artifactLocation"]["uri"].as_str().unwrap_or_default()});
            let region = &physical["region"];
            if let Some(start) = region["startLine"].as_u64() {
                out["lines"] = match region["endLine"].as_u64().filter(|e| *e != start) {
                    Some(end) => json!(format!("{start}-{end}")),
                    None => json!(start.to_string()),
                };
            }
            out
        })
        .collect()
}

fn message(result: &Value) -> &str {
    result["message"]["text"].as_str().unwrap_or_default()
}

/// A CVSS-style `security-severity` score as a severity name.
fn from_score(score: &Value) -> Option<&'static str> {
    let score = score
        .as_f64()
        .or_else(|| score.as_str()?.trim().parse().ok())?;
    Some(match score {
        s if s >= 9.0 => "critical",
        s if s >= 7.0 => "high",
        s if s >= 4.0 => "medium",
        s if s > 0.0 => "low",
        _ => "none",
    })
}

/// `snyk_results`: one entry per run, vulnerabilities grouped high/medium/low.
/// A result's level is its `level`, else its rule's `properties.problem.severity`,
/// else its rule's `properties.security-severity` score.
pub fn snyk_results(doc: &Value) -> Result<Value, EvidenceError> {
    let schema = doc["$schema"].as_str().unwrap_or_default();
    if !(SCHEMA_PREFIXES.iter().any(|p| schema.starts_with(p)) || schema == SCHEMA_ERRATA) {
        return Err(EvidenceError::of("invalid sarif file"));
    }
    let mut entries = Vec::new();
    for run in runs(doc) {
        let mut groups: [Vec<Value>; 3] = Default::default();
        for result in results(run) {
            let id = result["ruleId"].as_str().unwrap_or_default();
            let props = &rule(run, result)["properties"];
            let level = result["level"]
                .as_str()
                .or(props["problem"]["severity"].as_str())
                .or_else(|| from_score(&props["security-severity"]))
                .ok_or_else(|| EvidenceError(format!("could not find level for rule ID: {id}")))?;
            let group = match level {
                "error" | "high" | "critical" => 0,
                "warning" | "medium" => 1,
                _ => 2,
            };
            let mut vulnerability = json!({"id": id, "message": message(result)});
            let locations = locations(result);
            if !locations.is_empty() {
                vulnerability["locations"] = json!(locations);
            }
            // Left out when null or zero, as Kosli leaves out an empty score.
            let score = result["properties"].get("priorityScore");
            if let Some(score) = score.filter(|s| !s.is_null() && s.as_f64() != Some(0.0)) {
                vulnerability["priority_score"] = score.clone();
            }
            groups[group].push(vulnerability);
        }
        // The three counts, then the non-empty groups.
        let names = ["high", "medium", "low"];
        let mut entry: Map<String, Value> = names
            .iter()
            .zip(&groups)
            .map(|(name, group)| (format!("{name}_count"), json!(group.len())))
            .collect();
        for (name, group) in names.iter().zip(groups) {
            if !group.is_empty() {
                entry.insert(name.to_string(), json!(group));
            }
        }
        entries.push(Value::Object(entry));
    }
    Ok(json!({"schema_version": 1, "tool": tool(doc), "results": entries}))
}

/// A result's severity: a `security-severity` score (result, then rule), else
/// its level (result, then the rule's default, else SARIF's `warning`).
fn severity(run: &Value, result: &Value) -> &'static str {
    let rule = rule(run, result);
    let scored = from_score(&result["properties"]["security-severity"])
        .or_else(|| from_score(&rule["properties"]["security-severity"]));
    if let Some(severity) = scored {
        return severity;
    }
    let level = result["level"]
        .as_str()
        .or(rule["defaultConfiguration"]["level"].as_str());
    match level.unwrap_or("warning") {
        "error" => "high",
        "warning" => "medium",
        "note" => "low",
        _ => "none",
    }
}

/// `sarif_results`: the tool, the threshold, findings counted per severity and
/// the first [`LISTED`] of them. Results whose `kind` is not `fail` (passes,
/// not applicable, reviews) are not findings.
pub fn sarif_results(doc: &Value, threshold: &str) -> Value {
    let mut findings: Map<String, Value> = custody_core::attestation::SEVERITIES
        .iter()
        .map(|s| (s.to_string(), json!(0)))
        .collect();
    let mut listed = Vec::new();
    let mut total = 0usize;
    for run in runs(doc) {
        for result in results(run) {
            if result["kind"].as_str().is_some_and(|k| k != "fail") {
                continue;
            }
            let severity = severity(run, result);
            total += 1;
            let n = findings[severity].as_u64().unwrap_or(0);
            findings.insert(severity.to_string(), json!(n + 1));
            if listed.len() < LISTED {
                let mut finding = json!({
                    "rule_id": result["ruleId"].as_str().unwrap_or_default(),
                    "severity": severity,
                    "message": message(result),
                });
                if let Some(level) = result["level"].as_str() {
                    finding["level"] = json!(level);
                }
                if let Some(first) = locations(result).into_iter().next() {
                    finding["location"] = first;
                }
                listed.push(finding);
            }
        }
    }
    json!({
        "tool": tool(doc),
        "threshold": threshold,
        "findings": findings,
        "total": total,
        "results": listed,
    })
}
