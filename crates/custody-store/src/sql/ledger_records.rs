//! The records the log describes, built the same way when they are written
//! and when they are read back: each kind's stored columns, and the
//! [`Record`] they make. Reading back is a fixed number of statements per kind,
//! whatever the number of entries.

use std::collections::BTreeMap;

use custody_core::Timestamp;
use custody_core::ids::{
    ArtifactId, AttestationTypeId, EnvironmentId, FlowId, OrgId, PolicyId, TrailId,
};
use custody_core::ledger::facts::{Record, digest, ended_digest, started_digest};
use sqlx::AssertSqlSafe;

use super::{SqlStore, ints, run_instances};
use crate::{AttestationRow, Result};

#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct ArtifactFields {
    pub id: ArtifactId,
    pub flow_id: FlowId,
    pub trail_id: Option<TrailId>,
    pub fingerprint: String,
    pub filename: String,
    pub template_name: Option<String>,
    pub git_commit: Option<String>,
    pub commit_url: Option<String>,
    pub build_url: Option<String>,
    pub repo_url: Option<String>,
    pub payload: String,
    pub created_at: Timestamp,
}

impl ArtifactFields {
    pub fn record(&self) -> Record {
        Record::Artifact {
            id: self.id.into(),
            flow_id: self.flow_id.into(),
            trail_id: self.trail_id.map(Into::into),
            fingerprint: self.fingerprint.clone(),
            filename: self.filename.clone(),
            template_name: self.template_name.clone(),
            git_commit: self.git_commit.clone(),
            commit_url: self.commit_url.clone(),
            build_url: self.build_url.clone(),
            repo_url: self.repo_url.clone(),
            payload_sha256: digest(&self.payload),
            created_at: self.created_at,
        }
    }
}

