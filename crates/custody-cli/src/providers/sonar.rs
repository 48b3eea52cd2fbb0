//! SonarQube/SonarCloud (reference §11.4): finds the analysis (from the
//! scanner's `report-task.txt`, a compute-engine task URL, or project key and
//! revision), waits for its task to finish, and reads its quality gate, as
//! `sonar_results`.

use std::time::{Duration, Instant};

use anyhow::{anyhow, bail};
use serde_json::{Value, json};

use super::{Api, Auth, compact, encode};
use crate::output::io_text;

/// Where to find the analysis.
pub struct Lookup {
    pub working_dir: String,
    pub ce_task_url: Option<String>,
    pub server_url: String,
    pub project_key: Option<String>,
    pub revision: Option<String>,
    pub branch: Option<String>,
    pub pull_request: Option<String>,
    pub max_wait: Duration,
}

/// The `key=value` lines of the scanner's report file, or why it cannot be
/// read (in Kosli's words).
fn report_task(dir: &str) -> Result<Vec<(String, String)>, String> {
    let path = format!("{}/report-task.txt", dir.trim_end_matches('/'));
    let text = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "open {path}: {}. Check your working directory is set correctly",
            io_text(&e)
        )
    })?;
    Ok(text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect())
}

/// Polls the compute-engine task until it succeeded, backing off up to `max_wait`.
async fn finished_task(api: &Api, url: &str, max_wait: Duration) -> anyhow::Result<Value> {
    let start = Instant::now();
    let mut delay = Duration::from_millis(250);
    loop {
        let task = api.get(url).await?["task"].clone();
        match task["status"].as_str().unwrap_or_default() {
            "SUCCESS" => return Ok(task),
            "PENDING" | "IN_PROGRESS" if start.elapsed() + delay <= max_wait => {
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
            "PENDING" | "IN_PROGRESS" => {
                bail!(
                    "the Sonar analysis task did not finish within {}s",
                    max_wait.as_secs()
                )
            }
            other => bail!("the Sonar analysis task ended with status {other}"),
        }
    }
}

/// The analysis of the project at the wanted revision, with its task facts.
async fn by_revision(api: &Api, lookup: &Lookup) -> anyhow::Result<Value> {
    let key = lookup.project_key.as_deref().unwrap_or_default();
    let mut path = format!("/api/project_analyses/search?project={}", encode(key));
    if let Some(b) = &lookup.branch {
        path.push_str(&format!("&branch={}", encode(b)));
    }
    if let Some(pr) = &lookup.pull_request {
        path.push_str(&format!("&pullRequest={}", encode(pr)));
    }
    let analyses = api.get(&path).await?;
    let found = analyses["analyses"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| lookup.revision.is_none() || a["revision"].as_str() == lookup.revision.as_deref())
        .ok_or_else(|| not_analysed(key, lookup))?;
    Ok(
        json!({"componentKey": key, "analysisId": found["key"], "id": Value::Null,
              "branch": lookup.branch, "pullRequest": lookup.pull_request}),
    )
}

/// The `scheme://host[:port]` a URL starts with: the server of a
/// compute-engine task URL given without the scanner's report.
fn origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split(['/', '?', '#']).next()?;
    (!host.is_empty()).then(|| format!("{scheme}://{host}"))
}

/// Why no analysis of project `key` was found at the wanted revision, in
/// Kosli's words: which branch was searched, and what to check.
fn not_analysed(key: &str, lookup: &Lookup) -> anyhow::Error {
    let revision = lookup.revision.as_deref().unwrap_or_default();
    let (scope, advice) = match &lookup.branch {
        Some(branch) => (
            format!("branch {branch} was searched"),
            "Check the revision and the branch are correct. Only the most recent analyses are searched, so an older scan may not be listed.",
        ),
        None => (
            "only the project's main branch was searched, because no --sonar-branch was given"
                .to_string(),
            "Check the revision is correct, and pass --sonar-branch if the scan ran on another branch.",
        ),
    };
    anyhow!(
        "analysis for revision {revision} of project {key} not found: {scope}. {advice} \n\
         The scan may still be being processed by SonarQube, try again later.\n \
         Otherwise if you are attesting an older scan, the snapshot may also have been deleted by SonarQube"
    )
}

