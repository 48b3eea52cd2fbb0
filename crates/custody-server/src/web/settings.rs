//! `/{org}/settings`, for admins: the org's service accounts with their roles
//! and keys (ids, descriptions, expiry; a key's secret is shown only once, by
//! the command that makes it). Two queries, whatever the number of accounts.

use askama::Template;
use axum::extract::{Path, State};

use super::format::{When, url_encode};
use super::{Nav, PageResult, Viewer, render};
use crate::auth::Permission;
use crate::state::AppState;

pub struct Key {
    id: String,
    description: String,
    created: When,
    expires: Option<When>,
}

pub struct Account {
    name: String,
    description: String,
    role: String,
    keys: Vec<Key>,
}

#[derive(Template)]
#[template(path = "settings.html")]
struct SettingsPage {
    nav: Nav,
    accounts: Vec<Account>,
}

pub async fn settings(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(org): Path<String>,
) -> PageResult {
    let api = format!("/api/v2/service-accounts/{}", url_encode(&org));
    let nav = Nav::of(&viewer, &org, api)?;
    let scope = viewer.authed().scope(&org, Permission::Admin)?;
    let now = state.now().seconds();
    let mut keys = state.store.org_api_keys(scope.id).await?;
    let accounts = state
        .store
        .service_accounts(scope.id)
        .await?
        .into_iter()
        .map(|a| {
            let (own, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut keys)
                .into_iter()
                .partition(|k| k.account == a.name);
            keys = rest;
            Account {
                keys: own
                    .into_iter()
                    .map(|k| Key {
                        id: k.public_id,
                        description: k.description,
                        created: When::at(k.created_at.seconds(), now),
                        expires: k.expires_at.map(|t| When::at(t.seconds(), now)),
                    })
                    .collect(),
                name: a.name,
                description: a.description.unwrap_or_default(),
                role: a.role.to_string(),
            }
        })
        .collect();
    render(SettingsPage { nav, accounts })
}
