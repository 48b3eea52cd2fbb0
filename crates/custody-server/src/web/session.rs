//! Browser sessions. Signing in with an API key sets a cookie holding the
//! key's SHA-256 and an expiry, authenticated with HMAC-SHA256 under a key
//! derived from the server's signing key (so sessions survive restarts).
//! Every request resolves the key again, so revoking or expiring the key ends
//! its sessions. Forms that change something carry a CSRF token derived from
//! the session, and browsers send the cookie only to this site
//! (`SameSite=Strict`).

use std::net::IpAddr;

use axum::extract::FromRequestParts;
use axum::http::header::{COOKIE, LOCATION};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use custody_core::Timestamp;
use custody_store::Principal;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use crate::auth::Authed;
use crate::client_address::ClientAddress;
use crate::state::AppState;

pub const COOKIE_NAME: &str = "custody_session";
/// How long a session lasts: a working day.
pub const LIFETIME_SECONDS: f64 = 12.0 * 3600.0;

fn session_key(state: &AppState) -> [u8; 32] {
    let mut hash = Sha256::new();
    hash.update(b"custody web session v1");
    hash.update(state.signing_key.to_bytes());
    hash.finalize().into()
}

/// The MAC of `payload` for one purpose, before it is finished or checked.
fn keyed(state: &AppState, purpose: &str, payload: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(&session_key(state)).expect("any key length");
    mac.update(purpose.as_bytes());
    mac.update(b"|");
    mac.update(payload.as_bytes());
    mac
}

fn mac(state: &AppState, purpose: &str, payload: &str) -> Vec<u8> {
    keyed(state, purpose, payload)
        .finalize()
        .into_bytes()
        .to_vec()
}

/// The cookie value for a key hash, valid until `expires`.
pub fn issue(state: &AppState, key_hash: &str, expires: Timestamp) -> String {
    let payload = format!("{key_hash}|{}", expires.whole_seconds());
    format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(&payload),
        URL_SAFE_NO_PAD.encode(mac(state, "session", &payload))
    )
}

/// The key hash of a genuine, unexpired cookie value.
fn verify(state: &AppState, value: &str) -> Option<String> {
    let (payload, tag) = value.split_once('.')?;
    let payload = String::from_utf8(URL_SAFE_NO_PAD.decode(payload).ok()?).ok()?;
    let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
    keyed(state, "session", &payload).verify_slice(&tag).ok()?;
    let (hash, expires) = payload.split_once('|')?;
    let expires = Timestamp::from_seconds(expires.parse().ok()?);
    (expires > state.now()).then(|| hash.to_string())
}

/// The `Set-Cookie` value that starts a session.
pub fn set_cookie(value: &str) -> String {
    format!(
        "{COOKIE_NAME}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}",
        LIFETIME_SECONDS as i64
    )
}

/// The `Set-Cookie` value that ends one.
pub fn clear_cookie() -> String {
    format!("{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
}

fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE_NAME)
        .map(|(_, value)| value.to_string())
}

/// A signed-in viewer: the key's principal and the session's CSRF token.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub principal: Principal,
    pub csrf: String,
}

impl Viewer {
    /// The viewer as an API caller, to build the same documents the API serves.
    pub fn authed(&self) -> Authed {
        Authed(self.principal.clone())
    }

    pub fn org(&self) -> &str {
        &self.principal.org_name
    }
}

/// A redirect to the sign-in page, coming back to `next` afterwards.
pub fn to_sign_in(next: &str) -> Response {
    let target = format!("/?next={}", super::format::url_encode(next));
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(&target) {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

/// The viewer of a request with a valid session, if any.
pub async fn viewer(headers: &HeaderMap, state: &AppState) -> Option<Viewer> {
    let value = cookie(headers)?;
    let hash = verify(state, &value)?;
    let principal = state.store.principal(&hash, state.now()).await.ok()??;
    let csrf = URL_SAFE_NO_PAD.encode(mac(state, "csrf", &value));
    Some(Viewer { principal, csrf })
}

/// Whether a form's CSRF token belongs to the request's session.
pub fn csrf_matches(viewer: &Viewer, token: &str) -> bool {
    let (a, b) = (viewer.csrf.as_bytes(), token.as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// What a form handler needs of its request besides the body: the headers
/// (cookie, origin) and the client's address (for the failed sign-in limit).
pub struct RequestMeta {
    pub headers: HeaderMap,
    pub address: Option<IpAddr>,
}

impl FromRequestParts<AppState> for RequestMeta {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Ok(ClientAddress(address)) = ClientAddress::from_request_parts(parts, state).await;
        Ok(RequestMeta {
            headers: parts.headers.clone(),
            address,
        })
    }
}

impl FromRequestParts<AppState> for Viewer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match viewer(&parts.headers, state).await {
            Some(viewer) => Ok(viewer),
            None => Err(to_sign_in(
                parts.uri.path_and_query().map_or("/", |p| p.as_str()),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use custody_store::SqlStore;
    use std::sync::Arc;

    async fn state() -> AppState {
        let store = SqlStore::connect("sqlite::memory:").await.unwrap();
        AppState::new(Arc::new(store))
    }

    #[tokio::test]
    async fn a_cookie_reads_back_until_it_expires_and_only_unaltered() {
        let state = state().await;
        state.clock.replay_at(Timestamp::from_seconds(1000.0));
        let value = issue(&state, "abc", Timestamp::from_seconds(2000.0));
        assert_eq!(verify(&state, &value).as_deref(), Some("abc"));
        let (payload, tag) = value.split_once('.').unwrap();
        let forged = format!("{}.{tag}", URL_SAFE_NO_PAD.encode("other|2000"));
        assert_eq!(verify(&state, &forged), None);
        assert_eq!(verify(&state, &format!("{payload}.AAAA")), None);
        assert_eq!(verify(&state, "garbage"), None);
        state.clock.replay_at(Timestamp::from_seconds(2000.0));
        assert_eq!(verify(&state, &value), None);
    }

    #[tokio::test]
    async fn another_server_key_refuses_the_cookie() {
        let (a, b) = (state().await, state().await);
        let value = issue(&a, "abc", Timestamp::from_seconds(f64::MAX));
        assert!(verify(&a, &value).is_some());
        assert_eq!(verify(&b, &value), None);
    }
}
