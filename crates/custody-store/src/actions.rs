//! Actions (notifications): an org's rules, the [`ActionStore`] capability and
//! its rows. Facts that may cause a notification are written to an outbox in
//! the same transaction as the fact (only while the org has an action), so a
//! restart loses none. A server process claims outbox events for a while
//! (a lease), turns each into one delivery per matching target exactly once,
//! and claims due deliveries the same way; PostgreSQL skips rows another
//! process has locked, SQLite has one writer at a time.

use async_trait::async_trait;
use custody_core::Timestamp;
use custody_core::ids::{
    ActionId, ActionTargetId, DeliveryId, EnvironmentId, FlowId, OrgId, OutboxEventId, TrailId,
};

use crate::Result;

/// An action as stored; `scope` (environment or flow names) and `triggers`
/// are JSON arrays of strings.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ActionRow {
    pub id: ActionId,
    pub org_id: OrgId,
    pub number: i64,
    pub name: String,
    /// `env` or `flow`.
    pub kind: String,
    pub scope: String,
    pub triggers: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

/// One target of an action, with how its deliveries went.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct ActionTargetRow {
    pub id: ActionTargetId,
    pub action_id: ActionId,
    pub position: i64,
    /// `SLACK` or `WEBHOOK`.
    pub kind: String,
    pub webhook: String,
    pub payload_version: Option<String>,
    pub last_success_at: Option<Timestamp>,
    pub last_failure_at: Option<Timestamp>,
    pub last_error: Option<String>,
}

impl ActionTargetRow {
    /// Whether its latest delivery failed.
    pub fn is_failing(&self) -> bool {
        match (self.last_failure_at, self.last_success_at) {
            (Some(failed), Some(worked)) => failed.seconds() > worked.seconds(),
            (failed, _) => failed.is_some(),
        }
    }
}

/// A target as given when an action is created or updated.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetSpec {
    pub kind: String,
    pub webhook: String,
    pub payload_version: Option<String>,
}

/// An action as given; `scope` and `triggers` as in [`ActionRow`].
#[derive(Debug, Clone, PartialEq)]
pub struct ActionInsert {
    pub name: String,
    pub kind: String,
    pub scope: String,
    pub triggers: String,
    pub targets: Vec<TargetSpec>,
}

/// A fact in the outbox: `kind` is `snapshot` (`env_id`, `idx`), `trail`
/// (`flow_id`, `trail_id`), `artifact` (`reference` = fingerprint),
/// `attestation` (`reference` = its public id) or `allowed` (`env_id`,
/// `reference` = fingerprint), with the names of its org, environment,
/// flow and trail now.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct OutboxEvent {
    pub id: OutboxEventId,
    pub org_id: OrgId,
    pub org_name: String,
    pub kind: String,
    pub env_id: Option<EnvironmentId>,
    pub env_name: Option<String>,
    pub flow_id: Option<FlowId>,
    pub flow_name: Option<String>,
    pub trail_id: Option<TrailId>,
    pub trail_name: Option<String>,
    pub idx: Option<i64>,
    pub reference: Option<String>,
    pub created_at: Timestamp,
}

/// A notification to make: its target, its delivery id and the body sent.
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryInsert {
    pub target_id: ActionTargetId,
    pub public_id: String,
    pub body: String,
}

/// A claimed delivery, with where it goes.
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct DeliveryRow {
    pub id: DeliveryId,
    pub public_id: String,
    pub target_id: ActionTargetId,
    pub kind: String,
    pub webhook: String,
    pub body: String,
    /// Attempts so far, this one included.
    pub attempts: i64,
}

/// How an attempt went.
#[derive(Debug, Clone, PartialEq)]
pub enum DeliveryOutcome {
    Delivered,
    /// Failed; tried again at `retry_at`, or never when `None`.
    Failed {
        error: String,
        retry_at: Option<Timestamp>,
    },
}

#[async_trait]
pub trait ActionStore: Send + Sync {
    /// Creates the action with this name (the org's next number) or replaces
    /// its settings and targets; a target kept (same kind and webhook) keeps
    /// its delivery record. True when created.
    async fn put_action(
        &self,
        org_id: OrgId,
        action: &ActionInsert,
        at: Timestamp,
    ) -> Result<(ActionRow, bool)>;
    /// The org's actions, by number.
    async fn actions(&self, org_id: OrgId) -> Result<Vec<ActionRow>>;
    async fn action(&self, org_id: OrgId, number: i64) -> Result<Option<ActionRow>>;
    /// The targets of these actions, by action then position.
    async fn action_targets(&self, ids: &[ActionId]) -> Result<Vec<ActionTargetRow>>;
    /// Deletes an action (its number is never reused) and drops its pending
    /// deliveries; false when there is none.
    async fn delete_action(&self, org_id: OrgId, number: i64, at: Timestamp) -> Result<bool>;
    /// Claims up to `limit` undispatched events whose lease (if any) ran out,
    /// leasing them until `lease_until`.
    async fn claim_events(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<OutboxEvent>>;
    /// Marks an event dispatched and adds its deliveries, due now, unless it
    /// was dispatched already (then false, and nothing is added).
    async fn dispatch_event(
        &self,
        event: OutboxEventId,
        deliveries: &[DeliveryInsert],
        now: Timestamp,
    ) -> Result<bool>;
    /// Claims up to `limit` due deliveries, leasing them until `lease_until`.
    async fn claim_deliveries(
        &self,
        now: Timestamp,
        lease_until: Timestamp,
        limit: u32,
    ) -> Result<Vec<DeliveryRow>>;
    /// Records an attempt's outcome on the delivery and its target.
    async fn finish_delivery(
        &self,
        id: DeliveryId,
        outcome: &DeliveryOutcome,
        at: Timestamp,
    ) -> Result<()>;
    /// Forgets deliveries finished before `before` and the dispatched events
    /// left without deliveries; how many rows went.
    async fn prune_outbox(&self, before: Timestamp) -> Result<u64>;
}
