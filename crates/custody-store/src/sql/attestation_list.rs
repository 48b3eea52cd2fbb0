//! The org-wide attestation list: filtered, newest first, paged by a cursor
//! (the last row id seen), so a deep page costs what the first one does.

use custody_core::ids::OrgId;
use sqlx::AssertSqlSafe;

use super::artifacts::ATTESTATION_COLUMNS;
use super::{Arg, Filters, SqlStore, qualified, texts};
use crate::{AttestationFilter, ListedAttestation, Result};

/// Most rows one page may ask for.
pub const MAX_PAGE: u32 = 100;

fn filters(org_id: OrgId, f: &AttestationFilter) -> Filters {
    let mut flows = "flow_id IN (SELECT id FROM flows WHERE org_id = ?".to_string();
    let mut flow_args = vec![Arg::Int(org_id.into())];
    if !f.flows.is_empty() {
        flows.push_str(&format!(
            " AND name IN ({})",
            vec!["?"; f.flows.len()].join(", ")
        ));
        flow_args.extend(texts(f.flows.iter().cloned()));
    }
    flows.push(')');
    let mut filters = Filters::new().and(&flows, flow_args);
    if let Some(id) = &f.public_id {
        filters = filters.and("public_id = ?", [Arg::Text(id.clone())]);
    }
    if let Some(name) = &f.name {
        filters = filters.and("name = ?", [Arg::Text(name.clone())]);
    }
    if !f.kinds.is_empty() {
        let list = vec!["?"; f.kinds.len()].join(", ");
        filters = filters.and(&format!("kind IN ({list})"), texts(f.kinds.iter().cloned()));
    }
    if let Some(compliant) = f.is_compliant {
        filters = filters.and("is_compliant = ?", [Arg::Int(i64::from(compliant))]);
    }
    if let Some(from) = f.from {
        filters = filters.and("created_at >= ?", [Arg::Int(from)]);
    }
    if let Some(to) = f.to {
        filters = filters.and("created_at <= ?", [Arg::Int(to)]);
    }
    if let Some(after) = f.after_id {
        filters = filters.and("id < ?", [Arg::Int(after.into())]);
    }
    filters
}

pub(super) async fn list(
    store: &SqlStore,
    org_id: OrgId,
    filter: &AttestationFilter,
    limit: u32,
) -> Result<Vec<ListedAttestation>> {
    let filters = filters(org_id, filter);
    let columns = qualified(ATTESTATION_COLUMNS, "a");
    let sql = format!(
        "SELECT {columns}, f.name AS flow_name, t.name AS trail_name, \
         r.fingerprint AS artifact_fingerprint \
         FROM (SELECT * FROM attestations{} ORDER BY id DESC LIMIT {}) a \
         JOIN flows f ON f.id = a.flow_id \
         LEFT JOIN trails t ON t.id = a.trail_id \
         LEFT JOIN artifacts r ON r.id = a.artifact_id \
         ORDER BY a.id DESC",
        filters.sql(),
        limit.min(MAX_PAGE)
    );
    Ok(filters
        .bind(sqlx::query_as(AssertSqlSafe(sql)))
        .fetch_all(&store.pool)
        .await?)
}
