//! Actions are numbered per org and keep a kept target's record; facts reach
//! the outbox only while the org has an action; claims lease rows, an event
//! is dispatched once, and delivery outcomes land on the target.

use custody_core::EnvironmentType;
use custody_core::report::normalise;

use super::{at, fp, instance};
use crate::{ActionInsert, DeliveryInsert, DeliveryOutcome, EnvironmentUpsert, Store, TargetSpec};

fn action(name: &str, webhooks: &[&str]) -> ActionInsert {
    ActionInsert {
        name: name.into(),
        kind: "env".into(),
        scope: r#"["prod"]"#.into(),
        triggers: r#"["ON_STARTED_ARTIFACT"]"#.into(),
        targets: webhooks
            .iter()
            .map(|w| TargetSpec {
                kind: "WEBHOOK".into(),
                webhook: (*w).into(),
                payload_version: Some("1.0".into()),
            })
            .collect(),
    }
}

pub async fn actions_deliver_from_the_outbox_once(store: &dyn Store) {
    let org = store.create_org("action-org", at(1.0)).await.unwrap();
    let upsert = EnvironmentUpsert {
        name: "prod".into(),
        kind: EnvironmentType::K8s,
        description: String::new(),
        include_scaling: true,
    };
    let (env, _) = store
        .upsert_environment(org.id, &upsert, at(1.0))
        .await
        .unwrap();
    let report = |t: f64, replicas: usize| {
        let running = normalise(&vec![instance(&fp('a'), 1); replicas]).unwrap();
        store.record_report(env.id, EnvironmentType::K8s, at(t), running)
    };
    report(2.0, 1).await.unwrap();
    let (now, lease) = (at(100.0), at(160.0));
    let none = store.claim_events(now, lease, 10).await.unwrap();
    assert!(none.is_empty(), "no action, no outbox");

    let (first, created) = store
        .put_action(org.id, &action("a", &["https://x/1"]), at(3.0))
        .await
        .unwrap();
    assert_eq!((first.number, created), (1, true));
    let (second, _) = store
        .put_action(org.id, &action("b", &["https://x/2"]), at(3.0))
        .await
        .unwrap();
    assert_eq!(second.number, 2);
    assert!(store.delete_action(org.id, 2, at(4.0)).await.unwrap());
    assert!(!store.delete_action(org.id, 2, at(4.0)).await.unwrap());
    let (third, _) = store
        .put_action(org.id, &action("b", &["https://x/2"]), at(4.0))
        .await
        .unwrap();
    assert_eq!(third.number, 3, "a deleted number is not reused");

    report(5.0, 2).await.unwrap();
    let events = store.claim_events(now, lease, 10).await.unwrap();
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(
        (
            e.kind.as_str(),
            e.idx,
            e.env_name.as_deref(),
            e.org_name.as_str()
        ),
        ("snapshot", Some(2), Some("prod"), "action-org")
    );
    assert!(
        store.claim_events(now, lease, 10).await.unwrap().is_empty(),
        "leased"
    );
    let again = store.claim_events(at(161.0), at(220.0), 10).await.unwrap();
    assert_eq!(again.len(), 1, "a lease that ran out is claimed again");

    let targets = store.action_targets(&[first.id]).await.unwrap();
    let delivery = DeliveryInsert {
        target_id: targets[0].id,
        public_id: "d1".into(),
        body: "{}".into(),
    };
    assert!(
        store
            .dispatch_event(e.id, std::slice::from_ref(&delivery), now)
            .await
            .unwrap()
    );
    assert!(
        !store.dispatch_event(e.id, &[delivery], now).await.unwrap(),
        "dispatched once"
    );
    assert!(
        store
            .claim_events(at(300.0), at(360.0), 10)
            .await
            .unwrap()
            .is_empty()
    );

    let due = store.claim_deliveries(now, lease, 10).await.unwrap();
    assert_eq!(
        (due.len(), due[0].attempts, due[0].webhook.as_str()),
        (1, 1, "https://x/1")
    );
    assert!(
        store
            .claim_deliveries(now, lease, 10)
            .await
            .unwrap()
            .is_empty(),
        "leased"
    );
    let failed = DeliveryOutcome::Failed {
        error: "the webhook answered 500".into(),
        retry_at: Some(at(200.0)),
    };
    store
        .finish_delivery(due[0].id, &failed, at(101.0))
        .await
        .unwrap();
    assert!(
        store
            .claim_deliveries(at(150.0), at(210.0), 10)
            .await
            .unwrap()
            .is_empty(),
        "not due yet"
    );
    let due = store
        .claim_deliveries(at(200.0), at(260.0), 10)
        .await
        .unwrap();
    assert_eq!(due[0].attempts, 2);
    store
        .finish_delivery(due[0].id, &DeliveryOutcome::Delivered, at(201.0))
        .await
        .unwrap();
    assert!(
        store
            .claim_deliveries(at(900.0), at(960.0), 10)
            .await
            .unwrap()
            .is_empty(),
        "done"
    );

    // Replacing the targets keeps the one still named, with its record.
    store
        .put_action(
            org.id,
            &action("a", &["https://x/3", "https://x/1"]),
            at(6.0),
        )
        .await
        .unwrap();
    let targets = store.action_targets(&[first.id]).await.unwrap();
    let hooks: Vec<&str> = targets.iter().map(|t| t.webhook.as_str()).collect();
    assert_eq!(hooks, ["https://x/3", "https://x/1"]);
    let kept = &targets[1];
    assert_eq!(
        (kept.last_success_at, kept.last_failure_at),
        (Some(at(201.0)), Some(at(101.0)))
    );
    assert!(!kept.is_failing());
    assert_eq!(store.actions(org.id).await.unwrap().len(), 2);

    // Finished deliveries and their events are forgotten after a while.
    assert_eq!(
        store.prune_outbox(at(201.0)).await.unwrap(),
        0,
        "nothing finished before"
    );
    assert_eq!(store.prune_outbox(at(1000.0)).await.unwrap(), 2);
    assert!(
        store
            .claim_events(at(2000.0), at(2060.0), 10)
            .await
            .unwrap()
            .is_empty()
    );
}
