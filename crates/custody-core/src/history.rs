//! What happened to an artifact in its environments, derived from runs: a run is
//! a fingerprint running with a fixed replica count from snapshot `from` until
//! snapshot `to` (exclusive). Artifact history lines, environment events and
//! snapshot annotations all come from the same runs.

use crate::Timestamp;

/// One run of a fingerprint in an environment, with the times of its end snapshots.
#[derive(Debug, Clone, PartialEq)]
pub struct RunSpan {
    pub env: String,
    pub from: i64,
    pub from_ts: Timestamp,
    pub to: Option<i64>,
    pub to_ts: Option<Timestamp>,
    pub replicas: i64,
}

/// A line of an artifact's history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEvent {
    pub event: String,
    pub timestamp: Timestamp,
}

impl HistoryEvent {
    pub fn new(event: impl Into<String>, timestamp: Timestamp) -> Self {
        HistoryEvent {
            event: event.into(),
            timestamp,
        }
    }
}

/// How the replica count of one fingerprint changed at a snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    pub was: i64,
    pub now: i64,
}

impl Transition {
    /// `started`, `exited`, `scaled` or `unchanged`: the annotation type.
    pub fn kind(self) -> &'static str {
        match (self.was, self.now) {
            (0, _) => "started",
            (_, 0) => "exited",
            (w, n) if w != n => "scaled",
            _ => "unchanged",
        }
    }

    /// The environment log's description, e.g. `3 instances started running (from 0 to 3).`
    pub fn description(self) -> String {
        let (delta, verb) = if self.now >= self.was {
            (self.now - self.was, "started")
        } else {
            (self.was - self.now, "stopped")
        };
        let noun = if delta == 1 { "instance" } else { "instances" };
        format!(
            "{delta} {noun} {verb} running (from {} to {}).",
            self.was, self.now
        )
    }
}

/// The runtime part of an artifact's history: started, scaled and stopped lines in
/// every environment, in time order.
pub fn runtime_history(runs: &[RunSpan]) -> Vec<HistoryEvent> {
    let mut runs: Vec<&RunSpan> = runs.iter().collect();
    runs.sort_by(|a, b| a.env.cmp(&b.env).then(a.from.cmp(&b.from)));
    let mut events = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        let same_env = |r: &&&RunSpan| r.env == run.env;
        let previous = i.checked_sub(1).map(|p| &runs[p]).filter(same_env);
        let next = runs.get(i + 1).filter(same_env);
        match previous {
            Some(p) if p.to == Some(run.from) => {
                let direction = if run.replicas > p.replicas {
                    "up"
                } else {
                    "down"
                };
                events.push(HistoryEvent::new(
                    format!(
                        "Scaled {direction} from {} to {} in {}#{} environment",
                        p.replicas, run.replicas, run.env, run.from
                    ),
                    run.from_ts,
                ));
            }
            _ => events.push(HistoryEvent::new(
                format!("Started running in {}#{} environment", run.env, run.from),
                run.from_ts,
            )),
        }
        if let (Some(to), Some(to_ts)) = (run.to, run.to_ts)
            && next.is_none_or(|n| n.from != to)
        {
            events.push(HistoryEvent::new(
                format!("No longer running in {}#{to} environment", run.env),
                to_ts,
            ));
        }
    }
    events.sort_by(|a, b| a.timestamp.total_cmp(&b.timestamp));
    events
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(env: &str, from: i64, to: Option<i64>, replicas: i64) -> RunSpan {
        RunSpan {
            env: env.into(),
            from,
            from_ts: Timestamp::from_seconds(from as f64 * 10.0),
            to,
            to_ts: to.map(|t| Timestamp::from_seconds(t as f64 * 10.0)),
            replicas,
        }
    }

    #[test]
    fn tells_start_scale_and_stop_in_time_order() {
        let runs = [
            run("beta", 117, Some(119), 2),
            run("beta", 84, Some(117), 3),
            run("prod", 65, Some(94), 3),
            run("prod", 94, Some(96), 1),
        ];
        let lines: Vec<String> = runtime_history(&runs)
            .into_iter()
            .map(|e| e.event)
            .collect();
        assert_eq!(
            lines,
            vec![
                "Started running in prod#65 environment",
                "Started running in beta#84 environment",
                "Scaled down from 3 to 1 in prod#94 environment",
                "No longer running in prod#96 environment",
                "Scaled down from 3 to 2 in beta#117 environment",
                "No longer running in beta#119 environment",
            ]
        );
    }

    #[test]
    fn a_gap_between_runs_is_a_stop_and_a_restart() {
        let runs = [run("e", 1, Some(3), 1), run("e", 5, None, 2)];
        let lines: Vec<String> = runtime_history(&runs)
            .into_iter()
            .map(|e| e.event)
            .collect();
        assert_eq!(
            lines,
            vec![
                "Started running in e#1 environment",
                "No longer running in e#3 environment",
                "Started running in e#5 environment",
            ]
        );
    }

    #[test]
    fn describes_transitions() {
        let t = |was, now| Transition { was, now };
        assert_eq!(
            t(0, 3).description(),
            "3 instances started running (from 0 to 3)."
        );
        assert_eq!(
            t(1, 0).description(),
            "1 instance stopped running (from 1 to 0)."
        );
        assert_eq!(t(3, 1).kind(), "scaled");
        assert_eq!(t(2, 2).kind(), "unchanged");
    }
}
