//! Environment policies, their attachment to environments and allow-lists:
//! the [`PolicyStore`] capability and its rows. Policy versions are immutable;
//! attachments are intervals of snapshot indexes, so every snapshot knows which
//! policies applied to it.

use async_trait::async_trait;
use custody_core::Fingerprint;
use custody_core::Timestamp;
use custody_core::ids::{EnvironmentId, OrgId, PolicyId};

use crate::Result;

/// A policy with its latest version number.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PolicyRow {
    pub id: PolicyId,
    pub org_id: OrgId,
    pub name: String,
    pub description: String,
    pub kind: String,
    pub created_at: Timestamp,
    pub latest_version: i64,
}

/// One immutable version of a policy.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PolicyVersionRow {
    pub policy_id: PolicyId,
    pub version: i64,
    pub content: String,
    pub comment: String,
    pub created_at: Timestamp,
}

/// What `put_policy` writes.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyInsert {
    pub name: String,
    pub description: String,
    pub kind: String,
    pub content: String,
    pub comment: String,
}

/// What `put_policy` did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyWrite {
    Created,
    /// A new version was added.
    Updated,
    /// The content equals the latest version's; nothing was added.
    Unchanged,
}

/// A trusted artifact in one environment.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AllowRow {
    pub env_name: String,
    pub fingerprint: Fingerprint,
    pub artifact_name: String,
    pub reason: String,
    pub created_at: Timestamp,
}

/// Policies, attachments and allow-lists.
#[async_trait]
pub trait PolicyStore: Send + Sync {
    /// Creates a policy or adds a version when the content differs from the latest.
    async fn put_policy(
        &self,
        org_id: OrgId,
        new: &PolicyInsert,
        at: Timestamp,
    ) -> Result<(PolicyRow, PolicyWrite)>;
    async fn policy(&self, org_id: OrgId, name: &str) -> Result<Option<PolicyRow>>;
    /// The org's policies, by name.
    async fn policies(&self, org_id: OrgId) -> Result<Vec<PolicyRow>>;
    /// Versions of these policies, oldest first.
    async fn policy_versions(&self, policy_ids: &[PolicyId]) -> Result<Vec<PolicyVersionRow>>;
    /// Attaches (or detaches) policies and, when that changed anything and the
    /// environment has snapshots, appends a snapshot with the same running set
    /// (copying the latest one's kind). Returns the new snapshot's index.
    async fn set_attachment(
        &self,
        env_id: EnvironmentId,
        policy_ids: &[PolicyId],
        attach: bool,
        at: Timestamp,
    ) -> Result<Option<i64>>;
    /// Ids of the policies applying to an environment's snapshot `index`.
    async fn policies_at(&self, env_id: EnvironmentId, index: i64) -> Result<Vec<PolicyId>>;
    /// `(policy_id, from_idx, to_idx)` of the attachments to an environment
    /// that applied at some index in `from..=to` (`to_idx` is `None` while
    /// attached).
    async fn policy_spans(
        &self,
        env_id: EnvironmentId,
        from: i64,
        to: i64,
    ) -> Result<Vec<(PolicyId, i64, Option<i64>)>>;
    /// `(policy_id, environment name)` of current attachments of these policies.
    async fn attachments(&self, policy_ids: &[PolicyId]) -> Result<Vec<(PolicyId, String)>>;
    async fn allow_artifact(
        &self,
        env_id: EnvironmentId,
        fingerprint: &Fingerprint,
        artifact_name: &str,
        reason: &str,
        at: Timestamp,
    ) -> Result<()>;
    /// The allow-lists of these environments, each entry naming its environment.
    async fn allowlist(&self, env_ids: &[EnvironmentId]) -> Result<Vec<AllowRow>>;
}
