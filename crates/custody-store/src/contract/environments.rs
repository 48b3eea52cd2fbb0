//! Environment lifecycle: archive, rename, and logical environments' members.

use super::{at, fp, instance};
use crate::{EnvironmentUpsert, Store, StoreError};
use custody_core::EnvironmentType;
use custody_core::ids::EnvironmentId;
use custody_core::report::normalise;

fn upsert(name: &str, kind: EnvironmentType) -> EnvironmentUpsert {
    EnvironmentUpsert {
        name: name.into(),
        kind,
        description: String::new(),
        include_scaling: true,
    }
}

pub async fn environments_archive_rename_and_join(store: &dyn Store) {
    let org = store.create_org("env-admin-org", at(1.0)).await.unwrap();
    let mut ids = Vec::new();
    for (name, kind) in [
        ("blue", EnvironmentType::K8s),
        ("green", EnvironmentType::Docker),
        ("all", EnvironmentType::Logical),
    ] {
        let (row, _) = store
            .upsert_environment(org.id, &upsert(name, kind), at(1.0))
            .await
            .unwrap();
        ids.push(row.id);
    }
    let (blue, green, all) = (ids[0], ids[1], ids[2]);
    let names = |rows: Vec<crate::EnvironmentRow>| -> Vec<String> {
        rows.into_iter().map(|r| r.name).collect()
    };

    store
        .set_environment_members(all, &[blue], at(20.0))
        .await
        .unwrap();
    store.join_environment(all, green, at(21.0)).await.unwrap();
    store.join_environment(all, green, at(21.0)).await.unwrap();
    let members = store.environment_members(all).await.unwrap();
    assert_eq!(names(members), ["blue", "green"], "join adds members once");
    store
        .set_environment_members(all, &[green], at(22.0))
        .await
        .unwrap();
    let members = store.environment_members(all).await.unwrap();
    assert_eq!(names(members), ["green"], "setting members replaces them");

    let running = normalise(&[
        instance(&fp('a'), 1),
        instance(&fp('a'), 2),
        instance(&fp('b'), 3),
    ])
    .unwrap();
    store
        .record_report(blue, custody_core::EnvironmentType::K8s, at(5.0), running)
        .await
        .unwrap();
    let elsewhere = normalise(&[instance(&fp('c'), 4)]).unwrap();
    store
        .record_report(green, EnvironmentType::Docker, at(5.0), elsewhere)
        .await
        .unwrap();
    let running = |envs: Vec<EnvironmentId>| async move {
        let runs = store.open_runs(&envs).await.unwrap();
        runs.into_iter()
            .map(|r| (r.env_id, r.fingerprint.to_string(), r.replicas))
            .collect::<Vec<(EnvironmentId, String, i64)>>()
    };
    assert_eq!(
        running(vec![blue, all]).await,
        [(blue, fp('a'), 2), (blue, fp('b'), 1)],
        "two artifacts, three instances, only in the environments asked about"
    );
    assert_eq!(
        running(vec![green, blue]).await,
        [(blue, fp('a'), 2), (blue, fp('b'), 1), (green, fp('c'), 1)],
        "by environment"
    );
    store
        .rename_environment(blue, "navy", at(6.0))
        .await
        .unwrap();
    assert!(store.environment(org.id, "blue").await.unwrap().is_none());
    let navy = store.environment(org.id, "navy").await.unwrap().unwrap();
    assert_eq!(
        (navy.id, navy.latest_index),
        (blue, 1),
        "a rename keeps the snapshots"
    );
    assert!(
        matches!(
            store.rename_environment(navy.id, "green", at(7.0)).await,
            Err(StoreError::Conflict(_))
        ),
        "renaming onto a taken name is a conflict"
    );

    store.archive_environment(green, at(8.0)).await.unwrap();
    let (listed, total) = store.environments(org.id, None).await.unwrap();
    assert_eq!(
        names(listed),
        ["all", "navy"],
        "archived environments are hidden"
    );
    assert_eq!(total, 2);
    let archived = store.environment(org.id, "green").await.unwrap().unwrap();
    assert_eq!(
        archived.archived, 1,
        "an archived environment still resolves"
    );
    let (row, created) = store
        .upsert_environment(org.id, &upsert("green", EnvironmentType::Docker), at(9.0))
        .await
        .unwrap();
    assert_eq!(
        (row.archived, created),
        (0, false),
        "re-creating un-archives"
    );
}
