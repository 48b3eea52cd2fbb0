//! The behaviour every [`Store`] backend must show, as plain async functions so
//! each backend's tests run them against a fresh database. Each function panics
//! with a message naming the broken promise.

mod actions;
mod artifacts;
mod attestation_types;
mod auth_buckets;
mod controls;
mod environments;
mod evidence;
mod evidence_revisions;
mod flows;
mod idempotency;
mod keys;
mod ledger;
mod policies;
mod renames;
mod repos;
mod snapshots;

use std::sync::Arc;

use custody_core::{Fingerprint, Timestamp};
use serde_json::json;

use crate::Store;

pub use actions::actions_deliver_from_the_outbox_once;
pub use artifacts::artifacts_and_attestations;
pub use attestation_types::attestation_types_are_versioned;
pub use auth_buckets::auth_buckets_count_attempts_per_address;
pub use controls::controls_are_versioned_archived_and_decided;
pub use environments::environments_archive_rename_and_join;
pub use evidence::evidence_is_recorded;
pub use evidence_revisions::evidence_revisions_follow_what_compliance_reads;
pub use flows::flows_and_trails;
pub use idempotency::idempotency_keys_replay_the_first_answer;
pub use keys::orgs_and_keys;
pub use ledger::every_fact_is_logged_and_reads_back;
pub use policies::policies_attach_and_allow;
pub use renames::flows_rename_and_beta_switches;
pub use repos::repos_are_recorded_listed_and_tagged;
pub use snapshots::{
    concurrent_reports_from_several_processes, concurrent_reports_get_contiguous_indexes,
    snapshots_follow_changes,
};

/// Every check, in order.
pub async fn run_all(store: Arc<dyn Store>) {
    orgs_and_keys(store.as_ref()).await;
    flows_and_trails(store.as_ref()).await;
    flows_rename_and_beta_switches(store.as_ref()).await;
    artifacts_and_attestations(store.as_ref()).await;
    evidence_revisions_follow_what_compliance_reads(store.as_ref()).await;
    repos_are_recorded_listed_and_tagged(store.as_ref()).await;
    controls_are_versioned_archived_and_decided(store.as_ref()).await;
    evidence_is_recorded(store.as_ref()).await;
    attestation_types_are_versioned(store.as_ref()).await;
    snapshots_follow_changes(store.as_ref()).await;
    policies_attach_and_allow(store.as_ref()).await;
    environments_archive_rename_and_join(store.as_ref()).await;
    idempotency_keys_replay_the_first_answer(store.as_ref()).await;
    auth_buckets_count_attempts_per_address(store.clone()).await;
    actions_deliver_from_the_outbox_once(store.as_ref()).await;
    concurrent_reports_get_contiguous_indexes(store.clone()).await;
    every_fact_is_logged_and_reads_back(store.as_ref()).await;
}

/// A new org with one template-less flow.
pub(crate) async fn org_with_flow(
    store: &dyn Store,
    org: &str,
    flow: &str,
) -> (crate::Org, crate::FlowRow) {
    let org = store.create_org(org, at(1.0)).await.unwrap();
    let (flow, _) = store
        .upsert_flow(org.id, &flow_upsert(flow), at(1.0))
        .await
        .unwrap();
    (org, flow)
}

/// A private, template-less flow.
pub(crate) fn flow_upsert(name: &str) -> crate::FlowUpsert {
    crate::FlowUpsert {
        name: name.into(),
        description: String::new(),
        visibility: "private".into(),
        template: None,
    }
}

pub(crate) fn fp(c: char) -> String {
    c.to_string().repeat(64)
}

/// A time `seconds` after the epoch.
pub(crate) fn at(seconds: f64) -> Timestamp {
    Timestamp::from_seconds(seconds)
}

/// [`fp`] as the fingerprint store rows hold.
pub(crate) fn fingerprint(c: char) -> Fingerprint {
    Fingerprint::parse(&fp(c)).expect("a fingerprint")
}

/// Artifact `c` of a trail, named for its template and built from `commit`.
pub(crate) fn artifact_insert(
    flow_id: custody_core::ids::FlowId,
    trail_id: custody_core::ids::TrailId,
    c: char,
    name: &str,
    commit: &str,
) -> crate::ArtifactInsert {
    crate::ArtifactInsert {
        flow_id,
        trail_id: Some(trail_id),
        fingerprint: fingerprint(c),
        filename: format!("{name}:{c}"),
        template_name: Some(name.into()),
        git_commit: Some(commit.into()),
        commit_url: None,
        build_url: None,
        repo_url: None,
        repo: None,
        payload: "{}".into(),
        created_at: at(3.0),
    }
}

pub(crate) fn instance(digest: &str, created: i64) -> serde_json::Value {
    json!({"digests": {"app": digest}, "creationTimestamp": created})
}
