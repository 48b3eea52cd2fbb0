//! An artifact's compliance: its own requirements from the template in force,
//! and its trail's when it belongs to one.

use super::{AttestationStatus, Reported, State, evaluate};
use crate::template::{Template, TemplateError};

/// An artifact's compliance against the template in force for it.
#[derive(Debug, Clone, PartialEq)]
pub struct ArtifactOutcome {
    pub state: State,
    /// Its own requirements, then what else was reported on it.
    pub attestations: Vec<AttestationStatus>,
    /// Its trail's requirements, when it belongs to a trail.
    pub trail_attestations: Vec<AttestationStatus>,
    /// Why the template could not be read, when it could not.
    pub template_error: Option<String>,
}

/// Evaluates an artifact: `own` are the attestations bound to it, `trail` those
/// about its trail when it belongs to one. Both its own requirements and its
/// trail's must hold. A template that cannot be read fails closed: the
/// artifact is non-compliant, and the outcome says why.
pub fn artifact_outcome(
    template: Result<&Template, &TemplateError>,
    template_name: Option<&str>,
    own: &[Reported],
    trail: Option<&[Reported]>,
) -> ArtifactOutcome {
    let template = match template {
        Ok(t) => t,
        Err(e) => {
            return ArtifactOutcome {
                state: State::NonCompliant,
                attestations: Vec::new(),
                trail_attestations: Vec::new(),
                template_error: Some(e.to_string()),
            };
        }
    };
    let (own_state, attestations) = evaluate(&template.artifact_requirements(template_name), own);
    let (trail_state, trail_attestations) = match trail {
        Some(reported) => evaluate(&template.trail_attestations, reported),
        None => (State::Compliant, Vec::new()),
    };
    ArtifactOutcome {
        state: State::combine([own_state, trail_state]),
        attestations,
        trail_attestations,
        template_error: None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::att;
    use super::*;

    #[test]
    fn an_artifact_needs_its_own_and_its_trails_requirements() {
        let template = Template::parse_yaml(
            "version: 1\ntrail:\n  attestations:\n    - name: review\n      type: generic\n  artifacts:\n    - name: app\n      attestations:\n        - name: unit\n          type: junit\n",
        )
        .unwrap();
        let own = [att("unit", true, 1.0)];
        let outcome = artifact_outcome(Ok(&template), Some("app"), &own, Some(&[]));
        assert_eq!(
            outcome.state,
            State::Incomplete,
            "the trail's review is missing"
        );
        assert_eq!(outcome.trail_attestations[0].status, "MISSING");
        let done = artifact_outcome(
            Ok(&template),
            Some("app"),
            &own,
            Some(&[att("review", true, 2.0)]),
        );
        assert_eq!(done.state, State::Compliant);
        let untrailed = artifact_outcome(Ok(&template), Some("app"), &own, None);
        assert_eq!(
            untrailed.state,
            State::Compliant,
            "no trail, no trail requirements"
        );
        let unnamed = artifact_outcome(Ok(&template), None, &[], None);
        assert_eq!(
            unnamed.state,
            State::Compliant,
            "not in the template: nothing required"
        );
    }

    #[test]
    fn an_unreadable_template_fails_closed_and_says_why() {
        let error = Template::in_force(Some("version: 1\nartifacts: 7\n"), None).unwrap_err();
        let outcome = artifact_outcome(Err(&error), Some("app"), &[att("unit", true, 1.0)], None);
        assert_eq!(outcome.state, State::NonCompliant);
        assert_eq!(outcome.template_error, Some(error.to_string()));
    }

    #[test]
    fn the_trails_template_wins_over_the_flows() {
        let flow = "version: 1\ntrail:\n  attestations:\n    - name: a\n      type: generic\n";
        let trail = "version: 1\n";
        assert!(
            Template::in_force(Some(trail), Some(flow))
                .unwrap()
                .trail_attestations
                .is_empty()
        );
        assert_eq!(
            Template::in_force(None, Some(flow))
                .unwrap()
                .trail_attestations
                .len(),
            1
        );
        assert_eq!(Template::in_force(None, None).unwrap(), Template::default());
    }
}
