//! The `compliance_status` objects of artifact, assert and trail documents.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// One expected or reported attestation of an artifact or trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AttestationState {
    pub attestation_name: String,
    pub attestation_type: String,
    /// The latest attestation of this name, if one was reported.
    pub attestation_id: Option<String>,
    /// `COMPLETE` or `MISSING`.
    pub status: String,
    /// `None` while missing.
    pub is_compliant: Option<bool>,
    /// Reported but not asked for by the template.
    pub unexpected: bool,
}

/// An artifact's compliance (`compliance_status` of artifact and assert documents).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ArtifactStatus {
    /// `COMPLIANT`, `NON-COMPLIANT`, `INCOMPLETE`…
    pub status: String,
    pub is_compliant: bool,
    /// Its own attestations, then its trail's.
    pub attestations_statuses: Vec<AttestationState>,
    /// Why the template in force could not be read (the artifact is then non-compliant).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_error: Option<String>,
}

/// One artifact slot of a trail: the latest artifact reported for a template
/// name, a missing one, or an artifact the template does not name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SlotStatus {
    /// `None` while missing.
    pub artifact_fingerprint: Option<String>,
    pub status: String,
    pub is_compliant: bool,
    pub unexpected: bool,
    pub attestations_statuses: Vec<AttestationState>,
}

/// A trail's compliance (`compliance_status` of trail documents).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TrailStatus {
    pub status: String,
    pub is_compliant: bool,
    /// The trail's own attestations.
    pub attestations_statuses: Vec<AttestationState>,
    /// By template name (or file name, for artifacts the template does not name).
    pub artifacts_statuses: BTreeMap<String, SlotStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template_error: Option<String>,
}
