//! Artifacts, attestations and legacy deployments.

use async_trait::async_trait;
use custody_core::ids::{ArtifactId, AttestationId, FlowId, OrgId, TrailId};
use custody_core::{Fingerprint, HexPrefix};
use sqlx::AssertSqlSafe;

use custody_core::ledger::facts::Fact;

use super::ledger::{Owner, append};
use super::ledger_records::{ArtifactFields, DeploymentFields, attestation_record};
use super::outbox::{self, Pending};
use super::writes::write_tx;
use super::{Arg, Filters, SqlStore, attestation_lookup, ints, repos, texts};
use crate::{
    ArtifactInsert, ArtifactRow, ArtifactScope, ArtifactStore, AttestationInsert, AttestationRow,
    DeploymentInsert, DeploymentRow, Page, Result,
};

const ARTIFACT_SELECT: &str = "SELECT a.id, a.flow_id, f.name AS flow_name, a.trail_id, t.name AS trail_name, \
     a.fingerprint, a.filename, a.template_name, a.git_commit, a.commit_url, a.build_url, a.repo_url, \
     a.payload, a.created_at, a.evidence_revision \
     FROM artifacts a JOIN flows f ON f.id = a.flow_id LEFT JOIN trails t ON t.id = a.trail_id";
pub(super) const ATTESTATION_COLUMNS: &str = "id, public_id, flow_id, trail_id, artifact_id, target_artifact, commit_sha, \
     name, kind, is_compliant, payload, created_at";
const NEWEST_FIRST: &str = " ORDER BY a.created_at DESC, a.id DESC";

impl SqlStore {
    /// Artifacts of an org whose `column` starts with a prefix, newest first.
    async fn artifacts_by_prefix(
        &self,
        column: &str,
        org_id: OrgId,
        flow_id: Option<FlowId>,
        prefix: &HexPrefix,
    ) -> Result<Vec<ArtifactRow>> {
        let (lo, hi) = prefix.range();
        let mut filters = Filters::new()
            .and("a.org_id = ?", [Arg::Int(org_id.into())])
            .and(
                &format!("a.{column} >= ? AND a.{column} < ?"),
                [Arg::Text(lo), Arg::Text(hi)],
            );
        if let Some(id) = flow_id {
            filters = filters.and("a.flow_id = ?", [Arg::Int(id.into())]);
        }
        let sql = format!("{ARTIFACT_SELECT}{}{NEWEST_FIRST}", filters.sql());
        Ok(filters
            .bind(sqlx::query_as(AssertSqlSafe(sql)))
            .fetch_all(&self.pool)
            .await?)
    }

    /// Artifacts whose `column` is one of `values`, newest first within each chunk.
    async fn artifacts_where_in(
        &self,
        column: &str,
        org_id: Option<OrgId>,
        values: Vec<Arg>,
    ) -> Result<Vec<ArtifactRow>> {
        let org_clause = org_id
            .map(|id| format!("a.org_id = {id} AND "))
            .unwrap_or_default();
        self.fetch_in(values, |list| {
            format!("{ARTIFACT_SELECT} WHERE {org_clause}{column} IN ({list}){NEWEST_FIRST}")
        })
        .await
    }
}

