//! `kosli get|list environment(s)`, and the 404s the CLI relies on.

use super::checker::Audit;
use super::kind::Kind::*;
use crate::harness::TestServer;

pub async fn environments(srv: &TestServer, audit: &mut Audit) {
    let r = &srv.reader;

    // getEnvironment.go: `formattedTimestamp(env["last_reported_at"])`,
    // `env["state"].(bool)` after a nil check, `env["tags"].(map[string]interface{})`
    // with no nil check, `env["policies"].([]any)` after a nil check.
    for env in ["prod", "ecs", "edge"] {
        let command = format!("kosli get environment {env}");
        if let Some(mut c) = audit
            .read(r, &command, &format!("environments/acme/{env}"))
            .await
        {
            c.require("last_reported_at", Ts);
            c.require("state", BoolOrNull);
            c.require("tags", Obj);
            c.require("policies", ArrOrNull);
        }
    }
    // snapshotAutoEnvironment.go: a missing environment must be a 404 (then
    // created); requests.go: an error body's `message` is asserted `.(string)`.
    audit
        .refused(
            r,
            "kosli snapshot k8s nowhere --auto-environment",
            "environments/acme/nowhere",
            404,
        )
        .await;
    audit
        .refused(
            r,
            "kosli get snapshot prod#99",
            "snapshots/acme/prod/#99",
            404,
        )
        .await;

    // listEnvironments.go: no query unless --page/--page-limit; a plain array or
    // `paginatedEnvsResponse{Page, PerPage, TotalPages, TotalCount int64}`; per env
    // `last_reported_at.(float64)` / `last_modified_at.(float64)` after nil checks,
    // `env["policies"].([]interface{})` after a nil check.
    for (command, path) in [
        ("kosli list environments", "environments/acme"),
        (
            "kosli list environments --page 1",
            "environments/acme?page=1&per_page=15",
        ),
    ] {
        let Some(mut c) = audit.read(r, command, path).await else {
            continue;
        };
        let list = if c.doc.is_array() {
            c.require("", NonEmptyArr);
            "[]"
        } else {
            c.require_all(&["page", "per_page", "total_pages", "total_count"], Int);
            c.require("environments", NonEmptyArr);
            "environments[]"
        };
        c.require_all(
            &[
                &format!("{list}.last_reported_at"),
                &format!("{list}.last_modified_at"),
            ],
            NumOrNull,
        );
        c.require(&format!("{list}.policies"), ArrOrNull);
    }
}
