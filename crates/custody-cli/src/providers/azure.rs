//! Azure DevOps' Git API (7.1): the pull requests a commit belongs to (a
//! `pullrequestquery` of type `commit`), then each one's details (reviewers
//! who voted to approve) and commits.

use serde_json::{Value, json};

use super::{Api, Auth, compact, unix};

const VERSION: &str = "api-version=7.1";

/// The API of `project` in the organisation at `org_url`, with a personal access token.
pub fn api(org_url: &str, project: &str, token: &str) -> Api {
    let base = format!("{}/{project}", org_url.trim_end_matches('/'));
    Api::new(&base, Auth::Basic(String::new(), token.to_string()))
}

/// The pull requests of `sha` in `repo`, as `PREvidence` objects.
pub async fn pull_requests(api: &Api, repo: &str, sha: &str) -> anyhow::Result<Vec<Value>> {
    let root = format!("/_apis/git/repositories/{repo}");
    let query = json!({"queries": [{"type": "commit", "items": [sha]}]});
    let found = api
        .post(&format!("{root}/pullrequestquery?{VERSION}"), &query)
        .await?;
    let listed: Vec<&Value> = found["results"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r.as_object())
        .flat_map(|r| r.values())
        .flat_map(|prs| prs.as_array().into_iter().flatten())
        .collect();
    let mut out = Vec::new();
    for pr in listed {
        let id = &pr["pullRequestId"];
        let details = api
            .get(&format!("{root}/pullrequests/{id}?{VERSION}"))
            .await?;
        let commits = api
            .get(&format!("{root}/pullRequests/{id}/commits?{VERSION}"))
            .await?;
        let url = format!("{}/_git/{repo}/pullrequest/{id}", api.base);
        out.push(evidence(&details, &commits, &url));
    }
    Ok(out)
}

/// A ref name without `refs/heads/`.
fn branch(name: &Value) -> Value {
    json!(name.as_str().map(|n| n.trim_start_matches("refs/heads/")))
}

/// One pull request with its commits, in Kosli's shape.
fn evidence(pr: &Value, commits: &Value, url: &str) -> Value {
    let approvers: Vec<Value> = pr["reviewers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["vote"].as_i64().unwrap_or_default() >= 5)
        .map(|r| json!({"username": r["displayName"]}))
        .collect();
    let head = branch(&pr["sourceRefName"]);
    let commits: Vec<Value> = commits["value"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let author = &c["author"];
            compact(json!({
                "sha1": c["commitId"],
                "message": c["comment"],
                "author": format!("{} <{}>", author["name"].as_str().unwrap_or_default(),
                                  author["email"].as_str().unwrap_or_default()),
                "timestamp": unix(&author["date"]),
                "branch": head,
                "url": c["remoteUrl"],
            }))
        })
        .collect();
    compact(json!({
        "merge_commit": pr["lastMergeCommit"]["commitId"],
        "url": url,
        "state": pr["status"],
        "approvers": approvers,
        "author": pr["createdBy"]["displayName"],
        "created_at": unix(&pr["creationDate"]),
        "merged_at": unix(&pr["closedDate"]),
        "title": pr["title"],
        "head_ref": head,
        "base_ref": branch(&pr["targetRefName"]),
        "commits": commits,
    }))
}
