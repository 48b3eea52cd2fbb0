//! Custom attestation types: which version of a type judges a new
//! attestation, and what the sandbox's judgement of its data means. A type
//! judges with the version the attestation names, else its latest; an
//! archived type judges nothing new. Data that breaks the version's schema is
//! refused (the attestation is not stored); data that fails a rule makes a
//! stored, non-compliant attestation.

/// Why a custom attestation cannot be judged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomTypeError {
    #[error("custom attestation type '{name}' is archived: it cannot be used for new attestations")]
    Archived { name: String },
    #[error("version {version} does not exist for custom attestation type '{name}'")]
    NoVersion { name: String, version: i64 },
    #[error(
        "attestation_data does not match the schema of custom attestation type '{name}' (version {version}): {}",
        violations.join("; ")
    )]
    Schema {
        name: String,
        version: i64,
        violations: Vec<String>,
    },
}

/// A type as far as choosing its judging version goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TypeState<'a> {
    pub name: &'a str,
    pub archived: bool,
    /// Its versions are `1..=latest`.
    pub latest: i64,
}

/// The version that judges an attestation asking for `requested`.
pub fn judging_version(t: TypeState, requested: Option<i64>) -> Result<i64, CustomTypeError> {
    if t.archived {
        return Err(CustomTypeError::Archived {
            name: t.name.to_string(),
        });
    }
    let version = requested.unwrap_or(t.latest);
    if !(1..=t.latest).contains(&version) {
        return Err(CustomTypeError::NoVersion {
            name: t.name.to_string(),
            version,
        });
    }
    Ok(version)
}

/// Whether judged data is compliant: refused when it breaks the schema,
/// compliant when no rule failed.
pub fn verdict(
    name: &str,
    version: i64,
    violations: Vec<String>,
    failed_rules: &[String],
) -> Result<bool, CustomTypeError> {
    if !violations.is_empty() {
        return Err(CustomTypeError::Schema {
            name: name.to_string(),
            version,
            violations,
        });
    }
    Ok(failed_rules.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    const COVERAGE: TypeState = TypeState {
        name: "coverage",
        archived: false,
        latest: 3,
    };

    #[test]
    fn the_named_version_judges_else_the_latest() {
        assert_eq!(judging_version(COVERAGE, None), Ok(3));
        assert_eq!(judging_version(COVERAGE, Some(1)), Ok(1));
        for missing in [0, 4, -1] {
            assert_eq!(
                judging_version(COVERAGE, Some(missing)),
                Err(CustomTypeError::NoVersion {
                    name: "coverage".into(),
                    version: missing
                })
            );
        }
    }

    #[test]
    fn an_archived_type_judges_nothing_new() {
        let archived = TypeState {
            archived: true,
            ..COVERAGE
        };
        let error = judging_version(archived, Some(1)).unwrap_err();
        assert!(error.to_string().contains("is archived"), "{error}");
    }

    #[test]
    fn schema_violations_refuse_and_failed_rules_do_not() {
        let refused = verdict("coverage", 2, vec!["/line: not a number".into()], &[]).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "attestation_data does not match the schema of custom attestation type 'coverage' (version 2): /line: not a number"
        );
        assert_eq!(
            verdict("coverage", 2, Vec::new(), &[".line > 80".into()]),
            Ok(false)
        );
        assert_eq!(verdict("coverage", 2, Vec::new(), &[]), Ok(true));
    }
}
