//! Control documents (beta): `GET /controls/{org}[/{identifier}]`, their
//! versions, decisions and coverage, and the create and update bodies.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Body of `POST /controls/{org}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ControlCreate {
    pub identifier: String,
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub links: Option<BTreeMap<String, String>>,
}

/// Body of `PUT /controls/{org}/{identifier}`: only what changes.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ControlUpdate {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub links: Option<BTreeMap<String, String>>,
}

/// A control at its latest version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Control {
    pub identifier: String,
    pub name: String,
    pub description: String,
    pub links: BTreeMap<String, String>,
    pub tags: BTreeMap<String, String>,
    pub version: i64,
    pub archived: bool,
    pub created_at: f64,
    /// Environment policies that require a decision on this control.
    pub policies_referencing: Vec<String>,
}

/// A page of controls `{controls, page, per_page, total_pages, total_count}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ControlList {
    pub controls: Vec<Control>,
    pub page: u32,
    pub per_page: u32,
    pub total_pages: u32,
    pub total_count: u64,
}

/// One version of a control.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ControlVersion {
    pub version: i64,
    pub name: String,
    pub description: String,
    pub links: BTreeMap<String, String>,
    pub created_at: f64,
}

/// A decision on a control: where it was made and what it decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decision {
    pub id: String,
    pub attestation_name: String,
    pub flow_name: String,
    pub trail_name: Option<String>,
    pub is_compliant: bool,
    pub created_at: f64,
}

/// A page of decisions, newest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DecisionList {
    pub decisions: Vec<Decision>,
    pub page: u32,
    pub per_page: u32,
    pub total_pages: u32,
    pub total_count: u64,
}

/// Whether an environment enforces a control: the attached policies that
/// require a decision on it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EnvironmentCoverage {
    pub environment: String,
    pub covered: bool,
    pub policies: Vec<String>,
}

/// `GET /controls/{org}/{identifier}/coverage`: a page of the environments,
/// by name, each with the attached policies that require a decision on the
/// control (covered when there is one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ControlCoverage {
    /// This page of the environments asked for.
    pub environments: Vec<EnvironmentCoverage>,
    /// Of the environments that match `search`, how many are covered.
    pub covered_count: u64,
    /// How many environments match `search`.
    pub total_count: u64,
    #[serde(default)]
    pub page: u32,
    #[serde(default)]
    pub per_page: u32,
    #[serde(default)]
    pub total_pages: u32,
}
