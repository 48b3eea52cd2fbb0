//! `kosli get|assert|list|diff snapshot(s)` and `kosli log environment`.

use super::BETWEEN;
use super::checker::Audit;
use super::kind::Kind::*;
use super::org::Org;
use crate::harness::TestServer;

pub async fn snapshots(srv: &TestServer, org: &Org, audit: &mut Audit) {
    let r = &srv.reader;
    let (first, second) = (org.first, org.second);

    // getSnapshot.go: decoded into the `Snapshot` struct (`Index int`,
    // `Artifacts []Artifact{CreationTimestamp []int64, Annotation{Was, Now int},
    // Pods map[string]PodContent}`), then `if snapshot.Type == ""`,
    // `artifact.CreationTimestamp[0]` and `artifact.GitCommit[:7]`.
    let snapshot_ids = [
        ("prod", "-1".to_string()),
        ("prod", "~1".to_string()),
        ("prod", format!("#{first}")),
        ("prod", format!("@{{{BETWEEN}}}")),
        ("ecs", "-1".to_string()),
    ];
    for (env, id) in &snapshot_ids {
        let expr = if id == "-1" {
            env.to_string()
        } else {
            format!("{env}{id}")
        };
        let command = format!("kosli get snapshot {expr}");
        let Some(mut c) = audit
            .read(r, &command, &format!("snapshots/acme/{env}/{id}"))
            .await
        else {
            continue;
        };
        c.require("index", Int);
        c.require("timestamp", Num);
        c.require("type", NonEmptyStr);
        c.require_all(&["user_id", "user_name"], StrOrNull);
        c.require("compliant", BoolOrNull);
        c.require("artifacts", NonEmptyArr);
        c.require_all(
            &[
                "artifacts[].name",
                "artifacts[].flow_name",
                "artifacts[].fingerprint",
                "artifacts[].commit_url",
            ],
            StrOrNull,
        );
        c.require("artifacts[].compliant", BoolOrNull);
        c.require("artifacts[].git_commit", ShaOrEmpty);
        // `Deployments []int`: Custody always sends `[]`, so only the container is checked.
        c.require("artifacts[].deployments", ArrOrNull);
        c.require("artifacts[].creationTimestamp", ArrOrNull);
        c.require("artifacts[].creationTimestamp[]", Int);
        c.require("artifacts[].annotation", ObjOrNull);
        c.require("artifacts[].annotation.type", StrOrNull);
        c.require_all(
            &["artifacts[].annotation.was", "artifacts[].annotation.now"],
            Int,
        );
        c.require("artifacts[].pods", ObjOrNull);
        c.require("artifacts[].pods.*", ObjOrNull);
        c.require("artifacts[].pods.*.namespace", StrOrNull);
        c.require("artifacts[].pods.*.creationTimestamp", Int);
        c.require("artifacts[].pods.*.owners", ArrOrNull);
        c.require_all(
            &[
                "artifacts[].pods.*.owners[].apiVersion",
                "artifacts[].pods.*.owners[].kind",
                "artifacts[].pods.*.owners[].name",
                "artifacts[].pods.*.owners[].uid",
            ],
            StrOrNull,
        );
        c.require_all(
            &[
                "artifacts[].pods.*.owners[].controller",
                "artifacts[].pods.*.owners[].blockOwnerDeletion",
            ],
            BoolOrNull,
        );
        // Shown rows (`Annotation.Now != 0`) index `CreationTimestamp[0]`;
        // a row with instances but `now == 0` would be hidden.
        for i in 0..c.len("artifacts") {
            let item = c.doc["artifacts"][i].clone();
            if item["annotation"]["now"].as_f64().unwrap_or(0.0) != 0.0 {
                c.require(&format!("artifacts[{i}].creationTimestamp"), NonEmptyArr);
            }
            if item["creationTimestamp"]
                .as_array()
                .is_some_and(|t| !t.is_empty())
            {
                c.require(&format!("artifacts[{i}].annotation.now"), PositiveInt);
            }
        }
    }
    // getSnapshot.go on an environment whose report was empty: still a typed snapshot.
    if let Some(mut c) = audit
        .read(r, "kosli get snapshot edge", "snapshots/acme/edge/-1")
        .await
    {
        c.require("index", Int);
        c.require("type", NonEmptyStr);
        c.require("artifacts", ArrOrNull);
    }

    // assertSnapshot.go: `environmentData["compliant"].(bool)`; `env~N` is sent
    // as `-(N+1)`, `env#N` as `N`.
    for (expr, path) in [
        ("prod".to_string(), "snapshots/acme/prod/-1".to_string()),
        ("prod~1".to_string(), "snapshots/acme/prod/-2".to_string()),
        (
            format!("prod#{first}"),
            format!("snapshots/acme/prod/{first}"),
        ),
        ("ecs".to_string(), "snapshots/acme/ecs/-1".to_string()),
        ("edge".to_string(), "snapshots/acme/edge/-1".to_string()),
    ] {
        let command = format!("kosli assert snapshot {expr}");
        if let Some(mut c) = audit.read(r, &command, &path).await {
            c.require("compliant", Bool);
        }
    }

    // listSnapshots.go: always `?interval=&page=1&per_page=15&reverse=false`;
    // `snapshot["to"].(float64)`, `["duration"].(float64)`, `["compliant"].(bool)`,
    // `["index"].(float64)`, `formattedTimestamp(snapshot["from"])`.
    for env in ["prod", "ecs"] {
        let command = format!("kosli list snapshots {env}");
        let path = format!("snapshots/acme/{env}?interval=&page=1&per_page=15&reverse=false");
        if let Some(mut c) = audit.read(r, &command, &path).await {
            c.require("", NonEmptyArr);
            c.require("[].from", Ts);
            c.require_all(&["[].to", "[].duration", "[].index"], Num);
            c.require("[].compliant", Bool);
        }
    }

    // logEnvironment.go: always `?interval=&page=1&per_page=15&reverse=false`;
    // `event["snapshot_index"].(float64)`, `["artifact_name"].(string)`,
    // `["sha256"].(string)`, `["description"].(string)`, `["pipeline"].(string)`.
    for env in ["prod", "ecs"] {
        let command = format!("kosli log environment {env}");
        let path =
            format!("environments/acme/{env}/events?interval=&page=1&per_page=15&reverse=false");
        if let Some(mut c) = audit.read(r, &command, &path).await {
            c.require("", NonEmptyArr);
            c.require("[].snapshot_index", Num);
            c.require_all(
                &[
                    "[].artifact_name",
                    "[].sha256",
                    "[].description",
                    "[].pipeline",
                ],
                Str,
            );
            c.require("[].reported_at", Ts);
        }
    }

    // diffSnapshots.go: `?snappish1=..&snappish2=..` into `DiffSnapshotsResponse`
    // (`snappish1`, `snappish2`, `changed`, `not-changed` of `DiffItem{SnapshotID
    // string, Artifacts []DiffArtifact{MostRecentTimestamp, InstanceCount,
    // S1InstanceCount, S2InstanceCount int64, Pods []string}}`).
    let sections = ["snappish1", "snappish2", "changed", "not-changed"];
    for (s1, s2, populated) in [
        (format!("prod#{first}"), format!("prod#{second}"), true),
        ("prod~1".to_string(), "prod".to_string(), true),
        ("ecs".to_string(), "prod".to_string(), false),
    ] {
        let command = format!("kosli diff snapshots {s1} {s2}");
        let path = format!("env-diff/acme?snappish1={s1}&snappish2={s2}");
        let Some(mut c) = audit.read(r, &command, &path).await else {
            continue;
        };
        for section in sections {
            c.require(section, Obj);
            c.require(&format!("{section}.snapshot_id"), StrOrNull);
            c.require(
                &format!("{section}.artifacts"),
                if populated { NonEmptyArr } else { ArrOrNull },
            );
            c.require_all(
                &[
                    &format!("{section}.artifacts[].fingerprint"),
                    &format!("{section}.artifacts[].flow"),
                    &format!("{section}.artifacts[].name"),
                    &format!("{section}.artifacts[].commit_url"),
                ],
                StrOrNull,
            );
            c.require_all(
                &[
                    &format!("{section}.artifacts[].most_recent_timestamp"),
                    &format!("{section}.artifacts[].instance_count"),
                    &format!("{section}.artifacts[].s1_instance_count"),
                    &format!("{section}.artifacts[].s2_instance_count"),
                ],
                IntOrNull,
            );
            c.require(&format!("{section}.artifacts[].pods"), ArrOrNull);
            c.require(&format!("{section}.artifacts[].pods[]"), Str);
        }
        // "S1 -> S2 scaling" prints both counts: they must be there.
        c.require_all(
            &[
                "changed.artifacts[].s1_instance_count",
                "changed.artifacts[].s2_instance_count",
            ],
            Int,
        );
        c.require_all(&["snappish1.snapshot_id", "snappish2.snapshot_id"], Str);
    }
}
