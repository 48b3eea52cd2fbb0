//! `kosli get|list flow(s)`, `kosli get|list trail(s)` and `kosli get attestation`.

use super::checker::{Audit, short};
use super::kind::Kind::*;
use super::org::Org;
use crate::harness::TestServer;

pub async fn trails(srv: &TestServer, org: &Org, audit: &mut Audit) {
    let r = &srv.reader;

    // getFlow.go: `formattedTimestamp(flow["last_deployment_at"])`,
    // `flow["tags"].(map[string]interface{})` after a nil check.
    if let Some(mut c) = audit.read(r, "kosli get flow app", "flows/acme/app").await {
        c.require("last_deployment_at", Ts);
        c.require("tags", ObjOrNull);
    }

    // listFlows.go: no query unless --page/--page-limit (default 20); a body
    // starting with `[` is `[]map`, else `listFlowsResponse{Data, Pagination{Page,
    // PageCount, Total float64}}`; per flow `flow["tags"].(map[string]interface{})`
    // with no nil check.
    for (command, path) in [
        ("kosli list flows", "flows/acme"),
        ("kosli list flows --page 1", "flows/acme?page=1&per_page=20"),
    ] {
        let Some(mut c) = audit.read(r, command, path).await else {
            continue;
        };
        let list = if c.raw.trim_start().starts_with('[') {
            "[]"
        } else {
            c.require_all(
                &[
                    "pagination.page",
                    "pagination.page_count",
                    "pagination.total",
                ],
                Num,
            );
            "data[]"
        };
        c.require(list.trim_end_matches("[]"), NonEmptyArr);
        c.require(&format!("{list}.tags"), Obj);
    }

    // getTrail.go: `formattedTimestamp(trail["last_modified_at"])`; when
    // `git_commit_info` is a map, `commitInfo["sha1"].(string)`, `["author"].(string)`,
    // `["timestamp"].(float64)`, `["message"].(string)`; each event
    // `event.(map...)`, `eventMap["timestamp"].(float64)`, `eventMap["type"].(string)`,
    // and for approvals `["state"].(string)`, `["approval_number"].(float64)`.
    if let Some(mut c) = audit
        .read(r, "kosli get trail t1 --flow app", "trails/acme/app/t1")
        .await
    {
        c.require("last_modified_at", Ts);
        // The trail was begun with commit info: without it the checks below are void.
        c.require("git_commit_info", Obj);
        c.require_all(
            &[
                "git_commit_info.sha1",
                "git_commit_info.author",
                "git_commit_info.message",
            ],
            Str,
        );
        c.require("git_commit_info.timestamp", Num);
        c.require("events", NonEmptyArr);
        c.require("events[]", Obj);
        c.require("events[].timestamp", Num);
        c.require("events[].type", Str);
    }

    // listTrails.go: always `?page=1&per_page=20` (plus `flow`) into
    // `listTrailsResponse{Data []Trail{Name, Description, ComplianceState string},
    // Pagination{Page, PageCount, Total float64}}`: the body must be an object.
    for (command, path) in [
        ("kosli list trails", "trails/acme?page=1&per_page=20"),
        (
            "kosli list trails --flow app",
            "trails/acme?flow=app&page=1&per_page=20",
        ),
    ] {
        if let Some(mut c) = audit.read(r, command, path).await {
            c.require("", Obj);
            c.require("data", NonEmptyArr);
            c.require_all(
                &[
                    "data[].name",
                    "data[].description",
                    "data[].compliance_state",
                ],
                StrOrNull,
            );
            c.require_all(
                &[
                    "pagination.page",
                    "pagination.page_count",
                    "pagination.total",
                ],
                Num,
            );
        }
    }

    // getAttestation.go: `[]Attestation`, else `{"data": []Attestation}` (a bare
    // object prints "No attestations found."); Kosli's server answers reads by
    // name with the list itself. `Attestation{Name, Type string,
    // Compliance bool, CreatedAt float64, GitCommitInfo *{Sha1, Author, Message,
    // Branch, Url string, Timestamp float64}, HtmlUrl string}`.
    for (command, path) in [
        (
            "kosli get attestation pr --flow app --trail t1".to_string(),
            "attestations/acme/app/trail/t1/pr".to_string(),
        ),
        (
            format!(
                "kosli get attestation unit-test --flow app --fingerprint {}",
                short(&org.a)
            ),
            format!("attestations/acme/app/artifact/{}/unit-test", org.a),
        ),
    ] {
        let Some(mut c) = audit.read(r, &command, &path).await else {
            continue;
        };
        c.require("", NonEmptyArr);
        let list = "[]";
        c.require_all(
            &[
                &format!("{list}.attestation_name"),
                &format!("{list}.attestation_type"),
                &format!("{list}.artifact_fingerprint"),
                &format!("{list}.html_url"),
                &format!("{list}.git_commit_info.sha1"),
                &format!("{list}.git_commit_info.author"),
                &format!("{list}.git_commit_info.message"),
                &format!("{list}.git_commit_info.branch"),
                &format!("{list}.git_commit_info.url"),
            ],
            StrOrNull,
        );
        c.require(&format!("{list}.is_compliant"), BoolOrNull);
        c.require_all(
            &[
                &format!("{list}.created_at"),
                &format!("{list}.git_commit_info.timestamp"),
            ],
            NumOrNull,
        );
        c.require(&format!("{list}.git_commit_info"), ObjOrNull);
    }
}
