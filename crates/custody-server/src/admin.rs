//! Operator actions on the database itself, for bootstrapping: create an org and
//! its first keys. Everything after that goes through the API.

use custody_api::NewApiKey;
use custody_core::Timestamp;
use custody_core::names::{Name, NameKind};
use custody_store::Store;

use crate::auth::parse_role;
use crate::routes::issue_key;

/// Creates an organization.
pub async fn create_org(store: &dyn Store, name: &str, now: Timestamp) -> Result<(), String> {
    Name::parse(NameKind::Org, name).map_err(|e| e.to_string())?;
    store
        .create_org(name, now)
        .await
        .map_err(|e| e.to_string())?;
    Ok(())
}

/// Creates an API key with a role in an org, under a service account named
/// `account` (created with that role when missing).
pub async fn create_api_key(
    store: &dyn Store,
    org: &str,
    role: &str,
    account: &str,
    now: Timestamp,
) -> Result<NewApiKey, String> {
    let role = parse_role(role).map_err(|e| e.to_string())?;
    Name::parse(NameKind::ServiceAccount, account).map_err(|e| e.to_string())?;
    let org_row = store
        .org(org)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("organization '{org}' does not exist: create it with `custody admin create-org {org}`"))?;
    let sa = match store
        .service_account(org_row.id, account)
        .await
        .map_err(|e| e.to_string())?
    {
        Some(sa) if sa.role != role => {
            return Err(format!(
                "service account '{account}' already exists with role {}; choose another --service-account name",
                sa.role
            ));
        }
        Some(sa) => sa,
        None => store
            .create_service_account(
                org_row.id,
                account,
                Some("created by custody admin"),
                role,
                now,
            )
            .await
            .map_err(|e| e.to_string())?,
    };
    issue_key(store, sa.id, &format!("{role} key"), now, None)
        .await
        .map_err(|e| e.to_string())
}
