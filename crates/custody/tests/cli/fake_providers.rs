//! A fake of the services evidence is gathered from: GitHub, GitLab,
//! Bitbucket Cloud, Azure DevOps, Jira and SonarQube, as one axum server on
//! 127.0.0.1 answering each API path with JSON shaped like the real one's
//! (recorded responses, trimmed), and a log of the requests it served.

use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// A running fake and what it was asked (`METHOD path?query auth`).
pub struct Fake {
    pub url: String,
    pub requests: Arc<Mutex<Vec<String>>>,
}

/// The merge commit of every provider's pull request.
pub const SHA: &str = "5c0ffee0000000000000000000000000000000aa";
/// The one commit no provider knows a pull request for; every other commit has one.
pub const LONE: &str = "deadbeef";

/// Whether `path` asks for the pull requests of a commit other than [`LONE`].
fn known(path: &str, before: &str, after: &str) -> bool {
    path.strip_prefix(before)
        .and_then(|rest| rest.strip_suffix(after))
        .is_some_and(|sha| sha != LONE && !sha.contains('/'))
}

fn github(path: &str) -> Option<Value> {
    let pr = json!({"number": 42, "html_url": "https://github.com/acme/shop/pull/42", "state": "closed",
        "title": "Add login", "user": {"login": "ada"}, "created_at": "2026-11-20T10:00:00Z",
        "merged_at": "2026-11-21T10:00:00Z", "head": {"ref": "feature/login", "sha": "1111"},
        "base": {"ref": "main"}, "merge_commit_sha": SHA});
    Some(match path {
        p if known(p, "/api/v3/repos/acme/shop/commits/", "/pulls") => json!([pr]),
        "/api/v3/repos/acme/shop/pulls/42/reviews" => json!([
            {"id": 1, "user": {"login": "bob"}, "state": "COMMENTED", "submitted_at": "2026-11-20T11:00:00Z"},
            {"id": 2, "user": {"login": "eve"}, "state": "APPROVED", "submitted_at": "2026-11-20T12:00:00Z"}]),
        "/api/v3/repos/acme/shop/pulls/42/commits" => {
            json!([{"sha": "1111", "html_url": "https://github.com/acme/shop/commit/1111",
            "author": {"login": "ada"}, "commit": {"message": "Add login", "author": {"name": "Ada",
            "email": "ada@example.com", "date": "2026-11-20T09:00:00Z"},
            "verification": {"verified": true, "reason": "valid"}}}])
        }
        p if p.ends_with(&format!("/{LONE}/pulls")) => json!([]),
        _ => return None,
    })
}

fn gitlab(path: &str) -> Option<Value> {
    Some(match path {
        p if known(
            p,
            "/api/v4/projects/acme%2Fshop/repository/commits/",
            "/merge_requests",
        ) =>
        {
            json!([{
            "id": 900, "iid": 7, "title": "Add login", "state": "merged", "web_url": "https://gitlab.com/acme/shop/-/merge_requests/7",
            "author": {"username": "ada"}, "created_at": "2026-11-20T10:00:00.000Z", "merged_at": "2026-11-21T10:00:00.000Z",
            "source_branch": "feature/login", "target_branch": "main", "merge_commit_sha": SHA, "squash_commit_sha": null}])
        }
        "/api/v4/projects/acme%2Fshop/merge_requests/7/approvals" => json!({"approved": true,
            "approved_by": [{"user": {"id": 3, "name": "Eve Example", "username": "eve"}}]}),
        "/api/v4/projects/acme%2Fshop/merge_requests/7/commits" => {
            json!([{"id": "1111", "title": "Add login",
            "message": "Add login\n", "author_name": "Ada", "author_email": "ada@example.com",
            "authored_date": "2026-11-20T09:00:00.000Z", "web_url": "https://gitlab.com/acme/shop/-/commit/1111"}])
        }
        p if p.ends_with(&format!("/{LONE}/merge_requests")) => json!([]),
        _ => return None,
    })
}

fn bitbucket(path: &str, base: &str) -> Option<Value> {
    let root = "/2.0/repositories/acme/shop";
    Some(match path {
        p if known(p, &format!("{root}/commit/"), "/pullrequests") => {
            json!({"pagelen": 1, "page": 1,
            "values": [{"id": 3, "title": "Add login", "state": "MERGED"}],
            "next": format!("{base}{path}?page=2")})
        }
        p if p.ends_with("/pullrequests?page=2") => json!({"pagelen": 1, "page": 2, "values": []}),
        p if p.ends_with(&format!("/{LONE}/pullrequests")) => {
            json!({"pagelen": 0, "page": 1, "values": []})
        }
        p if p == format!("{root}/pullrequests/3") => {
            json!({"id": 3, "title": "Add login", "state": "MERGED",
            "author": {"display_name": "Ada"}, "created_on": "2026-11-20T10:00:00.000000+00:00",
            "source": {"branch": {"name": "feature/login"}}, "destination": {"branch": {"name": "main"}},
            "merge_commit": {"hash": SHA}, "links": {"html": {"href": "https://bitbucket.org/acme/shop/pull-requests/3"}},
            "participants": [{"user": {"display_name": "Eve"}, "role": "REVIEWER", "approved": true,
                "state": "approved", "participated_on": "2026-11-20T12:00:00.000000+00:00"},
                {"user": {"display_name": "Bob"}, "role": "REVIEWER", "approved": false, "state": null}]})
        }
        p if p == format!("{root}/pullrequests/3/commits") => {
            json!({"values": [{"hash": "1111", "message": "Add login",
            "date": "2026-11-20T09:00:00+00:00", "author": {"raw": "Ada <ada@example.com>", "user": {"display_name": "Ada"}},
            "links": {"html": {"href": "https://bitbucket.org/acme/shop/commits/1111"}}}]})
        }
        _ => return None,
    })
}

