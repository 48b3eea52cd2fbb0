//! Checking an action as given before anything is stored: its name, type,
//! environments or flows (which must exist), triggers of its kind, and
//! targets — Slack incoming webhooks, webhooks with payload version 1.0 or
//! CDEvents sinks, each URL passing the webhook guard.

use custody_api::ActionTargetInput;
use custody_core::names::NameKind;
use custody_store::{ActionInsert, TargetSpec};

use crate::auth::OrgScope;
use crate::error::{ApiError, ApiResult};
use crate::lookup;
use crate::notify::triggers::{Scope, Trigger};
use crate::state::AppState;

/// The most environments or flows one action watches.
pub const MAX_SCOPE: usize = 100;
/// The most targets of one action.
pub const MAX_TARGETS: usize = 10;

/// The longest webhook URL, in bytes.
pub const MAX_URL_BYTES: usize = 2048;

/// An action as given in a `PUT`.
pub struct Given {
    pub name: String,
    pub kind: Option<String>,
    pub scope: Scope,
    pub names: Vec<String>,
    pub triggers: Vec<String>,
    pub targets: Vec<ActionTargetInput>,
}

/// A refused field, named in the message.
fn invalid(field: &str, why: impl std::fmt::Display) -> ApiError {
    ApiError::bad(format!("{field}: {why}"))
}

fn distinct(values: Vec<String>) -> Vec<String> {
    let mut seen = Vec::new();
    for v in values {
        if !seen.contains(&v) {
            seen.push(v);
        }
    }
    seen
}

/// The action to store, or why not.
pub async fn check(state: &AppState, org: &OrgScope, given: Given) -> ApiResult<ActionInsert> {
    let scope = given.scope;
    lookup::field_name(NameKind::Action, "name", &given.name)?;
    if let Some(kind) = given.kind.as_deref().filter(|k| *k != scope.kind()) {
        return Err(invalid(
            "type",
            format!("'{kind}' is not '{}'", scope.kind()),
        ));
    }
    let field = match scope {
        Scope::Environments => "environments",
        Scope::Flows => "flows",
    };
    let names = distinct(given.names);
    if names.is_empty() || names.len() > MAX_SCOPE {
        return Err(invalid(
            field,
            format!("name between 1 and {MAX_SCOPE} {field}"),
        ));
    }
    for name in &names {
        match scope {
            Scope::Environments => {
                lookup::field_name(NameKind::Environment, field, name)?;
                lookup::environment(state, org, name).await?;
            }
            Scope::Flows => {
                lookup::field_name(NameKind::Flow, field, name)?;
                lookup::flow(state, org, name).await?;
            }
        }
    }
    let triggers = distinct(given.triggers);
    if triggers.is_empty() {
        return Err(invalid("triggers", "name at least one trigger"));
    }
    for t in &triggers {
        Trigger::parse(t, scope).map_err(|e| invalid("triggers", e))?;
    }
    if given.targets.is_empty() || given.targets.len() > MAX_TARGETS {
        return Err(invalid(
            "targets",
            format!("give between 1 and {MAX_TARGETS} targets"),
        ));
    }
    let targets = given
        .targets
        .into_iter()
        .map(|t| target(state, t))
        .collect::<ApiResult<Vec<_>>>()?;
    let json = |v: &[String]| serde_json::to_string(v).unwrap_or_default();
    Ok(ActionInsert {
        name: given.name,
        kind: scope.kind().to_string(),
        scope: json(&names),
        triggers: json(&triggers),
        targets,
    })
}

fn target(state: &AppState, t: ActionTargetInput) -> ApiResult<TargetSpec> {
    let kind = t.kind.unwrap_or_else(|| "WEBHOOK".to_string());
    let refuse = |why: String| Err(invalid("targets", why));
    match kind.as_str() {
        "SLACK" | "WEBHOOK" | "CDEVENTS" => {}
        "EMAIL" => {
            return refuse(
                "EMAIL targets are not supported: use SLACK, WEBHOOK or CDEVENTS".into(),
            );
        }
        other => {
            return refuse(format!(
                "'{other}' is not a target type: use SLACK, WEBHOOK or CDEVENTS"
            ));
        }
    }
    if t.emails.is_some() {
        return refuse(format!("a {kind} target has no 'emails'"));
    }
    if t.context.is_some() {
        return refuse(
            "Slack app channels ('context') are not supported: give an incoming webhook".into(),
        );
    }
    let payload_version = match (kind.as_str(), t.payload_version.as_deref()) {
        ("WEBHOOK", None | Some("1.0")) => Some("1.0".to_string()),
        ("WEBHOOK", Some(v)) => return refuse(format!("payload_version '{v}' is not '1.0'")),
        (_, None) => None,
        (_, Some(_)) => return refuse(format!("a {kind} target has no payload_version")),
    };
    let Some(webhook) = t.webhook else {
        return refuse(format!("a {kind} target needs a 'webhook' URL"));
    };
    if webhook.len() > MAX_URL_BYTES {
        return refuse(format!("a webhook URL is at most {MAX_URL_BYTES} bytes"));
    }
    state
        .webhooks
        .check_url(&webhook)
        .map_err(|e| invalid("targets", e))?;
    Ok(TargetSpec {
        kind,
        webhook,
        payload_version,
    })
}
