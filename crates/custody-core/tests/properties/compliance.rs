//! Compliance: combining states does not depend on their order and a
//! non-compliant part always wins; evaluating attestations looks only at the
//! latest of each name, whatever order they are given in.

use custody_core::Timestamp;
use custody_core::compliance::{Reported, State, evaluate};
use custody_core::template::Requirement;
use proptest::prelude::*;

const NAMES: [&str; 5] = ["build", "test", "scan", "extra", "other"];

fn state() -> impl Strategy<Value = State> {
    prop::sample::select(vec![
        State::Compliant,
        State::NonCompliant,
        State::Incomplete,
        State::Missing,
    ])
}

/// A set of required names, drawn from the first four.
fn required() -> impl Strategy<Value = Vec<Requirement>> {
    prop::sample::subsequence(&NAMES[..4], 0..=4).prop_map(|names| {
        names
            .into_iter()
            .map(|n| Requirement {
                name: n.into(),
                kind: "generic".into(),
            })
            .collect()
    })
}

/// Attestations with distinct times (the position in the list), so "latest" is
/// never a tie.
fn attestations() -> impl Strategy<Value = Vec<Reported>> {
    prop::collection::vec((0..NAMES.len(), any::<bool>()), 0..12).prop_map(|items| {
        items
            .into_iter()
            .enumerate()
            .map(|(at, (name, ok))| attestation(NAMES[name], ok, at as f64))
            .collect()
    })
}

fn attestation(name: &str, ok: bool, at: f64) -> Reported {
    Reported {
        id: format!("{name}@{at}"),
        name: name.into(),
        kind: "generic".into(),
        is_compliant: ok,
        created_at: Timestamp::from_seconds(at),
    }
}

/// The state the latest attestation of each name implies.
fn expected_state(required: &[Requirement], reported: &[Reported]) -> State {
    let latest = |name: &str| {
        reported
            .iter()
            .filter(|r| r.name == name)
            .max_by(|a, b| a.created_at.total_cmp(&b.created_at))
    };
    if NAMES
        .iter()
        .any(|n| latest(n).is_some_and(|r| !r.is_compliant))
    {
        State::NonCompliant
    } else if required.iter().any(|r| latest(&r.name).is_none()) {
        State::Incomplete
    } else {
        State::Compliant
    }
}

proptest! {
    #[test]
    fn combine_is_order_independent_and_non_compliant_wins(
        (states, shuffled) in prop::collection::vec(state(), 0..8)
            .prop_flat_map(|s| (Just(s.clone()), Just(s).prop_shuffle())),
    ) {
        let combined = State::combine(states.iter().copied());
        prop_assert_eq!(combined, State::combine(shuffled));
        let expected = if states.contains(&State::NonCompliant) {
            State::NonCompliant
        } else if states.iter().any(|s| matches!(s, State::Incomplete | State::Missing)) {
            State::Incomplete
        } else {
            State::Compliant
        };
        prop_assert_eq!(combined, expected);
    }

    #[test]
    fn only_the_latest_attestation_of_each_name_counts(
        required in required(),
        (reported, shuffled) in attestations()
            .prop_flat_map(|r| (Just(r.clone()), Just(r).prop_shuffle())),
    ) {
        let (state, rows) = evaluate(&required, &reported);
        prop_assert_eq!(state, expected_state(&required, &reported));
        let (state_shuffled, rows_shuffled) = evaluate(&required, &shuffled);
        prop_assert_eq!(state, state_shuffled);
        // The required rows come first and in template order; unexpected ones follow.
        prop_assert_eq!(&rows[..required.len()], &rows_shuffled[..required.len()]);
        prop_assert_eq!(rows.len(), rows_shuffled.len());
        for (row, req) in rows.iter().zip(&required) {
            prop_assert_eq!(&row.attestation_name, &req.name);
            prop_assert!(!row.unexpected);
        }
    }

    #[test]
    fn latest_compliant_is_compliant_until_a_later_failure(
        required in required(),
        earlier in attestations(),
        failing in 0..NAMES.len(),
        order in any::<prop::sample::Index>(),
    ) {
        let mut reported = earlier;
        let mut at = reported.len() as f64;
        for req in &required {
            reported.push(attestation(&req.name, true, at));
            at += 1.0;
        }
        // Names outside the template count too: make their latest compliant as well.
        for extra in NAMES {
            if reported.iter().any(|r| r.name == extra) {
                reported.push(attestation(extra, true, at));
                at += 1.0;
            }
        }
        let (state, rows) = evaluate(&required, &reported);
        prop_assert_eq!(state, State::Compliant);
        prop_assert!(rows.iter().all(|r| r.status == "COMPLETE" && r.is_compliant == Some(true)));

        let late = attestation(NAMES[failing], false, at);
        reported.insert(order.index(reported.len() + 1), late);
        prop_assert_eq!(evaluate(&required, &reported).0, State::NonCompliant);
    }
}
