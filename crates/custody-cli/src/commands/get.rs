//! `get artifact|flow|trail|environment|snapshot|service-account|api-key|attestation|attestation-type|policy|default-org|repo|control`.

use clap::{Args, Subcommand};
use custody_api::{Artifact, Environment, Flow, Snapshot, Trail};
use custody_core::expr::{ArtifactRef, Snappish, SnapshotRef, TimeRef};

mod attestation;
mod download;

use super::accounts::{GetApiKey, GetServiceAccount};
use crate::context::{Ctx, OutputArg};
use crate::render;

#[derive(Debug, Subcommand)]
pub enum Get {
    /// An artifact: FLOW@FINGERPRINT or FLOW:COMMIT (prefixes of 5+ characters).
    Artifact(GetArtifact),
    /// A flow.
    Flow(GetNamed),
    /// A trail of a flow.
    Trail(GetTrail),
    /// An environment.
    #[command(visible_alias = "env")]
    Environment(GetEnvironment),
    /// A snapshot: ENV, ENV#N, ENV~N or ENV@{time}.
    Snapshot(GetNamed),
    /// A service account.
    #[command(visible_alias = "sa")]
    ServiceAccount(GetServiceAccount),
    /// An API key of a service account.
    #[command(visible_alias = "ak")]
    ApiKey(GetApiKey),
    /// The attestations of a name in a trail or about an artifact, or one by id.
    Attestation(attestation::GetAttestation),
    /// A custom attestation type: NAME or NAME@vN.
    AttestationType(super::attestation_types::GetAttestationType),
    /// An environment policy.
    Policy(super::policies::GetPolicy),
    /// The caller's default organization.
    DefaultOrg(super::org::GetDefaultOrg),
    /// A repo seen in trails and artifacts: REPO-NAME or --repo-id.
    Repo(super::repos::GetRepo),
    /// A control (beta).
    Control(super::controls::GetControl),
    /// An action, by number.
    Action(super::actions::GetAction),
}

#[derive(Debug, Args)]
pub struct GetArtifact {
    expression: String,
    /// Only the artifact reported in this trail.
    #[arg(short = 't', long)]
    trail: Option<String>,
    /// Save the artifact's audit package (tar.gz: its document, attestations,
    /// evidence files and the signed log checkpoint) to this file.
    #[arg(long, value_name = "FILE")]
    download_audit_package: Option<String>,
    #[command(flatten)]
    output: OutputArg,
}

#[derive(Debug, Args)]
pub struct GetNamed {
    name: String,
    #[command(flatten)]
    output: OutputArg,
}

#[derive(Debug, Args)]
pub struct GetEnvironment {
    name: String,
    /// Save the audit package of a period (tar.gz: the environment, its
    /// snapshots and events, the first and last snapshots in full, the signed
    /// log checkpoint) to this file.
    #[arg(long, value_name = "FILE")]
    download_audit_package: Option<String>,
    /// The period's snapshots, such as 3..9 (with --download-audit-package;
    /// default: the latest 1000).
    #[arg(short = 'i', long, requires = "download_audit_package")]
    interval: Option<String>,
    #[command(flatten)]
    output: OutputArg,
}

#[derive(Debug, Args)]
pub struct GetTrail {
    name: String,
    #[arg(short = 'f', long)]
    flow: String,
    /// table, json or markdown.
    #[arg(short = 'o', long, default_value = "table")]
    output: String,
    /// Save the trail's audit package (tar.gz: its document, attestations,
    /// evidence files and the signed log checkpoint) to this file.
    #[arg(long, value_name = "FILE")]
    download_audit_package: Option<String>,
}

/// The snapshot part of an API path: `-1`, `#N`, `~N` or `@{...}`.
pub fn snapshot_segment(at: &SnapshotRef, raw: &str) -> String {
    match at {
        SnapshotRef::Latest => "-1".to_string(),
        SnapshotRef::Index(n) => format!("#{n}"),
        SnapshotRef::Behind(n) => format!("~{n}"),
        SnapshotRef::At(TimeRef::Now | TimeRef::Absolute(_) | TimeRef::Ago(_)) => raw
            .find('@')
            .map_or_else(|| "-1".to_string(), |i| raw[i..].to_string()),
    }
}

