//! What an environment's page shows of its runs, read once: the timeline of
//! the runs open in a window before the latest report (at most its last
//! [`DRAWN_SNAPSHOTS`] snapshots, so a busy environment's page stays as quick
//! as a quiet one's), and whether what runs now may run there, judged from
//! the same runs and provenance.

use std::collections::HashMap;

use custody_core::{Fingerprint, Timestamp};
use custody_store::{EnvironmentRow, RunSpan};

use super::format::{short, url_encode};
use super::timeline::{self, Bar};
use crate::auth::OrgScope;
use crate::docs::current::all_may_run;
use crate::docs::gate::{Gate, runs_known};
use crate::docs::provenance::Provenance;
use crate::error::ApiResult;
use crate::state::AppState;

/// Snapshots the timeline draws at most.
pub const DRAWN_SNAPSHOTS: i64 = 500;

/// The timeline (SVG) and the latest snapshot's compliance (none before the
/// first snapshot).
pub struct History {
    pub timeline: String,
    pub compliant: Option<bool>,
    /// When the window held more than [`DRAWN_SNAPSHOTS`]: the snapshot the
    /// timeline starts from instead.
    pub drawn_from: Option<i64>,
}

/// The history of the last `days` before the latest report.
pub async fn history(
    state: &AppState,
    org: &OrgScope,
    env: &EnvironmentRow,
    days: u32,
) -> ApiResult<History> {
    if env.latest_index == 0 {
        return Ok(History {
            timeline: timeline::environment(Vec::new(), 0.0, 0.0),
            compliant: None,
            drawn_from: None,
        });
    }
    let end = env.last_reported_at.unwrap_or_else(|| state.now());
    let since = end.seconds() - f64::from(days) * 86_400.0;
    let in_window = state
        .store
        .snapshot_at_time(env.id, Timestamp::from_seconds(since))
        .await?
        .unwrap_or(1);
    let first = in_window.max(env.latest_index - DRAWN_SNAPSHOTS + 1);
    let cut = first > in_window;
    let since = if cut {
        let row = state.store.snapshot(env.id, first).await?;
        row.map_or(since, |row| row.created_at.seconds())
    } else {
        since
    };
    let (runs, known) = runs_known(state, org, env, (first, env.latest_index)).await?;
    let gates = Gate::current(state, org.id, &[env], &known).await?;
    let open = runs.iter().filter(|r| r.to_idx.is_none());
    let compliant = gates.get(&env.id).map(|gate| {
        all_may_run(
            gate,
            env,
            open.map(|r| (r.name.as_str(), &r.fingerprint)),
            &known,
        )
    });
    Ok(History {
        timeline: drawn(&org.name, runs, &known, end.seconds(), since),
        compliant,
        drawn_from: cut.then_some(first),
    })
}

/// The timeline of these runs, from the earliest shown (not before `since`)
/// to the latest end.
fn drawn(
    org: &str,
    runs: Vec<RunSpan>,
    known: &HashMap<Fingerprint, Provenance>,
    reported: f64,
    since: f64,
) -> String {
    let end = runs
        .iter()
        .filter_map(|r| r.to_at)
        .map(Timestamp::seconds)
        .fold(reported, f64::max);
    let start = runs
        .iter()
        .map(|r| r.from_at.seconds())
        .fold(end, f64::min)
        .max(since);
    let bars = runs
        .into_iter()
        .map(|run| {
            let found = known.get(&run.fingerprint);
            let primary = found.and_then(Provenance::primary);
            let flow = primary.map(|a| a.flow_name.clone());
            Bar {
                lane: flow.clone().unwrap_or_else(|| base_name(&run.name)),
                link: flow.map(|f| {
                    format!(
                        "/{}/flows/{}/artifacts/{}",
                        url_encode(org),
                        url_encode(&f),
                        run.fingerprint
                    )
                }),
                commit: primary.and_then(|a| a.git_commit.as_deref().map(short)),
                compliant: found.map(Provenance::compliant),
                from: run.from_at.seconds(),
                to: run.to_at.map(Timestamp::seconds),
                replicas: run.replicas,
                name: run.name,
                fingerprint: run.fingerprint.into(),
            }
        })
        .collect();
    timeline::environment(bars, start, end.max(start + 1.0))
}

/// `registry/team/runner:16d9990` → `runner`.
fn base_name(name: &str) -> String {
    let last = name.rsplit('/').next().unwrap_or(name);
    last.split([':', '@']).next().unwrap_or(last).to_string()
}