/// An attestation's record.
pub(super) fn attestation_record(a: &AttestationRow) -> Record {
    Record::Attestation {
        id: a.id.into(),
        public_id: a.public_id.clone(),
        flow_id: a.flow_id.into(),
        trail_id: a.trail_id.map(Into::into),
        artifact_id: a.artifact_id.map(Into::into),
        target_artifact: a.target_artifact.clone(),
        commit: a.commit_sha.clone(),
        name: a.name.clone(),
        kind: a.kind.clone(),
        compliant: a.is_compliant != 0,
        payload_sha256: digest(&a.payload),
        created_at: a.created_at,
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct DeploymentFields {
    pub id: i64,
    pub flow_id: FlowId,
    pub number: i64,
    pub artifact_id: ArtifactId,
    pub environment: String,
    pub description: Option<String>,
    pub build_url: Option<String>,
    pub user_data: String,
    pub created_at: Timestamp,
}

impl DeploymentFields {
    pub fn record(&self) -> Record {
        Record::Deployment {
            id: self.id,
            flow_id: self.flow_id.into(),
            number: self.number,
            artifact_id: self.artifact_id.into(),
            environment: self.environment.clone(),
            description: self.description.clone(),
            build_url: self.build_url.clone(),
            user_data_sha256: digest(&self.user_data),
            created_at: self.created_at,
        }
    }
}

/// A snapshot row and the runs it started and ended.
#[derive(Debug, Clone)]
pub(super) struct SnapshotFields {
    pub id: i64,
    pub env_id: EnvironmentId,
    pub idx: i64,
    pub kind: String,
    pub created_at: Timestamp,
    /// (fingerprint, name, replicas, instances JSON)
    pub started: Vec<(String, String, i64, String)>,
    /// (fingerprint, index the run started at)
    pub ended: Vec<(String, i64)>,
}

impl SnapshotFields {
    pub fn record(mut self) -> Record {
        Record::Snapshot {
            id: self.id,
            environment_id: self.env_id.into(),
            index: self.idx,
            started_sha256: started_digest(&mut self.started),
            ended_sha256: ended_digest(&mut self.ended),
            kind: self.kind,
            created_at: self.created_at,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct PolicyVersionFields {
    pub id: i64,
    pub policy_id: PolicyId,
    pub version: i64,
    pub content: String,
    pub comment: String,
    pub created_at: Timestamp,
}

impl PolicyVersionFields {
    pub fn record(&self) -> Record {
        Record::PolicyVersion {
            id: self.id,
            policy_id: self.policy_id.into(),
            version: self.version,
            content_sha256: digest(&self.content),
            comment: self.comment.clone(),
            created_at: self.created_at,
        }
    }
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct TypeVersionFields {
    pub id: i64,
    pub type_id: AttestationTypeId,
    pub version: i64,
    pub type_schema: Option<String>,
    pub jq_rules: String,
    pub summary: String,
    pub created_by: String,
    pub created_at: Timestamp,
}

impl TypeVersionFields {
    pub fn record(&self) -> Record {
        Record::TypeVersion {
            id: self.id,
            type_id: self.type_id.into(),
            version: self.version,
            schema_sha256: self.type_schema.as_deref().map(digest),
            rules_sha256: digest(&self.jq_rules),
            summary_sha256: digest(&self.summary),
            created_by: self.created_by.clone(),
            created_at: self.created_at,
        }
    }
}

/// What kinds of records are read back, and from where.
const READ_BACK: [(&str, &str); 6] = [
    (
        "artifact",
        "SELECT id, flow_id, trail_id, fingerprint, filename, template_name, git_commit, commit_url, \
         build_url, repo_url, payload, created_at FROM artifacts",
    ),
    (
        "attestation",
        "SELECT id, public_id, flow_id, trail_id, artifact_id, target_artifact, commit_sha, name, kind, \
         is_compliant, payload, created_at FROM attestations",
    ),
    (
        "deployment",
        "SELECT id, flow_id, number, artifact_id, environment, description, build_url, user_data, \
         created_at FROM deployments",
    ),
    (
        "policy_version",
        "SELECT id, policy_id, version, content, comment, created_at FROM policy_versions",
    ),
    (
        "type_version",
        "SELECT id, type_id, version, type_schema, jq_rules, summary, created_by, created_at \
         FROM attestation_type_versions",
    ),
    (
        "evidence",
        "SELECT attestation_id, sha256, file_name, size FROM attestation_evidence",
    ),
];

impl SqlStore {
    async fn records_of<T>(&self, select: &str, key: &str, ids: &[i64]) -> Result<Vec<T>>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        self.fetch_in(ints(ids.iter().copied()), |list| {
            format!("{select} WHERE {key} IN ({list})")
        })
        .await
    }

    /// Snapshots by id, with the runs each started and ended.
    async fn snapshots_by_id(&self, ids: &[i64]) -> Result<Vec<SnapshotFields>> {
        let rows: Vec<(i64, EnvironmentId, i64, String, Timestamp)> = self
            .records_of(
                "SELECT id, env_id, idx, kind, created_at FROM snapshots",
                "id",
                ids,
            )
            .await?;
        let mut ranges: BTreeMap<EnvironmentId, (i64, i64)> = BTreeMap::new();
        for (_, env, idx, _, _) in &rows {
            let range = ranges.entry(*env).or_insert((*idx, *idx));
            *range = (range.0.min(*idx), range.1.max(*idx));
        }
        let mut snapshots: BTreeMap<(EnvironmentId, i64), SnapshotFields> = rows
            .into_iter()
            .map(|(id, env_id, idx, kind, created_at)| {
                let s = SnapshotFields {
                    id,
                    env_id,
                    idx,
                    kind,
                    created_at,
                    started: Vec::new(),
                    ended: Vec::new(),
                };
                ((env_id, idx), s)
            })
            .collect();
        for (env, (lo, hi)) in ranges {
            let mut runs: Vec<StoredRun> =
                sqlx::query_as(
                    "SELECT from_idx, to_idx, fingerprint, name, replicas, instances, base_run_id FROM runs \
                     WHERE env_id = $1 AND ((from_idx >= $2 AND from_idx <= $3) OR (to_idx >= $2 AND to_idx <= $3))",
                )
                .bind(env)
                .bind(lo)
                .bind(hi)
                .fetch_all(&self.pool)
                .await?;
            run_instances::rebuild(&self.pool, runs.iter_mut().map(|r| (r.6, &mut r.5))).await?;
            for (from, to, fingerprint, name, replicas, instances, _) in runs {
                if let Some(s) = snapshots.get_mut(&(env, from)) {
                    s.started
                        .push((fingerprint.clone(), name, replicas, instances));
                }
                if let Some(s) = to.and_then(|to| snapshots.get_mut(&(env, to))) {
                    s.ended.push((fingerprint, from));
                }
            }
        }
        Ok(snapshots.into_values().collect())
    }
}

/// A run's from and to index, fingerprint, name, replicas, instances and base.
type StoredRun = (i64, Option<i64>, String, String, i64, String, Option<i64>);

fn ids_of<'a>(subjects: &'a [(String, i64)], kind: &'a str) -> Vec<i64> {
    subjects
        .iter()
        .filter(|(k, _)| k == kind)
        .map(|(_, id)| *id)
        .collect()
}

impl SqlStore {
    /// The records these subjects are, as stored now.
    pub(super) async fn records_now(
        &self,
        subjects: &[(String, i64)],
    ) -> Result<Vec<((String, i64), Record)>> {
        let mut found: Vec<Record> = Vec::new();
        for (kind, select) in READ_BACK {
            let ids = ids_of(subjects, kind);
            if ids.is_empty() {
                continue;
            }
            match kind {
                "artifact" => found.extend(
                    self.records_of::<ArtifactFields>(select, "id", &ids)
                        .await?
                        .iter()
                        .map(ArtifactFields::record),
                ),
                "attestation" => found.extend(
                    self.records_of::<AttestationRow>(select, "id", &ids)
                        .await?
                        .iter()
                        .map(attestation_record),
                ),
                "deployment" => found.extend(
                    self.records_of::<DeploymentFields>(select, "id", &ids)
                        .await?
                        .iter()
                        .map(DeploymentFields::record),
                ),
                "policy_version" => found.extend(
                    self.records_of::<PolicyVersionFields>(select, "id", &ids)
                        .await?
                        .iter()
                        .map(PolicyVersionFields::record),
                ),
                "type_version" => found.extend(
                    self.records_of::<TypeVersionFields>(select, "id", &ids)
                        .await?
                        .iter()
                        .map(TypeVersionFields::record),
                ),
                _ => found.extend(
                    self.records_of::<crate::EvidenceRow>(select, "attestation_id", &ids)
                        .await?
                        .iter()
                        .map(evidence_record),
                ),
            }
        }
        let snapshots = ids_of(subjects, "snapshot");
        if !snapshots.is_empty() {
            found.extend(
                self.snapshots_by_id(&snapshots)
                    .await?
                    .into_iter()
                    .map(SnapshotFields::record),
            );
        }
        Ok(found
            .into_iter()
            .map(|r| {
                let (kind, id) = r.subject();
                ((kind.to_string(), id), r)
            })
            .collect())
    }

    /// Records of the org that no entry describes (at most 100 of each kind).
    pub(super) async fn records_unlogged(&self, org_id: OrgId) -> Result<Vec<(String, i64)>> {
        let checks = [
            (
                "artifact",
                "SELECT a.id FROM artifacts a WHERE a.org_id = $1",
            ),
            (
                "attestation",
                "SELECT a.id FROM attestations a JOIN flows f ON f.id = a.flow_id WHERE f.org_id = $1",
            ),
            (
                "deployment",
                "SELECT a.id FROM deployments a JOIN flows f ON f.id = a.flow_id WHERE f.org_id = $1",
            ),
            (
                "snapshot",
                "SELECT a.id FROM snapshots a JOIN environments e ON e.id = a.env_id WHERE e.org_id = $1",
            ),
        ];
        let mut missing = Vec::new();
        for (kind, select) in checks {
            let sql = format!(
                "{select} AND NOT EXISTS (SELECT 1 FROM log_entries l WHERE l.org_id = $1 \
                 AND l.kind = '{kind}' AND l.subject_id = a.id) ORDER BY a.id LIMIT 100"
            );
            let rows: Vec<(i64,)> = sqlx::query_as(AssertSqlSafe(sql))
                .bind(org_id)
                .fetch_all(&self.pool)
                .await?;
            missing.extend(rows.into_iter().map(|(id,)| (kind.to_string(), id)));
        }
        Ok(missing)
    }
}

/// An attachment's record.
pub(super) fn evidence_record(e: &crate::EvidenceRow) -> Record {
    Record::Evidence {
        attestation_id: e.attestation_id.into(),
        sha256: e.sha256.clone(),
        file_name: e.file_name.clone(),
        size: e.size,
    }
}
