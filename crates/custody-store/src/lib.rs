//! Storage for Custody. [`Store`] is the one interface the server uses; [`SqlStore`]
//! implements it for SQLite (the embedded default) and PostgreSQL from one set of
//! portable SQL statements, with a migration set per database. [`contract`] holds
//! the behaviour suite every backend must pass.
//!
//! Facts (reports, attestations, deployments, snapshots) are only ever appended;
//! a snapshot is the set of runs open at its index, so storage grows with changes,
//! not with the number of reports.

mod actions;
#[cfg(feature = "testing")]
pub mod contract;
mod controls;
pub mod model;
mod policies;
mod repos;
mod sql;
#[cfg(feature = "testing")]
pub mod testing;

use async_trait::async_trait;
use custody_core::Timestamp;
use custody_core::ids::{
    ArtifactId, AttestationId, AttestationTypeId, EnvironmentId, FlowId, OrgId, ServiceAccountId,
    TrailId,
};
use custody_core::ledger::checkpoint::Checkpoint;
use custody_core::ledger::facts::Record;
use custody_core::ledger::merkle::{Frontier, Hash, NodeId};
use custody_core::report::RunningArtifact;
use custody_core::{EnvironmentType, Role};
use custody_core::{Fingerprint, HexPrefix};

pub use actions::*;
pub use controls::*;
pub use model::*;
pub use policies::*;
pub use repos::*;
#[cfg(feature = "testing")]
pub use sql::LookupPlans;
pub use sql::{MAX_ATTESTATION_PAGE, SqlStore};

/// What can go wrong in storage.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A unique name or number is taken (often a concurrent create; retryable).
    #[error("{0}")]
    Conflict(String),
    #[error("database error: {0}")]
    Database(sqlx::Error),
    #[error("migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Config(String),
    /// Stored data that cannot be read back as written.
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

