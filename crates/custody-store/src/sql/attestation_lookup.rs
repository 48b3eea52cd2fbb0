//! Which attestations concern a set of artifacts: those bound to one of them,
//! those of their trails, and those bound by flow and commit to a template
//! name. Each kind is its own index lookup, joined with `UNION ALL`, so no
//! planner can turn the three into one scan of every attestation.

use sqlx::AssertSqlSafe;

use super::artifacts::ATTESTATION_COLUMNS;
use super::{Arg, CHUNK, SqlStore, bind_args, ints, placeholders, texts};
use crate::{ArtifactRow, AttestationRow, Result};

/// The statement and its arguments for one chunk of artifacts.
pub(super) fn statement(chunk: &[ArtifactRow]) -> (String, Vec<Arg>) {
    let mut args: Vec<Arg> = Vec::new();
    let mut list = |column: &str, items: Vec<Arg>| {
        let clause = format!(
            "{column} IN ({})",
            placeholders(args.len() + 1, items.len())
        );
        args.extend(items);
        clause
    };
    let mut lookups = vec![list("artifact_id", ints(chunk.iter().map(|a| a.id)))];
    let trails = ints(chunk.iter().filter_map(|a| a.trail_id));
    if !trails.is_empty() {
        lookups.push(list("trail_id", trails));
    }
    let commits = texts(chunk.iter().filter_map(|a| a.git_commit.clone()));
    if !commits.is_empty() {
        let flows_in = list("flow_id", ints(chunk.iter().map(|a| a.flow_id)));
        let commits_in = list("commit_sha", commits);
        lookups.push(format!(
            "{flows_in} AND {commits_in} AND target_artifact IS NOT NULL"
        ));
    }
    let sql = lookups
        .iter()
        .map(|condition| {
            format!("SELECT {ATTESTATION_COLUMNS} FROM attestations WHERE {condition}")
        })
        .collect::<Vec<_>>()
        .join(" UNION ALL ");
    (sql, args)
}

/// Every attestation concerning `artifacts`, oldest first, each once.
pub(super) async fn attestations_for(
    store: &SqlStore,
    artifacts: &[ArtifactRow],
) -> Result<Vec<AttestationRow>> {
    let mut rows: Vec<AttestationRow> = Vec::new();
    for chunk in artifacts.chunks(CHUNK / 4) {
        let (sql, args) = statement(chunk);
        rows.extend(
            bind_args(sqlx::query_as(AssertSqlSafe(sql)), &args)
                .fetch_all(&store.pool)
                .await?,
        );
    }
    rows.sort_by(|a, b| a.created_at.total_cmp(&b.created_at).then(a.id.cmp(&b.id)));
    rows.dedup_by_key(|r| r.id);
    Ok(rows)
}
