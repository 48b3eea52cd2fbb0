//! `kosli get|list|assert artifact(s)` and `kosli search`.

use serde_json::json;

use super::checker::{Audit, cut, short};
use super::kind::Kind::*;
use super::org::Org;
use crate::harness::TestServer;

pub async fn artifacts(srv: &TestServer, org: &Org, audit: &mut Audit) {
    let r = &srv.reader;

    // getArtifact.go: a body not starting with `[` is wrapped in `[...]`, then
    // `[]map[string]interface{}`; `artifact["filename"].(string)` (and flow_name,
    // fingerprint, git_commit, commit_url, build_url, html_url, state),
    // `["trail_name"].(string)` after a nil check, `["running"].([]interface{})`
    // (and exited, history), `envData["environment_name"].(string)`,
    // `envData["snapshot_index"].(float64)`, `formattedTimestamp(event["timestamp"])`.
    for (command, path, running, exited) in [
        (
            format!("kosli get artifact app@{}", short(&org.a)),
            format!("artifacts/acme/app/fingerprint/{}", org.a),
            true,
            false,
        ),
        (
            format!("kosli get artifact app@{}", short(&org.b)),
            format!("artifacts/acme/app/fingerprint/{}", org.b),
            false,
            true,
        ),
        (
            format!("kosli get artifact app:{}", &org.commit[..7]),
            format!("artifacts/acme/app/commit_sha/{}", &org.commit[..7]),
            true,
            false,
        ),
    ] {
        let Some(mut c) = audit.read(r, &command, &path).await else {
            continue;
        };
        let starts = c.raw.trim_start().chars().next();
        if !(c.raw.starts_with('[') || starts == Some('{')) {
            let raw = c.raw.clone();
            c.fail(
                "(body)",
                "`[` at byte 0 or an object",
                Some(&json!(cut(&raw))),
            );
        }
        if !c.doc.is_array() {
            c.doc = json!([c.doc.take()]);
        }
        c.require("", NonEmptyArr);
        c.require_all(
            &[
                "[].filename",
                "[].flow_name",
                "[].fingerprint",
                "[].git_commit",
                "[].commit_url",
                "[].build_url",
                "[].html_url",
                "[].state",
            ],
            Str,
        );
        c.require_all(&["[].trail_name", "[].template_reference_name"], StrOrNull);
        c.require("[].created_at", Ts);
        c.require_all(&["[].running", "[].exited"], Arr);
        c.require("[].history", NonEmptyArr);
        if running {
            c.require("[0].running", NonEmptyArr);
        }
        if exited {
            c.require("[0].exited", NonEmptyArr);
        }
        for list in ["running", "exited"] {
            c.require(&format!("[].{list}[]"), Obj);
            c.require(&format!("[].{list}[].environment_name"), Str);
            c.require(&format!("[].{list}[].snapshot_index"), Num);
        }
        c.require("[].history[]", Obj);
        c.require("[].history[].timestamp", Ts);
    }

    // listArtifacts.go: always `?page=1&per_page=15` and `flow_name`;
    // `artifact["git_commit"].(string)[:7]`, `["filename"].(string)`,
    // `["fingerprint"].(string)`, `["state"].(string)`, `formattedTimestamp(["created_at"])`.
    if let Some(mut c) = audit
        .read(
            r,
            "kosli list artifacts --flow app",
            "artifacts/acme?flow_name=app&page=1&per_page=15",
        )
        .await
    {
        c.require("", NonEmptyArr);
        c.require("[].git_commit", Sha);
        c.require_all(&["[].filename", "[].fingerprint", "[].state"], Str);
        c.require("[].created_at", Ts);
    }

    // assertArtifact.go: `evaluationResult["compliant"].(bool)`, `["scope"].(string)`,
    // `["environment"].(string)` for scope environment, `["policy_evaluations"].([]interface{})`
    // for environment/policy scopes, per evaluation not COMPLIANT
    // `["rule_evaluations"].([]interface{})`, `ruleEvaluation["ignored"].(bool)`, and
    // when neither ignored nor satisfied `["rule"].(map...)`, `["resolutions"].([]interface{})`,
    // `resolution["type"].(string)`, `rule["definition"].(map...)`; always
    // `["flows"].([]interface{})`, `item["flow"].(string)`, each attestation status
    // `item.(map...)`, and `evaluationResult["html_url"].(string)` per flow.
    for (command, path, scope) in [
        (
            format!("kosli assert artifact --fingerprint {}", short(&org.a)),
            format!("asserts/acme/fingerprint/{}", org.a),
            "all",
        ),
        (
            format!(
                "kosli assert artifact --fingerprint {} --flow app",
                short(&org.a)
            ),
            format!("asserts/acme/fingerprint/{}?flow_name=app", org.a),
            "flow",
        ),
        (
            format!(
                "kosli assert artifact --fingerprint {} --environment prod",
                short(&org.d)
            ),
            format!("asserts/acme/fingerprint/{}?environment_name=prod", org.d),
            "environment",
        ),
        (
            format!(
                "kosli assert artifact --fingerprint {} --environment prod",
                short(&org.c)
            ),
            format!("asserts/acme/fingerprint/{}?environment_name=prod", org.c),
            "environment",
        ),
        (
            format!(
                "kosli assert artifact --fingerprint {} --policy prov",
                short(&org.b)
            ),
            format!("asserts/acme/fingerprint/{}?policy_name=prov", org.b),
            "policy",
        ),
    ] {
        let Some(mut c) = audit.read(r, &command, &path).await else {
            continue;
        };
        c.require("compliant", Bool);
        c.require("scope", Str);
        if scope == "environment" {
            c.require("environment", Str);
        }
        if scope == "environment" || scope == "policy" {
            c.require("policy_evaluations", NonEmptyArr);
            c.require("policy_evaluations[]", Obj);
            let evaluations = c.doc["policy_evaluations"].clone();
            for (i, evaluation) in evaluations.as_array().into_iter().flatten().enumerate() {
                if evaluation["status"] == "COMPLIANT" {
                    continue;
                }
                let at = format!("policy_evaluations[{i}].rule_evaluations");
                c.require(&at, Arr);
                c.require(&format!("{at}[]"), Obj);
                c.require(&format!("{at}[].ignored"), Bool);
                for (j, rule) in evaluation["rule_evaluations"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .enumerate()
                {
                    let ignored = rule["ignored"].as_bool().unwrap_or(false);
                    let satisfied = rule["satisfied"].as_bool().unwrap_or(false);
                    if ignored || satisfied {
                        continue;
                    }
                    let at = format!("{at}[{j}]");
                    c.require(&format!("{at}.rule"), Obj);
                    c.require(&format!("{at}.resolutions"), Arr);
                    c.require(&format!("{at}.resolutions[]"), Obj);
                    c.require(&format!("{at}.resolutions[].type"), Str);
                    if rule["resolutions"]
                        .as_array()
                        .is_some_and(|r| !r.is_empty())
                    {
                        c.require(&format!("{at}.rule.definition"), Obj);
                    }
                }
            }
        }
        c.require(
            "flows",
            if scope == "environment" {
                Arr
            } else {
                NonEmptyArr
            },
        );
        c.require("flows[]", Obj);
        c.require("flows[].flow", Str);
        let flows = c.doc["flows"].clone();
        for (i, flow) in flows.as_array().into_iter().flatten().enumerate() {
            if flow["compliance_status"]["attestations_statuses"].is_array() {
                c.require(
                    &format!("flows[{i}].compliance_status.attestations_statuses[]"),
                    Obj,
                );
            }
        }
        if c.len("flows") > 0 {
            c.require("html_url", Str);
        }
    }
}

pub async fn search(srv: &TestServer, org: &Org, audit: &mut Audit) {
    let r = &srv.reader;

    // search.go: `SearchResponse{ResolvedTo{Type, FullMatch string, Fingerprints,
    // Commits{Type string, Count int, Matches []string}}, Artifacts []{... string,
    // HasProvenance bool, RunningIn, ExitedFrom []string, History []map}}`.
    for value in [
        org.commit[..7].to_string(),
        org.a[..8].to_string(),
        org.b[..8].to_string(),
        org.c[..8].to_string(),
    ] {
        let command = format!("kosli search {value}");
        let Some(mut c) = audit
            .read(r, &command, &format!("search/acme/sha/{value}"))
            .await
        else {
            continue;
        };
        c.require("resolved_to", ObjOrNull);
        c.require_all(&["resolved_to.type", "resolved_to.full_match"], StrOrNull);
        for part in ["fingerprints", "commits"] {
            c.require(&format!("resolved_to.{part}"), ObjOrNull);
            c.require(&format!("resolved_to.{part}.type"), StrOrNull);
            c.require(&format!("resolved_to.{part}.count"), IntOrNull);
            c.require(&format!("resolved_to.{part}.matches"), ArrOrNull);
            c.require(&format!("resolved_to.{part}.matches[]"), Str);
        }
        c.require("artifacts", NonEmptyArr);
        c.require_all(
            &[
                "artifacts[].fingerprint",
                "artifacts[].name",
                "artifacts[].flow",
                "artifacts[].git_commit",
                "artifacts[].commit_url",
                "artifacts[].build_url",
                "artifacts[].html_url",
                "artifacts[].compliance_state",
            ],
            StrOrNull,
        );
        c.require("artifacts[].has_provenance", BoolOrNull);
        c.require_all(
            &[
                "artifacts[].running_in",
                "artifacts[].exited_from",
                "artifacts[].history",
            ],
            ArrOrNull,
        );
        c.require_all(
            &["artifacts[].running_in[]", "artifacts[].exited_from[]"],
            Str,
        );
        c.require("artifacts[].history[]", ObjOrNull);
    }
}
