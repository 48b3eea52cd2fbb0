//! What the org knows of running fingerprints: each fingerprint's artifact
//! records with their compliance (read for many fingerprints in a few
//! queries), and the instances a run carries.

use std::collections::HashMap;
use std::sync::Arc;

use custody_core::Fingerprint;
use custody_core::ids::OrgId;
use custody_core::report::created_of;
use custody_store::{ArtifactRow, RunRow, json};
use serde_json::{Map, Value};

use super::compliance::{ArtifactCompliance, evaluate_artifacts};
use crate::error::ApiResult;
use crate::state::AppState;

/// What the org knows of a fingerprint: its artifact records, oldest first,
/// each with its compliance.
pub struct Provenance {
    pub records: Vec<(ArtifactRow, Arc<ArtifactCompliance>)>,
}

impl Provenance {
    pub fn primary(&self) -> Option<&ArtifactRow> {
        self.records.first().map(|(r, _)| r)
    }

    /// Compliant when known to a flow and compliant in every flow that knows it.
    pub fn compliant(&self) -> bool {
        !self.records.is_empty()
            && self
                .records
                .iter()
                .all(|(_, c)| c.state == custody_core::compliance::State::Compliant)
    }
}

/// The artifact records of many fingerprints, oldest first, in one query.
pub(crate) async fn records(
    state: &AppState,
    org_id: OrgId,
    fingerprints: &[Fingerprint],
) -> ApiResult<Vec<ArtifactRow>> {
    let mut rows = state
        .store
        .artifacts_with_fingerprints(org_id, fingerprints)
        .await?;
    rows.sort_by(|a, b| a.created_at.total_cmp(&b.created_at).then(a.id.cmp(&b.id)));
    Ok(rows)
}

/// The flow of each fingerprint's first artifact record among `records`
/// (oldest first): its provenance's primary, without judging compliance.
pub(crate) fn flows_of(records: &[ArtifactRow]) -> HashMap<Fingerprint, String> {
    let mut flows = HashMap::new();
    for row in records {
        flows
            .entry(row.fingerprint.clone())
            .or_insert_with(|| row.flow_name.clone());
    }
    flows
}

/// Provenance of many fingerprints in a few queries.
pub async fn provenance(
    state: &AppState,
    org_id: OrgId,
    fingerprints: Vec<Fingerprint>,
) -> ApiResult<HashMap<Fingerprint, Provenance>> {
    let rows = records(state, org_id, &fingerprints).await?;
    let states = evaluate_artifacts(state, &rows).await?;
    let mut map: HashMap<Fingerprint, Provenance> = fingerprints
        .into_iter()
        .map(|fp| {
            (
                fp,
                Provenance {
                    records: Vec::new(),
                },
            )
        })
        .collect();
    for (row, c) in rows.into_iter().zip(states) {
        if let Some(p) = map.get_mut(&row.fingerprint) {
            p.records.push((row, c));
        }
    }
    Ok(map)
}

pub fn creation_times(run: &RunRow) -> (Vec<i64>, Vec<Value>) {
    let mut instances: Vec<Value> = match json(&run.instances) {
        Value::Array(instances) => instances,
        _ => Vec::new(),
    };
    let times: Vec<i64> = instances.iter().map(created_of).collect();
    // Instances stored before creation times were kept in whole seconds carry
    // floats; the wire type is an integer.
    for (instance, &t) in instances.iter_mut().zip(&times) {
        if let Some(object) = instance.as_object_mut() {
            object.insert("creationTimestamp".into(), Value::from(t));
        }
    }
    (times, instances)
}

/// The pod names of these instances, each once, in the order first seen: the
/// keys [`pods`] would give, without copying the instances.
pub fn pod_names(instances: &[Value]) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    instances
        .iter()
        .filter_map(|i| i.get("podName")?.as_str())
        .filter(|name| seen.insert(*name))
        .map(str::to_string)
        .collect()
}

pub fn pods(instances: &[Value]) -> Option<Map<String, Value>> {
    let pods: Map<String, Value> = instances
        .iter()
        .filter_map(|i| {
            let name = i.get("podName")?.as_str()?.to_string();
            let mut pod = i.as_object()?.clone();
            pod.shift_remove("podName");
            Some((name, Value::Object(pod)))
        })
        .collect();
    (!pods.is_empty()).then_some(pods)
}