impl Get {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            Get::Artifact(a) => {
                let json = a.output.is_json()?;
                let org = ctx.require_login()?;
                if let Some(file) = &a.download_audit_package {
                    let ArtifactRef::Fingerprint { flow, prefix } =
                        ArtifactRef::parse(&a.expression)?
                    else {
                        anyhow::bail!(
                            "--download-audit-package needs one artifact: use FLOW@FINGERPRINT"
                        );
                    };
                    let mut url = ctx.client.api_url(&[
                        "artifacts",
                        org,
                        &flow,
                        prefix.as_str(),
                        "audit_package",
                    ]);
                    if let Some(t) = &a.trail {
                        url.query_pairs_mut().append_pair("trail", t);
                    }
                    return download::save(ctx, url, file, "audit package").await;
                }
                let (response, artifacts) = match ArtifactRef::parse(&a.expression)? {
                    ArtifactRef::Fingerprint { flow, prefix } => {
                        let r = ctx
                            .get(
                                &["artifacts", org, &flow, "fingerprint", prefix.as_str()],
                                &trail(&a.trail),
                            )
                            .await?;
                        let one: Artifact = r.json()?;
                        (r, vec![one])
                    }
                    ArtifactRef::Commit { flow, prefix } => {
                        let r = ctx
                            .get(
                                &["artifacts", org, &flow, "commit_sha", prefix.as_str()],
                                &trail(&a.trail),
                            )
                            .await?;
                        let many: Vec<Artifact> = r.json()?;
                        (r, many)
                    }
                };
                if json {
                    return ctx.print_json(&response);
                }
                let blocks: Vec<String> =
                    artifacts.iter().map(render::artifact::artifact).collect();
                print!("{}", blocks.join("\n"));
                Ok(())
            }
            Get::Flow(g) => {
                let json = g.output.is_json()?;
                let r = ctx
                    .get(&["flows", ctx.require_login()?, &g.name], &[])
                    .await?;
                if json {
                    return ctx.print_json(&r);
                }
                print!("{}", render::environment::flow(&r.json::<Flow>()?));
                Ok(())
            }
            Get::Trail(t) => {
                let org = ctx.require_login()?;
                if let Some(file) = &t.download_audit_package {
                    let url =
                        ctx.client
                            .api_url(&["trails", org, &t.flow, &t.name, "audit_package"]);
                    return download::save(ctx, url, file, "audit package").await;
                }
                let r = ctx.get(&["trails", org, &t.flow, &t.name], &[]).await?;
                match t.output.as_str() {
                    "json" => ctx.print_json(&r),
                    "table" => {
                        print!("{}", render::trail::trail(&r.json::<Trail>()?));
                        Ok(())
                    }
                    "markdown" => {
                        print!("{}", render::trail_markdown::markdown(&r.json::<Trail>()?));
                        Ok(())
                    }
                    other => anyhow::bail!("unsupported output format: {other}"),
                }
            }
            Get::Environment(g) => {
                let json = g.output.is_json()?;
                if let Some(file) = &g.download_audit_package {
                    let org = ctx.require_login()?;
                    let mut url =
                        ctx.client
                            .api_url(&["environments", org, &g.name, "audit_package"]);
                    if let Some(i) = &g.interval {
                        url.query_pairs_mut().append_pair("interval", i);
                    }
                    return download::save(ctx, url, file, "audit package").await;
                }
                let r = ctx
                    .get(&["environments", ctx.require_login()?, &g.name], &[])
                    .await?;
                if json {
                    return ctx.print_json(&r);
                }
                print!(
                    "{}",
                    render::environment::environment(&r.json::<Environment>()?)
                );
                Ok(())
            }
            Get::Snapshot(g) => {
                let json = g.output.is_json()?;
                let org = ctx.require_login()?;
                let s = Snappish::parse(&g.name)?;
                let segment = snapshot_segment(&s.at, &g.name);
                let r = ctx.get(&["snapshots", org, &s.env, &segment], &[]).await?;
                if json {
                    return ctx.print_json(&r);
                }
                print!("{}", render::snapshot::snapshot(&r.json::<Snapshot>()?));
                Ok(())
            }
            Get::ServiceAccount(c) => c.run(ctx).await,
            Get::ApiKey(c) => c.run(ctx).await,
            Get::Attestation(c) => c.run(ctx).await,
            Get::AttestationType(c) => c.run(ctx).await,
            Get::Action(c) => c.run(ctx).await,
            Get::Policy(c) => c.run(ctx).await,
            Get::DefaultOrg(c) => c.run(ctx).await,
            Get::Repo(c) => c.run(ctx).await,
            Get::Control(c) => c.run(ctx).await,
        }
    }
}

fn trail(trail: &Option<String>) -> Vec<(&'static str, String)> {
    trail.iter().map(|t| ("trail", t.clone())).collect()
}
