//! Custom attestation types' checks, run where a hostile rule can do no harm.
//! A type carries a JSON Schema and jq rules written by any member of an org;
//! [`Sandbox`] evaluates them in worker processes ([`worker`]) that have no
//! environment, a memory cap, a recursion limit (their stack) and a deadline,
//! with a library ([`engine`]) that cannot read the process or stop it.

pub mod engine;
pub mod protocol;
mod sandbox;
pub mod source;
pub mod worker;

pub use protocol::{Definition, Judgement};
pub use sandbox::{Limits, RuleError, Sandbox, WorkerCommand};
