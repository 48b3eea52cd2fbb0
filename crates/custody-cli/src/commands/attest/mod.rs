//! `attest artifact|generic`: report that an artifact was built, or record a
//! generic attestation on a trail. What the reporting commands share lives in
//! [`common`] and [`flags`].

mod artifact;
pub mod common;
pub mod flags;
mod generic;

use clap::Subcommand;

use crate::context::Ctx;

#[derive(Debug, Subcommand)]
pub enum Attest {
    /// Report an artifact's creation to a trail of a flow.
    Artifact(artifact::AttestArtifact),
    /// Report a generic attestation to a trail, or to an artifact in it.
    Generic(generic::AttestGeneric),
}

impl Attest {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            Attest::Artifact(c) => c.run(ctx).await,
            Attest::Generic(c) => c.run(ctx).await,
        }
    }
}
