//! Flows and trails.

use super::at;
use crate::{FlowUpsert, Page, Store, TrailUpsert};

pub async fn flows_and_trails(store: &dyn Store) {
    let org = store.create_org("flows-org", at(1.0)).await.unwrap();
    let flow = |name: &str| FlowUpsert {
        name: name.into(),
        description: format!("{name} flow"),
        visibility: "private".into(),
        template: Some("version: 1\n".into()),
    };
    let (runner, created) = store
        .upsert_flow(org.id, &flow("runner"), at(1.0))
        .await
        .unwrap();
    assert!(created);
    let (_, created) = store
        .upsert_flow(org.id, &flow("runner"), at(2.0))
        .await
        .unwrap();
    assert!(!created, "a second create updates");
    store
        .upsert_flow(org.id, &flow("Differ"), at(1.0))
        .await
        .unwrap();
    let (all, total) = store.flows(org.id, None, true, None).await.unwrap();
    assert_eq!((all.len(), total), (2, 2));
    let (found, _) = store.flows(org.id, Some("iff"), true, None).await.unwrap();
    assert_eq!(found.len(), 1);
    let (found, _) = store.flows(org.id, Some("DIFF"), true, None).await.unwrap();
    assert!(found.is_empty(), "case-sensitive search");
    let (found, _) = store
        .flows(org.id, Some("DIFF"), false, None)
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "case-insensitive search");
    let (paged, total) = store
        .flows(
            org.id,
            None,
            true,
            Some(Page {
                page: 2,
                per_page: 1,
            }),
        )
        .await
        .unwrap();
    assert_eq!((paged[0].name.as_str(), total), ("runner", 2));
    store.archive_flow(runner.id, at(3.0)).await.unwrap();
    assert_eq!(
        store.flows(org.id, None, true, None).await.unwrap().1,
        1,
        "archived flows are not listed"
    );

    let begin = TrailUpsert {
        name: "t1".into(),
        description: Some("first".into()),
        ..TrailUpsert::default()
    };
    let (trail, created) = store
        .upsert_trail(runner.id, &begin, at(5.0))
        .await
        .unwrap();
    assert!(created && trail.description == "first");
    let update = TrailUpsert {
        name: "t1".into(),
        origin_url: Some("https://ci/1".into()),
        ..TrailUpsert::default()
    };
    let (trail, created) = store
        .upsert_trail(runner.id, &update, at(6.0))
        .await
        .unwrap();
    assert!(!created);
    assert_eq!(
        trail.description, "first",
        "omitted fields are kept on update"
    );
    assert_eq!(trail.origin_url.as_deref(), Some("https://ci/1"));
    let kinds: Vec<String> = store
        .trail_events(trail.id)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds, ["trail_reported", "trail_updated"]);
    let page = Page {
        page: 1,
        per_page: 10,
    };
    let (trails, total) = store
        .trails(org.id, Some(&[runner.id]), None, page)
        .await
        .unwrap();
    assert_eq!((trails.len(), total), (1, 1));
    let (none, total) = store.trails(org.id, Some(&[]), None, page).await.unwrap();
    assert_eq!((none.len(), total), (0, 0), "no flows, no trails");
    let newer = TrailUpsert {
        name: "t0".into(),
        ..TrailUpsert::default()
    };
    store
        .upsert_trail(runner.id, &newer, at(7.0))
        .await
        .unwrap();
    let latest: Vec<(String, String)> = store
        .latest_trails(org.id)
        .await
        .unwrap()
        .into_iter()
        .map(|t| (t.flow_name, t.name))
        .collect();
    assert_eq!(
        latest,
        [("runner".to_string(), "t0".to_string())],
        "the newest trail by creation, and none for a flow without trails"
    );
}
