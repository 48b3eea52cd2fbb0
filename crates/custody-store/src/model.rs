//! Rows the store returns. JSON-valued columns stay text here; `json()` reads them.

use custody_core::Timestamp;
use custody_core::binding::{ArtifactKey, AttestationKey};
use custody_core::compliance::Reported;
use custody_core::ids::{
    ArtifactId, AttestationId, AttestationTypeId, EnvironmentId, FlowId, OrgId, RepoId,
    ServiceAccountId, TrailId,
};
use custody_core::{EnvironmentType, Fingerprint, Role};
use serde_json::Value;

/// Parses a stored JSON column; stored values are always valid JSON.
pub fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Org {
    pub id: OrgId,
    pub name: String,
    pub created_at: Timestamp,
    /// 1 while the org has beta features switched on.
    pub beta_enabled: i64,
}

/// Who an API key speaks for.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct Principal {
    pub org_id: OrgId,
    pub org_name: String,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub service_account: String,
    pub key_id: String,
    pub expires_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ServiceAccountRow {
    pub id: ServiceAccountId,
    pub name: String,
    pub description: Option<String>,
    #[sqlx(try_from = "String")]
    pub role: Role,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ApiKeyRow {
    /// The service account's name.
    pub account: String,
    pub public_id: String,
    pub description: String,
    pub created_at: Timestamp,
    pub expires_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct FlowRow {
    pub id: FlowId,
    pub org_id: OrgId,
    pub name: String,
    pub description: String,
    pub visibility: String,
    pub template: Option<String>,
    pub tags: String,
    pub created_at: Timestamp,
    pub archived_at: Option<Timestamp>,
}

/// What `upsert_flow` writes.
#[derive(Debug, Clone, PartialEq)]
pub struct FlowUpsert {
    pub name: String,
    pub description: String,
    pub visibility: String,
    pub template: Option<String>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct TrailRow {
    pub id: TrailId,
    pub flow_id: FlowId,
    pub flow_name: String,
    pub name: String,
    pub description: String,
    pub template: Option<String>,
    pub git_commit_info: Option<String>,
    pub origin_url: Option<String>,
    pub user_data: String,
    pub external_urls: String,
    pub repo_info: Option<String>,
    pub created_at: Timestamp,
    pub last_modified_at: Timestamp,
}

/// What `upsert_trail` writes; `None` fields keep their stored value on update.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrailUpsert {
    pub name: String,
    pub description: Option<String>,
    pub template: Option<String>,
    pub git_commit_info: Option<String>,
    pub origin_url: Option<String>,
    pub user_data: Option<String>,
    pub external_urls: Option<String>,
    pub repo_info: Option<String>,
    /// The repo `repo_info` names, recorded with the trail.
    pub repo: Option<crate::RepoSeen>,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct TrailEventRow {
    pub kind: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ArtifactRow {
    pub id: ArtifactId,
    pub flow_id: FlowId,
    pub flow_name: String,
    pub trail_id: Option<TrailId>,
    pub trail_name: Option<String>,
    pub fingerprint: Fingerprint,
    pub filename: String,
    pub template_name: Option<String>,
    pub git_commit: Option<String>,
    pub commit_url: Option<String>,
    pub build_url: Option<String>,
    pub repo_url: Option<String>,
    pub payload: String,
    pub created_at: Timestamp,
    /// Moves whenever what the artifact's compliance is judged from changes
    /// (an attestation about it or its trail, a template of its flow or
    /// trail): a verdict worked out at one revision holds while it stands.
    pub evidence_revision: i64,
}

/// Whose artifacts a list shows.
#[derive(Debug, Clone, PartialEq)]
pub enum ArtifactScope {
    Org,
    Flow(FlowId),
    /// Built from any of these repos.
    Repos(Vec<RepoId>),
}

impl ArtifactRow {
    /// What attestation binding needs of this artifact.
    pub fn key(&self) -> ArtifactKey<'_> {
        ArtifactKey {
            id: self.id,
            flow_id: self.flow_id,
            trail_id: self.trail_id,
            template_name: self.template_name.as_deref(),
            git_commit: self.git_commit.as_deref(),
        }
    }
}

/// What `insert_artifact` writes.
#[derive(Debug, Clone, PartialEq)]
pub struct ArtifactInsert {
    pub flow_id: FlowId,
    pub trail_id: Option<TrailId>,
    pub fingerprint: Fingerprint,
    pub filename: String,
    pub template_name: Option<String>,
    pub git_commit: Option<String>,
    pub commit_url: Option<String>,
    pub build_url: Option<String>,
    pub repo_url: Option<String>,
    /// The repo the artifact was built from, recorded with it.
    pub repo: Option<crate::RepoSeen>,
    pub payload: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AttestationRow {
    pub id: AttestationId,
    pub public_id: String,
    pub flow_id: FlowId,
    pub trail_id: Option<TrailId>,
    pub artifact_id: Option<ArtifactId>,
    pub target_artifact: Option<String>,
    pub commit_sha: Option<String>,
    pub name: String,
    pub kind: String,
    pub is_compliant: i64,
    pub payload: String,
    pub created_at: Timestamp,
}

/// Which of an org's attestations to list (all filters optional).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AttestationFilter {
    pub public_id: Option<String>,
    pub name: Option<String>,
    /// Flow names; empty means every flow.
    pub flows: Vec<String>,
    /// Attestation types; empty means every type.
    pub kinds: Vec<String>,
    pub is_compliant: Option<bool>,
    /// Unix seconds, inclusive.
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// The cursor: only rows older than this row id.
    pub after_id: Option<AttestationId>,
}

/// An attestation with the names its document shows.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ListedAttestation {
    #[sqlx(flatten)]
    pub row: AttestationRow,
    pub flow_name: String,
    pub trail_name: Option<String>,
    pub artifact_fingerprint: Option<Fingerprint>,
}

impl AttestationRow {
    /// What binding needs of this attestation.
    pub fn key(&self) -> AttestationKey<'_> {
        AttestationKey {
            artifact_id: self.artifact_id,
            flow_id: self.flow_id,
            trail_id: self.trail_id,
            target_artifact: self.target_artifact.as_deref(),
            commit_sha: self.commit_sha.as_deref(),
        }
    }

    /// The attestation as compliance sees it.
    pub fn reported(&self) -> Reported {
        Reported {
            id: self.public_id.clone(),
            name: self.name.clone(),
            kind: self.kind.clone(),
            is_compliant: self.is_compliant != 0,
            created_at: self.created_at,
        }
    }
}

/// What `insert_attestation` writes.
#[derive(Debug, Clone, PartialEq)]
pub struct AttestationInsert {
    pub public_id: String,
    pub flow_id: FlowId,
    pub trail_id: Option<TrailId>,
    pub artifact_id: Option<ArtifactId>,
    pub target_artifact: Option<String>,
    pub commit_sha: Option<String>,
    pub name: String,
    pub kind: String,
    pub is_compliant: bool,
    /// The control a decision decides.
    pub control: Option<String>,
    pub payload: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct DeploymentRow {
    pub number: i64,
    pub flow_id: FlowId,
    pub artifact_id: ArtifactId,
    pub fingerprint: Fingerprint,
    pub filename: String,
    pub environment: String,
    pub description: Option<String>,
    pub build_url: Option<String>,
    pub created_at: Timestamp,
}

/// What `insert_deployment` writes; the number is allocated by the store.
#[derive(Debug, Clone, PartialEq)]
pub struct DeploymentInsert {
    pub flow_id: FlowId,
    pub artifact_id: ArtifactId,
    pub environment: String,
    pub description: Option<String>,
    pub build_url: Option<String>,
    pub user_data: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct EnvironmentRow {
    pub id: EnvironmentId,
    pub org_id: OrgId,
    pub name: String,
    #[sqlx(try_from = "String")]
    pub kind: EnvironmentType,
    pub description: String,
    pub tags: String,
    pub include_scaling: i64,
    pub created_at: Timestamp,
    pub last_modified_at: Timestamp,
    pub last_reported_at: Option<Timestamp>,
    pub last_changed_at: Option<Timestamp>,
    pub latest_index: i64,
    /// 1 once archived: hidden from lists and refusing reports.
    pub archived: i64,
}

/// What `upsert_environment` writes.
#[derive(Debug, Clone, PartialEq)]
pub struct EnvironmentUpsert {
    pub name: String,
    pub kind: EnvironmentType,
    pub description: String,
    pub include_scaling: bool,
}

#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct SnapshotRow {
    pub idx: i64,
    pub kind: String,
    pub created_at: Timestamp,
    pub next_at: Option<Timestamp>,
}

/// A fingerprint running in an environment from snapshot `from_idx` until `to_idx`.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RunRow {
    pub id: i64,
    pub env_name: String,
    pub fingerprint: Fingerprint,
    pub name: String,
    pub from_idx: i64,
    pub to_idx: Option<i64>,
    pub replicas: i64,
    pub instances: String,
    pub from_at: Timestamp,
    pub to_at: Option<Timestamp>,
}

/// A run's stay without its instances: what timelines, verdicts and event
/// logs over a range of snapshots need.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RunSpan {
    pub fingerprint: Fingerprint,
    pub name: String,
    pub from_idx: i64,
    pub to_idx: Option<i64>,
    pub replicas: i64,
    pub from_at: Timestamp,
    pub to_at: Option<Timestamp>,
}

