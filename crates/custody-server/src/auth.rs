//! Authentication and roles. Every request carries `Authorization: Bearer <key>`
//! (or HTTP Basic with the key as user name). Keys are looked up by their SHA-256
//! hash; the key's service account gives the org and the role, and each handler
//! names the permission it needs.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use custody_core::ids::OrgId;
use custody_core::{Role, Timestamp};
use custody_store::Principal;
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::client_address::ClientAddress;
use crate::error::ApiError;
use crate::state::AppState;

/// What a handler needs the caller to be allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Permission {
    /// Read anything in the org.
    Read = 0,
    /// Create environments and report snapshots.
    Report = 1,
    /// Flows, trails, artifacts, attestations and the rest.
    Write = 2,
    /// Service accounts and API keys.
    Admin = 3,
}

impl Permission {
    /// The least role that has this permission.
    pub fn role(self) -> Role {
        match self {
            Permission::Read => Role::Reader,
            Permission::Report => Role::Snapshotter,
            Permission::Write => Role::Member,
            Permission::Admin => Role::Admin,
        }
    }
}

/// Checks a role name, with a message listing the valid ones.
pub fn parse_role(role: &str) -> Result<Role, ApiError> {
    Role::parse(role).map_err(ApiError::bad)
}

/// The SHA-256 hex of a key: the only form in which keys are stored.
pub fn hash_key(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

/// A new key: its public id (shown in lists) and its secret (shown once).
pub fn generate_key() -> (String, String) {
    let mut secret = [0u8; 32];
    let mut id = [0u8; 6];
    rand::rng().fill_bytes(&mut secret);
    rand::rng().fill_bytes(&mut id);
    (hex::encode(id), format!("cust_{}", hex::encode(secret)))
}

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Authed(pub Principal);

/// The org a request is about, once the caller is allowed in it.
#[derive(Debug, Clone)]
pub struct OrgScope {
    pub id: OrgId,
    pub name: String,
    pub service_account: String,
}

impl Authed {
    /// Checks that the key belongs to `org` and its role allows `needed`.
    pub fn scope(&self, org: &str, needed: Permission) -> Result<OrgScope, ApiError> {
        let p = &self.0;
        if p.org_name != org {
            return Err(ApiError::Forbidden(format!(
                "this API key belongs to organization '{}' and cannot access organization '{org}'",
                p.org_name
            )));
        }
        if p.role < needed.role() {
            return Err(ApiError::Forbidden(format!(
                "the '{}' role of service account '{}' does not allow this; it needs at least the {} role",
                p.role,
                p.service_account,
                needed.role()
            )));
        }
        Ok(OrgScope {
            id: p.org_id,
            name: p.org_name.clone(),
            service_account: p.service_account.clone(),
        })
    }
}

fn bearer(parts: &Parts) -> Option<String> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    if let Some(token) = value.strip_prefix("Bearer ") {
        return Some(token.trim().to_string());
    }
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = decode_base64(encoded.trim())?;
    let text = String::from_utf8(decoded).ok()?;
    Some(text.split(':').next()?.to_string())
}

/// Standard base64 (for HTTP Basic), without a dependency for a dozen lines.
fn decode_base64(text: &str) -> Option<Vec<u8>> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter(|c| *c != b'=') {
        let v = ALPHABET.iter().position(|a| *a == c)? as u32;
        buffer = (buffer << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = bearer(parts).filter(|t| !t.is_empty()).ok_or_else(|| {
            ApiError::Unauthorized(
                "missing API key: send 'Authorization: Bearer <key>' (custody --api-token or CUSTODY_API_TOKEN)"
                    .into(),
            )
        })?;
        let Ok(ClientAddress(address)) = ClientAddress::from_request_parts(parts, state).await;
        let now = Timestamp::now();
        let blocked = match address {
            Some(address) => state.auth_throttle.blocked(address, now).await?,
            None => None,
        };
        if let Some(wait) = blocked {
            let seconds = wait.as_secs().max(1);
            return Err(ApiError::TooManyRequests(
                format!(
                    "too many requests with unknown API keys from this address: retry in {seconds} s"
                ),
                seconds,
            ));
        }
        let principal = state
            .store
            .principal(&hash_key(&token), state.now())
            .await?;
        let Some(principal) = principal else {
            if let Some(address) = address {
                state.auth_throttle.failed(address, now).await?;
            }
            return Err(ApiError::Unauthorized(
                "the API key is unknown, revoked or expired".into(),
            ));
        };
        Ok(Authed(principal))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_basic_auth() {
        assert_eq!(decode_base64("a2V5Og==").unwrap(), b"key:");
    }

    #[test]
    fn keys_are_random_and_hashed() {
        let (id1, k1) = generate_key();
        let (id2, k2) = generate_key();
        assert_ne!((id1, &k1), (id2, &k2));
        assert_eq!(hash_key(&k1).len(), 64);
        assert_ne!(hash_key(&k1), k1);
    }

    #[test]
    fn each_permission_needs_the_roles_above_it() {
        assert_eq!(Permission::Report.role(), Role::Snapshotter);
        assert!(Role::Snapshotter < Permission::Write.role());
        assert!(Permission::Admin.role() > Permission::Write.role());
        assert!(parse_role("owner").is_err());
    }
}
