//! Readers of the reports attestations carry as evidence: JUnit XML test
//! results ([`junit`], failing cases in [`junit_cases`]) and SARIF scan results ([`sarif`]). They work on text
//! and JSON already in memory, so any input can be fed to them (the CLI reads
//! the files; the fuzz targets feed them whatever they like).

pub mod junit;
pub mod junit_cases;
pub mod sarif;

/// Why a report could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct EvidenceError(pub String);

impl EvidenceError {
    fn of(error: impl std::fmt::Display) -> Self {
        EvidenceError(error.to_string())
    }
}
