//! Artifact history: for any sequence of runs of one fingerprint in one
//! environment, contiguous or with gaps, the lines are in time order, start once
//! per stretch of running, scale only where one run begins as the previous ends,
//! and stop only what was started.

use custody_core::Timestamp;
use custody_core::history::{HistoryEvent, RunSpan, runtime_history};
use proptest::prelude::*;

/// Snapshot times grow with their index.
fn ts(index: i64) -> Timestamp {
    Timestamp::from_seconds(index as f64 * 10.0 + 0.5)
}

/// Runs in index order: each lasts 1..5 snapshots and is followed by a gap of
/// 0 (contiguous: the replica count changed) to 3 snapshots; the last may be open.
fn runs(env: &'static str) -> impl Strategy<Value = Vec<RunSpan>> {
    (
        1i64..50,
        prop::collection::vec((1i64..5, 0i64..3, 1i64..6), 1..8),
        any::<bool>(),
    )
        .prop_map(move |(start, shape, last_open)| {
            let mut out: Vec<RunSpan> = Vec::new();
            let mut from = start;
            let count = shape.len();
            for (i, (len, gap, mut replicas)) in shape.into_iter().enumerate() {
                if let Some(p) = out.last().filter(|p| p.to == Some(from))
                    && p.replicas == replicas
                {
                    replicas += 1;
                }
                let to = (i + 1 < count || !last_open).then_some(from + len);
                out.push(RunSpan {
                    env: env.into(),
                    from,
                    from_ts: ts(from),
                    to,
                    to_ts: to.map(ts),
                    replicas,
                });
                from += len + gap;
            }
            out
        })
}

/// The lines the runs should produce, before sorting by time.
fn expected_lines(runs: &[RunSpan]) -> Vec<HistoryEvent> {
    let mut lines = Vec::new();
    for (i, run) in runs.iter().enumerate() {
        let previous = i.checked_sub(1).map(|p| &runs[p]);
        match previous.filter(|p| p.to == Some(run.from)) {
            Some(p) => {
                let direction = if run.replicas > p.replicas {
                    "up"
                } else {
                    "down"
                };
                lines.push(HistoryEvent::new(
                    format!(
                        "Scaled {direction} from {} to {} in {}#{} environment",
                        p.replicas, run.replicas, run.env, run.from
                    ),
                    run.from_ts,
                ));
            }
            None => lines.push(HistoryEvent::new(
                format!("Started running in {}#{} environment", run.env, run.from),
                run.from_ts,
            )),
        }
        let continued = runs.get(i + 1).is_some_and(|n| Some(n.from) == run.to);
        if let (Some(to), false) = (run.to, continued) {
            lines.push(HistoryEvent::new(
                format!("No longer running in {}#{to} environment", run.env),
                ts(to),
            ));
        }
    }
    lines
}

proptest! {
    #[test]
    fn history_follows_the_runs(
        (ordered, shuffled) in runs("prod").prop_flat_map(|r| (Just(r.clone()), Just(r).prop_shuffle())),
    ) {
        let events = runtime_history(&shuffled);
        prop_assert!(events.windows(2).all(|w| w[0].timestamp <= w[1].timestamp));

        let gaps = ordered.windows(2).filter(|w| w[0].to != Some(w[1].from)).count();
        let starts = events.iter().filter(|e| e.event.starts_with("Started running")).count();
        prop_assert_eq!(starts, gaps + 1);

        let mut running = false;
        for e in &events {
            if e.event.starts_with("Started running") {
                prop_assert!(!running, "started twice: {:?}", events);
                running = true;
            } else {
                prop_assert!(running, "{} before a start: {:?}", e.event, events);
                running = !e.event.starts_with("No longer running");
            }
        }
        prop_assert_eq!(running, ordered.last().unwrap().to.is_none());

        for e in events.iter().filter(|e| e.event.starts_with("Scaled")) {
            let run = ordered.iter().position(|r| r.from_ts == e.timestamp).unwrap();
            prop_assert!(run > 0 && ordered[run - 1].to == Some(ordered[run].from), "{}", e.event);
            let (was, now) = (ordered[run - 1].replicas, ordered[run].replicas);
            let direction = if now > was { "up" } else { "down" };
            prop_assert!(e.event.starts_with(&format!("Scaled {direction} from {was} to {now} ")), "{}", e.event);
        }

        let mut expected = expected_lines(&ordered);
        expected.sort_by(|a, b| a.timestamp.total_cmp(&b.timestamp));
        prop_assert_eq!(events, expected);
    }

    #[test]
    fn environments_do_not_mix(prod in runs("prod"), beta in runs("beta")) {
        let mut both = prod.clone();
        both.extend(beta.iter().cloned());
        let events = runtime_history(&both);
        for (env, runs) in [("prod", &prod), ("beta", &beta)] {
            let marker = format!(" in {env}#");
            let mine: Vec<HistoryEvent> =
                events.iter().filter(|e| e.event.contains(&marker)).cloned().collect();
            prop_assert_eq!(mine, runtime_history(runs));
        }
    }
}
