//! Three `custody server` processes on one PostgreSQL database, as replicas
//! behind a load balancer: reporters of one environment and CI jobs write
//! through all three at once. Snapshot numbers come out contiguous with none
//! twice, no acknowledged write is lost, and every write is visible from every
//! other replica as soon as it is acknowledged.

use std::collections::BTreeSet;

use custody_client::{Body, Client};
use custody_store::testing::TestDatabase;
use reqwest::Method;
use serde_json::json;

use crate::harness::{Server, admin, put_json};
use crate::pipeline::key;

const REPLICAS: usize = 3;
const WRITES_PER_WRITER: u64 = 12;

fn fingerprint(writer: u64, n: u64) -> String {
    format!("{:064x}", writer * 1_000 + n)
}

/// What one writer had acknowledged: snapshot numbers or artifact fingerprints.
enum Acked {
    Snapshots(Vec<(i64, String)>),
    Artifacts(Vec<String>),
}

/// Writes through replica `writer % 3`, and after each acknowledgement reads
/// the write back through the next replica.
async fn write(hosts: Vec<String>, token: String, writer: u64) -> Acked {
    let client =
        |i: usize| Client::new(&hosts[i % REPLICAS], Some(token.clone()), 0).expect("client");
    let (via, other) = (client(writer as usize), client(writer as usize + 1));
    let reporter = writer.is_multiple_of(2);
    let mut snapshots = Vec::new();
    let mut artifacts = Vec::new();
    for n in 0..WRITES_PER_WRITER {
        let fp = fingerprint(writer, n);
        if reporter {
            let pods = json!({"artifacts": [{"podName": format!("p{writer}-{n}"), "namespace": "prod",
                "digests": {"app": fp}, "creationTimestamp": n, "owners": []}]});
            let url = via.api_url(&["environments", "acme", "prod", "report", "K8S"]);
            let reply = via
                .send(Method::PUT, url, &Body::Json(pods))
                .await
                .expect("report");
            let reply: serde_json::Value = reply.json().expect("report reply");
            assert_eq!(reply["new_snapshot"], true, "{reply}");
            let index = reply["snapshot_index"].as_i64().expect("snapshot index");
            let url = other.api_url(&["snapshots", "acme", "prod", &index.to_string()]);
            let seen = other
                .get(url)
                .await
                .expect("the snapshot from another replica");
            assert!(
                seen.body.contains(&fp),
                "prod#{index} read elsewhere lacks {fp}"
            );
            snapshots.push((index, fp));
        } else {
            let body = json!({"fingerprint": fp, "filename": format!("app:{writer}-{n}"),
                "commit_url": "https://git.example/c", "build_url": "https://ci.example/b"});
            let url = via.api_url(&["artifacts", "acme", "app"]);
            via.send(Method::POST, url, &Body::Json(body))
                .await
                .expect("artifact");
            let url = other.api_url(&["artifacts", "acme", "app", "fingerprint", &fp]);
            other
                .get(url)
                .await
                .expect("the artifact from another replica");
            artifacts.push(fp);
        }
    }
    if reporter {
        Acked::Snapshots(snapshots)
    } else {
        Acked::Artifacts(artifacts)
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn three_replicas_on_one_postgres_agree() {
    let db = TestDatabase::postgres().await;
    admin(&db.url, &["create-org", "acme"]);
    let servers: Vec<Server> = (0..REPLICAS)
        .map(|_| Server::on_database(&db.url))
        .collect();
    let token = key(&servers[0], "member");
    let hosts: Vec<String> = servers.iter().map(|s| s.host.clone()).collect();
    let setup = Client::new(&hosts[0], Some(token.clone()), 0).expect("client");
    let flow = json!({"name": "app", "description": "replicas", "visibility": "private", "template": ["artifact"]});
    put_json(&setup, &["flows", "acme"], flow).await;
    put_json(
        &setup,
        &["environments", "acme"],
        json!({"name": "prod", "type": "K8S"}),
    )
    .await;

    let writers: Vec<_> = (0..6)
        .map(|w| tokio::spawn(write(hosts.clone(), token.clone(), w)))
        .collect();
    let mut snapshots = Vec::new();
    let mut artifacts = Vec::new();
    for writer in writers {
        match writer.await.expect("writer") {
            Acked::Snapshots(s) => snapshots.extend(s),
            Acked::Artifacts(a) => artifacts.extend(a),
        }
    }

    let indices: BTreeSet<i64> = snapshots.iter().map(|(i, _)| *i).collect();
    assert_eq!(
        indices.len(),
        snapshots.len(),
        "a snapshot number was given twice"
    );
    let expected: BTreeSet<i64> = (1..=snapshots.len() as i64).collect();
    assert_eq!(indices, expected, "snapshot numbers are not contiguous");
    for host in &hosts {
        let client = Client::new(host, Some(token.clone()), 0).expect("client");
        for (index, fp) in &snapshots {
            let url = client.api_url(&["snapshots", "acme", "prod", &index.to_string()]);
            let seen = client.get(url).await.expect("snapshot");
            assert!(
                seen.body.contains(fp.as_str()),
                "{host}: prod#{index} lacks {fp}"
            );
        }
        for fp in &artifacts {
            let url = client.api_url(&["artifacts", "acme", "app", "fingerprint", fp]);
            client
                .get(url)
                .await
                .unwrap_or_else(|e| panic!("{host}: artifact {fp} lost: {e}"));
        }
    }
    assert_eq!(artifacts.len() as u64, 3 * WRITES_PER_WRITER);
    drop(servers);
}
