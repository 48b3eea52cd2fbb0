//! Snapshots: resolving `env#N`-style references, and the artifacts running at an
//! index with their annotations and provenance.

use std::collections::BTreeMap;

use custody_api::{Annotation, Snapshot, SnapshotArtifact, SnapshotFlow};
use custody_core::Fingerprint;
use custody_core::Timestamp;
use custody_core::compliance::State;
use custody_core::expr::{SnapshotRef, resolve_index};
use custody_core::history::Transition;
use custody_store::{EnvironmentRow, RunRow};

use super::gate::Gate;
use super::policy;
use super::provenance::{Provenance, creation_times, pods, provenance};
use crate::auth::OrgScope;
use crate::error::{ApiError, ApiResult};
use crate::lookup;
use crate::state::AppState;

/// Resolves an environment and a snapshot reference to an existing index.
pub async fn resolve(
    state: &AppState,
    org: &OrgScope,
    env_name: &str,
    at: &SnapshotRef,
) -> ApiResult<(EnvironmentRow, i64)> {
    resolve_written(state, org, env_name, at, None).await
}

/// [`resolve`] of a snapshot expression as the caller wrote it: one that
/// names only the environment is named so in the error, as Kosli does.
pub async fn resolve_written(
    state: &AppState,
    org: &OrgScope,
    env_name: &str,
    at: &SnapshotRef,
    written: Option<&str>,
) -> ApiResult<(EnvironmentRow, i64)> {
    let env = lookup::environment(state, org, env_name).await?;
    let latest = env.latest_index;
    let (requested, index) =
        match at {
            SnapshotRef::At(time) => {
                let when = time.resolve(state.now());
                let index = state.store.snapshot_at_time(env.id, when).await?.ok_or_else(|| {
                ApiError::not_found(format!(
                    "Environment '{env_name}' of organization '{}' had no snapshot yet at {}",
                    org.name,
                    when.seconds()
                ))
            })?;
                return Ok((env, index));
            }
            SnapshotRef::Latest => ("-1".to_string(), latest),
            SnapshotRef::Index(n) => (n.to_string(), resolve_index(at, latest).unwrap_or(*n)),
            SnapshotRef::Behind(n) => (format!("~{n}"), latest - n),
        };
    if index < 1 || index > latest {
        let named = match written {
            Some(written) if written == env_name => env_name.to_string(),
            _ => format!("{env_name}#{requested}"),
        };
        return Err(ApiError::not_found(format!(
            "Org: '{}'. Snapshot '{named}' resolves to '{env_name}#{index}'. len(snapshots) == {latest}. Indexes are 1-based",
            org.name
        )));
    }
    Ok((env, index))
}

/// One fingerprint at a snapshot: its run there (if still running) and the run
/// that ended there (if its count changed or it stopped).
struct Entry<'a> {
    running: Option<&'a RunRow>,
    ended: Option<&'a RunRow>,
}

impl Entry<'_> {
    fn any(&self) -> &RunRow {
        self.running.or(self.ended).expect("an entry has a run")
    }

    fn transition(&self, index: i64) -> Transition {
        let now = self.running.map_or(0, |r| r.replicas);
        let was = match (self.ended, self.running) {
            (Some(e), _) => e.replicas,
            (None, Some(r)) if r.from_idx < index => r.replicas,
            _ => 0,
        };
        Transition { was, now }
    }
}

fn entries(runs: &[RunRow], index: i64) -> BTreeMap<&Fingerprint, Entry<'_>> {
    let mut map: BTreeMap<&Fingerprint, Entry> = BTreeMap::new();
    for run in runs {
        let e = map.entry(&run.fingerprint).or_insert(Entry {
            running: None,
            ended: None,
        });
        if run.to_idx == Some(index) {
            e.ended = Some(run);
        } else if run.from_idx <= index && run.to_idx.is_none_or(|t| t > index) {
            e.running = Some(run);
        }
    }
    map
}

/// The snapshot document for an index.
pub async fn document(
    state: &AppState,
    org: &OrgScope,
    env: &EnvironmentRow,
    index: i64,
) -> ApiResult<Snapshot> {
    let row = state.store.snapshot(env.id, index).await?.ok_or_else(|| {
        ApiError::not_found(format!("snapshot {}#{index} does not exist", env.name))
    })?;
    let runs = state.store.runs_at(env.id, index).await?;
    let entries = entries(&runs, index);
    let known = provenance(state, org.id, entries.keys().map(|&k| k.clone()).collect()).await?;
    let gate = Gate::during(state, org.id, env.id, (index, index), &known).await?;
    let mut artifacts: Vec<SnapshotArtifact> = entries
        .iter()
        .map(|(fp, entry)| {
            let run = entry.any();
            let (creation_timestamp, instances) = creation_times(run);
            let prov = known.get(*fp);
            let primary = prov.and_then(Provenance::primary);
            let t = entry.transition(index);
            let (decisions, compliant) = gate.judge(index, (&run.name, &run.fingerprint), prov);
            SnapshotArtifact {
                name: run.name.clone(),
                fingerprint: run.fingerprint.to_string(),
                creation_timestamp: if entry.running.is_some() {
                    creation_timestamp
                } else {
                    Vec::new()
                },
                pods: pods(&instances),
                instances: if entry.running.is_some() {
                    instances
                } else {
                    Vec::new()
                },
                flow_name: primary.map(|p| p.flow_name.clone()),
                git_commit: primary.and_then(|p| p.git_commit.clone()),
                commit_url: primary.and_then(|p| p.commit_url.clone()),
                compliant: Some(compliant),
                deployments: Vec::new(),
                flows: prov.map_or_else(Vec::new, |p| flows(state, &org.name, p)),
                annotation: Annotation {
                    kind: t.kind().to_string(),
                    was: t.was,
                    now: t.now,
                },
                policy_decisions: decisions,
            }
        })
        .collect();
    artifacts.sort_by(|a, b| {
        let oldest =
            |x: &SnapshotArtifact| x.creation_timestamp.first().copied().unwrap_or(i64::MIN);
        (b.annotation.now > 0)
            .cmp(&(a.annotation.now > 0))
            .then(oldest(b).cmp(&oldest(a)))
            .then(a.name.cmp(&b.name))
    });
    let compliant = artifacts
        .iter()
        .filter(|a| a.annotation.now > 0)
        .all(|a| a.compliant == Some(true));
    Ok(Snapshot {
        index,
        timestamp: row.created_at.seconds(),
        kind: row.kind,
        is_latest: index == env.latest_index,
        html_url: state.snapshot_url(&org.name, &env.name, index),
        next_snapshot_timestamp: row.next_at.map(Timestamp::seconds),
        compliant: Some(compliant),
        artifacts,
        applied_policies: gate
            .applied(index)
            .into_iter()
            .map(policy::Applied::summary)
            .collect(),
    })
}

fn flows(state: &AppState, org: &str, prov: &Provenance) -> Vec<SnapshotFlow> {
    prov.records
        .iter()
        .map(|(r, s)| SnapshotFlow {
            flow_name: r.flow_name.clone(),
            trail_name: r.trail_name.clone(),
            template_reference_name: r.template_name.clone(),
            git_commit: r.git_commit.clone(),
            commit_url: r.commit_url.clone(),
            artifact_compliance_in_flow: s.state == State::Compliant,
            html_url: state.artifact_url(org, &r.flow_name, r.fingerprint.as_str()),
            flow_html_url: state.flow_url(org, &r.flow_name),
        })
        .collect()
}
