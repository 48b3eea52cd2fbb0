//! Organizations, their beta switch, the caller's default org, service
//! accounts and API keys.

use serde::{Deserialize, Serialize};

/// Body of `POST /service-accounts/{org}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ServiceAccountCreate {
    pub name: String,
    #[serde(default)]
    pub description: Option<String>,
    pub privilege: String,
}

/// Body of `PATCH /service-accounts/{org}/{name}`: only the fields to change.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ServiceAccountUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub privilege: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceAccount {
    pub name: String,
    pub description: Option<String>,
    pub privilege: String,
    pub created_at: f64,
}

/// Body of `POST /service-accounts/{org}/{sa}/api-keys`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApiKeyCreate {
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<f64>,
}

/// Body of `POST …/api-keys/{id}/rotate`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ApiKeyRotate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grace_period_hours: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<f64>,
}

/// An API key as listed; the secret is never returned after creation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiKey {
    pub id: String,
    pub description: String,
    pub created_at: f64,
    pub expires_at: Option<f64>,
    pub last_used_at: Option<f64>,
}

/// A key just created or rotated: the only time `key` is shown.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewApiKey {
    pub id: String,
    pub key: String,
    pub description: String,
    pub expires_at: Option<f64>,
}

/// `GET /organizations/{org}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organization {
    pub name: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Whether beta features (`enable beta`) are on.
    pub experimental_features_enabled: bool,
}

/// Body of `PUT /organizations/{org}/experimental_features`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BetaFeatures {
    pub experimental_features_enabled: bool,
}

/// `GET /user/default-org` and the answer of `PUT /user/{org}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DefaultOrg {
    pub default_org_name: String,
}
