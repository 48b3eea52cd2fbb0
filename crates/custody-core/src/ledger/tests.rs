//! The auditor against logs built as the store builds them, then tampered
//! with in each way a database editor could: a record edited or removed, an
//! entry edited, removed or moved, the leaf hashes recomputed to match.

use super::audit::{Auditor, Finding, Received};
use super::facts::{Entry, Fact, Record, hex};
use super::merkle::{Frontier, leaf_hash};
use crate::Timestamp;

fn artifact(id: i64, commit: &str) -> Record {
    Record::Artifact {
        id,
        flow_id: 1,
        trail_id: None,
        fingerprint: format!("{id:064x}"),
        filename: format!("app:{id}"),
        template_name: None,
        git_commit: Some(commit.into()),
        commit_url: None,
        build_url: None,
        repo_url: None,
        payload_sha256: "0".repeat(64),
        created_at: Timestamp::from_seconds(1000.0 + id as f64),
    }
}

/// A log of five artifacts and a change, as served: bodies, leaves, records now.
fn log() -> (Vec<Received>, String) {
    let mut frontier = Frontier::default();
    let mut entries = Vec::new();
    for seq in 0..6u64 {
        let fact = if seq == 3 {
            Fact::change("api_key", 9, "created", serde_json::json!({}))
        } else {
            Fact::Record(artifact(seq as i64, "abc"))
        };
        let current = match &fact {
            Fact::Record(r) => Some(Some(serde_json::to_value(r).unwrap())),
            Fact::Change { .. } => None,
        };
        let body = Entry {
            seq,
            at: Timestamp::from_seconds(1.0),
            fact,
        }
        .body();
        let leaf = leaf_hash(body.as_bytes());
        frontier.append(seq, leaf);
        entries.push(Received {
            seq,
            body,
            leaf_hash: hex(&leaf),
            current,
        });
    }
    (entries, hex(&frontier.root()))
}

fn audit(entries: &[Received], root: &str) -> Vec<Finding> {
    let mut auditor = Auditor::default();
    for e in entries {
        auditor.entry(e);
    }
    auditor.finish(6, root)
}

#[test]
fn an_untouched_log_has_no_findings() {
    let (entries, root) = log();
    assert_eq!(audit(&entries, &root), []);
}

#[test]
fn an_edited_record_is_named_with_what_changed() {
    let (mut entries, root) = log();
    entries[2].current = Some(Some(serde_json::to_value(artifact(2, "def")).unwrap()));
    let found = audit(&entries, &root);
    assert_eq!(found.len(), 1, "{found:?}");
    let text = found[0].to_string();
    assert!(
        text.starts_with("artifact app:2 (000000000000) (entry #2) was edited"),
        "{text}"
    );
    assert!(
        text.contains("git_commit was \"abc\" and is \"def\""),
        "{text}"
    );
}

#[test]
fn a_removed_record_is_named() {
    let (mut entries, root) = log();
    entries[4].current = Some(None);
    let found = audit(&entries, &root);
    assert_eq!(
        found[0].to_string(),
        "artifact app:4 (000000000000) (entry #4) was removed after it was recorded"
    );
}

#[test]
fn edited_removed_and_moved_entries_break_the_root() {
    let (entries, root) = log();
    let mut edited = entries.clone();
    edited[1].body = edited[1].body.replace("abc", "xyz");
    let found = audit(&edited, &root);
    assert!(
        matches!(found[0], Finding::BodyEdited { seq: 1 }),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|f| matches!(f, Finding::RootMismatch { .. }))
    );

    let mut rehashed = edited.clone();
    rehashed[1].leaf_hash = hex(&leaf_hash(rehashed[1].body.as_bytes()));
    let found = audit(&rehashed, &root);
    assert!(
        found
            .iter()
            .any(|f| matches!(f, Finding::RootMismatch { .. })),
        "{found:?}"
    );

    let mut removed = entries.clone();
    removed.remove(3);
    let found = audit(&removed, &root);
    assert!(
        matches!(found[0], Finding::Missing { seq: 3, got: 4 }),
        "{found:?}"
    );

    let mut moved = entries.clone();
    moved.swap(1, 2);
    moved[1].seq = 1;
    moved[2].seq = 2;
    let found = audit(&moved, &root);
    assert!(
        found
            .iter()
            .any(|f| f.to_string() == "entry #1 says it is entry #2: the log was reordered"),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|f| matches!(f, Finding::RootMismatch { .. }))
    );
}

#[test]
fn a_short_log_is_reported() {
    let (entries, root) = log();
    let mut auditor = Auditor::default();
    for e in &entries[..4] {
        auditor.entry(e);
    }
    let found = auditor.finish(6, &root);
    assert!(
        matches!(found[0], Finding::Short { size: 6, got: 4 }),
        "{found:?}"
    );
}
