//! Controls (beta): an org's catalogue of governance requirements, the
//! [`ControlStore`] capability and its rows. An identifier never changes;
//! every change of name, description or links is a new version.

use std::collections::BTreeMap;

use async_trait::async_trait;
use custody_core::Timestamp;
use custody_core::ids::{ControlId, OrgId};

use crate::{AttestationRow, Page, Result};

/// A control with its latest version; `tags` and `links` are JSON objects.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ControlRow {
    pub id: ControlId,
    pub org_id: OrgId,
    pub identifier: String,
    pub tags: String,
    pub created_at: Timestamp,
    pub archived_at: Option<Timestamp>,
    pub version: i64,
    pub name: String,
    pub description: String,
    pub links: String,
}

/// One version of a control.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ControlVersionRow {
    pub version: i64,
    pub name: String,
    pub description: String,
    pub links: String,
    pub created_at: Timestamp,
}

/// What a version says: its name, description and links (JSON object).
#[derive(Debug, Clone, PartialEq)]
pub struct ControlContent {
    pub name: String,
    pub description: String,
    pub links: String,
}

/// Which controls a list shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ControlFilter {
    /// Part of the identifier or name, in any case.
    pub search: Option<String>,
    /// Tags the control must carry: a key, or a key with its value.
    pub tags: Vec<(String, Option<String>)>,
    /// Archived controls instead of active ones.
    pub archived: bool,
    pub descending: bool,
}

#[async_trait]
pub trait ControlStore: Send + Sync {
    /// A new control at version 1; a conflict when the identifier is taken.
    async fn create_control(
        &self,
        org_id: OrgId,
        identifier: &str,
        content: &ControlContent,
        at: Timestamp,
    ) -> Result<ControlRow>;
    async fn control(&self, org_id: OrgId, identifier: &str) -> Result<Option<ControlRow>>;
    /// A page of controls by identifier, and how many match in all.
    async fn controls(
        &self,
        org_id: OrgId,
        filter: &ControlFilter,
        page: Page,
    ) -> Result<(Vec<ControlRow>, u64)>;
    /// Records the next version.
    async fn update_control(
        &self,
        control: &ControlRow,
        content: &ControlContent,
        at: Timestamp,
    ) -> Result<()>;
    async fn set_control_archived(
        &self,
        control_id: ControlId,
        archived: bool,
        at: Timestamp,
    ) -> Result<()>;
    /// Every version, oldest first.
    async fn control_versions(&self, control_id: ControlId) -> Result<Vec<ControlVersionRow>>;
    async fn set_control_tags(
        &self,
        control_id: ControlId,
        tags: &BTreeMap<String, String>,
        at: Timestamp,
    ) -> Result<()>;
    /// A page of the decisions (attestations) naming the control, newest
    /// first, and how many there are in all.
    async fn decisions(
        &self,
        org_id: OrgId,
        identifier: &str,
        page: Page,
    ) -> Result<(Vec<AttestationRow>, u64)>;
}
