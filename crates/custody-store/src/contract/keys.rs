//! Orgs, service accounts and API keys.

use super::at;
use crate::Store;
use custody_core::Role;

pub async fn orgs_and_keys(store: &dyn Store) {
    let org = store.create_org("keys-org", at(1.0)).await.unwrap();
    let other = store.create_org("keys-other", at(1.0)).await.unwrap();
    assert!(
        store.create_org("keys-org", at(2.0)).await.is_err(),
        "org names are unique"
    );
    let sa = store
        .create_service_account(org.id, "ci", Some("CI"), Role::Member, at(1.0))
        .await
        .unwrap();
    store
        .create_api_key(sa.id, "k1", "hash-1", "first", at(1.0), None)
        .await
        .unwrap();
    store
        .create_api_key(sa.id, "k2", "hash-2", "expiring", at(1.0), Some(at(50.0)))
        .await
        .unwrap();
    let p = store
        .principal("hash-1", at(100.0))
        .await
        .unwrap()
        .expect("key found by hash");
    assert_eq!(
        (p.org_name.as_str(), p.role.as_str()),
        ("keys-org", "member")
    );
    assert!(
        store
            .principal("hash-2", at(100.0))
            .await
            .unwrap()
            .is_none(),
        "expired keys are refused"
    );
    assert!(store.principal("hash-2", at(10.0)).await.unwrap().is_some());
    assert!(
        store
            .service_account(other.id, "ci")
            .await
            .unwrap()
            .is_none(),
        "accounts belong to one org"
    );
    store
        .update_service_account(sa.id, None, Some(Role::Reader), at(40.0))
        .await
        .unwrap();
    let p = store.principal("hash-1", at(1.0)).await.unwrap().unwrap();
    assert_eq!(p.role, Role::Reader, "role changes apply to existing keys");
    assert!(
        store
            .set_api_key_expiry(sa.id, "k1", Some(at(5.0)), at(41.0))
            .await
            .unwrap()
    );
    assert!(store.principal("hash-1", at(6.0)).await.unwrap().is_none());
    assert!(store.delete_api_key(sa.id, "k2", at(42.0)).await.unwrap());
    assert_eq!(store.api_keys(sa.id).await.unwrap().len(), 1);
    let listed: Vec<(String, String)> = store
        .org_api_keys(org.id)
        .await
        .unwrap()
        .into_iter()
        .map(|k| (k.account, k.public_id))
        .collect();
    assert_eq!(listed, [("ci".to_string(), "k1".to_string())]);
    assert!(
        store.org_api_keys(other.id).await.unwrap().is_empty(),
        "keys stay in their org"
    );
    store.delete_service_account(sa.id, at(43.0)).await.unwrap();
    assert!(store.service_accounts(org.id).await.unwrap().is_empty());
}
