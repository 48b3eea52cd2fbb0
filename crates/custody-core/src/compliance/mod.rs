//! Compliance of artifacts and trails, derived from a template and the
//! attestations reported. Only the latest attestation of a name counts; a
//! non-compliant one outweighs a missing one.

use serde::Serialize;

use crate::Timestamp;
use crate::template::Requirement;

mod artifact;
mod trail;

pub use artifact::{ArtifactOutcome, artifact_outcome};
pub use trail::{Slot, TrailArtifact, TrailOutcome, trail_outcome};

/// The compliance vocabulary of trails and artifacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum State {
    #[serde(rename = "COMPLIANT")]
    Compliant,
    #[serde(rename = "NON-COMPLIANT")]
    NonCompliant,
    #[serde(rename = "INCOMPLETE")]
    Incomplete,
    #[serde(rename = "MISSING")]
    Missing,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Compliant => "COMPLIANT",
            State::NonCompliant => "NON-COMPLIANT",
            State::Incomplete => "INCOMPLETE",
            State::Missing => "MISSING",
        }
    }

    /// The combined state of several parts: any non-compliant part wins, then any
    /// incomplete or missing part.
    pub fn combine(states: impl IntoIterator<Item = State>) -> State {
        let mut result = State::Compliant;
        for s in states {
            match s {
                State::NonCompliant => return State::NonCompliant,
                State::Incomplete | State::Missing => result = State::Incomplete,
                State::Compliant => {}
            }
        }
        result
    }
}

/// An attestation as far as compliance cares.
#[derive(Debug, Clone, PartialEq)]
pub struct Reported {
    pub id: String,
    pub name: String,
    pub kind: String,
    pub is_compliant: bool,
    pub created_at: Timestamp,
}

/// One row of `attestations_statuses`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttestationStatus {
    pub attestation_name: String,
    pub attestation_type: String,
    pub attestation_id: Option<String>,
    pub status: &'static str,
    pub is_compliant: Option<bool>,
    pub unexpected: bool,
}

/// Evaluates reported attestations against requirements.
pub fn evaluate(
    required: &[Requirement],
    reported: &[Reported],
) -> (State, Vec<AttestationStatus>) {
    let mut latest: Vec<&Reported> = Vec::new();
    for r in reported {
        match latest.iter_mut().find(|l| l.name == r.name) {
            Some(l) if l.created_at <= r.created_at => *l = r,
            Some(_) => {}
            None => latest.push(r),
        }
    }
    let mut statuses = Vec::new();
    let mut missing = false;
    for req in required {
        let found = latest.iter().find(|l| l.name == req.name);
        missing |= found.is_none();
        statuses.push(AttestationStatus {
            attestation_name: req.name.clone(),
            attestation_type: found.map_or(req.kind.clone(), |f| f.kind.clone()),
            attestation_id: found.map(|f| f.id.clone()),
            status: if found.is_some() {
                "COMPLETE"
            } else {
                "MISSING"
            },
            is_compliant: found.map(|f| f.is_compliant),
            unexpected: false,
        });
    }
    for l in latest
        .iter()
        .filter(|l| !required.iter().any(|r| r.name == l.name))
    {
        statuses.push(AttestationStatus {
            attestation_name: l.name.clone(),
            attestation_type: l.kind.clone(),
            attestation_id: Some(l.id.clone()),
            status: "COMPLETE",
            is_compliant: Some(l.is_compliant),
            unexpected: true,
        });
    }
    let state = if latest.iter().any(|l| !l.is_compliant) {
        State::NonCompliant
    } else if missing {
        State::Incomplete
    } else {
        State::Compliant
    };
    (state, statuses)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(name: &str) -> Requirement {
        Requirement {
            name: name.into(),
            kind: "generic".into(),
        }
    }

    /// A reported attestation of kind `generic` (also for the sibling modules' tests).
    pub(super) fn att(name: &str, ok: bool, at: f64) -> Reported {
        Reported {
            id: format!("{name}-{at}"),
            name: name.into(),
            kind: "generic".into(),
            is_compliant: ok,
            created_at: Timestamp::from_seconds(at),
        }
    }

    #[test]
    fn missing_requirement_is_incomplete() {
        let (state, rows) = evaluate(&[req("a"), req("b")], &[att("a", true, 1.0)]);
        assert_eq!(state, State::Incomplete);
        assert_eq!(rows[1].status, "MISSING");
    }

    #[test]
    fn latest_attestation_of_a_name_counts() {
        let reported = [att("a", false, 1.0), att("a", true, 2.0)];
        assert_eq!(evaluate(&[req("a")], &reported).0, State::Compliant);
        let reported = [att("a", true, 1.0), att("a", false, 2.0)];
        assert_eq!(evaluate(&[req("a")], &reported).0, State::NonCompliant);
    }

    #[test]
    fn non_compliant_outweighs_missing_and_unexpected_counts() {
        let (state, rows) = evaluate(&[req("a")], &[att("x", false, 1.0)]);
        assert_eq!(state, State::NonCompliant);
        assert!(rows[1].unexpected);
    }

    #[test]
    fn combine_orders_states() {
        use State::*;
        assert_eq!(State::combine([Compliant, Missing]), Incomplete);
        assert_eq!(State::combine([Incomplete, NonCompliant]), NonCompliant);
        assert_eq!(State::combine([]), Compliant);
    }
}
