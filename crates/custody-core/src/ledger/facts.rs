//! What each leaf of the log says. A leaf's body is the canonical JSON of an
//! [`Entry`]: its position, its time and its [`Fact`]. Facts about records that
//! never change once written (artifacts, attestations, evidence, deployments,
//! snapshots, policy and type versions) carry every stored field (large ones as
//! digests), so the record as it is now can be described again and compared
//! with what was logged. Other facts describe a change (a key created, a role
//! changed, an environment archived) and stand on their own.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::Timestamp;

/// Hex SHA-256 of a text (how large stored fields enter a fact).
pub fn digest(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of hex text, or `None` when it is not hex.
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// A record that never changes once written, with every field that matters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "record", rename_all = "snake_case")]
pub enum Record {
    Artifact {
        id: i64,
        flow_id: i64,
        trail_id: Option<i64>,
        fingerprint: String,
        filename: String,
        template_name: Option<String>,
        git_commit: Option<String>,
        commit_url: Option<String>,
        build_url: Option<String>,
        repo_url: Option<String>,
        payload_sha256: String,
        created_at: Timestamp,
    },
    Attestation {
        id: i64,
        public_id: String,
        flow_id: i64,
        trail_id: Option<i64>,
        artifact_id: Option<i64>,
        target_artifact: Option<String>,
        commit: Option<String>,
        name: String,
        kind: String,
        compliant: bool,
        payload_sha256: String,
        created_at: Timestamp,
    },
    Evidence {
        attestation_id: i64,
        sha256: String,
        file_name: String,
        size: i64,
    },
    Deployment {
        id: i64,
        flow_id: i64,
        number: i64,
        artifact_id: i64,
        environment: String,
        description: Option<String>,
        build_url: Option<String>,
        user_data_sha256: String,
        created_at: Timestamp,
    },
    /// A snapshot: the runs it started (fingerprint, name, replicas and
    /// instances) and ended, each as a digest of their canonical list.
    Snapshot {
        id: i64,
        environment_id: i64,
        index: i64,
        kind: String,
        created_at: Timestamp,
        started_sha256: String,
        ended_sha256: String,
    },
    PolicyVersion {
        id: i64,
        policy_id: i64,
        version: i64,
        content_sha256: String,
        comment: String,
        created_at: Timestamp,
    },
    TypeVersion {
        id: i64,
        type_id: i64,
        version: i64,
        schema_sha256: Option<String>,
        rules_sha256: String,
        summary_sha256: String,
        created_by: String,
        created_at: Timestamp,
    },
}

impl Record {
    /// The table row the record is, as `(kind, row id)`.
    pub fn subject(&self) -> (&'static str, i64) {
        match self {
            Record::Artifact { id, .. } => ("artifact", *id),
            Record::Attestation { id, .. } => ("attestation", *id),
            Record::Evidence { attestation_id, .. } => ("evidence", *attestation_id),
            Record::Deployment { id, .. } => ("deployment", *id),
            Record::Snapshot { id, .. } => ("snapshot", *id),
            Record::PolicyVersion { id, .. } => ("policy_version", *id),
            Record::TypeVersion { id, .. } => ("type_version", *id),
        }
    }
}

/// The digest of the runs a snapshot started: `(fingerprint, name, replicas,
/// instances JSON)`, in fingerprint order.
pub fn started_digest(runs: &mut [(String, String, i64, String)]) -> String {
    runs.sort();
    digest(&serde_json::to_string(runs).unwrap_or_default())
}

/// The digest of the runs a snapshot ended: `(fingerprint, snapshot where the
/// run started)`, in order.
pub fn ended_digest(runs: &mut [(String, i64)]) -> String {
    runs.sort();
    digest(&serde_json::to_string(runs).unwrap_or_default())
}

/// What a leaf records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "fact", rename_all = "snake_case")]
pub enum Fact {
    /// A record that never changes.
    Record(Record),
    /// A change to something that may change again: `entity` (such as
    /// `service_account`) number `id` was `change`d (such as `created`).
    Change {
        entity: String,
        id: i64,
        change: String,
        data: Value,
    },
}

impl Fact {
    pub fn change(entity: &str, id: impl Into<i64>, change: &str, data: Value) -> Fact {
        Fact::Change {
            entity: entity.to_string(),
            id: id.into(),
            change: change.to_string(),
            data,
        }
    }

    /// `(kind, row id)` of what the fact is about.
    pub fn subject(&self) -> (String, i64) {
        match self {
            Fact::Record(r) => {
                let (kind, id) = r.subject();
                (kind.to_string(), id)
            }
            Fact::Change { entity, id, .. } => (entity.clone(), *id),
        }
    }
}

/// A leaf: the fact, where it stands in the log and when it was recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: u64,
    pub at: Timestamp,
    pub fact: Fact,
}

impl Entry {
    /// The canonical body: the bytes the leaf hash is taken of.
    pub fn body(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn bodies_are_canonical_and_read_back() {
        let entry = Entry {
            seq: 7,
            at: Timestamp::from_seconds(1_700_000_000.5),
            fact: Fact::Record(Record::Evidence {
                attestation_id: 3,
                sha256: "ab".repeat(32),
                file_name: "report.xml".into(),
                size: 12,
            }),
        };
        let body = entry.body();
        assert!(body.starts_with(r#"{"seq":7,"at":1700000000.5,"fact":{"fact":"record","record":"evidence","attestation_id":3"#), "{body}");
        assert_eq!(serde_json::from_str::<Entry>(&body).unwrap(), entry);
        assert_eq!(entry.body(), body, "the same entry, the same bytes");
        let change = Fact::change("api_key", 4, "created", json!({"account": "ci"}));
        assert_eq!(change.subject(), ("api_key".into(), 4));
    }

    #[test]
    fn run_digests_do_not_depend_on_order() {
        let mut a = vec![
            ("b".into(), "x".into(), 1, "[]".into()),
            ("a".into(), "y".into(), 2, "[]".into()),
        ];
        let mut b = vec![a[1].clone(), a[0].clone()];
        assert_eq!(started_digest(&mut a), started_digest(&mut b));
        assert_ne!(
            ended_digest(&mut [("a".into(), 1)]),
            ended_digest(&mut [("a".into(), 2)])
        );
    }
}
