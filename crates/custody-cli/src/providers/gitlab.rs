//! GitLab's REST API (v4): the merge requests a commit belongs to
//! (`/projects/{id}/repository/commits/{sha}/merge_requests`), then each one's
//! approvals and commits, as Kosli's pull-request evidence.

use serde_json::{Value, json};

use super::{Api, Auth, compact, encode, unix};

/// GitLab's API root under `base_url` (default `https://gitlab.com`).
pub fn api(base_url: Option<&str>, token: &str) -> Api {
    let base = base_url
        .unwrap_or("https://gitlab.com")
        .trim_end_matches('/');
    Api::new(
        &format!("{base}/api/v4"),
        Auth::Header("PRIVATE-TOKEN", token.to_string()),
    )
}

/// The merge requests of `sha` in project `org/repo`, as `PREvidence` objects.
pub async fn merge_requests(
    api: &Api,
    org: &str,
    repo: &str,
    sha: &str,
) -> anyhow::Result<Vec<Value>> {
    let project = format!("/projects/{}", encode(&format!("{org}/{repo}")));
    let mrs = api
        .get(&format!(
            "{project}/repository/commits/{sha}/merge_requests"
        ))
        .await?;
    let mut out = Vec::new();
    for mr in mrs.as_array().into_iter().flatten() {
        let iid = &mr["iid"];
        let approvals = api
            .get(&format!("{project}/merge_requests/{iid}/approvals"))
            .await?;
        let commits = api
            .get(&format!(
                "{project}/merge_requests/{iid}/commits?per_page=100"
            ))
            .await?;
        out.push(evidence(mr, &approvals, &commits));
    }
    Ok(out)
}

/// One merge request with its approvals and commits, in Kosli's shape.
fn evidence(mr: &Value, approvals: &Value, commits: &Value) -> Value {
    let approvers: Vec<Value> = approvals["approved_by"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| {
            let user = &a["user"];
            let name = user["name"].as_str().unwrap_or_default();
            let login = user["username"].as_str().unwrap_or_default();
            json!({"username": format!("{name} (@{login})")})
        })
        .collect();
    let branch = &mr["source_branch"];
    let commits: Vec<Value> = commits
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            compact(json!({
                "sha1": c["id"],
                "message": c["message"],
                "author": format!("{} <{}>", c["author_name"].as_str().unwrap_or_default(),
                                  c["author_email"].as_str().unwrap_or_default()),
                "timestamp": unix(&c["authored_date"]),
                "branch": branch,
                "url": c["web_url"],
            }))
        })
        .collect();
    let merge_commit = [
        &mr["merge_commit_sha"],
        &mr["squash_commit_sha"],
        &mr["sha"],
    ]
    .into_iter()
    .find(|v| v.is_string())
    .cloned()
    .unwrap_or(Value::Null);
    compact(json!({
        "merge_commit": merge_commit,
        "url": mr["web_url"],
        "state": mr["state"],
        "approvers": approvers,
        "author": mr["author"]["username"],
        "created_at": unix(&mr["created_at"]),
        "merged_at": unix(&mr["merged_at"]),
        "title": mr["title"],
        "head_ref": branch,
        "base_ref": mr["target_branch"],
        "commits": commits,
    }))
}
