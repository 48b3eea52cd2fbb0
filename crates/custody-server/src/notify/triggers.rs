//! The triggers an action can name: environment triggers for actions over
//! environments, flow triggers for actions over flows, as Kosli names them.

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    StartedArtifact,
    ExitedArtifact,
    ScaledArtifact,
    AllowedArtifact,
    NonCompliantEnv,
    CompliantEnv,
    StartedTrail,
    AttestedProvenance,
    Attestation,
}

/// What an action watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Environments,
    Flows,
}

impl Scope {
    /// The stored kind: `env` or `flow`.
    pub fn kind(self) -> &'static str {
        match self {
            Scope::Environments => "env",
            Scope::Flows => "flow",
        }
    }

    pub fn of_kind(kind: &str) -> Option<Scope> {
        match kind {
            "env" => Some(Scope::Environments),
            "flow" => Some(Scope::Flows),
            _ => None,
        }
    }

    pub fn triggers(self) -> &'static [Trigger] {
        use Trigger::*;
        match self {
            Scope::Environments => &[
                StartedArtifact,
                ExitedArtifact,
                ScaledArtifact,
                AllowedArtifact,
                NonCompliantEnv,
                CompliantEnv,
            ],
            Scope::Flows => &[StartedTrail, AttestedProvenance, Attestation],
        }
    }
}

impl Trigger {
    /// Kosli's name, e.g. `ON_STARTED_ARTIFACT`.
    pub fn name(self) -> &'static str {
        match self {
            Trigger::StartedArtifact => "ON_STARTED_ARTIFACT",
            Trigger::ExitedArtifact => "ON_EXITED_ARTIFACT",
            Trigger::ScaledArtifact => "ON_SCALED_ARTIFACT",
            Trigger::AllowedArtifact => "ON_ALLOWED_ARTIFACT",
            Trigger::NonCompliantEnv => "ON_NON_COMPLIANT_ENV",
            Trigger::CompliantEnv => "ON_COMPLIANT_ENV",
            Trigger::StartedTrail => "ON_STARTED_TRAIL",
            Trigger::AttestedProvenance => "ON_ATTESTED_PROVENANCE",
            Trigger::Attestation => "ON_ATTESTATION",
        }
    }

    /// The payload's `event_type`: the name without `ON_`.
    pub fn event_type(self) -> &'static str {
        &self.name()[3..]
    }

    /// A trigger of an action over `scope`, with a message naming the valid ones.
    pub fn parse(text: &str, scope: Scope) -> Result<Trigger, String> {
        let valid = scope.triggers();
        if let Some(t) = valid.iter().find(|t| t.name() == text) {
            return Ok(*t);
        }
        let names: Vec<&str> = valid.iter().map(|t| t.name()).collect();
        let why = if matches!(text, "ON_APPROVAL" | "ON_RELEASE") {
            format!("trigger '{text}' is not supported by Custody")
        } else {
            format!("'{text}' is not a trigger of {} actions", scope.kind())
        };
        Err(format!("{why}: use {}", names.join(", ")))
    }
}

/// A stored action's names or triggers (a JSON array of strings).
pub fn stored_list(text: &str) -> Vec<String> {
    serde_json::from_str(text).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn triggers_belong_to_their_scope() {
        assert_eq!(
            Trigger::parse("ON_STARTED_ARTIFACT", Scope::Environments),
            Ok(Trigger::StartedArtifact)
        );
        assert_eq!(Trigger::StartedArtifact.event_type(), "STARTED_ARTIFACT");
        let e = Trigger::parse("ON_STARTED_TRAIL", Scope::Environments).unwrap_err();
        assert!(e.contains("not a trigger of env actions"), "{e}");
        let e = Trigger::parse("ON_RELEASE", Scope::Flows).unwrap_err();
        assert!(e.contains("not supported"), "{e}");
        assert!(Trigger::parse("on_started_trail", Scope::Flows).is_err());
    }
}
