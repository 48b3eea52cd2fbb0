//! Validated identifiers: org, flow, trail, environment, attestation and
//! template names. Parse once at the edge, then pass the typed value around.

use std::fmt;

/// Which kind of name is being validated; each has its own allowed characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    Org,
    Flow,
    Trail,
    Environment,
    Attestation,
    TemplateArtifact,
    ServiceAccount,
    Policy,
    AttestationType,
    Control,
    Action,
}

impl NameKind {
    fn label(self) -> &'static str {
        match self {
            NameKind::Org => "organization",
            NameKind::Flow => "flow",
            NameKind::Trail => "trail",
            NameKind::Environment => "environment",
            NameKind::Attestation => "attestation",
            NameKind::TemplateArtifact => "template artifact",
            NameKind::ServiceAccount => "service account",
            NameKind::Policy => "policy",
            NameKind::AttestationType => "attestation type",
            NameKind::Control => "control",
            NameKind::Action => "action",
        }
    }

    /// Characters allowed after the first (which must be ASCII alphanumeric).
    fn allows(self, c: char) -> bool {
        c.is_ascii_alphanumeric()
            || match self {
                NameKind::Org | NameKind::ServiceAccount => matches!(c, '-' | '_'),
                NameKind::Flow | NameKind::Trail | NameKind::Policy | NameKind::Control => {
                    matches!(c, '-' | '_' | '.' | '~')
                }
                NameKind::AttestationType => matches!(c, '-' | '_' | '~'),
                NameKind::Environment => matches!(c, '-' | '_' | '.'),
                NameKind::Attestation => matches!(c, '-' | '_' | ','),
                NameKind::TemplateArtifact => matches!(c, '-' | '_'),
                NameKind::Action => matches!(c, '-' | '_' | '.' | '~' | '/'),
            }
    }

    fn pattern(self) -> &'static str {
        match self {
            NameKind::Org | NameKind::ServiceAccount => "^[a-zA-Z0-9][a-zA-Z0-9_-]*$",
            NameKind::Flow | NameKind::Trail | NameKind::Policy | NameKind::Control => {
                "^[a-zA-Z0-9][a-zA-Z0-9._~-]*$"
            }
            NameKind::AttestationType => "^[a-zA-Z0-9][a-zA-Z0-9\\-_~]*$",
            NameKind::Environment => "^[a-zA-Z0-9][a-zA-Z0-9._-]*$",
            NameKind::Attestation => "^[a-zA-Z0-9][a-zA-Z0-9_,-]*$",
            NameKind::TemplateArtifact => "^[a-zA-Z0-9][a-zA-Z0-9_-]*$",
            NameKind::Action => "^[a-zA-Z0-9][a-zA-Z0-9._~/-]*$",
        }
    }
}

/// Why a name was rejected, phrased so the user knows how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {} name '{}': {}", kind.label(), shown(value), self.problem())]
pub struct NameError {
    pub kind: NameKind,
    pub value: String,
}

impl NameError {
    fn problem(&self) -> String {
        if self.value.len() > MAX_NAME_BYTES {
            format!(
                "it is {} bytes long; the limit is {MAX_NAME_BYTES}",
                self.value.len()
            )
        } else {
            format!("it must match {}", self.kind.pattern())
        }
    }
}

/// The longest name accepted, in bytes.
pub const MAX_NAME_BYTES: usize = 256;

/// At most 80 characters of a refused value, so that errors stay readable.
fn shown(value: &str) -> String {
    match value.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &value[..cut]),
        None => value.to_string(),
    }
}

/// A name that passed validation for its kind.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name(String);

impl Name {
    pub fn parse(kind: NameKind, value: &str) -> Result<Self, NameError> {
        let mut chars = value.chars();
        let ok = value.len() <= MAX_NAME_BYTES
            && chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
            && chars.all(|c| kind.allows(c));
        if ok {
            Ok(Name(value.to_string()))
        } else {
            Err(NameError {
                kind,
                value: value.to_string(),
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_kind_specific_characters() {
        assert!(Name::parse(NameKind::Flow, "runner-ci.v2~x").is_ok());
        assert!(Name::parse(NameKind::Environment, "aws-prod.eu_1").is_ok());
        assert!(Name::parse(NameKind::Environment, "aws~prod").is_err());
        assert!(Name::parse(NameKind::Attestation, "unit-test,lint").is_ok());
    }

    #[test]
    fn long_names_are_refused_with_a_short_message() {
        let long = "a".repeat(1_000_000);
        let err = Name::parse(NameKind::Policy, &long)
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with("it is 1000000 bytes long; the limit is 256"),
            "{err}"
        );
        assert!(err.len() < 200);
        assert!(Name::parse(NameKind::AttestationType, "cov~v2").is_ok());
        assert!(Name::parse(NameKind::AttestationType, "cov.v2").is_err());
    }

    #[test]
    fn rejects_bad_first_character_and_empty() {
        for bad in ["", "-x", ".x", "a b", "a/b"] {
            let err = Name::parse(NameKind::Flow, bad).unwrap_err();
            assert!(err.to_string().contains("invalid flow name"), "{err}");
        }
    }
}
