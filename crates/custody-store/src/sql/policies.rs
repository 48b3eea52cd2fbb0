//! Policies, attachments and allow-lists on SQL. Writing a policy and its
//! version is one transaction; attaching or detaching locks the environment
//! row (as reports do), changes attachment intervals and appends a snapshot
//! that shares every open run, so the running set is unchanged.

use async_trait::async_trait;
use custody_core::Fingerprint;
use custody_core::Timestamp;
use custody_core::ids::{EnvironmentId, OrgId, PolicyId};
use sqlx::AssertSqlSafe;

use super::reports::insert_snapshot;
use super::run_checkpoints;
use custody_core::ledger::facts::Fact;
use serde_json::json;

use super::ledger::{Owner, append};
use super::ledger_records::{PolicyVersionFields, SnapshotFields};
use super::outbox::{self, Pending};
use super::writes::write_tx;
use super::{SqlStore, ints, placeholders};
use crate::{
    AllowRow, PolicyInsert, PolicyRow, PolicyStore, PolicyVersionRow, PolicyWrite, Result,
};

const POLICY_SELECT: &str = "SELECT p.id, p.org_id, p.name, p.description, p.kind, p.created_at, \
     COALESCE((SELECT MAX(v.version) FROM policy_versions v WHERE v.policy_id = p.id), 0) AS latest_version \
     FROM policies p";

