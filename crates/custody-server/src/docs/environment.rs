//! Environment documents: an environment as the API shows it, and the
//! snapshot of a logical environment, composed from its members' snapshots at
//! the same moment (the latest of each, or each one's current at `@time`),
//! running artifacts only, with index 0.

use custody_api::{Environment, Snapshot};
use custody_core::EnvironmentType;
use custody_core::Timestamp;
use custody_core::expr::SnapshotRef;
use custody_store::EnvironmentRow;

use super::snapshot;
use crate::auth::OrgScope;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The environment's document; `state` is its latest snapshot's compliance.
pub fn document(org: &OrgScope, row: EnvironmentRow, state: Option<bool>) -> Environment {
    Environment {
        org: org.name.clone(),
        tags: serde_json::from_str(&row.tags).unwrap_or_default(),
        name: row.name,
        kind: row.kind.to_string(),
        description: row.description,
        created_at: row.created_at.seconds(),
        last_modified_at: row.last_modified_at.seconds(),
        last_reported_at: row.last_reported_at.map(Timestamp::seconds),
        last_changed_at: row.last_changed_at.map(Timestamp::seconds),
        state,
        include_scaling: row.include_scaling != 0,
        policies: Vec::new(),
    }
}

/// A logical environment's snapshot: its members' running artifacts at `at`.
pub async fn logical_snapshot(
    state: &AppState,
    org: &OrgScope,
    env: &EnvironmentRow,
    at: &SnapshotRef,
) -> ApiResult<Snapshot> {
    let mut composed = Snapshot {
        index: 0,
        timestamp: 0.0,
        kind: EnvironmentType::Logical.to_string(),
        is_latest: true,
        html_url: state.environment_url(&org.name, &env.name),
        next_snapshot_timestamp: None,
        compliant: Some(true),
        artifacts: Vec::new(),
        applied_policies: Vec::new(),
    };
    let mut found = false;
    for member in state.store.environment_members(env.id).await? {
        let index = match at {
            SnapshotRef::Latest => Some(member.latest_index).filter(|i| *i > 0),
            SnapshotRef::At(time) => {
                let when = time.resolve(state.now());
                state.store.snapshot_at_time(member.id, when).await?
            }
            SnapshotRef::Index(_) | SnapshotRef::Behind(_) => {
                return Err(ApiError::bad(format!(
                    "logical environment '{}' has no numbered snapshots: ask for its latest ({0}) or one at a time ({0}@{{...}})",
                    env.name
                )));
            }
        };
        let Some(index) = index else { continue };
        found = true;
        let member_snapshot = snapshot::document(state, org, &member, index).await?;
        composed.timestamp = composed.timestamp.max(member_snapshot.timestamp);
        composed.is_latest &= member_snapshot.is_latest;
        composed.artifacts.extend(
            member_snapshot
                .artifacts
                .into_iter()
                .filter(|a| a.annotation.now > 0),
        );
    }
    if !found {
        return Err(ApiError::not_found(format!(
            "logical environment '{}' has no member with a snapshot yet",
            env.name
        )));
    }
    composed.compliant = Some(composed.artifacts.iter().all(|a| a.compliant == Some(true)));
    Ok(composed)
}
