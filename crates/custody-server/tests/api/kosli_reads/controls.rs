//! `kosli get control` and `kosli list controls` (beta).

use serde_json::json;

use super::checker::Audit;
use super::kind::Kind::*;
use crate::harness::{TestServer, ok};

pub async fn controls(srv: &TestServer, audit: &mut Audit) {
    let control =
        json!({"identifier": "SOX-1", "name": "Segregation", "description": "two people"});
    crate::fixtures::beta(&srv.admin, "acme").await;
    ok(srv.member.post("controls/acme", control).await, 201);
    let r = &srv.reader;

    // getControl.go: `%s` of identifier and name; description, version
    // (`%.0f`), archived (`%t`) and created_at (formattedTimestamp) when not
    // nil; `tags` and `links` as `map[string]interface{}`, and
    // `policies_referencing` as `[]interface{}`, when present.
    if let Some(mut c) = audit
        .read(r, "kosli get control SOX-1", "controls/acme/SOX-1")
        .await
    {
        c.require_all(&["identifier", "name"], Str);
        c.require("description", StrOrNull);
        c.require("version", Num);
        c.require("archived", Bool);
        c.require("created_at", Ts);
        c.require_all(&["tags", "links"], ObjOrNull);
        c.require("policies_referencing", ArrOrNull);
    }

    // listControls.go: always `page` and `per_page`; `listControlsResponse{
    // Controls []map, Page int, TotalPages int, TotalCount int}`; per control
    // identifier and name with `%s`, description when not nil, created_at.
    let path = "controls/acme?page=1&per_page=15";
    if let Some(mut c) = audit.read(r, "kosli list controls", path).await {
        c.require_all(&["page", "total_pages", "total_count"], Int);
        c.require("controls", NonEmptyArr);
        c.require_all(&["controls[].identifier", "controls[].name"], Str);
        c.require("controls[].created_at", Ts);
    }
}
