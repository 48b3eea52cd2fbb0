//! Which deployments failed, as the environment's history shows it: a version
//! replaced by an older build of its flow (a rollback), or a version that ran
//! while it was not allowed to (non-compliant); and when, and by which
//! version, each was restored.

use super::{Stay, Window};

/// How far apart a version's exit and its successor's start may be for the
/// successor to count as its replacement (blue-green overlaps, or a stop
/// before the start).
const REPLACED_WITHIN: f64 = 6.0 * 3600.0;

/// Why a deployment counts as failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    RolledBack,
    NonCompliant,
}

/// A failed deployment.
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub flow: String,
    pub fingerprint: String,
    pub started: f64,
    pub cause: Cause,
    /// When the version that replaced it started, if one has.
    pub restored_at: Option<f64>,
    pub restored_by: Option<String>,
    /// Whether the restoring deployment falls in the window (rework).
    pub reworked: bool,
}

impl Failure {
    /// How long restoring took, once restored.
    pub fn restored_after(&self) -> Option<f64> {
        self.restored_at.map(|t| (t - self.started).max(0.0))
    }
}

/// The stays that ended, by when they ended, so the stays a version may have
/// replaced are found by a search rather than by a look at every stay.
struct Exits(Vec<(f64, usize)>);

impl Exits {
    fn of(stays: &[Stay]) -> Exits {
        let mut exits: Vec<(f64, usize)> = stays
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((s.to?, i)))
            .collect();
        exits.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        Exits(exits)
    }

    /// The index of the stay of the same flow that `next` replaced: another
    /// version whose exit is nearest to `next`'s start, within [`REPLACED_WITHIN`].
    fn replaced_by(&self, stays: &[Stay], next: &Stay) -> Option<usize> {
        let lo = self
            .0
            .partition_point(|(t, _)| *t < next.from - REPLACED_WITHIN);
        let hi = self
            .0
            .partition_point(|(t, _)| *t <= next.from + REPLACED_WITHIN);
        self.0[lo..hi]
            .iter()
            .filter(|&&(_, i)| {
                let s = &stays[i];
                s.flow == next.flow && s.fingerprint != next.fingerprint && s.from < next.from
            })
            .map(|&(t, i)| ((t - next.from).abs(), i))
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)))
            .map(|(_, i)| i)
    }
}

/// For each stay, the first stay that replaced it.
fn successors(stays: &[Stay]) -> Vec<Option<usize>> {
    let exits = Exits::of(stays);
    let mut next: Vec<Option<usize>> = vec![None; stays.len()];
    for (i, stay) in stays.iter().enumerate() {
        if let Some(p) = exits.replaced_by(stays, stay)
            && next[p].is_none_or(|j| stays[j].from > stay.from)
        {
            next[p] = Some(i);
        }
    }
    next
}

/// The failed deployments that started in `window`.
pub fn find(stays: &[Stay], window: Window) -> Vec<Failure> {
    let next = successors(stays);
    let mut found: Vec<Failure> = stays
        .iter()
        .zip(&next)
        .filter(|(s, _)| window.holds(s.from))
        .filter_map(|(s, next)| {
            let next = next.map(|j| &stays[j]);
            let cause = if next.is_some_and(|n| n.built_at < s.built_at) {
                Cause::RolledBack
            } else if !s.compliant {
                Cause::NonCompliant
            } else {
                return None;
            };
            let restored_at = next.map(|n| n.from);
            Some(Failure {
                flow: s.flow.clone(),
                fingerprint: s.fingerprint.clone(),
                started: s.from,
                cause,
                restored_at,
                restored_by: next.map(|n| n.fingerprint.clone()),
                reworked: restored_at.is_some_and(|t| window.holds(t)),
            })
        })
        .collect();
    found.sort_by(|a, b| a.started.total_cmp(&b.started));
    found
}