impl From<sqlx::Error> for StoreError {
    /// A column that cannot be read back as its type (a fingerprint that is
    /// not one, say) holds data the store never wrote: it is corrupt.
    fn from(e: sqlx::Error) -> Self {
        match e {
            sqlx::Error::ColumnDecode { index, source } => {
                StoreError::Corrupt(format!("column {index}: {source}"))
            }
            e => StoreError::Database(e),
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// How many database connections the pool holds now, and its limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolUse {
    /// Connections open, idle or in use.
    pub open: u32,
    /// Open connections waiting for work.
    pub idle: u32,
    /// The most the pool opens.
    pub max: u32,
}

/// Everything the server reads and writes. Every method is a bounded number of
/// statements, whatever the size of its input.
#[async_trait]
pub trait Store:
    OrgStore
    + FlowStore
    + ArtifactStore
    + EnvironmentStore
    + EnvironmentAdminStore
    + AttestationTypeStore
    + EvidenceStore
    + PolicyStore
    + RepoStore
    + ControlStore
    + IdempotencyStore
    + AuthBucketStore
    + LedgerStore
    + ActionStore
{
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Whether the database answers a trivial statement now.
    async fn ping(&self) -> Result<()>;
    /// The connection pool's use now.
    fn pool_use(&self) -> PoolUse;
    /// Closes every connection, waiting for those in use to be given back.
    async fn close(&self);
    /// Refreshes the query planner's statistics (`PRAGMA optimize` on SQLite,
    /// `ANALYZE` on PostgreSQL), so plans follow the data as it grows.
    async fn optimize(&self) -> Result<()>;
    /// Writes a consistent copy of the whole database to a new file while
    /// others keep writing (SQLite only; PostgreSQL has `pg_dump`).
    async fn backup_to(&self, path: &std::path::Path) -> Result<()>;
}

/// Orgs, service accounts and hashed API keys.
#[async_trait]
pub trait OrgStore: Send + Sync {
    async fn create_org(&self, name: &str, at: Timestamp) -> Result<Org>;
    async fn org(&self, name: &str) -> Result<Option<Org>>;
    async fn orgs(&self) -> Result<Vec<Org>>;
    /// Switches the org's beta features on or off.
    async fn set_beta(&self, org_id: OrgId, enabled: bool, at: Timestamp) -> Result<()>;
    async fn create_service_account(
        &self,
        org_id: OrgId,
        name: &str,
        description: Option<&str>,
        role: Role,
        at: Timestamp,
    ) -> Result<ServiceAccountRow>;
    async fn service_account(&self, org_id: OrgId, name: &str)
    -> Result<Option<ServiceAccountRow>>;
    async fn service_accounts(&self, org_id: OrgId) -> Result<Vec<ServiceAccountRow>>;
    async fn update_service_account(
        &self,
        id: ServiceAccountId,
        description: Option<&str>,
        role: Option<Role>,
        at: Timestamp,
    ) -> Result<()>;
    async fn delete_service_account(&self, id: ServiceAccountId, at: Timestamp) -> Result<()>;
    async fn create_api_key(
        &self,
        account_id: ServiceAccountId,
        public_id: &str,
        key_hash: &str,
        description: &str,
        at: Timestamp,
        expires_at: Option<Timestamp>,
    ) -> Result<()>;
    async fn api_keys(&self, account_id: ServiceAccountId) -> Result<Vec<ApiKeyRow>>;
    /// Every key of the org's service accounts, by account name.
    async fn org_api_keys(&self, org_id: OrgId) -> Result<Vec<ApiKeyRow>>;
    /// Sets a key's expiry; false when the key does not exist.
    async fn set_api_key_expiry(
        &self,
        account_id: ServiceAccountId,
        public_id: &str,
        expires_at: Option<Timestamp>,
        at: Timestamp,
    ) -> Result<bool>;
    async fn delete_api_key(
        &self,
        account_id: ServiceAccountId,
        public_id: &str,
        at: Timestamp,
    ) -> Result<bool>;
    /// The principal of an unexpired key with this hash.
    async fn principal(&self, key_hash: &str, now: Timestamp) -> Result<Option<Principal>>;
}

/// Flows and trails.
#[async_trait]
pub trait FlowStore: Send + Sync {
    /// Creates or updates a flow; true when created.
    async fn upsert_flow(
        &self,
        org_id: OrgId,
        flow: &FlowUpsert,
        at: Timestamp,
    ) -> Result<(FlowRow, bool)>;
    /// The flow with this name, else the flow that had it before a rename.
    async fn flow(&self, org_id: OrgId, name: &str) -> Result<Option<FlowRow>>;
    /// Flows not archived, by name, optionally filtered by a name substring.
    async fn flows(
        &self,
        org_id: OrgId,
        name_contains: Option<&str>,
        case_sensitive: bool,
        page: Option<Page>,
    ) -> Result<(Vec<FlowRow>, u64)>;
    async fn set_flow_tags(&self, flow_id: FlowId, tags_json: &str, at: Timestamp) -> Result<()>;
    async fn archive_flow(&self, flow_id: FlowId, at: Timestamp) -> Result<()>;
    /// Renames a flow; its old name keeps resolving to it (see [`FlowStore::flow`])
    /// until a flow is created or renamed with that name.
    async fn rename_flow(&self, flow: &FlowRow, new_name: &str, at: Timestamp) -> Result<()>;
    async fn last_deployment_at(&self, flow_id: FlowId) -> Result<Option<Timestamp>>;

    // Trails.
    /// Begins or updates a trail and records the event; true when begun.
    async fn upsert_trail(
        &self,
        flow_id: FlowId,
        trail: &TrailUpsert,
        at: Timestamp,
    ) -> Result<(TrailRow, bool)>;
    async fn trail(&self, flow_id: FlowId, name: &str) -> Result<Option<TrailRow>>;
    /// Trails newest first, in the whole org or only in these flows (none
    /// when the list is empty), optionally only those holding an artifact
    /// with this fingerprint.
    async fn trails(
        &self,
        org_id: OrgId,
        flows: Option<&[FlowId]>,
        fingerprint: Option<&str>,
        page: Page,
    ) -> Result<(Vec<TrailRow>, u64)>;
    /// The newest trail of each of the org's flows that has any.
    async fn latest_trails(&self, org_id: OrgId) -> Result<Vec<TrailRow>>;
    async fn trail_events(&self, trail_id: TrailId) -> Result<Vec<TrailEventRow>>;
    async fn flows_by_id(&self, ids: &[FlowId]) -> Result<Vec<FlowRow>>;
    async fn trails_by_id(&self, ids: &[TrailId]) -> Result<Vec<TrailRow>>;
}

/// Artifacts, attestations and legacy deployments.
#[async_trait]
pub trait ArtifactStore: Send + Sync {
    async fn insert_artifact(&self, artifact: &ArtifactInsert) -> Result<ArtifactId>;
    async fn artifacts_by_fingerprint(
        &self,
        org_id: OrgId,
        flow_id: Option<FlowId>,
        prefix: &HexPrefix,
    ) -> Result<Vec<ArtifactRow>>;
    async fn artifacts_by_commit(
        &self,
        org_id: OrgId,
        flow_id: Option<FlowId>,
        prefix: &HexPrefix,
    ) -> Result<Vec<ArtifactRow>>;
    async fn artifacts_with_fingerprints(
        &self,
        org_id: OrgId,
        fingerprints: &[Fingerprint],
    ) -> Result<Vec<ArtifactRow>>;
    /// Artifacts newest first.
    async fn artifacts(
        &self,
        org_id: OrgId,
        scope: &ArtifactScope,
        page: Page,
    ) -> Result<(Vec<ArtifactRow>, u64)>;
    async fn trail_artifacts(&self, trail_ids: &[TrailId]) -> Result<Vec<ArtifactRow>>;
    async fn insert_attestation(&self, attestation: &AttestationInsert) -> Result<()>;
    /// Attestations that may concern these artifacts: those of their trails, those
    /// bound to them, and pending ones of their flows for their commits.
    async fn attestations_for(&self, artifacts: &[ArtifactRow]) -> Result<Vec<AttestationRow>>;
    async fn trail_attestations(&self, trail_ids: &[TrailId]) -> Result<Vec<AttestationRow>>;
    /// Records a deployment and returns its number in the flow.
    async fn insert_deployment(&self, deployment: &DeploymentInsert) -> Result<i64>;
    async fn deployments_of(&self, artifact_ids: &[ArtifactId]) -> Result<Vec<DeploymentRow>>;
}

/// Attachments of attestations: which stored object each one refers to.
#[async_trait]
pub trait EvidenceStore: Send + Sync {
    /// Records the attachment of the attestation with this public id; false when
    /// there is no such attestation.
    async fn attach_evidence(
        &self,
        public_id: &str,
        evidence: &EvidenceRow,
        at: Timestamp,
    ) -> Result<bool>;
    /// The attestation with this public id.
    async fn attestation(&self, public_id: &str) -> Result<Option<AttestationRow>>;
    /// The attachments of these attestations (by row id), in id order.
    async fn evidence_of(&self, attestation_ids: &[AttestationId]) -> Result<Vec<EvidenceRow>>;
    /// Up to `limit` (at most [`MAX_ATTESTATION_PAGE`]) of the org's attestations
    /// matching the filter, newest first.
    async fn org_attestations(
        &self,
        org_id: OrgId,
        filter: &AttestationFilter,
        limit: u32,
    ) -> Result<Vec<ListedAttestation>>;
}

/// Environments, runtime reports and snapshots.
#[async_trait]
pub trait EnvironmentStore: Send + Sync {
    async fn upsert_environment(
        &self,
        org_id: OrgId,
        env: &EnvironmentUpsert,
        at: Timestamp,
    ) -> Result<(EnvironmentRow, bool)>;
    async fn environment(&self, org_id: OrgId, name: &str) -> Result<Option<EnvironmentRow>>;
    async fn environments(
        &self,
        org_id: OrgId,
        page: Option<Page>,
    ) -> Result<(Vec<EnvironmentRow>, u64)>;
    async fn set_environment_tags(
        &self,
        env_id: EnvironmentId,
        tags_json: &str,
        at: Timestamp,
    ) -> Result<()>;
    /// Records a report: a new snapshot if the running set or a replica count changed
    /// (or the environment has none yet), else only `last_reported_at` moves.
    async fn record_report(
        &self,
        env_id: EnvironmentId,
        kind: EnvironmentType,
        at: Timestamp,
        running: Vec<RunningArtifact>,
    ) -> Result<ReportOutcome>;
    async fn snapshot(&self, env_id: EnvironmentId, index: i64) -> Result<Option<SnapshotRow>>;
    /// The index of the snapshot current at a time.
    async fn snapshot_at_time(&self, env_id: EnvironmentId, at: Timestamp) -> Result<Option<i64>>;
    /// The index of the first snapshot taken at or after a time.
    async fn first_snapshot_since(
        &self,
        env_id: EnvironmentId,
        at: Timestamp,
    ) -> Result<Option<i64>>;
    /// Snapshots with `from <= index <= to`, oldest first unless `newest_first`.
    async fn snapshots(
        &self,
        env_id: EnvironmentId,
        from: i64,
        to: i64,
        newest_first: bool,
        page: Page,
    ) -> Result<Vec<SnapshotRow>>;
    /// Runs open at `index`, plus those that ended exactly there.
    async fn runs_at(&self, env_id: EnvironmentId, index: i64) -> Result<Vec<RunRow>>;
    /// Runs open at some index in `from..=to` (each one once), without instances.
    async fn runs_during(&self, env_id: EnvironmentId, from: i64, to: i64) -> Result<Vec<RunSpan>>;
    /// Runs that started or ended at an index in `from..=to`, without instances.
    async fn runs_changed(&self, env_id: EnvironmentId, from: i64, to: i64)
    -> Result<Vec<RunSpan>>;
    /// Every run of these fingerprints in the org's environments.
    async fn runs_of(&self, org_id: OrgId, fingerprints: &[Fingerprint]) -> Result<Vec<RunRow>>;
    /// Fingerprints with this prefix that ran in the org's environments.
    async fn running_fingerprints(
        &self,
        org_id: OrgId,
        prefix: &HexPrefix,
    ) -> Result<Vec<Fingerprint>>;
    /// What runs now in each of these environments, by environment and name.
    async fn open_runs(&self, env_ids: &[EnvironmentId]) -> Result<Vec<RunningNow>>;
}

/// Environment lifecycle: archiving, renaming, and logical environments' members.
#[async_trait]
pub trait EnvironmentAdminStore: Send + Sync {
    /// Hides the environment from lists; its snapshots stay.
    async fn archive_environment(&self, env_id: EnvironmentId, at: Timestamp) -> Result<()>;
    /// Renames in place (snapshots stay); `Conflict` when the name is taken.
    async fn rename_environment(
        &self,
        env_id: EnvironmentId,
        new_name: &str,
        at: Timestamp,
    ) -> Result<()>;
    /// Replaces a logical environment's members.
    async fn set_environment_members(
        &self,
        logical_id: EnvironmentId,
        physical_ids: &[EnvironmentId],
        at: Timestamp,
    ) -> Result<()>;
    /// Adds one member (a no-op when it is one already).
    async fn join_environment(
        &self,
        logical_id: EnvironmentId,
        physical_id: EnvironmentId,
        at: Timestamp,
    ) -> Result<()>;
    /// A logical environment's members, by name.
    async fn environment_members(&self, logical_id: EnvironmentId) -> Result<Vec<EnvironmentRow>>;
}

/// Each org's Merkle log of facts (appended by the writes themselves).
#[async_trait]
pub trait LedgerStore: Send + Sync {
    /// The log's size and the right edge of its tree (which gives its root).
    async fn log_head(&self, org_id: OrgId) -> Result<(u64, Frontier)>;
    /// Entries `from..to`, in order.
    async fn log_entries(&self, org_id: OrgId, from: u64, to: u64) -> Result<Vec<LogEntryRow>>;
    /// The stored hashes of these perfect subtrees (level 0: leaves).
    async fn log_nodes(&self, org_id: OrgId, ids: &[NodeId]) -> Result<Vec<(NodeId, Hash)>>;
    /// The records these entries describe, as they are stored now; a record
    /// that is gone has none.
    async fn log_records(&self, subjects: &[(String, i64)])
    -> Result<Vec<((String, i64), Record)>>;
    /// Records of the org that no entry describes (written around the log).
    async fn unlogged_records(&self, org_id: OrgId) -> Result<Vec<(String, i64)>>;
    async fn save_checkpoint(&self, org_id: OrgId, checkpoint: &Checkpoint) -> Result<()>;
}

/// What claiming an idempotency key found.
#[derive(Debug, Clone, PartialEq)]
pub enum IdempotencyClaim {
    /// The key is new: handle the request, then complete or release the key.
    Claimed,
    /// The first request with this key is still being handled.
    InProgress,
    /// The first request with this key was answered: its hash and response.
    Answered {
        request_hash: String,
        status: u16,
        body: Vec<u8>,
    },
}

/// Idempotency keys: the first response to a write, kept for its retries.
#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Claims `key` within `scope` for a request, forgetting keys older than
    /// `forget_before`.
    async fn claim_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        at: Timestamp,
        forget_before: Timestamp,
    ) -> Result<IdempotencyClaim>;
    /// Keeps the response of the claimed request, with the request's digest
    /// (taken as it was read) that its retries must match.
    async fn complete_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        request_hash: &str,
        status: u16,
        body: &[u8],
    ) -> Result<()>;
    /// Gives a claimed key back (the request failed), so a retry runs it again.
    async fn release_idempotency_key(&self, scope: &str, key: &str) -> Result<()>;
}

