//! A renamed flow answers to both names until another flow takes the old one;
//! an org's beta switch reads back as set.

use super::at;
use super::flow_upsert as upsert;
use crate::{Store, StoreError};

pub async fn flows_rename_and_beta_switches(store: &dyn Store) {
    let org = store.create_org("renames-org", at(1.0)).await.unwrap();
    assert_eq!(org.beta_enabled, 0, "beta starts off");
    store.set_beta(org.id, true, at(2.0)).await.unwrap();
    let read = store.org("renames-org").await.unwrap().unwrap();
    assert_eq!(read.beta_enabled, 1, "beta switched on");
    store.set_beta(org.id, false, at(3.0)).await.unwrap();
    assert_eq!(
        store
            .org("renames-org")
            .await
            .unwrap()
            .unwrap()
            .beta_enabled,
        0
    );

    let (old, _) = store
        .upsert_flow(org.id, &upsert("old"), at(1.0))
        .await
        .unwrap();
    store
        .upsert_flow(org.id, &upsert("taken"), at(1.0))
        .await
        .unwrap();
    let clash = store.rename_flow(&old, "taken", at(2.0)).await;
    assert!(
        matches!(clash, Err(StoreError::Conflict(_))),
        "a rename onto a live name is refused: {clash:?}"
    );
    store.rename_flow(&old, "new", at(3.0)).await.unwrap();
    let by_new = store.flow(org.id, "new").await.unwrap().expect("new name");
    assert_eq!((by_new.id, by_new.name.as_str()), (old.id, "new"));
    let by_old = store
        .flow(org.id, "old")
        .await
        .unwrap()
        .expect("old name still resolves");
    assert_eq!((by_old.id, by_old.name.as_str()), (old.id, "new"));

    let (fresh, created) = store
        .upsert_flow(org.id, &upsert("old"), at(4.0))
        .await
        .unwrap();
    assert!(created, "the old name is free for a new flow");
    let now_old = store.flow(org.id, "old").await.unwrap().unwrap();
    assert_eq!(now_old.id, fresh.id, "the new flow takes the old name over");

    store.rename_flow(&by_new, "newer", at(5.0)).await.unwrap();
    store.rename_flow(&fresh, "new", at(6.0)).await.unwrap();
    let renamed_onto_alias = store.flow(org.id, "new").await.unwrap().unwrap();
    assert_eq!(
        renamed_onto_alias.id, fresh.id,
        "a rename claims an alias too"
    );
    let other = store.flow(org.id, "renames-org-none").await.unwrap();
    assert!(other.is_none());
}
