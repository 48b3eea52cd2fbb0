//! Actions (notifications): `create action` over environments or flows with
//! webhook and Slack targets, `get action`, `list actions` and `delete
//! action`, in the style of Kosli's other commands.

use clap::Args;
use custody_api::ActionDocument;
use custody_client::Body;
use reqwest::Method;
use serde_json::json;

use super::accounts::{AssumeYes, Deletion, delete_all};
use crate::context::{Ctx, OutputArg};
use crate::output::{TabWriter, time};

/// Create or update an action: a notification, for the given environments or
/// flows, of the given triggers, to webhooks (payload version 1.0), Slack
/// incoming webhooks and CDEvents sinks.
#[derive(Debug, Args)]
pub struct CreateAction {
    #[arg(value_name = "ACTION-NAME")]
    name: String,
    /// Environments to watch (comma-separated), with environment triggers:
    /// ON_STARTED_ARTIFACT, ON_EXITED_ARTIFACT, ON_SCALED_ARTIFACT,
    /// ON_ALLOWED_ARTIFACT, ON_NON_COMPLIANT_ENV, ON_COMPLIANT_ENV.
    #[arg(
        short = 'e',
        long,
        value_delimiter = ',',
        required_unless_present = "flows",
        conflicts_with = "flows"
    )]
    environments: Vec<String>,
    /// Flows to watch (comma-separated), with flow triggers: ON_STARTED_TRAIL,
    /// ON_ATTESTED_PROVENANCE, ON_ATTESTATION.
    #[arg(short = 'f', long, value_delimiter = ',')]
    flows: Vec<String>,
    /// What to notify of (comma-separated).
    #[arg(short = 't', long, value_delimiter = ',', required = true)]
    triggers: Vec<String>,
    /// A webhook URL to POST the payload to (repeatable).
    #[arg(
        long = "webhook-url",
        value_name = "URL",
        required_unless_present_any = ["slack_urls", "cdevents_urls"]
    )]
    webhook_urls: Vec<String>,
    /// A Slack incoming webhook URL (repeatable).
    #[arg(long = "slack-webhook-url", value_name = "URL")]
    slack_urls: Vec<String>,
    /// A CDEvents sink URL (repeatable): it receives every CDEvent of what
    /// the action watches, whatever the triggers.
    #[arg(long = "cdevents-sink-url", value_name = "URL")]
    cdevents_urls: Vec<String>,
}

impl CreateAction {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = ctx.require_login()?;
        let targets: Vec<_> = self
            .webhook_urls
            .iter()
            .map(|u| json!({"type": "WEBHOOK", "webhook": u, "payload_version": "1.0"}))
            .chain(
                self.slack_urls
                    .iter()
                    .map(|u| json!({"type": "SLACK", "webhook": u})),
            )
            .chain(
                self.cdevents_urls
                    .iter()
                    .map(|u| json!({"type": "CDEVENTS", "webhook": u})),
            )
            .collect();
        let (kind, body) = if self.flows.is_empty() {
            let body = json!({"name": self.name, "type": "env", "environments": self.environments,
                "triggers": self.triggers, "targets": targets});
            ("environments", body)
        } else {
            let body = json!({"name": self.name, "type": "flow", "flows": self.flows,
                "triggers": self.triggers, "targets": targets});
            ("flows", body)
        };
        let path = ["actions", org, kind];
        if let Some(r) = ctx.send(Method::PUT, &path, Body::Json(body)).await? {
            let doc: ActionDocument = r.json()?;
            println!("action '{}' was saved as number {}", doc.name, doc.number);
        }
        Ok(())
    }
}

/// The time of a delivery outcome, or `Never`.
fn when(at: Option<f64>) -> String {
    at.map_or_else(|| "Never".to_string(), time::long)
}

/// The `get action` table.
fn action_table(a: &ActionDocument) -> String {
    let mut w = TabWriter::new();
    w.line(format!("Number:\t{}", a.number));
    w.line(format!("Name:\t{}", a.name));
    w.line(format!("Type:\t{}", a.kind));
    match (&a.environments, &a.flows) {
        (Some(envs), _) => w.line(format!("Environments:\t{}", envs.join(", "))),
        (None, Some(flows)) => w.line(format!("Flows:\t{}", flows.join(", "))),
        (None, None) => {}
    }
    w.line(format!("Triggers:\t{}", a.triggers.join(", ")));
    w.line(format!("Failing:\t{}", a.is_failing));
    w.line(format!("Created at:\t{}", time::long(a.created_at)));
    w.line("Targets:\t");
    for t in &a.targets {
        w.line(format!("\t{}:\t{}", t.kind, t.webhook));
        w.line(format!("\t\tLast success:\t{}", when(t.last_success_at)));
        w.line(format!("\t\tLast failure:\t{}", when(t.last_failure_at)));
        if let Some(error) = &t.last_error {
            w.line(format!("\t\tLast error:\t{error}"));
        }
    }
    w.render()
}

/// Get an action by its number.
#[derive(Debug, Args)]
pub struct GetAction {
    #[arg(value_name = "ACTION-NUMBER")]
    number: String,
    #[command(flatten)]
    output: OutputArg,
}

impl GetAction {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let json = self.output.is_json()?;
        let r = ctx
            .get(&["actions", ctx.require_login()?, &self.number], &[])
            .await?;
        if json {
            return ctx.print_json(&r);
        }
        print!("{}", action_table(&r.json()?));
        Ok(())
    }
}

/// List the org's actions, by number.
#[derive(Debug, Args)]
pub struct ListActions {
    #[command(flatten)]
    output: OutputArg,
}

fn list_table(actions: &[ActionDocument]) -> String {
    if actions.is_empty() {
        return "No actions were found.\n".to_string();
    }
    let mut w = TabWriter::new();
    w.line("NUMBER\tNAME\tTYPE\tWATCHES\tTRIGGERS\tTARGETS\tFAILING");
    for a in actions {
        let watches = a
            .environments
            .as_ref()
            .or(a.flows.as_ref())
            .map(|n| n.join(", "));
        w.line(format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}",
            a.number,
            a.name,
            a.kind,
            watches.unwrap_or_default(),
            a.triggers.join(", "),
            a.targets.len(),
            a.is_failing
        ));
    }
    w.render()
}

impl ListActions {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let json = self.output.is_json()?;
        let r = ctx.get(&["actions", ctx.require_login()?], &[]).await?;
        if json {
            return ctx.print_json(&r);
        }
        let actions: Vec<ActionDocument> = r.json()?;
        print!("{}", list_table(&actions));
        Ok(())
    }
}

/// Delete one or more actions by number.
#[derive(Debug, Args)]
pub struct DeleteAction {
    #[arg(value_name = "ACTION-NUMBER", required = true)]
    numbers: Vec<String>,
    #[command(flatten)]
    confirm: AssumeYes,
}

impl DeleteAction {
    pub async fn run(self, ctx: &Ctx) -> anyhow::Result<()> {
        let org = ctx.require_login()?;
        let numbers = self.numbers.join(", ");
        let words = Deletion {
            prompt: format!("Are you sure you want to delete action(s) {numbers}? [y/N] "),
            cancelled: format!("Deletion of action(s) {numbers} was cancelled."),
            plural: "Actions",
            failure: "failed to delete action",
        };
        delete_all(
            ctx,
            self.confirm.assume_yes,
            &self.numbers,
            words,
            |n| vec!["actions".into(), org.into(), n.into()],
            |n| format!("action {n} was deleted!"),
        )
        .await
    }
}