#[async_trait]
impl ArtifactStore for SqlStore {
    async fn insert_artifact(&self, a: &ArtifactInsert) -> Result<ArtifactId> {
        write_tx!(self, |tx| {
            let repo_id = match &a.repo {
                Some(seen) => Some(repos::record(&mut *tx, a.flow_id, seen, a.created_at).await?),
                None => None,
            };
            let (id,): (ArtifactId,) = sqlx::query_as(
            "INSERT INTO artifacts (org_id, flow_id, trail_id, fingerprint, filename, template_name, git_commit, \
             commit_url, build_url, repo_url, payload, created_at, repo_id) \
             SELECT org_id, id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12 FROM flows WHERE id = $1 RETURNING id",
        )
        .bind(a.flow_id)
        .bind(a.trail_id)
        .bind(&a.fingerprint)
        .bind(&a.filename)
        .bind(a.template_name.as_deref())
        .bind(a.git_commit.as_deref())
        .bind(a.commit_url.as_deref())
        .bind(a.build_url.as_deref())
        .bind(a.repo_url.as_deref())
        .bind(&a.payload)
        .bind(a.created_at)
        .bind(repo_id)
        .fetch_one(&mut *tx)
        .await?;
            let fields = ArtifactFields {
                id,
                flow_id: a.flow_id,
                trail_id: a.trail_id,
                fingerprint: a.fingerprint.to_string(),
                filename: a.filename.clone(),
                template_name: a.template_name.clone(),
                git_commit: a.git_commit.clone(),
                commit_url: a.commit_url.clone(),
                build_url: a.build_url.clone(),
                repo_url: a.repo_url.clone(),
                payload: a.payload.clone(),
                created_at: a.created_at,
            };
            append(
                &mut tx,
                Owner::Flow(a.flow_id),
                a.created_at,
                Fact::Record(fields.record()),
            )
            .await?;
            let fact = Pending {
                kind: "artifact",
                flow_id: Some(a.flow_id),
                trail_id: a.trail_id,
                reference: Some(a.fingerprint.as_str()),
                ..Pending::default()
            };
            outbox::push(&mut tx, fact, a.created_at).await?;
            id
        })
    }

    async fn artifacts_by_fingerprint(
        &self,
        org_id: OrgId,
        flow_id: Option<FlowId>,
        prefix: &HexPrefix,
    ) -> Result<Vec<ArtifactRow>> {
        self.artifacts_by_prefix("fingerprint", org_id, flow_id, prefix)
            .await
    }

    async fn artifacts_by_commit(
        &self,
        org_id: OrgId,
        flow_id: Option<FlowId>,
        prefix: &HexPrefix,
    ) -> Result<Vec<ArtifactRow>> {
        self.artifacts_by_prefix("git_commit", org_id, flow_id, prefix)
            .await
    }

    async fn artifacts_with_fingerprints(
        &self,
        org_id: OrgId,
        fingerprints: &[Fingerprint],
    ) -> Result<Vec<ArtifactRow>> {
        self.artifacts_where_in(
            "a.fingerprint",
            Some(org_id),
            texts(fingerprints.iter().map(Fingerprint::to_string)),
        )
        .await
    }

    async fn artifacts(
        &self,
        org_id: OrgId,
        scope: &ArtifactScope,
        page: Page,
    ) -> Result<(Vec<ArtifactRow>, u64)> {
        let mut filters = Filters::new().and("a.org_id = ?", [Arg::Int(org_id.into())]);
        match scope {
            ArtifactScope::Org => {}
            ArtifactScope::Flow(id) => {
                filters = filters.and("a.flow_id = ?", [Arg::Int(i64::from(*id))])
            }
            ArtifactScope::Repos(ids) => {
                let mut args = ints(ids.iter().copied());
                if args.is_empty() {
                    args.push(Arg::Int(-1));
                }
                let marks = vec!["?"; args.len()].join(", ");
                filters = filters.and(&format!("a.repo_id IN ({marks})"), args);
            }
        }
        self.page_of(ARTIFACT_SELECT, "artifacts a", &filters, NEWEST_FIRST, page)
            .await
    }

    async fn trail_artifacts(&self, trail_ids: &[TrailId]) -> Result<Vec<ArtifactRow>> {
        self.artifacts_where_in("a.trail_id", None, ints(trail_ids.iter().copied()))
            .await
    }

