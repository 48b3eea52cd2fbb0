//! The org's definitions, each with its versions: policies
//! (`/{org}/policies`) and custom attestation types
//! (`/{org}/attestation-types`), newest version first.

use askama::Template;
use axum::extract::{Path, State};
use custody_api::AttestationTypeVersion;

use super::format::{When, url_encode};
use super::{Nav, PageResult, Viewer, render};
use crate::routes::{custom_types, policies};
use crate::state::AppState;

pub struct Version {
    number: i64,
    when: When,
    note: String,
    content: String,
}

pub struct Entry {
    name: String,
    description: String,
    detail: String,
    versions: Vec<Version>,
}

#[derive(Template)]
#[template(path = "catalog.html")]
struct CatalogPage {
    nav: Nav,
    heading: &'static str,
    empty: &'static str,
    entries: Vec<Entry>,
}

impl Version {
    fn new(number: i64, at: f64, note: &str, content: String, now: f64) -> Self {
        Version {
            number,
            when: When::at(at, now),
            note: note.to_string(),
            content,
        }
    }
}

/// Newest version first.
fn newest_first(mut versions: Vec<Version>) -> Vec<Version> {
    versions.reverse();
    versions
}

/// A type version's schema and rules, as the page shows them.
fn type_content(v: &AttestationTypeVersion) -> String {
    let schema = v
        .type_schema
        .as_ref()
        .and_then(|s| serde_json::to_string_pretty(s).ok());
    let rules = (!v.evaluator.rules.is_empty()).then(|| {
        format!(
            "{} rules:\n{}",
            v.evaluator.content_type,
            v.evaluator.rules.join("\n")
        )
    });
    schema
        .into_iter()
        .chain(rules)
        .collect::<Vec<_>>()
        .join("\n")
}

pub async fn policies(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
) -> PageResult {
    let nav = Nav::of(
        &viewer,
        &org,
        format!("/api/v2/policies/{}", url_encode(&org)),
    )?;
    let docs = policies::list(State(state.clone()), viewer.authed(), Path(org))
        .await?
        .0;
    let now = state.now().seconds();
    let entries = docs
        .iter()
        .map(|d| Entry {
            name: d.name.clone(),
            description: d.description.clone(),
            detail: if d.consuming_envs.is_empty() {
                "attached to no environment".into()
            } else {
                format!("attached to {}", d.consuming_envs.join(", "))
            },
            versions: newest_first(
                d.versions
                    .iter()
                    .map(|v| {
                        Version::new(
                            v.version,
                            v.created_at,
                            &v.comment,
                            v.policy_yaml.clone(),
                            now,
                        )
                    })
                    .collect(),
            ),
        })
        .collect();
    render(CatalogPage {
        nav,
        heading: "Policies",
        empty: "No policies yet: custody create policy makes one.",
        entries,
    })
}

pub async fn attestation_types(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
) -> PageResult {
    let api = format!("/api/v2/custom-attestation-types/{}", url_encode(&org));
    let nav = Nav::of(&viewer, &org, api)?;
    let docs = custom_types::list(State(state.clone()), viewer.authed(), Path(org))
        .await?
        .0;
    let now = state.now().seconds();
    let entries = docs
        .iter()
        .map(|d| Entry {
            name: d.name.clone(),
            description: d.description.clone(),
            detail: if d.archived {
                "archived".into()
            } else {
                String::new()
            },
            versions: newest_first(
                d.versions
                    .iter()
                    .map(|v| {
                        Version::new(v.version, v.timestamp, &v.created_by, type_content(v), now)
                    })
                    .collect(),
            ),
        })
        .collect();
    render(CatalogPage {
        nav,
        heading: "Attestation types",
        empty: "No custom attestation types yet: custody create attestation-type makes one.",
        entries,
    })
}
