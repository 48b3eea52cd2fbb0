//! `evaluate trail`, `evaluate trails` and `evaluate input` (beta): a Rego
//! policy (a file or an http(s) URL) judges a trail fetched from the server,
//! several trails, or local JSON, as Kosli's commands do. A deny fails the
//! command unless `--no-assert`; beyond Kosli, a deny names the attestations
//! that caused it (`CAUSED BY`, `caused_by`).

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read};

use anyhow::{Context, anyhow, bail};
use clap::{Args, Subcommand};
use serde_json::{Map, Value, json};

use crate::context::{Ctx, OutputArg};
use crate::output::TabWriter;
use crate::rego::blame::{self, Cause};
use crate::rego::{Policy, Verdict, load_policy, trail_input};

#[derive(Debug, Subcommand)]
pub enum Evaluate {
    /// Judge one trail with a Rego policy.
    Trail(TrailArgs),
    /// Judge several trails together (`input.trails`).
    Trails(TrailsArgs),
    /// Judge local JSON (a file, or stdin).
    Input(InputArgs),
    /// Would a past snapshot have passed an environment policy?
    Snapshot(super::time_travel::SnapshotArgs),
    /// Where an environment policy would have changed compliance over snapshots.
    Snapshots(super::time_travel::SnapshotsArgs),
}

#[derive(Debug, Args)]
pub struct Common {
    /// A Rego policy file, or an http(s):// URL to fetch it from.
    #[arg(short = 'p', long, required = true)]
    policy: String,
    #[command(flatten)]
    output: OutputArg,
    /// Include the policy input (and params) in the output.
    #[arg(long)]
    show_input: bool,
    /// Policy parameters as inline JSON or @file.json (`data.params`).
    #[arg(long)]
    params: Option<String>,
    /// Exit non-zero when the policy denies (the default).
    #[arg(long, conflicts_with = "no_assert")]
    assert: bool,
    /// Print the verdict and exit 0 even when the policy denies.
    #[arg(long)]
    no_assert: bool,
}

#[derive(Debug, Args)]
pub struct TrailScope {
    /// The flow of the trail(s).
    #[arg(short = 'f', long, required = true)]
    flow: String,
    /// Only these attestations: `name` for the trail's, `artifact.name` for an artifact's.
    #[arg(long, value_delimiter = ',')]
    attestations: Vec<String>,
}

#[derive(Debug, Args)]
pub struct TrailArgs {
    #[arg(value_name = "TRAIL-NAME")]
    trail: String,
    #[command(flatten)]
    scope: TrailScope,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, Args)]
pub struct TrailsArgs {
    #[arg(value_name = "TRAIL-NAME", required = true)]
    trails: Vec<String>,
    #[command(flatten)]
    scope: TrailScope,
    #[command(flatten)]
    common: Common,
}

#[derive(Debug, Args)]
pub struct InputArgs {
    /// A JSON input file; stdin when omitted.
    #[arg(short = 'i', long)]
    input_file: Option<String>,
    #[command(flatten)]
    common: Common,
}

impl Evaluate {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        match self {
            Evaluate::Snapshot(a) => a.run(ctx).await,
            Evaluate::Snapshots(a) => a.run(ctx).await,
            Evaluate::Trail(a) => {
                ctx.require_login()?;
                let trail = fetch_trail(ctx, &a.scope, &a.trail).await?;
                a.common.judge(json!({ "trail": trail })).await
            }
            Evaluate::Trails(a) => {
                ctx.require_login()?;
                let mut trails = Vec::new();
                for name in &a.trails {
                    trails.push(fetch_trail(ctx, &a.scope, name).await?);
                }
                a.common.judge(json!({ "trails": trails })).await
            }
            Evaluate::Input(a) => {
                let input = read_input(a.input_file.as_deref())?;
                a.common.judge(input).await
            }
        }
    }
}

