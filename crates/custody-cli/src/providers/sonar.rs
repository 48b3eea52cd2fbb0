//! SonarQube/SonarCloud (reference §11.4): finds the analysis (from the
//! scanner's `report-task.txt`, a compute-engine task URL, or project key and
//! revision), waits for its task to finish, and reads its quality gate, as
//! `sonar_results`.

use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use serde_json::{Value, json};

use super::{Api, Auth, compact, encode};

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

/// The `key=value` lines of the scanner's report file.
fn report_task(dir: &str) -> anyhow::Result<Vec<(String, String)>> {
    let path = format!("{}/report-task.txt", dir.trim_end_matches('/'));
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("failed to read the Sonar report file {path}"))?;
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
    let key = lookup
        .project_key
        .as_deref()
        .ok_or_else(|| anyhow!("--sonar-project-key is required when there is no {}/report-task.txt and no --sonar-ce-task-url", lookup.working_dir))?;
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
        .ok_or_else(|| {
            anyhow!(
                "no Sonar analysis of project {key} found for revision {}",
                lookup.revision.as_deref().unwrap_or_default()
            )
        })?;
    Ok(
        json!({"componentKey": key, "analysisId": found["key"], "id": Value::Null,
              "branch": lookup.branch, "pullRequest": lookup.pull_request}),
    )
}

/// The `sonar_results` of the analysis `lookup` names.
pub async fn results(token: &str, lookup: &Lookup) -> anyhow::Result<Value> {
    let report = report_task(&lookup.working_dir).ok();
    let value = |key: &str| {
        report
            .as_ref()
            .and_then(|r| r.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()))
    };
    let server = value("serverUrl").unwrap_or_else(|| lookup.server_url.clone());
    let api = Api::new(&server, Auth::Bearer(token.to_string()));
    let task_url = lookup.ce_task_url.clone().or_else(|| value("ceTaskUrl"));
    let task = match task_url {
        Some(url) => finished_task(&api, &url, lookup.max_wait).await?,
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
