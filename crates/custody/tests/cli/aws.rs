//! `custody snapshot ecs|lambda|s3` against moto (see [`super::moto`]): the
//! exact report each sends, the snapshot the server keeps, filters, Kosli's
//! flag errors, and AWS failures (unreachable endpoint, AccessDenied).

use std::process::Output;

use serde_json::{Value, json};

use super::harness::{Server, ok, stderr};
use super::k8s::admin_key;
use super::moto::{Moto, answering, aws_env};

/// The JSON body a dry run prints.
fn payload(out: &str) -> Value {
    let (_, rest) = out
        .split_once("this is the payload that would be sent in a real run:")
        .expect(out);
    serde_json::from_str(rest.trim()).expect("payload JSON")
}

/// Runs custody against the server with AWS settings.
fn run(server: &Server, token: &str, env: &[(&'static str, String)], args: &[&str]) -> Output {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    server.run("acme", token, args, &env)
}

fn snapshot_text(server: &Server, token: &str, env: &str) -> String {
    ok(server.run("acme", token, &["get", "snapshot", env, "-o", "json"], &[]))
}

#[test]
fn ecs_running_tasks_are_reported() {
    let moto = Moto::start();
    let seeded = moto.seed("ecs");
    let server = Server::start(false);
    let token = admin_key(&server);
    let aws = moto.env();
    let nginx = "a".repeat(64);

    let dry = ok(run(
        &server,
        &token,
        &aws,
        &["snapshot", "ecs", "prod-ecs", "--dry-run"],
    ));
    assert!(
        dry.contains("/api/v2/environments/acme/prod-ecs/report/ECS"),
        "{dry}"
    );
    let task = |arn: &Value, cluster: &str, digests: Value| {
        json!({"taskArn": arn, "cluster_name": cluster, "service_name": cluster_service(cluster),
               "digests": digests, "creationTimestamp": 0})
    };
    let expected = json!({"artifacts": [
        task(&seeded["web"][0], "prod", json!({"nginx@sha256:".to_string() + &nginx: nginx})),
        task(&seeded["web"][1], "prod", json!({"nginx@sha256:".to_string() + &nginx: nginx})),
        task(&seeded["api"][0], "staging", json!({"registry.example.com/api:2.0": ""})),
    ]});
    assert_eq!(payload(&dry), expected);

    let args = ["snapshot", "ecs", "prod-ecs", "--clusters", "prod", "-A"];
    let out = ok(run(&server, &token, &aws, &args));
    assert_eq!(
        out,
        "environment prod-ecs was created\n[2] containers were reported to environment prod-ecs\n"
    );
    assert!(snapshot_text(&server, &token, "prod-ecs").contains(&nginx));

    let args = [
        "snapshot",
        "ecs",
        "prod-ecs",
        "--exclude-regex",
        "^prod",
        "--dry-run",
    ];
    let only_staging = payload(&ok(run(&server, &token, &aws, &args)));
    assert_eq!(only_staging["artifacts"], json!([expected["artifacts"][2]]));
    let args = [
        "snapshot",
        "ecs",
        "prod-ecs",
        "--services",
        "nope",
        "--dry-run",
    ];
    assert_eq!(
        payload(&ok(run(&server, &token, &aws, &args))),
        json!({"artifacts": []})
    );

    let args = ["snapshot", "ecs", "e", "-C", "prod", "--exclude", "x"];
    assert_eq!(
        stderr(&run(&server, &token, &aws, &args)),
        "Flag --cluster has been deprecated, use --clusters instead\n\
         Error: only one of --cluster, --clusters, --exclude is allowed\n"
    );
}

/// The seeded service of a cluster.
fn cluster_service(cluster: &str) -> &'static str {
    if cluster == "prod" { "web" } else { "api" }
}

#[test]
fn lambda_functions_are_reported() {
    let moto = Moto::start();
    let seeded = moto.seed("lambda");
    let server = Server::start(false);
    let token = admin_key(&server);
    let aws = moto.env();
    let entry = |name: &str| json!({"digests": {name: seeded[name]["digest"]}, "creationTimestamp": seeded[name]["at"]});

    let args = [
        "snapshot",
        "lambda",
        "prod-lambda",
        "--exclude",
        "legacy-report",
        "--dry-run",
    ];
    let dry = ok(run(&server, &token, &aws, &args));
    assert!(
        dry.contains("/api/v2/environments/acme/prod-lambda/report/lambda"),
        "{dry}"
    );
    assert_eq!(
        payload(&dry),
        json!({"artifacts": [entry("orders"), entry("payments")]})
    );

    let args = [
        "snapshot",
        "lambda",
        "prod-lambda",
        "--function-names-regex",
        "^or",
        "-A",
    ];
    let out = ok(run(&server, &token, &aws, &args));
    assert_eq!(
        out,
        "environment prod-lambda was created\n1 lambda functions were reported to environment prod-lambda\n"
    );
    let digest = seeded["orders"]["digest"].as_str().unwrap();
    assert!(snapshot_text(&server, &token, "prod-lambda").contains(digest));

    let args = [
        "snapshot",
        "lambda",
        "e",
        "--function-name",
        "a",
        "--function-names",
        "b",
    ];
    assert_eq!(
        stderr(&run(&server, &token, &aws, &args)),
        "Flag --function-name has been deprecated, use --function-names instead\n\
         Error: only one of --function-name, --function-names, --exclude is allowed\n"
    );
}

#[test]
fn an_s3_bucket_is_one_artifact() {
    let moto = Moto::start();
    let seeded = moto.seed("s3");
    let server = Server::start(false);
    let token = admin_key(&server);
    let aws = moto.env();
    let tree = server.dir.join("site");
    std::fs::create_dir_all(tree.join("css")).unwrap();
    std::fs::write(tree.join("index.html"), "<h1>hi</h1>").unwrap();
    std::fs::write(tree.join("css/app.css"), "body{}").unwrap();
    let fingerprint = |path: &str, kind: &str| {
        let path = tree.join(path).display().to_string();
        let out = ok(server.run(
            "acme",
            &token,
            &["fingerprint", &path, "--artifact-type", kind],
            &[],
        ));
        out.trim().to_string()
    };
    let newest = |keys: &[&str]| {
        keys.iter()
            .map(|k| seeded[k].as_i64().unwrap())
            .max()
            .unwrap()
    };

    let args = [
        "snapshot",
        "s3",
        "web-s3",
        "--bucket",
        "site",
        "-x",
        "/logs",
        "--dry-run",
    ];
    let dry = ok(run(&server, &token, &aws, &args));
    assert!(
        dry.contains("/api/v2/environments/acme/web-s3/report/S3"),
        "{dry}"
    );
    let dir = fingerprint("", "dir");
    let expected = json!({"artifacts": [{"digests": {"site": dir},
        "creationTimestamp": newest(&["index.html", "css/app.css"])}]});
    assert_eq!(payload(&dry), expected);

    let args = [
        "snapshot",
        "s3",
        "web-s3",
        "--bucket",
        "site",
        "--include-regex",
        "css$",
        "-A",
    ];
    let out = ok(run(&server, &token, &aws, &args));
    assert_eq!(
        out,
        "environment web-s3 was created\nbucket site was reported to environment web-s3\n"
    );
    let css = fingerprint("css/app.css", "file");
    let text = snapshot_text(&server, &token, "web-s3");
    assert!(text.contains(&css) && text.contains("app.css"), "{text}");

    let args = [
        "snapshot", "s3", "web-s3", "--bucket", "site", "-i", "nothing/",
    ];
    let err = stderr(&run(&server, &token, &aws, &args));
    assert_eq!(err, "Error: no matching file or dirs in bucket: [site]\n");
}

#[test]
fn aws_failures_are_clear_errors() {
    let server = Server::start(false);
    let token = admin_key(&server);
    let unreachable = aws_env("http://127.0.0.1:1");
    let err = stderr(&run(
        &server,
        &token,
        &unreachable,
        &["snapshot", "ecs", "e"],
    ));
    assert!(
        err.starts_with(
            "Error: ECS ListClusters failed: cannot reach AWS ecs at http://127.0.0.1:1/"
        ),
        "{err}"
    );

    let denied = answering(
        "400 Bad Request",
        "application/x-amz-json-1.1",
        r#"{"__type":"AccessDeniedException","Message":"User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecs:ListClusters"}"#,
    );
    let err = stderr(&run(
        &server,
        &token,
        &aws_env(&denied),
        &["snapshot", "ecs", "e"],
    ));
    assert_eq!(
        err,
        "Error: ECS ListClusters failed: AWS ecs request / failed with status 400: AccessDeniedException: \
         User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ecs:ListClusters\n"
    );

    let denied = answering(
        "403 Forbidden",
        "application/xml",
        "<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
    );
    let args = ["snapshot", "s3", "e", "--bucket", "site"];
    let err = stderr(&run(&server, &token, &aws_env(&denied), &args));
    assert_eq!(
        err,
        "Error: AWS s3 request /site/ failed with status 403: AccessDenied: Access Denied\n"
    );

    let no_region: Vec<_> = aws_env(&denied)
        .into_iter()
        .filter(|(k, _)| *k != "AWS_REGION")
        .collect();
    let err = stderr(&run(
        &server,
        &token,
        &no_region,
        &["snapshot", "lambda", "e"],
    ));
    assert_eq!(
        err,
        "Error: no AWS region: use --aws-region, AWS_REGION or a profile's region\n"
    );
}
