//! The Kosli API v2 wire formats Custody speaks: request payloads and response
//! documents, with Kosli's field names. Shared by the server (which produces them)
//! and the client (which reads them), so both sides agree by construction.

mod actions;
mod artifacts;
mod catalog;
mod compliance;
mod controls;
mod decisions;
mod environments;
mod evaluations;
mod flows;
mod metrics;
mod orgs;
mod repos;
mod snapshots;

pub use actions::*;
pub use artifacts::*;
pub use catalog::*;
pub use compliance::*;
pub use controls::*;
pub use decisions::*;
pub use environments::*;
pub use evaluations::*;
pub use flows::*;
pub use metrics::*;
pub use orgs::*;
pub use repos::*;
pub use snapshots::*;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Every API error body: `{"message": "..."}`; a payload field that fails
/// validation is named in `errors` (`[{"type": "why"}]`), with the message
/// `Input payload validation failed`, as Kosli answers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<std::collections::BTreeMap<String, String>>>,
    /// On server errors (5xx), the id of the request, as the server's log and
    /// the `x-request-id` header name it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// A paged list envelope `{data, pagination}` (org-wide trail list).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Paged<T> {
    pub data: Vec<T>,
    pub pagination: Pagination,
}

/// A page of a cursor-paged list: `{"data": [...], "_links": {"next": …}}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CursorPage<T> {
    pub data: Vec<T>,
    #[serde(rename = "_links")]
    pub links: PageLinks,
}

/// Where the next page of a [`CursorPage`] is; `None` on the last page.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PageLinks {
    pub next: Option<String>,
}

/// A plain list, or a page of it when the caller asked for paging (`P` is the
/// page's envelope: [`Paged`] for flows, `EnvironmentPage` for environments).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ListOrPage<T, P> {
    List(Vec<T>),
    Page(P),
}

impl<T, P: Into<Vec<T>>> ListOrPage<T, P> {
    /// The items, whichever shape they came in.
    pub fn into_items(self) -> Vec<T> {
        match self {
            ListOrPage::List(items) => items,
            ListOrPage::Page(page) => page.into(),
        }
    }
}

impl<T> From<Paged<T>> for Vec<T> {
    fn from(page: Paged<T>) -> Self {
        page.data
    }
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

/// A signed checkpoint of an org's log (`GET /log/{org}/checkpoint`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogCheckpoint {
    pub org: String,
    /// How many entries the log has.
    pub size: u64,
    /// Hex SHA-256 Merkle root (RFC 6962) of those entries.
    pub root: String,
    /// Unix seconds at signing.
    pub timestamp: i64,
    pub key_id: String,
    /// Hex Ed25519 signature of `custody-checkpoint/1\n{org}\n{size}\n{root}\n{timestamp}\n`.
    pub signature: String,
}

/// The server's checkpoint signing key (`GET /log/{org}/public-key`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogKey {
    pub key_id: String,
    /// Hex Ed25519 public key.
    pub public_key: String,
}

/// An entry of the log (`GET /log/{org}/entries`), with the record it
/// describes as it is stored now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogEntry {
    pub seq: u64,
    /// The entry's canonical JSON: what its leaf hash is taken of.
    pub body: String,
    /// Hex SHA-256 leaf hash, as stored.
    pub leaf_hash: String,
    /// For entries about records: the record as it is stored now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<CurrentRecord>,
}

/// A record as it is stored now: `null` once it is gone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CurrentRecord {
    pub record: Option<Value>,
}

/// A Merkle proof (`GET /log/{org}/proofs/...`): hex hashes, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogProof {
    pub proof: Vec<String>,
}

/// A record that no entry of the log describes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnloggedRecord {
    pub kind: String,
    pub id: i64,
}