#[async_trait]
impl PolicyStore for SqlStore {
    async fn put_policy(
        &self,
        org_id: OrgId,
        new: &PolicyInsert,
        at: Timestamp,
    ) -> Result<(PolicyRow, PolicyWrite)> {
        let write = write_tx!(self, |tx| {
            let existing: Option<(PolicyId,)> =
                sqlx::query_as("SELECT id FROM policies WHERE org_id = $1 AND name = $2")
                    .bind(org_id)
                    .bind(&new.name)
                    .fetch_optional(&mut *tx)
                    .await?;
            let (policy_id,): (PolicyId,) = sqlx::query_as(
                "INSERT INTO policies (org_id, name, description, kind, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (org_id, name) \
             DO UPDATE SET description = excluded.description RETURNING id",
            )
            .bind(org_id)
            .bind(&new.name)
            .bind(&new.description)
            .bind(&new.kind)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            let latest: Option<(i64, String)> = sqlx::query_as(
                "SELECT version, content FROM policy_versions WHERE policy_id = $1 \
             ORDER BY version DESC LIMIT 1",
            )
            .bind(policy_id)
            .fetch_optional(&mut *tx)
            .await?;
            let write = match (&existing, &latest) {
                (_, Some((_, content))) if *content == new.content => PolicyWrite::Unchanged,
                (None, _) => PolicyWrite::Created,
                _ => PolicyWrite::Updated,
            };
            if write != PolicyWrite::Unchanged {
                let version = latest.map_or(1, |(v, _)| v + 1);
                let (id,): (i64,) = sqlx::query_as(
                    "INSERT INTO policy_versions (policy_id, version, content, comment, created_at) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(policy_id)
                .bind(version)
                .bind(&new.content)
                .bind(&new.comment)
                .bind(at)
                .fetch_one(&mut *tx)
                .await?;
                if write == PolicyWrite::Created {
                    let data =
                        json!({"name": new.name, "description": new.description, "type": new.kind});
                    append(
                        &mut tx,
                        Owner::Org(org_id),
                        at,
                        Fact::change("policy", policy_id, "created", data),
                    )
                    .await?;
                }
                let fields = PolicyVersionFields {
                    id,
                    policy_id,
                    version,
                    content: new.content.clone(),
                    comment: new.comment.clone(),
                    created_at: at,
                };
                append(
                    &mut tx,
                    Owner::Org(org_id),
                    at,
                    Fact::Record(fields.record()),
                )
                .await?;
            }
            write
        })?;
        let row = self.policy(org_id, &new.name).await?;
        Ok((row.expect("policy just written"), write))
    }

    async fn policy(&self, org_id: OrgId, name: &str) -> Result<Option<PolicyRow>> {
        Ok(sqlx::query_as(AssertSqlSafe(format!(
            "{POLICY_SELECT} WHERE p.org_id = $1 AND p.name = $2"
        )))
        .bind(org_id)
        .bind(name)
        .fetch_optional(&self.pool)
        .await?)
    }

    async fn policies(&self, org_id: OrgId) -> Result<Vec<PolicyRow>> {
        Ok(sqlx::query_as(AssertSqlSafe(format!(
            "{POLICY_SELECT} WHERE p.org_id = $1 ORDER BY p.name"
        )))
        .bind(org_id)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn policy_versions(&self, policy_ids: &[PolicyId]) -> Result<Vec<PolicyVersionRow>> {
        self.fetch_in(ints(policy_ids.iter().copied()), |list| {
            format!(
                "SELECT policy_id, version, content, comment, created_at FROM policy_versions \
                 WHERE policy_id IN ({list}) ORDER BY policy_id, version"
            )
        })
        .await
    }

    async fn set_attachment(
        &self,
        env_id: EnvironmentId,
        policy_ids: &[PolicyId],
        attach: bool,
        at: Timestamp,
    ) -> Result<Option<i64>> {
        write_tx!(self, |tx| {
            // Locks the environment against concurrent reports and attachments.
            sqlx::query("UPDATE environments SET last_modified_at = $1 WHERE id = $2")
                .bind(at)
                .bind(env_id)
                .execute(&mut *tx)
                .await?;
            let latest: Option<(i64, String)> = sqlx::query_as(
                "SELECT idx, kind FROM snapshots WHERE env_id = $1 ORDER BY idx DESC LIMIT 1",
            )
            .bind(env_id)
            .fetch_optional(&mut *tx)
            .await?;
            let index = latest.as_ref().map_or(1, |(idx, _)| idx + 1);
            let open: Vec<(PolicyId,)> = sqlx::query_as(
                "SELECT policy_id FROM environment_policies WHERE env_id = $1 AND to_idx IS NULL",
            )
            .bind(env_id)
            .fetch_all(&mut *tx)
            .await?;
            let open: Vec<PolicyId> = open.into_iter().map(|(id,)| id).collect();
            let mut changed: Vec<PolicyId> = policy_ids
                .iter()
                .copied()
                .filter(|id| open.contains(id) != attach)
                .collect();
            changed.sort_unstable();
            changed.dedup();
            if changed.is_empty() {
                tx.commit().await?;
                return Ok(None);
            }
            let list = placeholders(3, changed.len());
            let sql = if attach {
                let rows: Vec<String> = (0..changed.len())
                    .map(|i| format!("($1, ${}, $2)", i + 3))
                    .collect();
                format!(
                    "INSERT INTO environment_policies (env_id, policy_id, from_idx) VALUES {}",
                    rows.join(", ")
                )
            } else {
                format!(
                    "UPDATE environment_policies SET to_idx = $2 \
                 WHERE env_id = $1 AND to_idx IS NULL AND policy_id IN ({list})"
                )
            };
            let mut q = sqlx::query(AssertSqlSafe(sql)).bind(env_id).bind(index);
            for id in &changed {
                q = q.bind(*id);
            }
            q.execute(&mut *tx).await?;
            let change = if attach {
                "policies_attached"
            } else {
                "policies_detached"
            };
            let fact = Fact::change(
                "environment",
                env_id,
                change,
                json!({"policy_ids": changed}),
            );
            append(&mut tx, Owner::Environment(env_id), at, fact).await?;
            match latest {
                Some((_, kind)) => {
                    let id = insert_snapshot(&mut tx, env_id, index, &kind, at).await?;
                    run_checkpoints::write_if_due(&mut tx, env_id, index).await?;
                    let snapshot = SnapshotFields {
                        id,
                        env_id,
                        idx: index,
                        kind,
                        created_at: at,
                        started: Vec::new(),
                        ended: Vec::new(),
                    };
                    append(
                        &mut tx,
                        Owner::Environment(env_id),
                        at,
                        Fact::Record(snapshot.record()),
                    )
                    .await?;
                    Some(index)
                }
                None => None,
            }
        })
    }

    async fn policies_at(&self, env_id: EnvironmentId, index: i64) -> Result<Vec<PolicyId>> {
        let rows: Vec<(PolicyId,)> = sqlx::query_as(
            "SELECT policy_id FROM environment_policies WHERE env_id = $1 AND from_idx <= $2 \
             AND (to_idx IS NULL OR to_idx > $2) ORDER BY policy_id",
        )
        .bind(env_id)
        .bind(index)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|(id,)| id).collect())
    }

    async fn policy_spans(
        &self,
        env_id: EnvironmentId,
        from: i64,
        to: i64,
    ) -> Result<Vec<(PolicyId, i64, Option<i64>)>> {
        Ok(sqlx::query_as(
            "SELECT policy_id, from_idx, to_idx FROM environment_policies WHERE env_id = $1 \
             AND from_idx <= $3 AND (to_idx IS NULL OR to_idx > $2) ORDER BY policy_id, from_idx",
        )
        .bind(env_id)
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?)
    }

    async fn attachments(&self, policy_ids: &[PolicyId]) -> Result<Vec<(PolicyId, String)>> {
        self.fetch_in(ints(policy_ids.iter().copied()), |list| {
            format!(
                "SELECT a.policy_id, e.name FROM environment_policies a \
                 JOIN environments e ON e.id = a.env_id \
                 WHERE a.to_idx IS NULL AND a.policy_id IN ({list}) ORDER BY e.name"
            )
        })
        .await
    }

    async fn allow_artifact(
        &self,
        env_id: EnvironmentId,
        fingerprint: &Fingerprint,
        artifact_name: &str,
        reason: &str,
        at: Timestamp,
    ) -> Result<()> {
        write_tx!(self, |tx| {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO allowlist_entries (env_id, fingerprint, artifact_name, reason, created_at) \
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
            )
            .bind(env_id)
            .bind(fingerprint)
            .bind(artifact_name)
            .bind(reason)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            let data = json!({"environment_id": env_id, "fingerprint": fingerprint.as_str(),
                "artifact_name": artifact_name, "reason": reason});
            append(
                &mut tx,
                Owner::Environment(env_id),
                at,
                Fact::change("allowlist_entry", id, "allowed", data),
            )
            .await?;
            let fact = Pending {
                kind: "allowed",
                env_id: Some(env_id),
                reference: Some(fingerprint.as_str()),
                ..Pending::default()
            };
            outbox::push(&mut tx, fact, at).await?;
        })
    }

    async fn allowlist(&self, env_ids: &[EnvironmentId]) -> Result<Vec<AllowRow>> {
        self.fetch_in(ints(env_ids.iter().copied()), |list| {
            format!(
                "SELECT e.name AS env_name, a.fingerprint, a.artifact_name, a.reason, a.created_at \
                 FROM allowlist_entries a JOIN environments e ON e.id = a.env_id \
                 WHERE a.env_id IN ({list}) ORDER BY a.id"
            )
        })
        .await
    }
}
