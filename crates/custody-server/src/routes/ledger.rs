//! The org's tamper-evident log over the API: signed checkpoints, the signing
//! key, entries with the records they describe as stored now, inclusion and
//! consistency proofs, and records written around the log. Readers may verify.

use std::collections::HashMap;

use axum::Json;
use axum::extract::{Path, State};
use custody_api::{CurrentRecord, LogCheckpoint, LogEntry, LogKey, LogProof, UnloggedRecord};
use custody_core::ids::OrgId;
use custody_core::ledger::checkpoint::{Checkpoint, key_id};
use custody_core::ledger::facts::{Entry, Fact, hex};
use custody_core::ledger::merkle::{self, Hash, NodeId};
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;

use super::api_doc::Refusals;
use crate::auth::{Authed, Permission};
use crate::body::Params;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The most entries one request returns.
const MAX_ENTRIES: u64 = 1000;

fn checkpoint_doc(c: Checkpoint) -> LogCheckpoint {
    LogCheckpoint {
        org: c.org,
        size: c.size,
        root: c.root,
        timestamp: c.timestamp,
        key_id: c.key_id,
        signature: c.signature,
    }
}

#[utoipa::path(get, path = "/log/{org}/checkpoint", tag = "log", operation_id = "log_checkpoint",
    params(("org" = String, Path, description = "The organization")),
    responses((status = 200, description = "The log's size and root, signed now", body = LogCheckpoint), Refusals))]
/// `GET /log/{org}/checkpoint`: signs the log's current size and root.
pub async fn checkpoint(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
) -> ApiResult<Json<LogCheckpoint>> {
    let org = auth.scope(&org, Permission::Read)?;
    let (size, frontier) = state.store.log_head(org.id).await?;
    let root = hex(&frontier.root());
    let signed = Checkpoint::sign(
        &org.name,
        size,
        &root,
        state.now().whole_seconds(),
        &state.signing_key,
    );
    state.store.save_checkpoint(org.id, &signed).await?;
    Ok(Json(checkpoint_doc(signed)))
}

#[utoipa::path(get, path = "/log/{org}/public-key", tag = "log", operation_id = "log_public_key",
    params(("org" = String, Path, description = "The organization")),
    responses((status = 200, description = "The key checkpoints are signed with", body = LogKey), Refusals))]
