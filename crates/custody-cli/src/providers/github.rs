//! GitHub's REST API: the pull requests a commit belongs to
//! (`/repos/{owner}/{repo}/commits/{sha}/pulls`), then each one's approving
//! reviews and commits, as Kosli's pull-request evidence.

use serde_json::{Value, json};

use super::{Api, Auth, compact, unix};

/// GitHub's API root: `https://api.github.com`, or `<base>/api/v3` for GitHub Enterprise.
pub fn api(base_url: Option<&str>, token: &str) -> Api {
    let base = match base_url.map(|b| b.trim_end_matches('/')) {
        None => "https://api.github.com".to_string(),
        Some(b) if b.ends_with("/api/v3") => b.to_string(),
        Some(b) => format!("{b}/api/v3"),
    };
    Api::new(&base, Auth::Bearer(token.to_string()))
}

/// The pull requests of `sha` in `owner/repo`, as `PREvidence` objects.
pub async fn pull_requests(
    api: &Api,
    owner: &str,
    repo: &str,
    sha: &str,
) -> anyhow::Result<Vec<Value>> {
    let root = format!("/repos/{owner}/{repo}");
    let pulls = api
        .get(&format!("{root}/commits/{sha}/pulls?per_page=100"))
        .await?;
    let mut out = Vec::new();
    for pr in pulls.as_array().into_iter().flatten() {
        let number = &pr["number"];
        let reviews = api
            .get(&format!("{root}/pulls/{number}/reviews?per_page=100"))
            .await?;
        let commits = api
            .get(&format!("{root}/pulls/{number}/commits?per_page=100"))
            .await?;
        out.push(evidence(pr, &reviews, &commits));
    }
    Ok(out)
}

/// One pull request with its reviews and commits, in Kosli's shape.
fn evidence(pr: &Value, reviews: &Value, commits: &Value) -> Value {
    let state = if !pr["merged_at"].is_null() {
        "MERGED".to_string()
    } else {
        pr["state"].as_str().unwrap_or_default().to_uppercase()
    };
    let approvers: Vec<Value> = reviews
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["state"] == "APPROVED")
        .map(|r| {
            compact(json!({"username": r["user"]["login"], "state": r["state"],
                   "timestamp": unix(&r["submitted_at"])}))
        })
        .collect();
    let branch = &pr["head"]["ref"];
    let commits: Vec<Value> = commits
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            let author = &c["commit"]["author"];
            let verification = &c["commit"]["verification"];
            compact(json!({
                "sha1": c["sha"],
                "message": c["commit"]["message"],
                "author": format!("{} <{}>", author["name"].as_str().unwrap_or_default(),
                                  author["email"].as_str().unwrap_or_default()),
                "author_username": c["author"]["login"],
                "timestamp": unix(&author["date"]),
                "branch": branch,
                "url": c["html_url"],
                "verified": verification["verified"],
                "signature_state": verification["reason"],
            }))
        })
        .collect();
    compact(json!({
        "merge_commit": pr["merge_commit_sha"],
        "url": pr["html_url"],
        "state": state,
        "approvers": approvers,
        "author": pr["user"]["login"],
        "created_at": unix(&pr["created_at"]),
        "merged_at": unix(&pr["merged_at"]),
        "title": pr["title"],
        "head_ref": branch,
        "base_ref": pr["base"]["ref"],
        "commits": commits,
    }))
}
