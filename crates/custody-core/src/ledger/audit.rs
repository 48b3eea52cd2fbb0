//! Checking a log entry by entry: each body must hash to its leaf and say
//! where it stands, each record it describes must still be stored as logged,
//! and the leaves must make the root of the signed checkpoint. What is wrong
//! is reported as [`Finding`]s that name the entry and the record.

use std::fmt;

use serde_json::Value;

use super::facts::{Entry, Fact, Record, hex};
use super::merkle::{Frontier, leaf_hash};

/// One entry as a verifier receives it.
#[derive(Debug, Clone, PartialEq)]
pub struct Received {
    pub seq: u64,
    pub body: String,
    pub leaf_hash: String,
    /// For records: the record as stored now (`Some(None)` once it is gone);
    /// `None` when not known (entries about changes, or nothing to compare).
    pub current: Option<Option<Value>>,
}

/// Something the log shows to be wrong.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// The entries do not arrive in sequence: one is missing here.
    Missing { seq: u64, got: u64 },
    /// The body no longer hashes to the leaf stored with it.
    BodyEdited { seq: u64 },
    /// The body is not an entry at all.
    Unreadable { seq: u64, why: String },
    /// The entry at this position says it belongs elsewhere.
    OutOfPlace { seq: u64, claims: u64 },
    /// The record the entry describes was changed after it was logged.
    RecordEdited {
        seq: u64,
        what: String,
        fields: Vec<(String, Value, Value)>,
    },
    /// The record the entry describes is no longer stored.
    RecordRemoved { seq: u64, what: String },
    /// The leaves make another root than the checkpoint signs.
    RootMismatch {
        size: u64,
        signed: String,
        computed: String,
    },
    /// The log has fewer entries than the checkpoint counts.
    Short { size: u64, got: u64 },
    /// A record no entry describes (written around the log).
    Unlogged { what: String },
    /// The log no longer extends a checkpoint verified before.
    Rewritten { size: u64, root: String },
}

fn short(v: &Value) -> String {
    let text = v.to_string();
    match text.char_indices().nth(60) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::Missing { seq, got } => {
                write!(f, "entry #{seq} is missing (the next one is #{got})")
            }
            Finding::BodyEdited { seq } => write!(
                f,
                "entry #{seq} was edited: its body no longer matches its leaf hash"
            ),
            Finding::Unreadable { seq, why } => write!(f, "entry #{seq} is unreadable: {why}"),
            Finding::OutOfPlace { seq, claims } => {
                write!(
                    f,
                    "entry #{seq} says it is entry #{claims}: the log was reordered"
                )
            }
            Finding::RecordEdited { seq, what, fields } => {
                let changes: Vec<String> = fields
                    .iter()
                    .map(|(k, was, now)| format!("{k} was {} and is {}", short(was), short(now)))
                    .collect();
                write!(
                    f,
                    "{what} (entry #{seq}) was edited after it was recorded: {}",
                    changes.join("; ")
                )
            }
            Finding::RecordRemoved { seq, what } => {
                write!(f, "{what} (entry #{seq}) was removed after it was recorded")
            }
            Finding::RootMismatch {
                size,
                signed,
                computed,
            } => write!(
                f,
                "the first {size} entries make root {computed}, not the signed {signed}: entries were changed, removed or reordered"
            ),
            Finding::Short { size, got } => {
                write!(
                    f,
                    "the checkpoint counts {size} entries but the log holds {got}"
                )
            }
            Finding::Unlogged { what } => {
                write!(f, "{what} is not in the log: it was written around it")
            }
            Finding::Rewritten { size, root } => write!(
                f,
                "the log no longer extends the checkpoint of {size} entries (root {root}) verified before: its history was rewritten"
            ),
        }
    }
}

/// A human name for a record.
pub fn describe(record: &Record) -> String {
    let short_fp = |fp: &str| fp.chars().take(12).collect::<String>();
    match record {
        Record::Artifact {
            fingerprint,
            filename,
            ..
        } => {
            format!("artifact {filename} ({})", short_fp(fingerprint))
        }
        Record::Attestation {
            name,
            kind,
            public_id,
            ..
        } => {
            format!("{kind} attestation '{name}' ({public_id})")
        }
        Record::Evidence {
            attestation_id,
            file_name,
            ..
        } => {
            format!("the attachment {file_name} of attestation #{attestation_id}")
        }
        Record::Deployment {
            flow_id, number, ..
        } => format!("deployment #{number} of flow #{flow_id}"),
        Record::Snapshot {
            environment_id,
            index,
            ..
        } => {
            format!("snapshot #{index} of environment #{environment_id}")
        }
        Record::PolicyVersion {
            policy_id, version, ..
        } => {
            format!("version {version} of policy #{policy_id}")
        }
        Record::TypeVersion {
            type_id, version, ..
        } => {
            format!("version {version} of attestation type #{type_id}")
        }
    }
}

/// The fields in which two records differ: `(field, logged, stored now)`.
fn differences(logged: &Value, now: &Value) -> Vec<(String, Value, Value)> {
    let (Some(a), Some(b)) = (logged.as_object(), now.as_object()) else {
        return vec![("record".into(), logged.clone(), now.clone())];
    };
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| {
            let get = |m: &serde_json::Map<String, Value>| m.get(k).cloned().unwrap_or(Value::Null);
            (k.clone(), get(a), get(b))
        })
        .collect()
}

/// Checks entries as they arrive, in order.
#[derive(Debug, Default)]
pub struct Auditor {
    frontier: Frontier,
    next: u64,
    pub findings: Vec<Finding>,
}

impl Auditor {
    /// How many entries have been checked.
    pub fn checked(&self) -> u64 {
        self.next
    }

    /// Checks one entry.
    pub fn entry(&mut self, e: &Received) {
        if e.seq != self.next {
            self.findings.push(Finding::Missing {
                seq: self.next,
                got: e.seq,
            });
        }
        let leaf = leaf_hash(e.body.as_bytes());
        if hex(&leaf) != e.leaf_hash {
            self.findings.push(Finding::BodyEdited { seq: e.seq });
        }
        self.frontier.append(self.next, leaf);
        self.next += 1;
        let entry: Entry = match serde_json::from_str(&e.body) {
            Ok(entry) => entry,
            Err(why) => {
                let why = why.to_string();
                return self.findings.push(Finding::Unreadable { seq: e.seq, why });
            }
        };
        if entry.seq != e.seq {
            self.findings.push(Finding::OutOfPlace {
                seq: e.seq,
                claims: entry.seq,
            });
        }
        let Fact::Record(record) = &entry.fact else {
            return;
        };
        let what = describe(record);
        match &e.current {
            None => {}
            Some(None) => self
                .findings
                .push(Finding::RecordRemoved { seq: e.seq, what }),
            Some(Some(now)) => {
                let logged = serde_json::to_value(record).unwrap_or(Value::Null);
                let fields = differences(&logged, now);
                if !fields.is_empty() {
                    self.findings.push(Finding::RecordEdited {
                        seq: e.seq,
                        what,
                        fields,
                    });
                }
            }
        }
    }

    /// Compares what was checked with the signed size and root.
    pub fn finish(mut self, size: u64, signed_root: &str) -> Vec<Finding> {
        if self.next < size {
            self.findings.push(Finding::Short {
                size,
                got: self.next,
            });
        }
        let computed = hex(&self.frontier.root());
        if computed != signed_root {
            self.findings.push(Finding::RootMismatch {
                size,
                signed: signed_root.to_string(),
                computed,
            });
        }
        self.findings
    }
}