/// The shape of a bucket of attempts: how many it holds, and how many seconds
/// each takes to come back.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BucketShape {
    pub burst: u32,
    pub interval: f64,
}

/// Buckets of failed authentications per client address, shared by every
/// server on the database. A bucket is kept as the time it is full again: each
/// attempt moves that time one interval later (from now, when it has passed),
/// never more than the whole burst ahead of now.
#[async_trait]
pub trait AuthBucketStore: Send + Sync {
    /// Takes one attempt from `address`'s bucket at `at`, in one statement;
    /// returns when the bucket is full again.
    async fn take_auth_attempt(
        &self,
        address: &str,
        shape: BucketShape,
        at: Timestamp,
    ) -> Result<Timestamp>;
    /// When `address`'s bucket is full again, if the store has it.
    async fn auth_bucket_full_at(&self, address: &str) -> Result<Option<Timestamp>>;
    /// Forgets the buckets full again by `at`; returns how many.
    async fn forget_full_auth_buckets(&self, at: Timestamp) -> Result<u64>;
}

/// Custom attestation types and their immutable versions.
#[async_trait]
pub trait AttestationTypeStore: Send + Sync {
    /// Creates the type, or adds its next version (updating the description and
    /// un-archiving it); returns the type with its new version count.
    async fn create_attestation_type(
        &self,
        org_id: OrgId,
        new: &AttestationTypeInsert,
        at: Timestamp,
    ) -> Result<AttestationTypeRow>;
    async fn attestation_type(
        &self,
        org_id: OrgId,
        name: &str,
    ) -> Result<Option<AttestationTypeRow>>;
    /// Types not archived, by name.
    async fn attestation_types(&self, org_id: OrgId) -> Result<Vec<AttestationTypeRow>>;
    /// Every version of a type, oldest first.
    /// Every version of these types, by type then version.
    async fn attestation_type_versions(
        &self,
        type_ids: &[AttestationTypeId],
    ) -> Result<Vec<AttestationTypeVersionRow>>;
    async fn archive_attestation_type(
        &self,
        type_id: AttestationTypeId,
        at: Timestamp,
    ) -> Result<()>;
}
