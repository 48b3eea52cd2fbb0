//! Jira: the issue keys a commit refers to (reference §11.3) and whether each
//! issue exists (`GET /rest/api/2/issue/{key}`), as `jira_results` entries.

use std::collections::BTreeSet;

use anyhow::bail;
use regex::Regex;
use serde_json::{Value, json};

use super::{Api, Auth, compact};
use crate::output::sorted_keys;

/// The field asked for when none are wanted: unknown to Jira, so the answer stays small.
const NO_FIELDS: &str = "custody-no-such-field";

/// Jira's API at `base_url`, with Basic (username and API token) or Bearer (PAT) auth.
pub fn api(
    base_url: &str,
    username: Option<&str>,
    api_token: Option<&str>,
    pat: Option<&str>,
) -> anyhow::Result<Api> {
    let auth = match (username, api_token, pat) {
        (Some(user), Some(token), _) => Auth::Basic(user.to_string(), token.to_string()),
        (_, _, Some(pat)) => Auth::Bearer(pat.to_string()),
        _ => bail!(
            "either (username and API token) or personal access token must be provided to create a jira client"
        ),
    };
    Ok(Api::new(base_url, auth))
}

/// The issue keys in `text`: of `project_keys` only when given, else any
/// `ABC-123`. Keys are matched in the upper-cased text, de-duplicated and
/// sorted; a key always followed by `-<digit>` (as `CVE-2026` in
/// `CVE-2026-41284`) is not one.
pub fn issue_keys(text: &str, project_keys: &[String]) -> anyhow::Result<Vec<String>> {
    let valid = Regex::new("^[A-Za-z][A-Za-z0-9_]{1,9}$").expect("valid regex");
    let invalid: Vec<String> = project_keys
        .iter()
        .filter(|k| !valid.is_match(k))
        .map(|k| format!("{k:?}"))
        .collect();
    if !invalid.is_empty() {
        bail!("invalid Jira project keys: [{}]", invalid.join(" "));
    }
    let pattern = if project_keys.is_empty() {
        r"\b[A-Z][A-Z0-9]{1,9}-[0-9]+".to_string()
    } else {
        let keys: Vec<String> = project_keys.iter().map(|k| k.to_uppercase()).collect();
        format!(r"\b({})-[0-9]+", keys.join("|"))
    };
    let regex = Regex::new(&pattern)?;
    let text = text.to_uppercase();
    let mut standalone = BTreeSet::new();
    let mut seen = BTreeSet::new();
    for found in regex.find_iter(&text) {
        seen.insert(found.as_str().to_string());
        let mut after = text[found.end()..].chars();
        let continued =
            after.next() == Some('-') && after.next().is_some_and(|c| c.is_ascii_digit());
        if !continued {
            standalone.insert(found.as_str().to_string());
        }
    }
    Ok(seen.intersection(&standalone).cloned().collect())
}

/// One `jira_results` entry: `{issue_id, issue_url, issue_exists, issue_fields?}`.
pub async fn issue(api: &Api, key: &str, fields: Option<&str>) -> anyhow::Result<Value> {
    let path = format!(
        "/rest/api/2/issue/{key}?fields={}",
        fields.unwrap_or(NO_FIELDS)
    );
    let found = api.get_optional(&path).await?;
    let issue_fields = match (&found, fields) {
        (Some(issue), Some(_)) => sorted_keys(issue["fields"].clone()),
        _ => Value::Null,
    };
    Ok(compact(json!({
        "issue_id": key,
        "issue_url": format!("{}/browse/{key}", api.base),
        "issue_exists": found.is_some(),
        "issue_fields": issue_fields,
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str, projects: &[&str]) -> Vec<String> {
        let projects: Vec<String> = projects.iter().map(|p| p.to_string()).collect();
        issue_keys(text, &projects).unwrap()
    }

    #[test]
    fn keys_are_found_upper_cased_deduplicated_and_sorted() {
        assert_eq!(
            keys("fix eng-12 and OPS-3, again Eng-12\nfeature/abc-7", &[]),
            ["ABC-7", "ENG-12", "OPS-3"]
        );
        assert_eq!(
            keys("no keys here, A-1 is too short", &[]),
            Vec::<String>::new()
        );
    }

    #[test]
    fn a_key_always_followed_by_dash_digit_is_not_a_key() {
        assert_eq!(keys("patch CVE-2026-41284", &[]), Vec::<String>::new());
        assert_eq!(keys("CVE-2026-41284 and CVE-2026", &[]), ["CVE-2026"]);
    }

    #[test]
    fn project_keys_restrict_and_are_validated() {
        assert_eq!(
            keys("ENG-1 OPS-2 web-3", &["ops", "WEB"]),
            ["OPS-2", "WEB-3"]
        );
        let bad = issue_keys("x", &["x".into(), "ok".into(), "1a".into()]);
        assert_eq!(
            bad.unwrap_err().to_string(),
            r#"invalid Jira project keys: ["x" "1a"]"#
        );
    }
}
