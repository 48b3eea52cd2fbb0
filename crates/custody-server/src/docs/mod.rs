//! Documents derived from stored facts: artifact histories, compliance, snapshots
//! and trails. Each function reads what it needs in a fixed number of queries,
//! however many items are involved.

pub mod artifact;
pub mod audit_package;
pub mod built_from;
pub mod compliance;
pub mod current;
pub mod diff;
pub mod dora;
pub mod environment;
pub mod environment_log;
pub mod gate;
pub mod policy;
pub mod provenance;
pub mod snapshot;
pub mod time_travel;
pub mod trail;
pub mod verdicts;
