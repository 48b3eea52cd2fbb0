//! The org's definitions, each with its versions: policies
//! (`/{org}/policies`) and custom attestation types
//! (`/{org}/attestation-types`), newest version first.

use askama::Template;
use axum::extract::{Path, State};
use serde_json::Value;

use super::format::{When, url_encode};
use super::{Nav, PageResult, Viewer, render};
use crate::routes::{custom_types, policies};
use crate::state::AppState;

pub struct Version {
    number: i64,
    when: Option<When>,
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

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    }
}

/// The versions of a policy or type document, newest first.
fn versions(doc: &Value, at: &str, content: &[&str], note: &str, now: f64) -> Vec<Version> {
    let mut out: Vec<Version> = doc["versions"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| Version {
            number: v["version"].as_i64().unwrap_or(0),
            when: v[at].as_f64().map(|t| When::at(t, now)),
            note: text(&v[note]),
            content: content
                .iter()
                .map(|k| text(&v[*k]))
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join("\n"),
        })
        .collect();
    out.reverse();
    out
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
    let now = state.now();
    let entries = docs
        .iter()
        .map(|d| Entry {
            name: text(&d["name"]),
            description: text(&d["description"]),
            detail: match d["environments"].as_array() {
                Some(envs) if !envs.is_empty() => format!(
                    "attached to {}",
                    envs.iter().map(text).collect::<Vec<_>>().join(", ")
                ),
                _ => "attached to no environment".into(),
            },
            versions: versions(d, "created_at", &["policy_content"], "comment", now),
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
    let now = state.now();
    let entries = docs
        .iter()
        .map(|d| Entry {
            name: text(&d["name"]),
            description: text(&d["description"]),
            detail: if d["archived"].as_bool() == Some(true) {
                "archived".into()
            } else {
                String::new()
            },
            versions: versions(
                d,
                "timestamp",
                &["type_schema", "evaluator"],
                "created_by",
                now,
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
