//! Turning an outbox event into deliveries: its notices, matched against the
//! org's actions (the action's kind, one of its environments or flows, one of
//! its triggers), and its CDEvents, matched by kind and name only; one
//! delivery per target with the body that target takes — the webhook payload
//! v1.0, a Slack message or a CDEvent — fixed now, so every retry sends the
//! same bytes.

use custody_store::{ActionRow, ActionTargetRow, DeliveryInsert, OutboxEvent};
use rand::RngCore;

use super::cdevents;
use super::events::{Notice, notices};
use super::slack;
use super::triggers::{Scope, Trigger, stored_list};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Whether an action watches `name` among its environments or flows.
fn covers(action: &ActionRow, scope: Scope, name: &str) -> bool {
    Scope::of_kind(&action.kind) == Some(scope)
        && stored_list(&action.scope).iter().any(|n| n == name)
}

/// Whether an action watches this notice: its scope and one of its triggers.
fn watches(action: &ActionRow, notice: &Notice) -> bool {
    let Some(scope) = Scope::of_kind(&action.kind) else {
        return false;
    };
    scope.triggers().contains(&notice.trigger)
        && covers(action, scope, &notice.scope)
        && stored_list(&action.triggers)
            .iter()
            .any(|t| Trigger::parse(t, scope) == Ok(notice.trigger))
}

/// A delivery id, sent as `X-Custody-Delivery` so receivers can drop repeats.
pub fn delivery_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// What the event names may be gone (a snapshot's environment renamed): it
/// then tells nothing, rather than failing forever.
fn unless_gone<T>(found: ApiResult<Vec<T>>) -> ApiResult<Vec<T>> {
    match found {
        Err(ApiError::NotFound(_)) => Ok(Vec::new()),
        other => other,
    }
}

/// Dispatches one claimed event: false when another process did first.
/// Slack and webhook targets get the notices their action's triggers name;
/// `CDEVENTS` targets get every CDEvent of what their action watches.
pub async fn dispatch(state: &AppState, event: &OutboxEvent) -> ApiResult<bool> {
    let actions = state.store.actions(event.org_id).await?;
    let ids: Vec<_> = actions.iter().map(|a| a.id).collect();
    let targets = state.store.action_targets(&ids).await?;
    let of = |action: &ActionRow, cd: bool| {
        let action = action.id;
        targets
            .iter()
            .filter(move |t| t.action_id == action && (t.kind == "CDEVENTS") == cd)
    };
    let mut deliveries = Vec::new();
    let mut deliver = |target: &ActionTargetRow, body: String| {
        deliveries.push(DeliveryInsert {
            target_id: target.id,
            public_id: delivery_id(),
            body,
        });
    };
    for notice in &unless_gone(notices(state, event).await)? {
        for action in actions.iter().filter(|a| watches(a, notice)) {
            for target in of(action, false) {
                let body = match target.kind.as_str() {
                    "SLACK" => slack::message(&notice.payload).to_string(),
                    _ => serde_json::to_string(&notice.payload).unwrap_or_default(),
                };
                deliver(target, body);
            }
        }
    }
    if targets.iter().any(|t| t.kind == "CDEVENTS") {
        for cd in &unless_gone(cdevents::of(state, event).await)? {
            for action in actions.iter().filter(|a| covers(a, cd.scope, &cd.name)) {
                for target in of(action, true) {
                    deliver(target, cd.body.to_string());
                }
            }
        }
    }
    Ok(state
        .store
        .dispatch_event(event.id, &deliveries, custody_core::Timestamp::now())
        .await?)
}
