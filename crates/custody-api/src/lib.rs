//! The Kosli API v2 wire formats Custody speaks: request payloads and response
//! documents, with Kosli's field names. Shared by the server (which produces them)
//! and the client (which reads them), so both sides agree by construction.

mod artifacts;
mod environments;
mod flows;
mod orgs;
mod snapshots;

pub use artifacts::*;
pub use environments::*;
pub use flows::*;
pub use orgs::*;
pub use snapshots::*;

use serde::{Deserialize, Serialize};

/// Every API error body: `{"message": "..."}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub message: String,
}

/// A paged list envelope `{data, pagination}` (org-wide trail list).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Paged<T> {
    pub data: Vec<T>,
    pub pagination: Pagination,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Pagination {
    pub page: u32,
    pub page_count: u32,
    pub total: u64,
}

impl Pagination {
    pub fn new(page: u32, per_page: u32, total: u64) -> Self {
        let page_count = total.div_ceil(u64::from(per_page.max(1))) as u32;
        Pagination {
            page,
            page_count: page_count.max(1),
            total,
        }
    }
}

/// Git commit details as the CLI sends them (`BasicCommitInfo`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GitCommitInfo {
    pub sha1: String,
    #[serde(default)]
    pub message: String,
    #[serde(default)]
    pub author: String,
    #[serde(default)]
    pub timestamp: f64,
    #[serde(default)]
    pub branch: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}
