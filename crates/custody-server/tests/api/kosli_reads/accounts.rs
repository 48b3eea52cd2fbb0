//! `kosli status`, `kosli get|list service-account(s)` and
//! `kosli get|list|create|rotate api-key(s)`.

use serde_json::json;

use super::CONTENT_TYPE;
use super::checker::{Audit, cut};
use super::kind::Kind::*;
use super::org::Org;
use crate::harness::{TestServer, ok};

pub async fn accounts(srv: &TestServer, org: &Org, audit: &mut Audit) {
    let r = &srv.reader;

    // status.go: `GET {host}/ready`, any 200/201 body.
    let ready = reqwest::Client::new()
        .get(format!("{}/ready", srv.base))
        .header(reqwest::header::CONTENT_TYPE, CONTENT_TYPE)
        .bearer_auth(r.token.as_deref().unwrap_or_default())
        .send()
        .await
        .expect("send");
    let status = ready.status().as_u16();
    let body = ready.text().await.unwrap_or_default();
    if status != 200 {
        audit.failures.push(format!(
            "kosli status: (status): expected 200, got {status} {}",
            cut(&body)
        ));
    }

    // getServiceAccount.go / listServiceAccounts.go: `serviceAccount{Name,
    // Description, Privilege string, CreatedAt float64}`.
    let admin = &srv.admin;
    if let Some(mut c) = audit
        .read(
            admin,
            "kosli get service-account ci",
            "service-accounts/acme/ci",
        )
        .await
    {
        c.require_all(&["name", "description", "privilege"], StrOrNull);
        c.require("created_at", NumOrNull);
    }
    if let Some(mut c) = audit
        .read(
            admin,
            "kosli list service-accounts",
            "service-accounts/acme",
        )
        .await
    {
        c.require("", NonEmptyArr);
        c.require_all(&["[].name", "[].description", "[].privilege"], StrOrNull);
        c.require("[].created_at", NumOrNull);
    }

    // getApiKey.go / listApiKeys.go: `apiKeyMetadata{Id, Description string,
    // CreatedAt, ExpiresAt, LastUsedAt float64}`.
    let key_path = format!("service-accounts/acme/ci/api-keys/{}", org.key_id);
    for (command, path, list) in [
        (
            format!("kosli get api-key {} --service-account ci", org.key_id),
            key_path,
            "",
        ),
        (
            "kosli list api-keys --service-account ci".to_string(),
            "service-accounts/acme/ci/api-keys".to_string(),
            "[].",
        ),
    ] {
        let Some(mut c) = audit.read(admin, &command, &path).await else {
            continue;
        };
        if !list.is_empty() {
            c.require("", NonEmptyArr);
        }
        c.require(&format!("{list}id"), Str);
        c.require(&format!("{list}description"), StrOrNull);
        c.require_all(
            &[
                &format!("{list}created_at"),
                &format!("{list}expires_at"),
                &format!("{list}last_used_at"),
            ],
            NumOrNull,
        );
    }

    // createApiKey.go / rotateApiKey.go: `apiKeyResponse{Id, Key, Description
    // string, CreatedAt, ExpiresAt, GracePeriodExpiresAt float64}`.
    let rotated = ok(
        admin
            .post(
                &format!("service-accounts/acme/ci/api-keys/{}/rotate", org.key_id),
                json!({"grace_period_hours": 1}),
            )
            .await,
        201,
    );
    for (command, doc) in [
        (
            "kosli create api-key --service-account ci",
            org.created_key.clone(),
        ),
        ("kosli rotate api-key --service-account ci", rotated),
    ] {
        let mut c = audit.check(command, doc);
        c.require_all(&["id", "key"], Str);
        c.require("description", StrOrNull);
        c.require_all(
            &["created_at", "expires_at", "grace_period_expires_at"],
            NumOrNull,
        );
    }
}
