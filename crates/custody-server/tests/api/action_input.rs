//! Actions as given: what is refused (and changes nothing), numbering,
//! updates and deletion.

use serde_json::{Value, json};

use crate::actions::{quiet, setup};
use crate::harness::{ok, start_with};
use custody_store::testing::TestDatabase;

#[tokio::test(flavor = "multi_thread")]
async fn bad_actions_are_refused_and_change_nothing() {
    let db = TestDatabase::sqlite();
    let srv = start_with(&db, quiet).await;
    setup(&srv).await;
    let hook = "http://127.0.0.1:9/hook";
    let env = |patch: Value| {
        let mut body = json!({"name": "a", "environments": ["prod"], "triggers": ["ON_STARTED_ARTIFACT"],
            "targets": [{"type": "WEBHOOK", "webhook": hook}]});
        body.as_object_mut()
            .unwrap()
            .extend(patch.as_object().unwrap().clone());
        body
    };
    for (patch, status, why) in [
        (
            json!({"name": "-a"}),
            400,
            "Input payload validation failed",
        ),
        (json!({"type": "flow"}), 400, "'flow' is not 'env'"),
        (
            json!({"environments": []}),
            400,
            "between 1 and 100 environments",
        ),
        (
            json!({"environments": ["nowhere"]}),
            404,
            "Environment named 'nowhere' does not exist",
        ),
        (
            json!({"triggers": ["ON_STARTED_TRAIL"]}),
            400,
            "not a trigger of env actions",
        ),
        (json!({"triggers": ["ON_RELEASE"]}), 400, "not supported"),
        (json!({"triggers": []}), 400, "at least one trigger"),
        (json!({"targets": []}), 400, "between 1 and 10 targets"),
        (
            json!({"targets": [{"type": "EMAIL", "emails": ["a@b.c"]}]}),
            400,
            "EMAIL targets are not supported",
        ),
        (
            json!({"targets": [{"type": "SLACK", "webhook": hook, "context": {"channel_id": "C", "channel_name": "c", "team_id": "T"}}]}),
            400,
            "Slack app channels",
        ),
        (
            json!({"targets": [{"type": "WEBHOOK", "webhook": hook, "payload_version": "2.0"}]}),
            400,
            "'2.0' is not '1.0'",
        ),
        (
            json!({"targets": [{"type": "PAGER", "webhook": hook}]}),
            400,
            "not a target type",
        ),
        (
            json!({"targets": [{"type": "WEBHOOK"}]}),
            400,
            "needs a 'webhook'",
        ),
        (json!({"colour": "red"}), 400, "unknown field"),
    ] {
        let reply = srv
            .member
            .put("actions/acme/environments", env(patch.clone()))
            .await;
        let status_of = match &reply {
            Ok((s, _)) | Err((s, _)) => *s,
        };
        assert_eq!(status_of, status, "{patch}: {reply:?}");
        assert!(format!("{reply:?}").contains(why), "{patch}: {reply:?}");
    }
    let flows = json!({"name": "f", "flows": ["nowhere"], "triggers": ["ON_STARTED_TRAIL"],
        "targets": [{"webhook": hook}]});
    assert!(matches!(
        srv.member.put("actions/acme/flows", flows).await,
        Err((404, _))
    ));
    assert_eq!(srv.reader.json("actions/acme").await, json!([]));
    for path in [
        "actions/acme/1",
        "actions/acme/x",
        "actions/acme/-1",
        "actions/acme/99999999999999999999",
    ] {
        assert!(
            matches!(srv.reader.get(path).await, Err((404, _))),
            "{path}"
        );
    }

    // An update keeps the number and the target's record; a deleted number is not reused.
    let first = ok(
        srv.member
            .put("actions/acme/environments", env(json!({})))
            .await,
        201,
    );
    let again = ok(
        srv.member
            .put(
                "actions/acme/environments",
                env(json!({"triggers": ["ON_EXITED_ARTIFACT"]})),
            )
            .await,
        200,
    );
    assert_eq!(
        (first["number"].clone(), again["triggers"].clone()),
        (json!(1), json!(["ON_EXITED_ARTIFACT"]))
    );
    ok(srv.member.delete("actions/acme/1").await, 200);
    assert!(matches!(
        srv.reader.get("actions/acme/1").await,
        Err((404, _))
    ));
    let next = ok(
        srv.member
            .put("actions/acme/environments", env(json!({})))
            .await,
        201,
    );
    assert_eq!(next["number"], 2);
    assert!(matches!(
        srv.other.get("actions/acme/2").await,
        Err((403, _))
    ));
    srv.stop().await;
}
