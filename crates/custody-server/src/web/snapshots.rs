//! Snapshot pages: one snapshot (`/{org}/environments/{env}/snapshots/{N}`)
//! with what started, scaled and exited since N−1, and the diff of any two
//! snapshot expressions (`/{org}/diff?a=aws-prod%2364&b=aws-prod%2365`).

use askama::Template;
use axum::extract::{Path, Query, State};
use custody_api::{Snapshot, SnapshotDiff};
use serde::Deserialize;

use super::format::{Badge, When, short, url_encode, web_url};
use super::{Nav, PageResult, Viewer, render};
use crate::body::Params;
use crate::routes::snapshots;
use crate::state::AppState;

pub struct Running {
    name: String,
    fingerprint: String,
    flow: Option<String>,
    commit: String,
    commit_url: Option<String>,
    badge: Badge,
    replicas: i64,
    change: String,
    since: Option<When>,
    highlight: bool,
    /// `policy v2: NON-COMPLIANT (provenance)`, one per attached policy.
    decisions: Vec<(Badge, String)>,
}

/// A policy decision in words, with the rules it failed.
fn decision(d: &custody_api::PolicyDecision) -> (Badge, String) {
    let failed = d.failed_rules();
    let mut text = format!("{} v{}", d.policy_name, d.policy_version);
    if !failed.is_empty() {
        text.push_str(&format!(" (failed: {})", failed.join(", ")));
    }
    (Badge::of(&d.status), text)
}

#[derive(Template)]
#[template(path = "snapshot.html")]
struct SnapshotPage {
    nav: Nav,
    env: String,
    snapshot: Snapshot,
    taken: When,
    badge: Badge,
    running: Vec<Running>,
    started: usize,
    scaled: usize,
    exited: usize,
    /// Whether any policy applies (the decisions column is shown).
    policies: bool,
}

#[derive(Debug, Default, Deserialize)]
pub struct Highlight {
    #[serde(default)]
    fingerprint: String,
}

pub async fn snapshot(
    State(state): State<AppState>,
    viewer: Viewer,
    Path((org, env, index)): Path<(String, String, String)>,
    Query(h): Query<Highlight>,
) -> PageResult {
    let api = format!(
        "/api/v2/snapshots/{}/{}/{}",
        url_encode(&org),
        url_encode(&env),
        url_encode(&index)
    );
    let mut nav = Nav::of(&viewer, &org, api)?;
    nav.live = format!(
        "/{}/environments/{}/latest",
        url_encode(&org),
        url_encode(&env)
    );
    let path = Path((org, env.clone(), index));
    let snapshot = snapshots::get(State(state.clone()), viewer.authed(), path)
        .await?
        .0;
    let now = state.now().seconds();
    let count = |kind: &str| {
        snapshot
            .artifacts
            .iter()
            .filter(|a| a.annotation.kind == kind)
            .count()
    };
    let (started, scaled, exited) = (count("started"), count("scaled"), count("exited"));
    let policies = snapshot
        .artifacts
        .iter()
        .any(|a| !a.policy_decisions.is_empty());
    let running = snapshot
        .artifacts
        .iter()
        .map(|a| Running {
            name: a.name.clone(),
            fingerprint: a.fingerprint.clone(),
            flow: a.flow_name.clone(),
            commit: a.git_commit.as_deref().map(short).unwrap_or_default(),
            commit_url: web_url(a.commit_url.clone()),
            badge: Badge::compliant(a.compliant),
            replicas: a.annotation.now,
            change: match a.annotation.kind.as_str() {
                "scaled" => format!("scaled {} → {}", a.annotation.was, a.annotation.now),
                "exited" => format!("exited (was {})", a.annotation.was),
                "started" => "started".to_string(),
                _ => String::new(),
            },
            since: a
                .creation_timestamp
                .iter()
                .min()
                .map(|&t| When::at(t as f64, now)),
            highlight: !h.fingerprint.is_empty() && a.fingerprint.starts_with(&h.fingerprint),
            decisions: a.policy_decisions.iter().map(decision).collect(),
        })
        .collect();
    render(SnapshotPage {
        nav,
        env,
        taken: When::at(snapshot.timestamp, now),
        badge: Badge::compliant(snapshot.compliant),
        running,
        started,
        scaled,
        exited,
        policies,
        snapshot,
    })
}

#[derive(Debug, Default, Deserialize)]
pub struct DiffQuery {
    #[serde(default)]
    a: String,
    #[serde(default)]
    b: String,
}

#[derive(Template)]
#[template(path = "diff.html")]
struct DiffPage {
    nav: Nav,
    a: String,
    b: String,
    diff: Option<SnapshotDiff>,
    error: String,
}

pub async fn diff(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
    Query(q): Query<DiffQuery>,
) -> PageResult {
    let api = format!(
        "/api/v2/env-diff/{}?snappish1={}&snappish2={}",
        url_encode(&org),
        url_encode(&q.a),
        url_encode(&q.b)
    );
    let nav = Nav::of(&viewer, &org, api)?;
    let (diff, error) = if q.a.is_empty() || q.b.is_empty() {
        (None, String::new())
    } else {
        let query = snapshots::DiffQuery {
            snappish1: q.a.clone(),
            snappish2: q.b.clone(),
        };
        match snapshots::diff(State(state), viewer.authed(), Path(org), Params(query)).await {
            Ok(found) => (Some(found.0), String::new()),
            Err(e) => (None, e.to_string()),
        }
    };
    render(DiffPage {
        nav,
        a: q.a,
        b: q.b,
        diff,
        error,
    })
}