fn azure(path: &str) -> Option<Value> {
    let root = "/acme/shop-project/_apis/git/repositories/shop";
    Some(match path {
        p if p == format!("{root}/pullrequestquery?api-version=7.1") => {
            json!({"results": [{"queried": [{"pullRequestId": 11}]}]})
        }
        p if p == format!("{root}/pullrequests/11?api-version=7.1") => {
            json!({"pullRequestId": 11, "status": "completed",
            "title": "Add login", "createdBy": {"displayName": "Ada"}, "creationDate": "2026-11-20T10:00:00Z",
            "closedDate": "2026-11-21T10:00:00Z", "sourceRefName": "refs/heads/feature/login", "targetRefName": "refs/heads/main",
            "lastMergeCommit": {"commitId": SHA}, "reviewers": [{"displayName": "Eve", "vote": 10}, {"displayName": "Bob", "vote": 0}]})
        }
        p if p == format!("{root}/pullRequests/11/commits?api-version=7.1") => {
            json!({"count": 1, "value": [{"commitId": "1111",
            "comment": "Add login", "author": {"name": "Ada", "email": "ada@example.com", "date": "2026-11-20T09:00:00Z"}}]})
        }
        _ => return None,
    })
}

fn jira(path: &str) -> Option<Value> {
    let key = path.strip_prefix("/rest/api/2/issue/")?.split('?').next()?;
    (key == "ENG-12").then(|| {
        json!({"id": "10012", "key": "ENG-12", "self": "https://jira/rest/api/2/issue/10012",
        "fields": {"summary": "Login page", "status": {"name": "Done"}}})
    })
}

fn sonar(path: &str) -> Option<Value> {
    Some(match path {
        "/api/ce/task?id=AYtask" => {
            json!({"task": {"id": "AYtask", "type": "REPORT", "componentKey": "acme_shop",
            "componentName": "Shop", "analysisId": "AYanalysis", "status": "SUCCESS", "branch": "main", "branchType": "BRANCH"}})
        }
        "/api/qualitygates/project_status?analysisId=AYanalysis" => {
            json!({"projectStatus": {"status": "OK",
            "conditions": [{"status": "OK", "metricKey": "new_coverage", "comparator": "LT", "errorThreshold": "80", "actualValue": "91.2"}]}})
        }
        "/api/project_analyses/search?project=acme_shop&branch=main"
        | "/api/project_analyses/search?project=acme_shop" => {
            json!({"paging": {"pageIndex": 1, "pageSize": 100, "total": 1},
            "analyses": [{"key": "AYanalysis", "date": "2026-11-20T10:00:00+0000", "revision": "abc123"}]})
        }
        _ => return None,
    })
}

async fn answer(base: String, method: Method, uri: Uri) -> Response {
    let path = uri.path_and_query().map(|p| p.as_str()).unwrap_or_default();
    let plain = uri.path();
    let found = github(plain)
        .or_else(|| gitlab(plain))
        .or_else(|| bitbucket(path, &base))
        .or_else(|| azure(path))
        .or_else(|| jira(path))
        .or_else(|| sonar(path));
    match (method, found) {
        (_, Some(v)) => axum::Json(v).into_response(),
        _ => (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"message": "Not Found"})),
        )
            .into_response(),
    }
}

impl Fake {
    /// Serves every provider on a free port from a background thread.
    pub fn start() -> Fake {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = requests.clone();
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        listener.set_nonblocking(true).expect("nonblocking");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let base = url.clone();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Runtime::new().expect("runtime");
            runtime.block_on(async move {
                let app = axum::Router::new().fallback(
                    move |method: Method, uri: Uri, headers: HeaderMap| {
                        let auth = headers
                            .get("authorization")
                            .or(headers.get("private-token"));
                        let auth = auth.and_then(|a| a.to_str().ok()).unwrap_or("-");
                        log.lock().unwrap().push(format!("{method} {uri} {auth}"));
                        answer(base.clone(), method, uri)
                    },
                );
                let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
                axum::serve(listener, app).await.expect("serve");
            });
        });
        Fake { url, requests }
    }
}
