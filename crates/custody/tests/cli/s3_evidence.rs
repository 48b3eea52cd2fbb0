//! The evidence vault in an S3 bucket (moto, a local S3): an attachment sent
//! with `attest generic --attachments` is stored in the bucket under its
//! SHA-256 and comes back byte for byte with `get attestation
//! --download-evidence`, also one large enough to go up in parts; `/ready`
//! says when the bucket stops answering.

use super::harness::{Launch, Server, admin, ok, stdout};
use super::moto::Moto;
use super::pipeline::{git, key};

/// The keys under `prefix` in moto's bucket `site` (moto accepts unsigned reads).
async fn keys(moto: &Moto, prefix: &str) -> Vec<String> {
    let url = format!("{}/site?list-type=2&prefix={prefix}", moto.url);
    let body = reqwest::get(url)
        .await
        .expect("list")
        .text()
        .await
        .expect("body");
    body.split("<Key>")
        .skip(1)
        .filter_map(|rest| rest.split("</Key>").next())
        .map(String::from)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn attachments_round_trip_through_an_s3_bucket() {
    let moto = Moto::start();
    moto.seed("s3");
    let mut env: Vec<(String, String)> = moto
        .env()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    env.push(("AWS_ALLOW_HTTP".into(), "true".into()));
    let server = Server::launch(Launch {
        args: vec![
            "--evidence-store".into(),
            "s3://site/custody".into(),
            "--max-evidence-bytes".into(),
            (64u64 << 20).to_string(),
        ],
        env,
        ..Launch::default()
    });
    admin(&server.database_url(), &["create-org", "acme"]);
    let token = key(&server, "admin");
    let work = &server.dir;
    std::fs::write(work.join("template.yml"), "version: 1\n").unwrap();
    std::fs::write(work.join("report.txt"), "all 12 checks passed\n").unwrap();
    git(work, &["init", "-q", "-b", "main"]);
    git(work, &["add", "template.yml", "report.txt"]);
    git(work, &["commit", "-q", "-m", "Report"]);
    let run = |args: &[&str]| server.run_in(work, "acme", &token, args, &[]);
    ok(run(&["create", "flow", "vault", "-f", "template.yml"]));
    let trail = ["--flow", "vault", "--trail", "t1"];
    ok(run(&[
        &[
            "attest",
            "generic",
            "--name",
            "scan",
            "--commit",
            "HEAD",
            "--attachments",
            "report.txt",
        ][..],
        &trail[..],
    ]
    .concat()));
    ok(run(&[
        &["get", "attestation", "scan"][..],
        &trail[..],
        &["--download-evidence", "back.tgz"][..],
    ]
    .concat()));
    let sha = ok(run(&["fingerprint", "--artifact-type", "file", "back.tgz"]));
    let sha = sha.trim();
    assert_eq!(
        keys(&moto, "custody/").await,
        [format!("custody/{}/{sha}", &sha[..2])]
    );

    // An attachment past the single-request size goes up in parts.
    let large: Vec<u8> = (0..20u32 << 20)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    std::fs::write(work.join("image.bin"), &large).unwrap();
    ok(run(&[
        &["attest", "generic", "--name", "image", "--commit", "HEAD"][..],
        &["--attachments", "image.bin"][..],
        &trail[..],
    ]
    .concat()));
    ok(run(&[
        &["get", "attestation", "image"][..],
        &trail[..],
        &["--download-evidence", "image.tgz"][..],
    ]
    .concat()));
    let image = ok(run(&[
        "fingerprint",
        "--artifact-type",
        "file",
        "image.tgz",
    ]));
    let image = image.trim();
    assert!(
        std::fs::metadata(work.join("image.tgz")).unwrap().len() > 16 << 20,
        "the archive is larger than one part"
    );
    assert!(
        keys(&moto, "custody/")
            .await
            .contains(&format!("custody/{}/{image}", &image[..2]))
    );

    let ready = reqwest::get(format!("{}/ready", server.host))
        .await
        .expect("ready");
    assert_eq!(ready.status().as_u16(), 200);
    drop(moto);
    let down = reqwest::get(format!("{}/ready", server.host))
        .await
        .expect("ready");
    assert_eq!(down.status().as_u16(), 503);
    let why = down.text().await.expect("body");
    assert!(why.starts_with("evidence vault: "), "{why}");
    let listed = stdout(&run(
        &[&["get", "attestation", "scan"][..], &trail[..]].concat()
    ));
    assert!(
        listed.contains("scan"),
        "reads that need no evidence still work: {listed}"
    );
}
