//! The evidence vault over HTTP: an `attachment_file` uploaded with an
//! attestation comes back byte for byte with its SHA-256 on the attestation,
//! attachments larger than any JSON body stream through to the vault, uploads
//! past the size limit are refused (413) with nothing stored (not even the
//! trail) and no spool file left, and another org cannot reach it.

use custody_client::{Body, FormBody};
use custody_store::testing::TestDatabase;
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::harness::{Api, Reply, TestServer, fails_like, ok, start, start_with};

const ATTEST: &str = "attestations/acme/svc/trail/t1/generic";

/// A generic attestation named `name` with an attachment.
async fn attest(api: &Api, name: &str, file_name: &str, bytes: Vec<u8>) -> Reply {
    let form = FormBody {
        fields: vec![(
            "data_json".into(),
            json!({"attestation_name": name, "is_compliant": true}),
        )],
        files: vec![("attachment_file".into(), file_name.into(), bytes.into())],
    };
    api.call(Method::POST, ATTEST, Body::Form(form)).await
}

/// The status, headers and bytes of a GET, read as bytes.
async fn download(api: &Api, path: &str) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let mut request = reqwest::Client::new().get(api.url(path));
    if let Some(token) = &api.token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("send");
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    (
        status,
        headers,
        response.bytes().await.expect("body").to_vec(),
    )
}

fn evidence_path(org: &str, id: &str) -> String {
    format!("attestations/{org}/svc/trail/t1/attestation/{id}/evidence")
}

/// A server with flow `svc` in both orgs.
async fn with_flow(db: &TestDatabase) -> TestServer {
    let server = start(db).await;
    for (api, org) in [(&server.member, "acme"), (&server.other, "other")] {
        let path = format!("flows/{org}/template_file");
        let data = json!({"name": "svc", "description": "attachments"});
        let files = [("template_file", "version: 1\n")];
        ok(api.form(Method::PUT, &path, Some(data), &files).await, 201);
    }
    server
}

