//! The command tree. Each group (`create`, `get`, `list`…) is a module with a
//! clap subcommand enum and a `run` method; leaf commands stay small and share
//! the request and rendering helpers of [`Ctx`](crate::Ctx) and `render`.

mod accounts;
mod actions;
mod archive;
mod assert;
pub(crate) mod attest;
mod attestation_types;
mod begin;
mod config;
mod controls;
mod create;
mod diff;
mod evaluate;
mod expect;
pub(crate) mod fingerprint;
mod get;
mod join;
mod list;
mod log;
mod metrics;
mod org;
mod policies;
mod rename;
mod repos;
mod search;
mod snapshot;
mod status;
mod tag;
mod time_travel;
mod update;
mod verify;

use clap::Subcommand;

use crate::context::Ctx;

/// Every client command.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create flows, environments, service accounts and API keys.
    #[command(subcommand, visible_aliases = ["c", "cr"])]
    Create(create::Create),
    /// Begin a trail.
    #[command(subcommand, visible_aliases = ["start", "init"])]
    Begin(begin::Begin),
    /// Report an artifact or an attestation about it.
    #[command(subcommand)]
    Attest(Box<attest::Attest>),
    /// Record an expected deployment (legacy).
    #[command(subcommand)]
    Expect(expect::Expect),
    /// Report what runs in an environment.
    #[command(subcommand)]
    Snapshot(snapshot::Snapshot),
    /// Show one flow, trail, artifact, environment, snapshot, account or key.
    #[command(subcommand, visible_alias = "g")]
    Get(get::Get),
    /// List flows, trails, artifacts, environments, snapshots, accounts or keys.
    #[command(subcommand, visible_aliases = ["l", "ls"])]
    List(list::List),
    /// Compare two snapshots.
    #[command(subcommand)]
    Diff(diff::Diff),
    /// Show the event log of an environment.
    #[command(subcommand, visible_alias = "lo")]
    Log(log::Log),
    /// Delivery metrics from what actually ran.
    #[command(subcommand)]
    Metrics(metrics::Metrics),
    /// Find artifacts by git commit or fingerprint prefix.
    #[command(visible_alias = "se")]
    Search(search::SearchArgs),
    /// Check compliance (exits non-zero when not compliant).
    #[command(subcommand)]
    Assert(assert::Assert),
    /// Print the fingerprint of a file, directory or container image.
    Fingerprint(fingerprint::FingerprintArgs),
    /// Tag a flow, an environment, a control or a repo with key-value pairs.
    ///
    /// Use --set to add or update tags, and --unset to remove tags.
    ///
    /// Valid resource types are: flow, flows, env, environment, environments, control, controls, repo, repos.
    ///
    /// Repos are named by their name; when several repos share a name across VCS
    /// providers, choose one with --provider, or name it by its id with --repo-id
    /// (see: get repo).
    Tag(tag::TagArgs),
    /// Archive a flow, environment, attestation type or control.
    #[command(subcommand)]
    Archive(archive::Archive),
    /// Restore an archived control (beta).
    #[command(subcommand)]
    Unarchive(archive::Unarchive),
    /// Judge trails or local JSON with a Rego policy (beta).
    #[command(subcommand)]
    Evaluate(evaluate::Evaluate),
    /// Rename a flow or an environment.
    #[command(subcommand, visible_alias = "re")]
    Rename(rename::Rename),
    /// Add a physical environment to a logical one.
    #[command(subcommand)]
    Join(join::Join),
    /// Attach a policy to environments (re-evaluating them).
    AttachPolicy(policies::PolicyAttachment),
    /// Detach a policy from environments (re-evaluating them).
    DetachPolicy(policies::PolicyAttachment),
    /// Allow-list an artifact in an environment.
    #[command(subcommand)]
    Allow(policies::Allow),
    /// Update a service account or the default organization.
    #[command(subcommand)]
    Update(update::Update),
    /// Delete service accounts, API keys or actions.
    #[command(subcommand, visible_aliases = ["rm", "remove"])]
    Delete(accounts::Delete),
    /// Rotate API keys.
    #[command(subcommand, visible_alias = "ro")]
    Rotate(accounts::Rotate),
    /// Check that no record was edited, removed or reordered (the signed log).
    Verify(verify::VerifyArgs),
    /// Turn the org's beta features on.
    #[command(subcommand)]
    Enable(org::Beta),
    /// Turn the org's beta features off.
    #[command(subcommand)]
    Disable(org::Beta),
    /// Store flag values in the default config file.
    Config(config::ConfigArgs),
    /// Check that the server is up.
    #[command(visible_alias = "st")]
    Status(status::StatusArgs),
    /// Print the version.
    #[command(visible_alias = "ver")]
    Version(status::VersionArgs),
}

impl Command {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            Command::Create(c) => c.run(ctx).await,
            Command::Begin(c) => c.run(ctx).await,
            Command::Attest(c) => c.run(ctx).await,
            Command::Expect(c) => c.run(ctx).await,
            Command::Snapshot(c) => c.run(ctx).await,
            Command::Get(c) => c.run(ctx).await,
            Command::List(c) => c.run(ctx).await,
            Command::Diff(c) => c.run(ctx).await,
            Command::Log(c) => c.run(ctx).await,
            Command::Metrics(c) => c.run(ctx).await,
            Command::Search(c) => c.run(ctx).await,
            Command::Assert(c) => c.run(ctx).await,
            Command::Fingerprint(c) => c.run(ctx.globals.quiet),
            Command::Tag(c) => c.run(ctx).await,
            Command::Archive(c) => c.run(ctx).await,
            Command::Unarchive(c) => c.run(ctx).await,
            Command::Evaluate(c) => c.run(ctx).await,
            Command::Rename(c) => c.run(ctx).await,
            Command::Join(c) => c.run(ctx).await,
            Command::AttachPolicy(c) => c.run(ctx, true).await,
            Command::DetachPolicy(c) => c.run(ctx, false).await,
            Command::Allow(c) => c.run(ctx).await,
            Command::Update(c) => c.run(ctx).await,
            Command::Delete(c) => c.run(ctx).await,
            Command::Rotate(c) => c.run(ctx).await,
            Command::Verify(c) => c.run(ctx).await,
            Command::Enable(c) => c.run(ctx, true).await,
            Command::Disable(c) => c.run(ctx, false).await,
            Command::Config(c) => c.run(ctx),
            Command::Status(c) => c.run(ctx).await,
            Command::Version(c) => c.run(),
        }
    }
}