/// One artifact running now in an environment: what listing many environments
/// needs, without the instances.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct RunningNow {
    pub env_id: EnvironmentId,
    pub fingerprint: Fingerprint,
    pub name: String,
    pub replicas: i64,
}

/// What recording a report did.
#[derive(Debug, Clone, PartialEq)]
pub enum ReportOutcome {
    /// A new snapshot with this index.
    Created(i64),
    /// Nothing changed; the latest snapshot stays.
    Unchanged(i64),
}

/// A page request: 1-based page number and page size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Page {
    pub page: u32,
    pub per_page: u32,
}

impl Page {
    pub fn offset(self) -> i64 {
        i64::from(self.page.saturating_sub(1)) * i64::from(self.per_page)
    }

    pub fn limit(self) -> i64 {
        i64::from(self.per_page)
    }

    /// How many pages of this size `total` items fill (at least one).
    pub fn pages(self, total: u64) -> u32 {
        total.div_ceil(u64::from(self.per_page.max(1))).max(1) as u32
    }
}

/// A custom attestation type; `versions` counts its versions (the latest number).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AttestationTypeRow {
    pub id: AttestationTypeId,
    pub org_id: OrgId,
    pub name: String,
    pub description: String,
    pub archived_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub versions: i64,
}

/// One immutable version of a custom attestation type. JSON columns are text.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct AttestationTypeVersionRow {
    pub type_id: AttestationTypeId,
    pub version: i64,
    pub type_schema: Option<String>,
    pub jq_rules: String,
    pub summary: String,
    pub created_at: Timestamp,
    pub created_by: String,
}

/// What `create_attestation_type` writes: the type and its next version.
#[derive(Debug, Clone, PartialEq)]
pub struct AttestationTypeInsert {
    pub name: String,
    pub description: String,
    pub type_schema: Option<String>,
    pub jq_rules: String,
    pub summary: String,
    pub created_by: String,
}

/// An attestation's attachment in the evidence vault.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct EvidenceRow {
    pub attestation_id: AttestationId,
    /// Hex SHA-256 of the bytes: their key in the object store.
    pub sha256: String,
    pub file_name: String,
    pub size: i64,
}

/// An entry of an org's log, as stored.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct LogEntryRow {
    pub seq: i64,
    pub kind: String,
    pub subject_id: i64,
    /// The canonical JSON of the entry (what the leaf hash is taken of).
    pub body: String,
    /// Hex SHA-256 leaf hash.
    pub leaf_hash: String,
}
