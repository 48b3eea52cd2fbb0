//! The org's actions (`/{org}/actions`): what each watches, which triggers,
//! and each target's last success and failure, with a badge on an action
//! whose latest delivery to some target failed. Webhook URLs show their host
//! only: the rest of a Slack webhook is its secret.

use askama::Template;
use axum::extract::{Path, State};
use custody_api::ActionTarget;

use super::format::{Badge, When, url_encode};
use super::{Nav, PageResult, Viewer, render};
use crate::routes::actions;
use crate::state::AppState;

pub struct Watched {
    name: String,
    href: String,
}

pub struct Target {
    kind: String,
    host: String,
    success: Option<When>,
    failure: Option<When>,
    error: String,
}

pub struct Row {
    number: i64,
    name: String,
    kind: &'static str,
    watches: Vec<Watched>,
    triggers: String,
    state: Badge,
    targets: Vec<Target>,
}

#[derive(Template)]
#[template(path = "actions.html")]
struct ActionsPage {
    nav: Nav,
    rows: Vec<Row>,
}

fn target(t: &ActionTarget, now: f64) -> Target {
    let host = reqwest::Url::parse(&t.webhook)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_default();
    Target {
        kind: t.kind.clone(),
        host,
        success: t.last_success_at.map(|at| When::at(at, now)),
        failure: t.last_failure_at.map(|at| When::at(at, now)),
        error: t.last_error.clone().unwrap_or_default(),
    }
}

pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
) -> PageResult {
    let nav = Nav::of(
        &viewer,
        &org,
        format!("/api/v2/actions/{}", url_encode(&org)),
    )?;
    let docs = actions::list(State(state.clone()), viewer.authed(), Path(org.clone()))
        .await?
        .0;
    let now = custody_core::Timestamp::now().seconds();
    let rows = docs
        .iter()
        .map(|a| {
            let (kind, page, names) = match (&a.flows, &a.environments) {
                (Some(flows), _) => ("Flows", "flows", flows.clone()),
                (None, envs) => (
                    "Environments",
                    "environments",
                    envs.clone().unwrap_or_default(),
                ),
            };
            Row {
                number: a.number,
                name: a.name.clone(),
                kind,
                watches: names
                    .iter()
                    .map(|n| Watched {
                        name: n.clone(),
                        href: format!("/{}/{page}/{}", url_encode(&org), url_encode(n)),
                    })
                    .collect(),
                triggers: a.triggers.join(", "),
                state: if a.is_failing {
                    Badge {
                        class: "bad",
                        text: "FAILING".into(),
                    }
                } else {
                    Badge {
                        class: "ok",
                        text: "OK".into(),
                    }
                },
                targets: a.targets.iter().map(|t| target(t, now)).collect(),
            }
        })
        .collect();
    render(ActionsPage { nav, rows })
}
