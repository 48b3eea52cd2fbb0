//! Bitbucket Cloud's API (2.0): the pull requests a commit belongs to
//! (`/repositories/{ws}/{repo}/commit/{sha}/pullrequests`, paged by `next`),
//! then each one's details (approving participants) and commits.

use anyhow::bail;
use serde_json::{Value, json};

use super::{Api, Auth, compact, unix};

/// Bitbucket's API root (default `https://api.bitbucket.org`), with Basic
/// (username and app password) or Bearer (access token) auth.
pub fn api(
    base_url: Option<&str>,
    username: Option<&str>,
    password: Option<&str>,
    access_token: Option<&str>,
) -> anyhow::Result<Api> {
    let auth = match (username, password, access_token) {
        (_, _, Some(token)) => Auth::Bearer(token.to_string()),
        (Some(user), Some(password), None) => Auth::Basic(user.to_string(), password.to_string()),
        _ => bail!(
            "either --bitbucket-access-token or both --bitbucket-username and --bitbucket-password must be set"
        ),
    };
    let base = base_url.unwrap_or("https://api.bitbucket.org");
    Ok(Api::new(
        &format!("{}/2.0", base.trim_end_matches('/')),
        auth,
    ))
}

/// Every `values` entry of a paged listing, following `next`.
async fn all_pages(api: &Api, first: String) -> anyhow::Result<Vec<Value>> {
    let mut out = Vec::new();
    let mut next = Some(first);
    while let Some(url) = next {
        let page = api.get(&url).await?;
        out.extend(page["values"].as_array().into_iter().flatten().cloned());
        next = page["next"].as_str().map(str::to_string);
    }
    Ok(out)
}

/// The pull requests of `sha` in `workspace/repo`, as `PREvidence` objects.
pub async fn pull_requests(
    api: &Api,
    workspace: &str,
    repo: &str,
    sha: &str,
) -> anyhow::Result<Vec<Value>> {
    let root = format!("/repositories/{workspace}/{repo}");
    let listed = all_pages(api, format!("{root}/commit/{sha}/pullrequests")).await?;
    let mut out = Vec::new();
    for pr in listed {
        let id = &pr["id"];
        let details = api.get(&format!("{root}/pullrequests/{id}")).await?;
        let commits = all_pages(api, format!("{root}/pullrequests/{id}/commits")).await?;
        out.push(evidence(&details, &commits));
    }
    Ok(out)
}

/// One pull request with its commits, in Kosli's shape.
fn evidence(pr: &Value, commits: &[Value]) -> Value {
    let approvers: Vec<Value> = pr["participants"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["approved"] == true)
        .map(|p| {
            compact(
                json!({"username": p["user"]["display_name"], "state": p["state"],
                           "timestamp": unix(&p["participated_on"])}),
            )
        })
        .collect();
    let branch = &pr["source"]["branch"]["name"];
    let commits: Vec<Value> = commits
        .iter()
        .map(|c| {
            compact(json!({
                "sha1": c["hash"],
                "message": c["message"],
                "author": c["author"]["raw"],
                "author_username": c["author"]["user"]["display_name"],
                "timestamp": unix(&c["date"]),
                "branch": branch,
                "url": c["links"]["html"]["href"],
            }))
        })
        .collect();
    compact(json!({
        "merge_commit": pr["merge_commit"]["hash"],
        "url": pr["links"]["html"]["href"],
        "state": pr["state"],
        "approvers": approvers,
        "author": pr["author"]["display_name"],
        "created_at": unix(&pr["created_on"]),
        "title": pr["title"],
        "head_ref": branch,
        "base_ref": pr["destination"]["branch"]["name"],
        "commits": commits,
    }))
}
