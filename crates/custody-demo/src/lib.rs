//! A demo data set: cyber-dojo's Kosli organization from August to September
//! 2022, as the tutorial "From commit to production" shows it. Twelve service
//! flows (and a retired, archived `shas`), two ECS environments, 87 builds with
//! their evidence and 153 deployments, and 375 environment reports making 158
//! snapshots of aws-beta and 137 of aws-prod, lined up with the tutorial:
//! `runner:16d9990` starts in aws-beta#84 and aws-prod#65.
//!
//! [`load`] replays it through the API with a [`Client`], so it is stored by the
//! same code as live reports. The server must be on a replay clock the loader
//! sets before each request, giving every record its historical time.

mod catalog;
mod cluster;
mod dates;
mod event;
mod plan;
mod timeline;

use std::collections::BTreeMap;
use std::fmt;

use anyhow::{Context, ensure};
use custody_api::{
    ArtifactReport, DeploymentCreate, EnvironmentCreate, EnvironmentReport, LegacyFlowCreate,
};
use custody_client::{Body, Client, Response};
use serde_json::{Value, json};

use crate::catalog::{EVIDENCE, TEMPLATE, Version};
use crate::plan::{Request, Timed};

/// What [`load`] created.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// Flows created, archived ones included.
    pub flows: usize,
    pub archived_flows: usize,
    pub environments: usize,
    pub artifacts: usize,
    pub evidence: usize,
    pub deployments: usize,
    /// Environment reports sent, whether or not they made a snapshot.
    pub reports: usize,
    /// The latest snapshot index of each environment.
    pub snapshots: BTreeMap<String, i64>,
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} flows ({} archived), {} environments, {} artifacts, {} pieces of evidence, {} deployments, {} reports",
            self.flows,
            self.archived_flows,
            self.environments,
            self.artifacts,
            self.evidence,
            self.deployments,
            self.reports
        )?;
        for (env, n) in &self.snapshots {
            write!(f, ", {n} snapshots of {env}")?;
        }
        Ok(())
    }
}

/// Loads the demo into `org`, which must exist and be empty, with a client whose
/// key may write and report there. `clock(t)` must set the server's time to Unix
/// time `t`; it is called before every request and left at the last one
/// (10 September 2022): switch the server back to the system clock afterwards.
pub async fn load(client: &Client, org: &str, clock: &dyn Fn(f64)) -> anyhow::Result<Summary> {
    let mut summary = Summary::default();
    for Timed { at, request } in plan::plan(timeline::events())? {
        clock(at as f64);
        send(client, org, &request, &mut summary)
            .await
            .with_context(|| format!("replaying the demo's request due at Unix time {at}"))?;
    }
    Ok(summary)
}

async fn send(
    client: &Client,
    org: &str,
    request: &Request,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    match request {
        Request::CreateFlow(flow) => {
            let body = LegacyFlowCreate {
                name: flow.name.to_string(),
                description: flow.description.to_string(),
                visibility: Some("public".to_string()),
                template: TEMPLATE.iter().map(|t| t.to_string()).collect(),
            };
            call(
                client,
                "PUT",
                &["flows", org],
                Body::Json(serde_json::to_value(&body)?),
            )
            .await?;
            summary.flows += 1;
        }
        Request::CreateEnvironment(env) => {
            let body = EnvironmentCreate {
                name: env.name().to_string(),
                kind: "ECS".to_string(),
                description: env.description().to_string(),
                ..EnvironmentCreate::default()
            };
            call(
                client,
                "PUT",
                &["environments", org],
                Body::Json(serde_json::to_value(&body)?),
            )
            .await?;
            summary.environments += 1;
        }
        Request::Artifact(version) => {
            let body = ArtifactReport {
                fingerprint: version.fingerprint(),
                filename: version.filename(),
                git_commit: Some(version.commit()),
                build_url: version.build_url(),
                commit_url: version.commit_url(),
                repo_url: Some(version.repo_url()),
                ..ArtifactReport::default()
            };
            call(
                client,
                "POST",
                &["artifacts", org, version.service],
                Body::Json(serde_json::to_value(&body)?),
            )
            .await?;
            summary.artifacts += 1;
        }
        Request::Evidence { version, compliant } => {
            let body = json!({
                "artifact_fingerprint": version.fingerprint(),
                "name": EVIDENCE,
                "is_compliant": compliant,
                "build_url": version.build_url(),
                "user_data": coverage(version, *compliant),
            });
            let path = ["evidence", org, "artifact", version.service, "generic"];
            call(client, "POST", &path, Body::Json(body)).await?;
            summary.evidence += 1;
        }
        Request::Deployment { version, env } => {
            let body = DeploymentCreate {
                artifact_fingerprint: version.fingerprint(),
                environment: env.name().to_string(),
                description: Some(format!(
                    "Deployed to {} by the GitHub Actions pipeline",
                    env.name()
                )),
                build_url: Some(version.build_url()),
                user_data: None,
            };
            call(
                client,
                "POST",
                &["deployments", org, version.service],
                Body::Json(serde_json::to_value(&body)?),
            )
            .await?;
            summary.deployments += 1;
        }
        Request::Report { env, tasks, expect } => {
            let body = EnvironmentReport {
                kind: None,
                artifacts: tasks.clone(),
            };
            let path = ["environments", org, env.name(), "report", "ECS"];
            let answer: Value = call(
                client,
                "PUT",
                &path,
                Body::Json(serde_json::to_value(&body)?),
            )
            .await?
            .json()?;
            let got = (
                answer["snapshot_index"].as_i64(),
                answer["new_snapshot"].as_bool(),
            );
            ensure!(
                got == (Some(expect.snapshot_index), Some(expect.new_snapshot)),
                "the server answered {answer} where the timeline expects snapshot #{} (new: {}); \
                 the demo only lines up with the tutorial when every change makes a snapshot",
                expect.snapshot_index,
                expect.new_snapshot
            );
            summary.reports += 1;
            summary
                .snapshots
                .insert(env.name().to_string(), expect.snapshot_index);
        }
        Request::ArchiveFlow(flow) => {
            call(client, "PUT", &["flows", org, flow, "archive"], Body::None).await?;
            summary.archived_flows += 1;
        }
    }
    Ok(())
}

/// The coverage report a build attaches to its evidence; below 100% fails.
fn coverage(version: &Version, compliant: bool) -> Value {
    let lines = 400 + version.built % 1_300;
    let branches = if compliant { 100.0 } else { 96.4 };
    json!({ "code": { "lines": lines, "branch_coverage": branches }, "test": { "branch_coverage": 100.0 } })
}

/// Sends a request to `/api/v2/<segments>`.
async fn call(
    client: &Client,
    method: &str,
    segments: &[&str],
    body: Body,
) -> anyhow::Result<Response> {
    let url = client.api_url(segments);
    let what = format!("{method} {}", url.path());
    // custody-client takes reqwest's Method without re-exporting it: parsing
    // lets inference name the type.
    let method = method.parse().with_context(|| what.clone())?;
    client.send(method, url, &body).await.with_context(|| what)
}
