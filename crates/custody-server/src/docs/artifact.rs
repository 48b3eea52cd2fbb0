//! Artifact documents: provenance, compliance, where the artifact runs and its
//! history, from artifact records, attestations, deployments and runs.

use std::collections::BTreeMap;

use custody_api::{Artifact, EnvIndex, HistoryLine};
use custody_core::Fingerprint;
use custody_core::history::{HistoryEvent, RunSpan, runtime_history};
use custody_core::ids::{ArtifactId, OrgId};
use custody_store::{ArtifactRow, RunRow, Store, json};

use super::compliance::{ArtifactCompliance, evaluate_artifacts};
use crate::auth::OrgScope;
use crate::error::ApiResult;
use crate::state::AppState;

/// Where a fingerprint runs now and where it ran before.
pub struct Whereabouts {
    pub running: Vec<EnvIndex>,
    pub exited: Vec<EnvIndex>,
    pub history: Vec<HistoryEvent>,
}

/// Derives runtime facts of one fingerprint from its runs; `latest` gives each
/// environment's latest snapshot index.
pub fn whereabouts(runs: &[&RunRow], latest: &BTreeMap<String, i64>) -> Whereabouts {
    let spans: Vec<RunSpan> = runs
        .iter()
        .map(|r| RunSpan {
            env: r.env_name.clone(),
            from: r.from_idx,
            from_ts: r.from_at,
            to: r.to_idx,
            to_ts: r.to_at,
            replicas: r.replicas,
        })
        .collect();
    let mut by_env: BTreeMap<&str, Vec<&RunRow>> = BTreeMap::new();
    for r in runs {
        by_env.entry(r.env_name.as_str()).or_default().push(r);
    }
    let (mut running, mut exited) = (Vec::new(), Vec::new());
    for (env, runs) in by_env {
        let entry = |index| EnvIndex {
            environment_name: env.to_string(),
            snapshot_index: index,
        };
        if runs.iter().any(|r| r.to_idx.is_none()) {
            running.push(entry(latest.get(env).copied().unwrap_or(0)));
        } else if let Some(last) = runs.iter().filter_map(|r| r.to_idx).max() {
            exited.push(entry(last));
        }
    }
    Whereabouts {
        running,
        exited,
        history: runtime_history(&spans),
    }
}

/// Each environment's latest snapshot index, by name.
pub async fn latest_indexes(store: &dyn Store, org_id: OrgId) -> ApiResult<BTreeMap<String, i64>> {
    let (envs, _) = store.environments(org_id, None).await?;
    Ok(envs.into_iter().map(|e| (e.name, e.latest_index)).collect())
}

/// Full documents for artifact records, in the order given.
pub async fn documents(
    state: &AppState,
    org: &OrgScope,
    rows: &[ArtifactRow],
) -> ApiResult<Vec<Artifact>> {
    let (store, org_id) = (state.store.as_ref(), org.id);
    let compliance = evaluate_artifacts(state, rows).await?;
    let ids: Vec<ArtifactId> = rows.iter().map(|r| r.id).collect();
    let deployments = store.deployments_of(&ids).await?;
    let fingerprints: Vec<Fingerprint> = rows.iter().map(|r| r.fingerprint.clone()).collect();
    let runs = store.runs_of(org_id, &fingerprints).await?;
    let latest = latest_indexes(store, org_id).await?;
    Ok(rows
        .iter()
        .zip(compliance)
        .map(|(row, compliance)| {
            let own_runs: Vec<&RunRow> = runs
                .iter()
                .filter(|r| r.fingerprint == row.fingerprint)
                .collect();
            let place = whereabouts(&own_runs, &latest);
            let mut history = vec![HistoryEvent::new("Artifact created", row.created_at)];
            history.extend(evidence_lines(&compliance));
            history.extend(
                deployments
                    .iter()
                    .filter(|d| d.artifact_id == row.id)
                    .map(|d| {
                        HistoryEvent::new(
                            format!("Deployment #{} to {} environment", d.number, d.environment),
                            d.created_at,
                        )
                    }),
            );
            history.extend(place.history);
            history.sort_by(|a, b| a.timestamp.total_cmp(&b.timestamp));
            let mut doc = document(row, &compliance, place.running, place.exited, history);
            doc.html_url =
                Some(state.artifact_url(&org.name, &row.flow_name, row.fingerprint.as_str()));
            doc
        })
        .collect())
}

fn evidence_lines(compliance: &ArtifactCompliance) -> impl Iterator<Item = HistoryEvent> + '_ {
    compliance
        .bound
        .iter()
        .map(|a| HistoryEvent::new(format!("{} evidence received", a.name), a.created_at))
}

fn document(
    row: &ArtifactRow,
    compliance: &ArtifactCompliance,
    running: Vec<EnvIndex>,
    exited: Vec<EnvIndex>,
    history: Vec<HistoryEvent>,
) -> Artifact {
    let payload = json(&row.payload);
    let annotations = payload
        .get("annotations")
        .and_then(|a| serde_json::from_value(a.clone()).ok())
        .unwrap_or_default();
    Artifact {
        filename: row.filename.clone(),
        flow_name: row.flow_name.clone(),
        trail_name: row.trail_name.clone(),
        template_reference_name: row.template_name.clone(),
        fingerprint: row.fingerprint.to_string(),
        created_at: row.created_at.seconds(),
        git_commit: row.git_commit.clone(),
        commit_url: row.commit_url.clone(),
        build_url: row.build_url.clone(),
        repo_url: row.repo_url.clone(),
        html_url: None,
        state: compliance.state.as_str().to_string(),
        compliance_status: compliance.status(),
        annotations,
        running,
        exited,
        history: history
            .into_iter()
            .map(|h| HistoryLine {
                event: h.event,
                timestamp: h.timestamp.seconds(),
            })
            .collect(),
    }
}
