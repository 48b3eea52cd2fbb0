//! The tamper-evident history: every fact an org records is a leaf of the
//! org's append-only Merkle log ([`merkle`]), described by a canonical body
//! ([`facts`]), and the log's size and root are signed as checkpoints
//! ([`checkpoint`]) that anyone holding the server's public key can check.

pub mod audit;
pub mod checkpoint;
pub mod facts;
pub mod merkle;

#[cfg(test)]
mod tests;
