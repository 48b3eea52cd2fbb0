//! Readers of the reports attestations carry as evidence: JUnit XML test
//! results and SARIF scan results.

pub mod junit;
pub mod sarif;

#[cfg(test)]
mod tests;
