//! Turning an outbox event into deliveries: its notices, matched against the
//! org's actions (the action's kind, one of its environments or flows, one of
//! its triggers), one delivery per target with the body that target takes —
//! the webhook payload v1.0 or a Slack message — fixed now, so every retry
//! sends the same bytes.

use custody_store::{ActionRow, DeliveryInsert, OutboxEvent};
use rand::RngCore;

use super::events::{Notice, notices};
use super::slack;
use super::triggers::{Scope, Trigger, stored_list};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// Whether an action watches this notice.
fn watches(action: &ActionRow, notice: &Notice) -> bool {
    let Some(scope) = Scope::of_kind(&action.kind) else {
        return false;
    };
    scope.triggers().contains(&notice.trigger)
        && stored_list(&action.scope).contains(&notice.scope)
        && stored_list(&action.triggers)
            .iter()
            .any(|t| Trigger::parse(t, scope) == Ok(notice.trigger))
}

/// A delivery id, sent as `X-Custody-Delivery` so receivers can drop repeats.
fn delivery_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Dispatches one claimed event: false when another process did first.
pub async fn dispatch(state: &AppState, event: &OutboxEvent) -> ApiResult<bool> {
    // What the event names may be gone (a snapshot's environment renamed):
    // it then tells nothing, rather than failing forever.
    let notices = match notices(state, event).await {
        Err(ApiError::NotFound(_)) => Vec::new(),
        other => other?,
    };
    let actions = state.store.actions(event.org_id).await?;
    let ids: Vec<_> = actions.iter().map(|a| a.id).collect();
    let targets = state.store.action_targets(&ids).await?;
    let mut deliveries = Vec::new();
    for notice in &notices {
        for action in actions.iter().filter(|a| watches(a, notice)) {
            for target in targets.iter().filter(|t| t.action_id == action.id) {
                let body = match target.kind.as_str() {
                    "SLACK" => slack::message(&notice.payload).to_string(),
                    _ => serde_json::to_string(&notice.payload).unwrap_or_default(),
                };
                deliveries.push(DeliveryInsert {
                    target_id: target.id,
                    public_id: delivery_id(),
                    body,
                });
            }
        }
    }
    Ok(state
        .store
        .dispatch_event(event.id, &deliveries, custody_core::Timestamp::now())
        .await?)
}