/// A trail as Kosli's policies see it (see [`trail_input`]).
async fn fetch_trail(ctx: &Ctx, scope: &TrailScope, name: &str) -> anyhow::Result<Value> {
    let org = ctx.require_login()?;
    let mut trail: Value = ctx
        .get(&["trails", org, &scope.flow, name], &[])
        .await?
        .json()?;
    trail_input::key_by_name(&mut trail);
    trail_input::keep_only(&mut trail, &scope.attestations);
    let ids = trail_input::attestation_ids(&mut trail);
    let fetches = ids.iter().map(|id| async move {
        let query = [("attestation_id", id.clone())];
        let found: Value = ctx
            .get(&["attestations", org], &query)
            .await
            .with_context(|| format!("failed to fetch attestation detail for {id}"))?
            .json()?;
        let document = found["data"][0].as_object().cloned();
        anyhow::Ok(document.map(|d| (id.clone(), d)))
    });
    let documents: BTreeMap<String, Map<String, Value>> = futures::future::try_join_all(fetches)
        .await?
        .into_iter()
        .flatten()
        .collect();
    trail_input::fill_in(&mut trail, &documents);
    Ok(trail)
}

fn read_input(file: Option<&str>) -> anyhow::Result<Value> {
    let text = match file {
        Some(path) => {
            std::fs::read_to_string(path).map_err(|e| anyhow!("failed to read input file: {e}"))?
        }
        None => {
            let mut stdin = std::io::stdin();
            if stdin.is_terminal() {
                bail!("no input provided: use --input-file or pipe JSON to stdin");
            }
            let mut text = String::new();
            stdin
                .read_to_string(&mut text)
                .map_err(|e| anyhow!("failed to parse input: {e}"))?;
            text
        }
    };
    let input: Value =
        serde_json::from_str(&text).map_err(|e| anyhow!("failed to parse input: {e}"))?;
    if !input.is_object() {
        bail!("failed to parse input: the input must be a JSON object");
    }
    Ok(input)
}

fn parse_params(raw: Option<&str>) -> anyhow::Result<Option<Value>> {
    let Some(raw) = raw else { return Ok(None) };
    let text = match raw.strip_prefix('@') {
        Some(path) => std::fs::read_to_string(path)
            .map_err(|e| anyhow!("failed to read --params file: {e}"))?,
        None => raw.to_string(),
    };
    let params: Value =
        serde_json::from_str(&text).map_err(|e| anyhow!("failed to parse --params: {e}"))?;
    if !params.is_object() {
        bail!("failed to parse --params: the params must be a JSON object");
    }
    Ok(Some(params))
}

impl Common {
    async fn judge(self, input: Value) -> anyhow::Result<()> {
        let json = self.output.is_json()?;
        let params = parse_params(self.params.as_deref())?;
        let source = load_policy(&self.policy).await?;
        let mut policy = Policy::new(&source, params.as_ref())?;
        let verdict = policy.judge(&input)?;
        let causes = if verdict.allow {
            Vec::new()
        } else {
            blame::causes(&mut policy, &input, &verdict)
        };
        if json {
            let mut out = json!({
                "allow": verdict.allow,
                "violations": (!verdict.violations.is_empty()).then_some(&verdict.violations),
            });
            if !causes.is_empty() {
                out["caused_by"] = serde_json::to_value(&causes)?;
            }
            if self.show_input {
                out["input"] = input;
                if let Some(p) = params {
                    out["params"] = p;
                }
            }
            // Keys sorted at every depth, as Kosli prints its result.
            let out = crate::output::sorted_keys(out);
            println!("{}", serde_json::to_string_pretty(&out)?);
        } else {
            print!("{}", table(&verdict, &causes));
        }
        if !verdict.allow && !self.no_assert {
            if json || verdict.violations.is_empty() {
                bail!("policy denied");
            }
            bail!("policy denied: [{}]", verdict.violations.join(" "));
        }
        Ok(())
    }
}

/// `RESULT:  ALLOWED|DENIED`, the violations, and the attestations that caused them.
fn table(verdict: &Verdict, causes: &[Cause]) -> String {
    let mut w = TabWriter::new();
    if verdict.allow {
        w.line("RESULT:\tALLOWED");
        return w.render();
    }
    w.line("RESULT:\tDENIED");
    for (i, v) in verdict.violations.iter().enumerate() {
        let label = if i == 0 { "VIOLATIONS:" } else { "" };
        w.line(format!("{label}\t{v}"));
    }
    for (i, cause) in causes.iter().enumerate() {
        let label = if i == 0 { "CAUSED BY:" } else { "" };
        let link = cause
            .html_url
            .as_deref()
            .map(|u| format!("  {u}"))
            .unwrap_or_default();
        w.line(format!("{label}\t{}{link}", cause.label()));
    }
    w.render()
}
