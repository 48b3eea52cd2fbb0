//! Custody's domain model, free of I/O: validated names and fingerprints, the
//! expression languages users type (`env#N`, `flow:commit`, `A..B`), how a runtime
//! report becomes a snapshot change, how an artifact's history and compliance are
//! derived from stored facts. Everything here is deterministic and unit-tested.

pub mod attestation;
pub mod binding;
pub mod compliance;
pub mod custom_type;
pub mod dora;
pub mod environment;
pub mod event_range;
pub mod expr;
pub mod fingerprint;
pub mod history;
pub mod ids;
pub mod json;
pub mod ledger;
pub mod limits;
pub mod names;
pub mod policy;
pub mod repo;
pub mod report;
pub mod role;
pub mod template;
pub mod time;
pub mod timeago;

pub use environment::{EnvironmentError, EnvironmentType};
pub use fingerprint::{Fingerprint, HexPrefix};
pub use names::{Name, NameError, NameKind};
pub use role::{Role, RoleError};
pub use time::Timestamp;
