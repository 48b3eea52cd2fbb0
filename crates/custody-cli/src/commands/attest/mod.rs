//! `attest artifact|generic|junit|snyk|sarif|jira|sonar|pullrequest|decision|override`: report that an
//! artifact was built, or record an attestation on a trail. What the reporting
//! commands share lives in [`common`] and [`flags`].

mod artifact;
pub mod attachments;
pub mod common;
mod custom;
mod decision;
pub mod flags;
mod generic;
mod jira;
mod junit;
mod override_;
pub mod pullrequest;
mod sarif;
mod snyk;
mod sonar;
mod typed;

use clap::Subcommand;

use crate::context::Ctx;

#[derive(Debug, Subcommand)]
pub enum Attest {
    /// Report an artifact's creation to a trail of a flow.
    Artifact(artifact::AttestArtifact),
    /// Report a generic attestation to a trail, or to an artifact in it.
    Generic(generic::AttestGeneric),
    /// Report a JUnit test results attestation to a trail, or to an artifact in it.
    Junit(junit::AttestJunit),
    /// Report a Snyk (SARIF) scan attestation to a trail, or to an artifact in it.
    Snyk(snyk::AttestSnyk),
    /// Report the Jira issues a commit refers to (found in its message and branch).
    Jira(jira::AttestJira),
    /// Report a SonarQube/SonarCloud analysis and its quality gate.
    Sonar(sonar::AttestSonar),
    /// Report the pull (merge) requests of a commit at its git host.
    #[command(subcommand, visible_aliases = ["pr", "pull_request", "mr", "mergerequest", "merge_request"])]
    Pullrequest(pullrequest::AttestPullRequest),
    /// Report the SARIF scan of any scanner (Trivy, Checkov, CodeQL…), judged by a severity threshold.
    Sarif(sarif::AttestSarif),
    /// Report an attestation of a custom type, judged by the type's schema and rules.
    Custom(custom::AttestCustom),
    /// Report a decision on a control to a trail (beta).
    Decision(decision::AttestDecision),
    /// Override the verdict of an attestation in a trail.
    #[command(hide = true)]
    Override(override_::AttestOverride),
}

impl Attest {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            Attest::Artifact(c) => c.run(ctx).await,
            Attest::Generic(c) => c.run(ctx).await,
            Attest::Junit(c) => c.run(ctx).await,
            Attest::Snyk(c) => c.run(ctx).await,
            Attest::Sarif(c) => c.run(ctx).await,
            Attest::Jira(c) => c.run(ctx).await,
            Attest::Sonar(c) => c.run(ctx).await,
            Attest::Pullrequest(c) => c.run(ctx).await,
            Attest::Custom(c) => c.run(ctx).await,
            Attest::Decision(c) => c.run(ctx).await,
            Attest::Override(c) => c.run(ctx).await,
        }
    }
}