    async fn insert_attestation(&self, a: &AttestationInsert) -> Result<()> {
        write_tx!(self, |tx| {
            let (id,): (AttestationId,) = sqlx::query_as(
            "INSERT INTO attestations (public_id, flow_id, trail_id, artifact_id, target_artifact, commit_sha, \
             name, kind, is_compliant, payload, created_at, control) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(&a.public_id)
        .bind(a.flow_id)
        .bind(a.trail_id)
        .bind(a.artifact_id)
        .bind(a.target_artifact.as_deref())
        .bind(a.commit_sha.as_deref())
        .bind(&a.name)
        .bind(&a.kind)
        .bind(i64::from(a.is_compliant))
        .bind(&a.payload)
        .bind(a.created_at)
        .bind(a.control.as_deref())
        .fetch_one(&mut *tx)
        .await?;
            let row = AttestationRow {
                id,
                public_id: a.public_id.clone(),
                flow_id: a.flow_id,
                trail_id: a.trail_id,
                artifact_id: a.artifact_id,
                target_artifact: a.target_artifact.clone(),
                commit_sha: a.commit_sha.clone(),
                name: a.name.clone(),
                kind: a.kind.clone(),
                is_compliant: i64::from(a.is_compliant),
                payload: a.payload.clone(),
                created_at: a.created_at,
            };
            append(
                &mut tx,
                Owner::Flow(a.flow_id),
                a.created_at,
                Fact::Record(attestation_record(&row)),
            )
            .await?;
            let fact = Pending {
                kind: "attestation",
                flow_id: Some(a.flow_id),
                trail_id: a.trail_id,
                reference: Some(&a.public_id),
                ..Pending::default()
            };
            outbox::push(&mut tx, fact, a.created_at).await?;
        })
    }

    async fn attestations_for(&self, artifacts: &[ArtifactRow]) -> Result<Vec<AttestationRow>> {
        attestation_lookup::attestations_for(self, artifacts).await
    }

    async fn trail_attestations(&self, trail_ids: &[TrailId]) -> Result<Vec<AttestationRow>> {
        self.fetch_in(ints(trail_ids.iter().copied()), |list| {
            format!("SELECT {ATTESTATION_COLUMNS} FROM attestations WHERE trail_id IN ({list}) ORDER BY created_at, id")
        })
        .await
    }
    async fn insert_deployment(&self, d: &DeploymentInsert) -> Result<i64> {
        write_tx!(self, |tx| {
            let (id, number): (i64, i64) = sqlx::query_as(
                "INSERT INTO deployments (flow_id, number, artifact_id, environment, description, build_url, user_data, created_at) \
                 SELECT $1, COALESCE(MAX(number), 0) + 1, $2, $3, $4, $5, $6, $7 FROM deployments WHERE flow_id = $1 \
                 RETURNING id, number",
            )
            .bind(d.flow_id)
            .bind(d.artifact_id)
            .bind(&d.environment)
            .bind(d.description.as_deref())
            .bind(d.build_url.as_deref())
            .bind(&d.user_data)
            .bind(d.created_at)
            .fetch_one(&mut *tx)
            .await?;
            let fields = DeploymentFields {
                id,
                flow_id: d.flow_id,
                number,
                artifact_id: d.artifact_id,
                environment: d.environment.clone(),
                description: d.description.clone(),
                build_url: d.build_url.clone(),
                user_data: d.user_data.clone(),
                created_at: d.created_at,
            };
            append(
                &mut tx,
                Owner::Flow(d.flow_id),
                d.created_at,
                Fact::Record(fields.record()),
            )
            .await?;
            number
        })
    }

    async fn deployments_of(&self, artifact_ids: &[ArtifactId]) -> Result<Vec<DeploymentRow>> {
        self.fetch_in(ints(artifact_ids.iter().copied()), |list| {
            format!(
                "SELECT d.number, d.flow_id, d.artifact_id, a.fingerprint, a.filename, d.environment, d.description, \
                 d.build_url, d.created_at FROM deployments d JOIN artifacts a ON a.id = d.artifact_id \
                 WHERE d.artifact_id IN ({list}) ORDER BY d.created_at, d.id"
            )
        })
        .await
    }
}
