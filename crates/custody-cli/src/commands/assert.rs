//! `assert artifact|snapshot|status`: gates that exit non-zero when the answer is no.

use clap::{Args, Subcommand};
use custody_api::{AssertResult, Snapshot};
use custody_core::expr::Snappish;
use serde_json::Value;

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
}

#[derive(Debug, Args)]
pub struct AssertArtifact {
    /// The artifact's file or directory, with --artifact-type.
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
    output: OutputArg,
}

#[derive(Debug, Args)]
pub struct AssertSnapshot {
    /// ENV, ENV#N, ENV~N or ENV@{time}.
    snappish: String,
}

fn fingerprint_of(a: &AssertArtifact) -> anyhow::Result<String> {
    match (&a.fingerprint, &a.artifact_type, &a.artifact) {
        (Some(_), Some(_), _) => {
            anyhow::bail!("only one of --fingerprint, --artifact-type is allowed")
        }
        (Some(fp), None, _) => Ok(custody_core::Fingerprint::parse(fp)?.to_string()),
        (None, Some(t), Some(path)) => Ok(custody_fingerprint::fingerprint(
            t,
            std::path::Path::new(path),
            &a.exclude,
        )?),
        (None, Some(_), None) => {
            anyhow::bail!("artifact name argument is required when --artifact-type is set")
        }
        (None, None, _) => {
            anyhow::bail!("at least one of --fingerprint, --artifact-type is required")
        }
    }
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
    for flow in &result.flows {
        out.push_str(&format!("\nFlow: {}\n", flow.flow));
        if let Some(trail) = &flow.trail {
            out.push_str(&format!("  Trail: {trail}\n"));
        }
        out.push_str(&format!(
            "  {:<33}{:<31}{:<16}{}\n",
            "Attestation-name", "type", "status", "compliant"
        ));
        let rows = flow.compliance_status["attestations_statuses"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for row in rows {
            let text = |k: &str| {
                row.get(k)
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string()
            };
            let compliant = row
                .get("is_compliant")
                .and_then(Value::as_bool)
                .map_or(String::new(), |b| b.to_string());
            let unexpected = if row.get("unexpected") == Some(&Value::Bool(true)) {
                " unexpected"
            } else {
                ""
            };
            out.push_str(&format!(
                "    {:<31}{:<31}{:<16}{compliant}{unexpected}\n",
                text("attestation_name"),
                text("attestation_type"),
                text("status")
            ));
        }
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
        }
    }
}