#[tokio::test(flavor = "multi_thread")]
async fn attachments_round_trip_with_their_sha256() {
    let db = TestDatabase::sqlite();
    let server = with_flow(&db).await;
    let bytes: Vec<u8> = (0..70_000u32).map(|i| (i % 251) as u8).collect();
    let sha = hex::encode(Sha256::digest(&bytes));
    let doc = ok(
        attest(&server.member, "scan", "evidence.tgz", bytes.clone()).await,
        201,
    );
    assert_eq!(doc["has_evidence"], true);
    assert_eq!(doc["evidence_archive_fingerprint"], sha.as_str());
    assert_eq!(doc["evidence_file_name"], "evidence.tgz");
    let id = doc["attestation_id"].as_str().unwrap().to_string();

    let (status, headers, got) = download(&server.reader, &evidence_path("acme", &id)).await;
    assert_eq!(status, 200);
    assert_eq!(hex::encode(Sha256::digest(&got)), sha);
    assert_eq!(headers["content-type"], "application/octet-stream");
    assert_eq!(
        headers["content-disposition"],
        "attachment; filename=\"evidence.tgz\""
    );

    let latest = ok(
        server
            .reader
            .get("attestations/acme/svc/trail/t1/scan")
            .await,
        200,
    );
    let data: &Vec<Value> = latest.as_array().unwrap();
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["attestation_id"], id.as_str());
    assert_eq!(data[0]["evidence_archive_fingerprint"], sha.as_str());

    // The same bytes again are stored once, under the same key.
    let again = ok(attest(&server.member, "scan", "copy.bin", bytes).await, 201);
    assert_eq!(again["evidence_archive_fingerprint"], sha.as_str());
    assert_eq!(again["evidence_file_name"], "copy.bin");

    // Without an attachment: no evidence, and a clear 404 on download.
    let form = FormBody {
        fields: vec![("data_json".into(), json!({"attestation_name": "plain"}))],
        files: vec![],
    };
    let plain = ok(
        server
            .member
            .call(Method::POST, ATTEST, Body::Form(form))
            .await,
        201,
    );
    assert_eq!(plain["has_evidence"], false);
    assert_eq!(plain["evidence_archive_fingerprint"], Value::Null);
    let plain_id = plain["attestation_id"].as_str().unwrap();
    let path = evidence_path("acme", plain_id);
    fails_like(
        server.reader.get(&path).await,
        404,
        "Attestation 'plain'",
        "has no evidence attached",
    );
    fails_like(
        server
            .reader
            .get(&evidence_path("acme", "no-such-id"))
            .await,
        404,
        "Attestation with id 'no-such-id' does not exist in trail 't1'",
        "",
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn attachments_past_the_limit_are_refused_and_not_stored() {
    let db = TestDatabase::sqlite();
    let server = with_flow(&db).await;
    let limit = usize::try_from(server.state.spool.max_attachment_bytes).unwrap();
    let bytes = vec![b'x'; limit + 1];
    let sha = hex::encode(Sha256::digest(&bytes));
    let message = fails_like(
        attest(&server.member, "big", "big.bin", bytes).await,
        413,
        "the attachment 'big.bin' is",
        "nothing was stored",
    );
    assert!(message.contains(&limit.to_string()), "{message}");
    assert!(
        server.state.evidence.get(&sha).await.is_err(),
        "no object kept"
    );
    fails_like(
        server
            .reader
            .get("attestations/acme/svc/trail/t1/big")
            .await,
        404,
        "Trail with name 't1' does not exist",
        "",
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn attachments_larger_than_any_json_body_are_streamed_to_the_vault() {
    let db = TestDatabase::sqlite();
    let limit: usize = 48 << 20;
    let server = start_with(&db, |state| {
        let vault = state.evidence.clone();
        state.with_evidence(vault, limit)
    })
    .await;
    let path = "flows/acme/template_file";
    let data = json!({"name": "svc", "description": "large attachments"});
    ok(
        server
            .member
            .form(
                Method::PUT,
                path,
                Some(data),
                &[("template_file", "version: 1\n")],
            )
            .await,
        201,
    );
    // Larger than the 32 MiB a JSON body may be, sent with an Idempotency-Key
    // (as the client sends every write).
    let bytes: Vec<u8> = (0..40u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let sha = hex::encode(Sha256::digest(&bytes));
    let doc = ok(
        attest(&server.member, "image", "image.tar", bytes.clone()).await,
        201,
    );
    assert_eq!(doc["evidence_archive_fingerprint"], sha.as_str());
    let id = doc["attestation_id"].as_str().unwrap();
    let (status, _, got) = download(&server.reader, &evidence_path("acme", id)).await;
    assert_eq!(status, 200);
    assert!(got == bytes, "the download is the upload, byte for byte");

    let spooled = |dir: &std::path::Path| std::fs::read_dir(dir).map_or(0, Iterator::count);
    assert_eq!(
        spooled(server.state.spool.dir()),
        0,
        "no spool file is left"
    );
    let over = vec![b'x'; limit + 1];
    fails_like(
        attest(&server.member, "over", "over.bin", over).await,
        413,
        "the attachment 'over.bin' is more than",
        "nothing was stored",
    );
    assert_eq!(
        spooled(server.state.spool.dir()),
        0,
        "the refused upload is gone"
    );
    server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn another_org_cannot_download() {
    let db = TestDatabase::sqlite();
    let server = with_flow(&db).await;
    let doc = ok(
        attest(&server.member, "scan", "a.txt", b"secret".to_vec()).await,
        201,
    );
    let id = doc["attestation_id"].as_str().unwrap();
    let (status, _, body) = download(&server.other, &evidence_path("acme", id)).await;
    assert_eq!(status, 403, "{}", String::from_utf8_lossy(&body));
    // Its own org's flow of the same name does not hold the attestation either.
    ok(
        server
            .other
            .form(
                Method::POST,
                "attestations/other/svc/trail/t1/generic",
                Some(json!({"attestation_name": "x"})),
                &[],
            )
            .await,
        201,
    );
    fails_like(
        server.other.get(&evidence_path("other", id)).await,
        404,
        "Attestation with id",
        "does not exist",
    );
    let (status, _, _) = download(&server.anonymous, &evidence_path("acme", id)).await;
    assert_eq!(status, 401);
    server.stop().await;
}
