//! Signing in and out: `/` shows the sign-in form (or sends a signed-in viewer
//! to their flows), `POST /sign-in` trades an API key for a session cookie,
//! `POST /sign-out` ends it. Failed sign-ins count towards the same
//! per-address limit as failed API calls.

use askama::Template;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::header::{HOST, LOCATION, ORIGIN, SET_COOKIE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use custody_core::Timestamp;
use serde::Deserialize;

use super::session::{self, RequestMeta, Viewer};
use super::{PageResult, WebError, render};
use crate::auth::hash_key;
use crate::state::AppState;

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    next: String,
    error: String,
}

#[derive(Debug, Deserialize)]
pub struct Next {
    #[serde(default)]
    next: String,
}

/// Only paths on this site are followed after signing in.
fn local(next: &str) -> Option<&str> {
    (next.starts_with('/') && !next.starts_with("//") && !next.contains('\\')).then_some(next)
}

fn redirect(to: &str, cookie: Option<String>) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(to) {
        headers.insert(LOCATION, value);
    }
    if let Some(cookie) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        headers.insert(SET_COOKIE, cookie);
    }
    response
}

/// `GET /`.
pub async fn page(
    State(state): State<AppState>,
    meta: RequestMeta,
    Query(q): Query<Next>,
) -> PageResult {
    if let Some(viewer) = session::viewer(&meta.headers, &state).await {
        let to = local(&q.next).map_or_else(|| format!("/{}/flows/", viewer.org()), String::from);
        return Ok(redirect(&to, None));
    }
    render(SignInPage {
        next: q.next,
        error: String::new(),
    })
}

/// A form posted from another site is refused, whatever it carries.
fn same_origin(headers: &HeaderMap) -> Result<(), WebError> {
    let Some(origin) = headers.get(ORIGIN).and_then(|o| o.to_str().ok()) else {
        return Ok(());
    };
    let host = headers.get(HOST).and_then(|h| h.to_str().ok());
    let origin_host = origin.split_once("://").map(|(_, h)| h);
    if origin_host.is_some() && origin_host == host {
        return Ok(());
    }
    Err(WebError {
        status: StatusCode::FORBIDDEN,
        message: "This form was sent from another site, so it was refused.".into(),
    })
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    key: String,
    #[serde(default)]
    next: String,
}

/// `POST /sign-in`.
pub async fn sign_in(
    State(state): State<AppState>,
    meta: RequestMeta,
    Form(form): Form<SignInForm>,
) -> PageResult {
    same_origin(&meta.headers)?;
    let address = meta.address;
    let refuse = |status: StatusCode, error: String, next: String| -> PageResult {
        let mut response = render(SignInPage { next, error })?;
        *response.status_mut() = status;
        Ok(response)
    };
    let now = Timestamp::now();
    let blocked = match address {
        Some(address) => state.auth_throttle.blocked(address, now).await?,
        None => None,
    };
    if blocked.is_some() {
        return refuse(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many unknown keys from this address: wait a minute and try again.".into(),
            form.next,
        );
    }
    let hash = hash_key(form.key.trim());
    let principal = state.store.principal(&hash, state.now()).await?;
    let Some(principal) = principal else {
        if let Some(address) = address {
            state.auth_throttle.failed(address, now).await?;
        }
        return refuse(
            StatusCode::UNAUTHORIZED,
            "That API key is unknown, revoked or expired.".into(),
            form.next,
        );
    };
    let mut expires = state.now() + session::LIFETIME_SECONDS;
    if let Some(key_expiry) = principal.expires_at {
        expires = expires.min(key_expiry);
    }
    let cookie = session::set_cookie(&session::issue(&state, &hash, expires));
    let to =
        local(&form.next).map_or_else(|| format!("/{}/flows/", principal.org_name), String::from);
    Ok(redirect(&to, Some(cookie)))
}

#[derive(Debug, Deserialize)]
pub struct SignOutForm {
    #[serde(default)]
    csrf: String,
}

/// `POST /sign-out`.
pub async fn sign_out(
    meta: RequestMeta,
    viewer: Viewer,
    Form(form): Form<SignOutForm>,
) -> PageResult {
    same_origin(&meta.headers)?;
    if !session::csrf_matches(&viewer, &form.csrf) {
        return Err(WebError {
            status: StatusCode::FORBIDDEN,
            message: "This form has expired: reload the page and try again.".into(),
        });
    }
    Ok(redirect("/", Some(session::clear_cookie())))
}

#[cfg(test)]
mod tests {
    use super::local;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(local("/acme/flows/"), Some("/acme/flows/"));
        assert_eq!(local("//evil.example/x"), None);
        assert_eq!(local("https://evil.example"), None);
        assert_eq!(local("/\\evil.example"), None);
        assert_eq!(local(""), None);
    }
}