/// `GET /log/{org}/public-key`.
pub async fn public_key(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
) -> ApiResult<Json<LogKey>> {
    auth.scope(&org, Permission::Read)?;
    let key = state.signing_key.verifying_key();
    Ok(Json(LogKey {
        key_id: key_id(&key),
        public_key: hex(key.as_bytes()),
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Range {
    /// The first entry (default 0).
    from: Option<u64>,
    /// One past the last entry (default: at most 1000 after `from`).
    to: Option<u64>,
}

#[utoipa::path(get, path = "/log/{org}/entries", tag = "log", operation_id = "log_entries",
    params(("org" = String, Path, description = "The organization"), Range),
    responses((status = 200, description = "Entries in order, at most 1000", body = Vec<LogEntry>), Refusals))]
/// `GET /log/{org}/entries?from=&to=`: entries with their records as stored now.
pub async fn entries(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
    Params(range): Params<Range>,
) -> ApiResult<Json<Vec<LogEntry>>> {
    let org = auth.scope(&org, Permission::Read)?;
    let from = range.from.unwrap_or(0);
    let to = range.to.unwrap_or(from.saturating_add(MAX_ENTRIES));
    if to < from || to - from > MAX_ENTRIES {
        return Err(ApiError::bad(format!(
            "ask for at most {MAX_ENTRIES} entries at a time, with 'from' before 'to'"
        )));
    }
    let rows = state.store.log_entries(org.id, from, to).await?;
    let records: Vec<(String, i64)> = rows
        .iter()
        .filter(|r| is_record(&r.body))
        .map(|r| (r.kind.clone(), r.subject_id))
        .collect();
    let now: HashMap<(String, i64), Value> = state
        .store
        .log_records(&records)
        .await?
        .into_iter()
        .filter_map(|(subject, record)| Some((subject, serde_json::to_value(record).ok()?)))
        .collect();
    let entries = rows
        .into_iter()
        .map(|row| {
            let current = is_record(&row.body).then(|| CurrentRecord {
                record: now.get(&(row.kind.clone(), row.subject_id)).cloned(),
            });
            LogEntry {
                seq: row.seq as u64,
                body: row.body,
                leaf_hash: row.leaf_hash,
                current,
            }
        })
        .collect();
    Ok(Json(entries))
}

/// Whether a stored body is about a record (rather than a change).
fn is_record(body: &str) -> bool {
    serde_json::from_str::<Entry>(body).is_ok_and(|e| matches!(e.fact, Fact::Record(_)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Sizes {
    /// The leaf (inclusion) or the smaller tree's size (consistency).
    from: u64,
    /// The tree's size.
    to: u64,
}

/// Runs a proof over the stored subtrees, fetched in one go.
async fn prove(
    state: &AppState,
    org_id: OrgId,
    proof: impl Fn(&mut dyn FnMut(NodeId) -> Hash) -> Vec<Hash>,
) -> ApiResult<Json<LogProof>> {
    let needed = merkle::nodes_read(|node| {
        proof(node);
    });
    let nodes = state.store.log_nodes(org_id, &needed).await?;
    if nodes.len() != needed.len() {
        return Err(ApiError::Internal(format!(
            "the log lacks {} of the {} subtrees of the proof",
            needed.len() - nodes.len(),
            needed.len()
        )));
    }
    let hashes = proof(&mut |id| {
        nodes
            .iter()
            .find(|(n, _)| *n == id)
            .map_or([0; 32], |(_, h)| *h)
    });
    Ok(Json(LogProof {
        proof: hashes.iter().map(|h| hex(h)).collect(),
    }))
}

async fn log_size(state: &AppState, org_id: OrgId, to: u64) -> ApiResult<()> {
    let (size, _) = state.store.log_head(org_id).await?;
    if to > size {
        return Err(ApiError::bad(format!(
            "the log has {size} entries: a proof can reach at most that far"
        )));
    }
    Ok(())
}

#[utoipa::path(get, path = "/log/{org}/proofs/inclusion", tag = "log", operation_id = "log_inclusion_proof",
    params(("org" = String, Path, description = "The organization"), Sizes),
    responses((status = 200, description = "The audit path of entry `from` in the tree of `to` entries", body = LogProof), Refusals))]
/// `GET /log/{org}/proofs/inclusion?from=INDEX&to=SIZE`.
pub async fn inclusion(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
    Params(q): Params<Sizes>,
) -> ApiResult<Json<LogProof>> {
    let org = auth.scope(&org, Permission::Read)?;
    log_size(&state, org.id, q.to).await?;
    if q.from >= q.to {
        return Err(ApiError::bad(
            "the entry ('from') must be below the tree's size ('to')",
        ));
    }
    prove(&state, org.id, |node| {
        merkle::inclusion_proof(q.from, q.to, node)
    })
    .await
}

#[utoipa::path(get, path = "/log/{org}/proofs/consistency", tag = "log", operation_id = "log_consistency_proof",
    params(("org" = String, Path, description = "The organization"), Sizes),
    responses((status = 200, description = "The proof that the tree of `from` entries is a prefix of that of `to`", body = LogProof), Refusals))]
/// `GET /log/{org}/proofs/consistency?from=SIZE1&to=SIZE2`.
pub async fn consistency(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
    Params(q): Params<Sizes>,
) -> ApiResult<Json<LogProof>> {
    let org = auth.scope(&org, Permission::Read)?;
    log_size(&state, org.id, q.to).await?;
    if q.from > q.to {
        return Err(ApiError::bad(
            "the first size ('from') must not exceed the second ('to')",
        ));
    }
    prove(&state, org.id, |node| {
        merkle::consistency_proof(q.from, q.to, node)
    })
    .await
}

#[utoipa::path(get, path = "/log/{org}/unlogged", tag = "log", operation_id = "log_unlogged",
    params(("org" = String, Path, description = "The organization")),
    responses((status = 200, description = "Records no entry describes (at most 100 of each kind)", body = Vec<UnloggedRecord>), Refusals))]
/// `GET /log/{org}/unlogged`: records written around the log.
pub async fn unlogged(
    State(state): State<AppState>,
    auth: Authed,
    Path(org): Path<String>,
) -> ApiResult<Json<Vec<UnloggedRecord>>> {
    let org = auth.scope(&org, Permission::Read)?;
    let found = state.store.unlogged_records(org.id).await?;
    Ok(Json(
        found
            .into_iter()
            .map(|(kind, id)| UnloggedRecord { kind, id })
            .collect(),
    ))
}
