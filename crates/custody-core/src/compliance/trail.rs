//! A trail's compliance: its own attestations, the latest artifact of each
//! template name, and the artifacts the template does not name.

use super::{AttestationStatus, Reported, State, evaluate};
use crate::template::{Template, TemplateError};

/// An artifact of a trail, with its evaluated state.
#[derive(Debug, Clone, Copy)]
pub struct TrailArtifact<'a, T> {
    pub template_name: Option<&'a str>,
    pub filename: &'a str,
    pub state: State,
    /// The caller's record, handed back in the outcome.
    pub record: &'a T,
}

/// Where an artifact slot of a trail stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Slot<'a, T> {
    /// The latest artifact reported for the slot; `unexpected` when the
    /// template has no such artifact.
    Reported {
        record: &'a T,
        state: State,
        unexpected: bool,
    },
    /// Nothing reported for an artifact the template expects, with the
    /// attestations it would need.
    Missing(Vec<AttestationStatus>),
}

/// A trail's compliance: its own attestations and one slot per artifact name.
#[derive(Debug, Clone, PartialEq)]
pub struct TrailOutcome<'a, T> {
    pub state: State,
    pub attestations: Vec<AttestationStatus>,
    /// Template artifacts in template order, then unexpected ones.
    pub artifacts: Vec<(String, Slot<'a, T>)>,
    pub template_error: Option<String>,
}

/// Evaluates a trail: its own attestations against the template's, the latest
/// artifact of each template name (missing ones make it incomplete), and any
/// artifact the template does not name. `artifacts` come oldest first. An
/// unreadable template fails closed.
pub fn trail_outcome<'a, T>(
    template: Result<&Template, &TemplateError>,
    reported: &[Reported],
    artifacts: &[TrailArtifact<'a, T>],
) -> TrailOutcome<'a, T> {
    let template = match template {
        Ok(t) => t,
        Err(e) => {
            return TrailOutcome {
                state: State::NonCompliant,
                attestations: Vec::new(),
                artifacts: Vec::new(),
                template_error: Some(e.to_string()),
            };
        }
    };
    let (trail_state, attestations) = evaluate(&template.trail_attestations, reported);
    let mut states = vec![trail_state];
    let mut slots: Vec<(String, Slot<'a, T>)> = Vec::new();
    for spec in &template.artifacts {
        let latest = artifacts
            .iter()
            .rev()
            .find(|a| a.template_name == Some(spec.name.as_str()));
        let slot = match latest {
            Some(a) => {
                states.push(a.state);
                Slot::Reported {
                    record: a.record,
                    state: a.state,
                    unexpected: false,
                }
            }
            None => {
                states.push(State::Missing);
                Slot::Missing(evaluate(&spec.attestations, &[]).1)
            }
        };
        slots.push((spec.name.clone(), slot));
    }
    for a in artifacts {
        let name = a.template_name.unwrap_or(a.filename);
        if !slots.iter().any(|(n, _)| n == name) {
            states.push(a.state);
            slots.push((
                name.to_string(),
                Slot::Reported {
                    record: a.record,
                    state: a.state,
                    unexpected: true,
                },
            ));
        }
    }
    TrailOutcome {
        state: State::combine(states),
        attestations,
        artifacts: slots,
        template_error: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_trail_needs_each_template_artifact_and_counts_unexpected_ones() {
        let template = Template::parse_yaml(
            "version: 1\ntrail:\n  artifacts:\n    - name: app\n    - name: db\n",
        )
        .unwrap();
        let slot = |name, state, record| TrailArtifact {
            template_name: name,
            filename: "f",
            state,
            record,
        };
        let (old, new, extra) = (1, 2, 3);
        let artifacts = [
            slot(Some("app"), State::NonCompliant, &old),
            slot(Some("app"), State::Compliant, &new),
        ];
        let outcome = trail_outcome(Ok(&template), &[], &artifacts);
        assert_eq!(
            outcome.state,
            State::Incomplete,
            "db is missing; the latest app counts"
        );
        assert_eq!(
            outcome.artifacts[0],
            (
                "app".to_string(),
                Slot::Reported {
                    record: &new,
                    state: State::Compliant,
                    unexpected: false
                }
            )
        );
        assert!(matches!(outcome.artifacts[1], (ref n, Slot::Missing(_)) if n == "db"));
        let mut with_extra = artifacts.to_vec();
        with_extra.push(TrailArtifact {
            template_name: None,
            filename: "tool.bin",
            state: State::NonCompliant,
            record: &extra,
        });
        with_extra.push(slot(Some("db"), State::Compliant, &new));
        let outcome = trail_outcome(Ok(&template), &[], &with_extra);
        assert_eq!(
            outcome.state,
            State::NonCompliant,
            "an unexpected artifact counts too"
        );
        assert!(
            matches!(outcome.artifacts[2], (ref n, Slot::Reported { unexpected: true, .. }) if n == "tool.bin")
        );
        let error = Template::in_force(Some("version: 2\n"), None).unwrap_err();
        let broken = trail_outcome(Err(&error), &[], &artifacts);
        assert_eq!(
            (broken.state, broken.template_error.is_some()),
            (State::NonCompliant, true)
        );
    }
}
