//! The pages' "Download audit package" buttons: the API's audit packages of
//! a trail, an artifact and an environment's latest period, fetched with the
//! viewer's session.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};

use super::{Viewer, WebError};
use crate::body::Params;
use crate::routes::{artifacts::TrailQuery, audit_packages, period_package};
use crate::state::AppState;

/// `GET /{org}/flows/{flow}/trails/{trail}/audit-package`.
pub async fn trail(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(path): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    super::Nav::of(&viewer, &path.0, String::new())?;
    let package = audit_packages::trail(State(state), viewer.authed(), Path(path)).await?;
    Ok(package.into_response())
}

/// `GET /{org}/flows/{flow}/artifacts/{fingerprint}/audit-package`.
pub async fn artifact(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(path): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    super::Nav::of(&viewer, &path.0, String::new())?;
    let query = Params(TrailQuery { trail: None });
    let package =
        audit_packages::artifact(State(state), viewer.authed(), Path(path), query).await?;
    Ok(package.into_response())
}

/// `GET /{org}/environments/{env}/audit-package`: its latest snapshots.
pub async fn environment(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(path): Path<(String, String)>,
) -> Result<Response, WebError> {
    super::Nav::of(&viewer, &path.0, String::new())?;
    let query = Params(period_package::PeriodQuery { interval: None });
    let package =
        period_package::environment(State(state), viewer.authed(), Path(path), query).await?;
    Ok(package.into_response())
}
