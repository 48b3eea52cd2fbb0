//! `kosli get repo`, `kosli list repos` and `kosli list artifacts --repo`.

use super::checker::Audit;
use super::kind::Kind::*;
use crate::harness::TestServer;

pub async fn repos(srv: &TestServer, audit: &mut Audit) {
    let r = &srv.reader;

    // getRepo.go joins the name into the path as it is (`repos/acme/acme/app`);
    // `repo["name"]`, `["id"]`, `["url"]`, `["provider"]` with %v,
    // `formatRepoTags(repo["tags"])` (a map, or none); tag.go's
    // fetchRepoInnerID decodes `{ID string}` and refuses an empty id.
    for (command, path) in [
        ("kosli get repo acme/app", "repos/acme/acme/app"),
        (
            "kosli get repo acme/app --provider github",
            "repos/acme/acme/app?provider=github",
        ),
    ] {
        if let Some(mut c) = audit.read(r, command, path).await {
            c.require("id", NonEmptyStr);
            c.require_all(&["name", "url", "provider"], Str);
            c.require("tags", ObjOrNull);
        }
    }

    // listRepos.go: always `page` and `per_page`; `listReposResponse{Repos
    // []map, Page int, TotalPages int, TotalCount int}`.
    let path = "repos/acme?page=1&per_page=15";
    if let Some(mut c) = audit.read(r, "kosli list repos", path).await {
        c.require_all(&["page", "total_pages", "total_count"], Int);
        c.require("repos", NonEmptyArr);
        c.require_all(&["repos[].name", "repos[].url", "repos[].provider"], Str);
        c.require("repos[].tags", ObjOrNull);
    }

    // listArtifacts.go with --repo: `repo_name=` instead of `flow_name=`,
    // the answer a `[]map` as for a flow.
    let path = "artifacts/acme?page=1&per_page=15&repo_name=acme/app";
    if let Some(mut c) = audit
        .read(r, "kosli list artifacts --repo acme/app", path)
        .await
    {
        c.require("", Arr);
    }
}
