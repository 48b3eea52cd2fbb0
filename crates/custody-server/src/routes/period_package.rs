//! `GET /environments/{org}/{env}/audit_package?interval=A..B`: what ran in
//! an environment over a period, as one `tar.gz` — the environment, the
//! period's snapshots with their compliance, every start, scale and exit,
//! the full first and last snapshots, and the signed log checkpoint. A
//! package covers at most [`MAX_PERIOD`] snapshots (the latest ones unless
//! an interval is given).

use axum::extract::{Path, State};
use axum::response::Response;
use custody_core::expr::parse_interval;
use serde::Deserialize;

use super::api_doc::Refusals;
use super::snapshots::{self, ListQuery};
use crate::auth::{Authed, Permission};
use crate::body::{Paging, Params};
use crate::docs::audit_package::{Package, safe_name};
use crate::error::{ApiError, ApiResult};
use crate::lookup;
use crate::state::AppState;

/// Most snapshots one package covers.
pub const MAX_PERIOD: i64 = 1000;
/// Snapshots listed per request while filling a package.
const PER_PAGE: u32 = 100;

#[derive(Debug, Deserialize)]
pub struct PeriodQuery {
    #[serde(default, deserialize_with = "crate::body::non_empty")]
    pub interval: Option<String>,
}

#[utoipa::path(
    get,
    path = "/environments/{org}/{env}/audit_package",
    tag = "environments",
    operation_id = "download_environment_audit_package",
    params(
        ("org" = String, Path, description = "The organization"),
        ("env" = String, Path, description = "The environment"),
        ("interval" = Option<String>, Query, description = "Snapshot indexes such as 3..9 (at most 1000; default: the latest 1000)")
    ),
    responses(
        (status = 200, description = "The period's audit package (tar.gz)", content_type = "application/gzip", body = Vec<u8>),
        Refusals
    )
)]
pub async fn environment(
    State(state): State<AppState>,
    auth: Authed,
    Path((org, env)): Path<(String, String)>,
    Params(q): Params<PeriodQuery>,
) -> ApiResult<Response> {
    let scope = auth.scope(&org, Permission::Read)?;
    let path = Path((org.clone(), env.clone()));
    let doc = super::environments::get(State(state.clone()), auth.clone(), path)
        .await?
        .0;
    let row = lookup::environment(&state, &scope, &env).await?;
    let latest = row.latest_index;
    let (from, to) = match &q.interval {
        Some(text) => parse_interval(text, latest).map_err(ApiError::bad)?,
        None => ((latest - MAX_PERIOD + 1).max(1), latest),
    };
    if to - from + 1 > MAX_PERIOD {
        return Err(ApiError::bad(format!(
            "an audit package covers at most {MAX_PERIOD} snapshots: give a shorter interval than {from}..{to}"
        )));
    }
    let mut package = Package::new(&format!("{env}-{from}-{to}"), state.now().seconds());
    package.add_json("environment.json", &doc)?;
    let query = |page: u32| ListQuery {
        interval: Some(format!("{from}..{to}")),
        reverse: Some(true),
        paging: Paging {
            page: Some(page),
            per_page: Some(PER_PAGE),
        },
    };
    let mut listed = Vec::new();
    if to >= from {
        let pages = ((to - from) / i64::from(PER_PAGE) + 1) as u32;
        for page in 1..=pages {
            let path = Path((org.clone(), env.clone()));
            let more = snapshots::list(
                State(state.clone()),
                auth.clone(),
                path,
                Params(query(page)),
            );
            listed.extend(more.await?.0);
        }
        let path = Path((org.clone(), env.clone()));
        let unfiltered = Params(Vec::new());
        let events = snapshots::events(
            State(state.clone()),
            auth.clone(),
            path,
            unfiltered,
            Params(query(1)),
        );
        package.add_json("events.json", &events.await?.0)?;
        for index in [from, to] {
            let path = Path((org.clone(), env.clone(), format!("#{index}")));
            let full = snapshots::get(State(state.clone()), auth.clone(), path)
                .await?
                .0;
            package.add_json(&format!("snapshots/{index}.json"), &full)?;
        }
    }
    package.add_json("snapshots.json", &listed)?;
    let readme = format!(
        "# Audit package of environment {env}, snapshots {from} to {to}\n\n\
         Organization {}, {} snapshots; `events.json` lists every start, scale and exit of the \
         period, `snapshots/{from}.json` and `snapshots/{to}.json` what ran at its start and end. \
         Downloaded from {}. `log-checkpoint.json` is the org's tamper-evident log head, \
         signed by the server.\n",
        scope.name,
        listed.len(),
        state.public_url
    );
    let file = format!(
        "{}.tar.gz",
        safe_name(&format!("{env}-{from}-{to}-audit-package"))
    );
    super::audit_packages::deliver(state, auth, org, package, (file, readme)).await
}
