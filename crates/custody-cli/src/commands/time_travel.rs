//! `evaluate snapshot EXPR` and `evaluate snapshots ENV --interval A..B`:
//! would past snapshots have passed an environment policy? A stored policy
//! (`--policy-name`, any `--policy-version`) or a proposed file (`--policy`)
//! judges them on the server, beside the verdicts recorded at the time.

use anyhow::{Context, bail};
use clap::Args;
use custody_api::{Evaluation, EvaluationRequest};
use custody_client::Body;
use reqwest::Method;

use crate::context::{Ctx, OutputArg};
use crate::output::{TabWriter, time};

#[derive(Debug, Args)]
pub struct PolicyChoice {
    /// A proposed environment policy file (YAML).
    #[arg(short = 'p', long, conflicts_with = "policy_name")]
    policy: Option<String>,
    /// A stored policy.
    #[arg(long)]
    policy_name: Option<String>,
    /// The stored policy's version (default: its latest).
    #[arg(long, requires = "policy_name")]
    policy_version: Option<i64>,
    #[command(flatten)]
    output: OutputArg,
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    /// A snapshot: `prod#65`, `prod~2`, `prod@{2022-08-23T12:00:00}`, `prod@{2.days.ago}`.
    snapshot: String,
    #[command(flatten)]
    choice: PolicyChoice,
}

#[derive(Debug, Args)]
pub struct SnapshotsArgs {
    /// The environment.
    environment: String,
    /// Which snapshots: `1..20`, `#5..#9`, or a time range as `list snapshots` takes.
    #[arg(long, required = true)]
    interval: String,
    #[command(flatten)]
    choice: PolicyChoice,
}

impl PolicyChoice {
    fn request(&self, mut req: EvaluationRequest) -> anyhow::Result<EvaluationRequest> {
        match (&self.policy, &self.policy_name) {
            (Some(file), None) => {
                req.policy_yaml = Some(
                    std::fs::read_to_string(file)
                        .with_context(|| format!("failed to read the policy file {file}"))?,
                );
            }
            (None, Some(name)) => {
                req.policy_name = Some(name.clone());
                req.policy_version = self.policy_version;
            }
            _ => bail!("give a policy: --policy FILE, or --policy-name NAME"),
        }
        Ok(req)
    }

    async fn run(&self, ctx: &Ctx, req: EvaluationRequest) -> anyhow::Result<()> {
        let json = self.output.is_json()?;
        let req = self.request(req)?;
        let body = Body::Json(serde_json::to_value(&req)?);
        let path = ["policy-evaluations", ctx.require_login()?];
        let Some(r) = ctx.send(Method::POST, &path, body).await? else {
            return Ok(());
        };
        if json {
            return ctx.print_json(&r);
        }
        print!("{}", table(&r.json::<Evaluation>()?));
        Ok(())
    }
}

fn verdict(compliant: bool) -> &'static str {
    if compliant {
        "COMPLIANT"
    } else {
        "NON-COMPLIANT"
    }
}

/// The verdicts, where they would have changed, and the last snapshot's artifacts.
fn table(e: &Evaluation) -> String {
    let policy = match e.policy_version {
        Some(v) => format!("{} version {v}", e.policy_name),
        None => "the proposed policy".to_string(),
    };
    let mut out = format!("Environment {} judged by {policy}:\n\n", e.environment);
    let mut w = TabWriter::new();
    w.line("SNAPSHOT\tTAKEN\tWOULD BE\tRECORDED");
    for s in &e.snapshots {
        let marker = if e.changes.contains(&s.index) {
            "  <- changes"
        } else {
            ""
        };
        w.line(format!(
            "#{}\t{}\t{}\t{}{marker}",
            s.index,
            time::short(s.timestamp),
            verdict(s.compliant),
            verdict(s.recorded_compliant)
        ));
    }
    out.push_str(&w.render());
    if let Some(last) = e.snapshots.last() {
        out.push_str(&format!("\nArtifacts of #{}:\n", last.index));
        let mut w = TabWriter::new();
        w.line("NAME\tFLOW\tWOULD BE\tFAILED RULES");
        for a in &e.artifacts {
            let failed = a
                .decision
                .as_ref()
                .map(|d| d.failed_rules().join(", "))
                .unwrap_or_default();
            w.line(format!(
                "{}\t{}\t{}\t{failed}",
                a.name,
                a.flow_name.as_deref().unwrap_or("(no provenance)"),
                verdict(a.compliant)
            ));
        }
        out.push_str(&w.render());
    }
    out
}

impl SnapshotArgs {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let req = EvaluationRequest {
            snapshot: Some(self.snapshot.clone()),
            ..EvaluationRequest::default()
        };
        self.choice.run(ctx, req).await
    }
}

impl SnapshotsArgs {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let req = EvaluationRequest {
            environment: Some(self.environment.clone()),
            interval: Some(self.interval.clone()),
            ..EvaluationRequest::default()
        };
        self.choice.run(ctx, req).await
    }
}
