//! `assert artifact|snapshot|status|pullrequest`: gates that exit non-zero when the answer is no.

use clap::{Args, Subcommand};
use custody_api::{AssertResult, PolicyDecision, Snapshot};
use custody_core::expr::Snappish;

use super::fingerprint::{RegistryFlags, check_artifact_arg, compute};
use super::get::snapshot_segment;
use super::status::ready;
use crate::context::{Ctx, OutputArg};

#[derive(Debug, Subcommand)]
pub enum Assert {
    /// Is an artifact compliant in every flow that knows it?
    Artifact(AssertArtifact),
    /// Is a snapshot compliant?
    Snapshot(AssertSnapshot),
    /// Is the server up?
    Status,
    /// Does the commit belong to a pull (merge) request at its git host?
    #[command(subcommand, visible_aliases = ["pr", "pull_request", "mr", "mergerequest", "merge_request"])]
    Pullrequest(super::attest::pullrequest::AssertPullRequest),
}

#[derive(Debug, Args)]
pub struct AssertArtifact {
    /// The artifact's file, directory or image, with --artifact-type.
    artifact: Option<String>,
    #[arg(short = 'F', long)]
    fingerprint: Option<String>,
    #[arg(short = 't', long)]
    artifact_type: Option<String>,
    /// Only this flow.
    #[arg(short = 'f', long)]
    flow: Option<String>,
    /// Use the environment's policies.
    #[arg(long, conflicts_with = "policy")]
    environment: Option<String>,
    /// Use these policies.
    #[arg(long, value_delimiter = ',')]
    policy: Vec<String>,
    #[arg(short = 'x', long, value_delimiter = ',')]
    exclude: Vec<String>,
    #[command(flatten)]
    registry: Box<RegistryFlags>,
    #[command(flatten)]
    output: OutputArg,
}

#[derive(Debug, Args)]
pub struct AssertSnapshot {
    /// ENV, ENV#N, ENV~N or ENV@{time}.
    snappish: String,
}

fn fingerprint_of(a: &AssertArtifact) -> anyhow::Result<String> {
    let (fingerprint, artifact_type) = (a.fingerprint.as_deref(), a.artifact_type.as_deref());
    check_artifact_arg(a.artifact.as_deref(), artifact_type, fingerprint, false)?;
    match (fingerprint, artifact_type) {
        (Some(_), Some(_)) => {
            anyhow::bail!("only one of --fingerprint, --artifact-type is allowed")
        }
        (Some(fp), None) => Ok(fp.to_string()),
        // The checks above leave a type and a path here.
        (None, t) => compute(
            t.unwrap_or_default(),
            a.artifact.as_deref().unwrap_or_default(),
            &a.exclude,
            &a.registry,
        ),
    }
}

/// Human messages for the failing resolutions of one policy evaluation.
fn failure_reasons(policy: &PolicyDecision) -> Vec<String> {
    let mut out = Vec::new();
    let failing = policy.rule_evaluations.iter();
    for rule in failing.filter(|r| !r.ignored && r.satisfied != Some(true)) {
        let def = &rule.rule.definition;
        let (name, kind) = (
            def["name"].as_str().unwrap_or("*"),
            def["type"].as_str().unwrap_or("*"),
        );
        for r in &rule.resolutions {
            let control = r.context.for_control.as_deref();
            let reason = match (r.kind.as_str(), control) {
                ("legacy_flow", _) => {
                    "artifact comes from a legacy flow and does not have the new attestations"
                        .to_string()
                }
                ("missing_attestation", Some(c)) => {
                    format!("artifact is missing required {kind} for control '{c}'")
                }
                ("missing_attestation", None) => {
                    format!(
                        "artifact is missing required '{name}' (type: {kind}) attestation in trail"
                    )
                }
                ("non_compliant_attestation", Some(c)) => {
                    format!("decision for control '{c}' is non-compliant in trail")
                }
                ("non_compliant_attestation", None) => {
                    format!("attestation '{name}' is non-compliant in trail")
                }
                ("non_compliant_in_trail", _) => "artifact is not compliant in trail".to_string(),
                ("no_provenance", _) => {
                    "artifact has no provenance: no flow knows its fingerprint".to_string()
                }
                _ => continue,
            };
            out.push(reason);
        }
    }
    out
}

/// The assert layout of §6.10: verdict, then each flow's attestation statuses.
fn render(result: &AssertResult) -> String {
    let mut out = String::new();
    out.push_str(if result.compliant {
        "COMPLIANT\n"
    } else {
        "Error: NON-COMPLIANT\n"
    });
    if let Some(env) = &result.environment {
        out.push_str(&format!("Environment: {env}\n"));
    }
    if result.scope != "flow" {
        out.push_str(&format!("{:<33}status\n", "Policy-name"));
        for p in &result.policy_evaluations {
            out.push_str(&format!("  {:<31}{}\n", p.policy_name, p.status));
            for reason in failure_reasons(p) {
                out.push_str(&format!("    {reason}\n"));
            }
        }
    }
    for flow in &result.flows {
        out.push_str(&format!("\nFlow: {}\n", flow.flow));
        if let Some(trail) = &flow.trail {
            out.push_str(&format!("  Trail: {trail}\n"));
        }
        out.push_str(&format!(
            "  {:<33}{:<31}{:<16}{}\n",
            "Attestation-name", "type", "status", "compliant"
        ));
        for row in &flow.compliance_status.attestations_statuses {
            let compliant = row.is_compliant.map_or(String::new(), |b| b.to_string());
            let unexpected = if row.unexpected { " unexpected" } else { "" };
            out.push_str(&format!(
                "    {:<31}{:<31}{:<16}{compliant}{unexpected}\n",
                row.attestation_name, row.attestation_type, row.status
            ));
        }
        out.push_str(&format!("  See more details at {}\n", result.html_url));
    }
    out
}

impl Assert {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            Assert::Artifact(a) => {
                let json = a.output.is_json()?;
                let org = ctx.require_login()?;
                let fp = fingerprint_of(&a)?;
                let mut query: Vec<(&str, String)> =
                    a.flow.iter().map(|f| ("flow_name", f.clone())).collect();
                query.extend(
                    a.environment
                        .iter()
                        .map(|e| ("environment_name", e.clone())),
                );
                query.extend(a.policy.iter().map(|p| ("policy_name", p.clone())));
                let r = ctx
                    .get(&["asserts", org, "fingerprint", &fp], &query)
                    .await?;
                let result: AssertResult = r.json()?;
                if json {
                    ctx.print_json(&r)?;
                } else {
                    print!("{}", render(&result));
                }
                if !result.compliant && !ctx.dry_run() {
                    anyhow::bail!("Artifact is not compliant");
                }
                Ok(())
            }
            Assert::Snapshot(s) => {
                let org = ctx.require_login()?;
                let parsed = Snappish::parse(&s.snappish)?;
                let segment = snapshot_segment(&parsed.at, &s.snappish);
                let snapshot: Snapshot = ctx
                    .get(&["snapshots", org, &parsed.env, &segment], &[])
                    .await?
                    .json()?;
                if snapshot.compliant == Some(true) {
                    println!("COMPLIANT");
                    Ok(())
                } else {
                    anyhow::bail!("NON-COMPLIANT")
                }
            }
            Assert::Status => match ready(ctx).await {
                Ok(_) => Ok(()),
                Err(_) => anyhow::bail!("custody server {} is unresponsive", ctx.globals.host),
            },
            Assert::Pullrequest(c) => c.run().await,
        }
    }
}
