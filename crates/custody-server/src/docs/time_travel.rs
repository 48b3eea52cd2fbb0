//! Time travel: past snapshots of an environment judged by a policy that may
//! never have applied to them (an attached one, an older version, a proposed
//! file), beside the verdicts recorded at the time, and where the verdicts by
//! that policy would have changed. A fixed number of queries per request.

use custody_api::{ArtifactVerdict, Evaluation, SnapshotVerdict};
use custody_store::EnvironmentRow;

use super::gate::{Gate, runs_known, verdicts};
use super::policy::Applied;
use crate::auth::OrgScope;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The most snapshots one evaluation judges.
pub const MAX_SNAPSHOTS: i64 = 1000;

/// Snapshots `from..=to` of `env` judged by `applied`.
pub async fn evaluate(
    state: &AppState,
    org: &OrgScope,
    env: &EnvironmentRow,
    (from, to): (i64, i64),
    applied: Applied,
    stored: bool,
) -> ApiResult<Evaluation> {
    if to - from + 1 > MAX_SNAPSHOTS {
        return Err(ApiError::bad(format!(
            "{} snapshots asked for: evaluate at most {MAX_SNAPSHOTS} at a time (a shorter interval)",
            to - from + 1
        )));
    }
    let (runs, known) = runs_known(state, org, env, (from, to)).await?;
    let as_recorded = Gate::during(state, org.id, env.id, (from, to), &known).await?;
    let recorded = verdicts(&runs, &known, &as_recorded, (from, to));
    let (name, version) = (applied.name.clone(), applied.version);
    let gate = Gate::trying(state, env.id, applied, from, &known).await?;
    let judged = verdicts(&runs, &known, &gate, (from, to));
    let page = custody_store::Page {
        page: 1,
        per_page: u32::try_from(to - from + 1).unwrap_or(u32::MAX),
    };
    let taken = state.store.snapshots(env.id, from, to, false, page).await?;
    let snapshots: Vec<SnapshotVerdict> = taken
        .iter()
        .map(|s| SnapshotVerdict {
            index: s.idx,
            timestamp: s.created_at.seconds(),
            compliant: judged.get(&s.idx).copied().unwrap_or(true),
            recorded_compliant: recorded.get(&s.idx).copied().unwrap_or(true),
        })
        .collect();
    let changes = snapshots
        .windows(2)
        .filter(|w| w[0].compliant != w[1].compliant)
        .map(|w| w[1].index)
        .collect();
    let artifacts = runs
        .iter()
        .filter(|r| r.from_idx <= to && r.to_idx.is_none_or(|t| t > to))
        .map(|r| {
            let prov = known.get(&r.fingerprint);
            let (decisions, compliant) = gate.judge(to, (&r.name, &r.fingerprint), prov);
            ArtifactVerdict {
                name: r.name.clone(),
                fingerprint: r.fingerprint.to_string(),
                flow_name: prov.and_then(|p| p.primary()).map(|a| a.flow_name.clone()),
                compliant,
                decision: decisions.into_iter().next(),
            }
        })
        .collect();
    Ok(Evaluation {
        environment: env.name.clone(),
        policy_name: name,
        policy_version: stored.then_some(version),
        snapshots,
        changes,
        artifacts,
    })
}
