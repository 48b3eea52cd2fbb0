//! The org's environments (`/{org}/environments/`): filtered by name, type or
//! tag, a page at a time, each with its current compliance and what runs in
//! it, worked out for the page's rows only.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use custody_api::Environment;
use custody_core::ids::EnvironmentId;
use custody_store::EnvironmentRow;
use serde::Deserialize;

use super::format::{Badge, When, url_encode};
use super::pager::{PER_PAGE, Pager};
use super::{Nav, PageResult, Viewer, render};
use crate::auth::Permission;
use crate::docs::current;
use crate::docs::environment::document;
use crate::state::AppState;

pub struct EnvRow {
    env: Environment,
    badge: Option<Badge>,
    reported: Option<When>,
    tags: String,
    /// `3 artifacts, 5 instances`.
    running: String,
}

#[derive(Template)]
#[template(path = "environments.html")]
struct EnvironmentsPage {
    nav: Nav,
    name: String,
    kind: String,
    tag: String,
    environments: Vec<EnvRow>,
    pager: Pager,
}

#[derive(Debug, Default, Deserialize)]
pub struct EnvFilter {
    #[serde(default)]
    name: String,
    #[serde(default, rename = "type")]
    kind: String,
    #[serde(default)]
    tag: String,
    #[serde(default)]
    page: Option<usize>,
}

impl EnvFilter {
    fn keeps(&self, env: &Environment) -> bool {
        let name = self.name.to_lowercase();
        (name.is_empty() || env.name.to_lowercase().contains(&name))
            && (self.kind.is_empty() || env.kind.eq_ignore_ascii_case(&self.kind))
            && (self.tag.is_empty()
                || env
                    .tags
                    .iter()
                    .any(|(k, v)| *k == self.tag || format!("{k}={v}") == self.tag))
    }
}

/// The org's environments, filtered, a page at a time: what runs in each and
/// its current compliance are worked out for the page's rows only.
pub async fn list(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
    Query(f): Query<EnvFilter>,
) -> PageResult {
    let nav = Nav::of(
        &viewer,
        &org,
        format!("/api/v2/environments/{}", url_encode(&org)),
    )?;
    let scope = viewer.authed().scope(&org, Permission::Read)?;
    let (rows, _) = state.store.environments(scope.id, None).await?;
    let kept: Vec<(Environment, EnvironmentRow)> = rows
        .into_iter()
        .map(|row| (document(&scope, row.clone(), None), row))
        .filter(|(env, _)| f.keeps(env))
        .collect();
    let filters = [
        ("name", f.name.as_str()),
        ("type", f.kind.as_str()),
        ("tag", f.tag.as_str()),
    ];
    let (shown, pager) = Pager::slice(kept, f.page, PER_PAGE, &filters);
    let shown_rows: Vec<&EnvironmentRow> = shown.iter().map(|(_, row)| row).collect();
    let open = state.store.open_runs(scope.id).await?;
    let compliance = current::compliance_of(&state, &scope, &shown_rows, &open).await?;
    let mut counts: HashMap<EnvironmentId, (usize, i64)> = HashMap::new();
    for run in &open {
        let count = counts.entry(run.env_id).or_default();
        *count = (count.0 + 1, count.1 + run.replicas);
    }
    let now = state.now().seconds();
    let environments = shown
        .into_iter()
        .map(|(env, row)| EnvRow {
            badge: compliance.get(&row.id).map(|&c| Badge::compliant(Some(c))),
            running: counts.get(&row.id).map_or_else(
                || "nothing".to_string(),
                |(artifacts, instances)| format!("{artifacts} artifacts, {instances} instances"),
            ),
            reported: env.last_reported_at.map(|t| When::at(t, now)),
            tags: env
                .tags
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(", "),
            env,
        })
        .collect();
    render(EnvironmentsPage {
        nav,
        name: f.name,
        kind: f.kind,
        tag: f.tag,
        environments,
        pager,
    })
}