/// The `sonar_results` of the analysis `lookup` names.
pub async fn results(token: &str, lookup: &Lookup) -> anyhow::Result<Value> {
    let read = report_task(&lookup.working_dir);
    let report = read.as_ref().ok();
    let value = |key: &str| {
        report
            .as_ref()
            .and_then(|r| r.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
    };
    let task_url = lookup.ce_task_url.clone().or_else(|| value("ceTaskUrl"));
    let server = value("serverUrl")
        .or_else(|| task_url.as_deref().and_then(origin))
        .unwrap_or_else(|| lookup.server_url.clone());
    let api = Api::new(&server, Auth::Bearer(token.to_string()));
    let task = match task_url {
        Some(url) => finished_task(&api, &url, lookup.max_wait).await?,
        None if lookup.project_key.is_none()
            || (lookup.revision.is_none() && lookup.pull_request.is_none()) =>
        {
            let unread = read.as_ref().err().cloned();
            let unread = unread.unwrap_or_else(|| "report-task.txt has no ceTaskUrl".into());
            bail!(
                "{unread}. Alternatively provide the project key and either revision or pull-request ID for the scan to attest"
            )
        }
        None => by_revision(&api, lookup).await?,
    };
    let key = task["componentKey"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let analysis_id = task["analysisId"].as_str().unwrap_or_default();
    let gate = api
        .get(&format!(
            "/api/qualitygates/project_status?analysisId={analysis_id}"
        ))
        .await?["projectStatus"]
        .clone();
    let mut analyses = format!("/api/project_analyses/search?project={}", encode(&key));
    if let Some(b) = task["branch"].as_str() {
        analyses.push_str(&format!("&branch={}", encode(b)));
    }
    if let Some(pr) = task["pullRequest"].as_str() {
        analyses.push_str(&format!("&pullRequest={}", encode(pr)));
    }
    let listed = api.get(&analyses).await?;
    let analysis = listed["analyses"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|a| a["key"] == analysis_id)
        .cloned()
        .unwrap_or(Value::Null);
    let conditions: Vec<Value> = gate["conditions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| {
            compact(
                json!({"metric": c["metricKey"], "errorThreshold": c["errorThreshold"],
                           "operator": c["comparator"], "value": c["actualValue"],
                           "status": c["status"]}),
            )
        })
        .collect();
    let dashboard = value("dashboardUrl").unwrap_or_else(|| format!("{server}/dashboard?id={key}"));
    let branch = task["branch"]
        .as_str()
        .map(|name| compact(json!({"name": name, "type": task["branchType"]})));
    Ok(compact(json!({
        "serverUrl": server,
        "taskId": task["id"],
        "status": task["status"].as_str().unwrap_or("SUCCESS"),
        "analysedAt": analysis["date"],
        "revision": analysis["revision"],
        "project": compact(json!({"key": key, "name": task["componentName"], "url": dashboard})),
        "branch": branch,
        "pullRequest": task["pullRequest"],
        "qualityGate": {"status": gate["status"], "conditions": conditions},
    })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_url_names_its_server() {
        let task = "http://127.0.0.1:9000/api/ce/task?id=AY";
        assert_eq!(origin(task).as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(
            origin("https://sonarcloud.io?x").as_deref(),
            Some("https://sonarcloud.io")
        );
        assert_eq!(origin("not a url"), None);
    }

    #[test]
    fn a_missing_report_is_named_as_kosli_names_it() {
        let why = report_task("/nonexistent/.scannerwork/").unwrap_err();
        assert_eq!(
            why,
            "open /nonexistent/.scannerwork/report-task.txt: no such file or directory. Check your working directory is set correctly"
        );
    }
}
