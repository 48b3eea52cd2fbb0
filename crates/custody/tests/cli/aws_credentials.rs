//! Where `snapshot lambda` finds AWS credentials, against a fake AWS on
//! 127.0.0.1: STS (AssumeRoleWithWebIdentity with the token EKS mounts;
//! AssumeRole signed with the source profile's keys), the ECS container
//! endpoint, IMDSv2 and a `credential_process`. The fake's Lambda names its
//! one function after the key that signed the request, so the report shows
//! which credentials were used.

use std::process::Output;

use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::fake_http::{Recorded, serve};
use super::harness::{BIN, ok, stderr};

fn form(body: &[u8]) -> Vec<(String, String)> {
    let url = reqwest::Url::parse(&format!("http://x/?{}", String::from_utf8_lossy(body))).unwrap();
    url.query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
}

fn sts_credentials(action: &str, key: &str) -> Response {
    let xml = format!(
        "<{action}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><{action}Result>\
         <Credentials><AccessKeyId>{key}</AccessKeyId><SecretAccessKey>secret-{key}</SecretAccessKey>\
         <SessionToken>token-{key}</SessionToken><Expiration>2030-01-01T00:00:00Z</Expiration>\
         </Credentials></{action}Result></{action}Response>"
    );
    ([("content-type", "text/xml")], xml).into_response()
}

fn denied() -> Response {
    let xml = "<ErrorResponse><Error><Code>AccessDenied</Code><Message>not allowed</Message></Error></ErrorResponse>";
    (StatusCode::FORBIDDEN, xml).into_response()
}

fn answer(_base: &str, method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Response {
    let keys = |key: &str| {
        axum::Json(
            json!({"AccessKeyId": key, "SecretAccessKey": "s", "Token": format!("token-{key}"),
                                           "Expiration": "2030-01-01T00:00:00Z"}),
        )
        .into_response()
    };
    match (method.as_str(), uri.path()) {
        ("POST", "/") => {
            let form = form(body);
            let get = |k: &str| {
                form.iter()
                    .find(|(n, _)| n == k)
                    .map(|(_, v)| v.as_str())
                    .unwrap_or_default()
            };
            match get("Action") {
                "AssumeRoleWithWebIdentity"
                    if get("WebIdentityToken") == "eks-token"
                        && get("RoleArn") == "arn:aws:iam::1:role/irsa" =>
                {
                    sts_credentials("AssumeRoleWithWebIdentity", "ASIAWEB")
                }
                "AssumeRole"
                    if header(headers, "authorization").contains("Credential=AKIASOURCE/")
                        && get("RoleArn") == "arn:aws:iam::1:role/deploy" =>
                {
                    sts_credentials("AssumeRole", "ASIAROLE")
                }
                _ => denied(),
            }
        }
        ("GET", "/federation/credentials")
            if header(headers, "x-amz-sso_bearer_token") == "sso-token"
                && uri.query() == Some("role_name=Deployer&account_id=111122223333") =>
        {
            axum::Json(
                json!({"roleCredentials": {"accessKeyId": "ASIASSO", "secretAccessKey": "s",
                "sessionToken": "token-ASIASSO", "expiration": 1_900_000_000_000_i64}}),
            )
            .into_response()
        }
        ("GET", "/ecs-credentials") if header(headers, "authorization") == "ecs-secret" => {
            keys("ASIAECS")
        }
        ("PUT", "/latest/api/token")
            if !header(headers, "x-aws-ec2-metadata-token-ttl-seconds").is_empty() =>
        {
            "imds-token".into_response()
        }
        ("GET", p) if p.starts_with("/latest/meta-data/iam/security-credentials/") => {
            if header(headers, "x-aws-ec2-metadata-token") != "imds-token" {
                return StatusCode::UNAUTHORIZED.into_response();
            }
            match p.rsplit('/').next() {
                Some("") => "instance-role".into_response(),
                _ => keys("ASIAIMDS"),
            }
        }
        ("GET", "/2015-03-31/functions/") => {
            let auth = header(headers, "authorization");
            let key = auth
                .split("Credential=")
                .nth(1)
                .and_then(|c| c.split('/').next())
                .unwrap_or("none");
            let token = header(headers, "x-amz-security-token");
            let name = format!(
                "by-{key}-{}",
                if token.is_empty() { "no-token" } else { token }
            );
            axum::Json(json!({"Functions": [{"FunctionName": name}]})).into_response()
        }
        ("GET", p) if p.ends_with("/configuration") => {
            let name = p
                .trim_start_matches("/2015-03-31/functions/")
                .trim_end_matches("/configuration");
            axum::Json(
                json!({"FunctionName": name, "PackageType": "Image", "CodeSha256": "ab".repeat(32),
                              "LastModified": "2024-01-01T00:00:00.000+0000"}),
            )
            .into_response()
        }
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `snapshot lambda` against the fake (a dry run, unless `failing`: a dry
/// run exits 0 whatever goes wrong).
fn run(fake: &Recorded, home: &std::path::Path, env: &[(&str, &str)], failing: bool) -> Output {
    let dry = if failing {
        "--dry-run=false"
    } else {
        "--dry-run"
    };
    std::process::Command::new(BIN)
        .args(["snapshot", "lambda", "fn-prod", dry])
        .args(["--org", "acme", "--api-token", "k"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_ENDPOINT_URL", &fake.url)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .envs(env.iter().copied())
        .output()
        .expect("run custody")
}

fn reported(fake: &Recorded, home: &std::path::Path, env: &[(&str, &str)]) -> Output {
    run(fake, home, env, false)
}

fn refused(fake: &Recorded, home: &std::path::Path, env: &[(&str, &str)]) -> String {
    stderr(&run(fake, home, env, true))
}

fn signer(out: Output) -> String {
    let text = ok(out);
    let (_, rest) = text
        .split_once("this is the payload that would be sent in a real run:")
        .expect(&text);
    let payload: Value = serde_json::from_str(rest.trim()).expect("payload JSON");
    let digests = payload["artifacts"][0]["digests"]
        .as_object()
        .expect("one function")
        .clone();
    digests.keys().next().unwrap().clone()
}

#[test]
fn credentials_come_from_every_link_of_the_chain() {
    let fake = serve(answer);
    let home = tempfile::tempdir().unwrap();
    let aws = home.path().join(".aws");
    std::fs::create_dir_all(&aws).unwrap();
    let region = ("AWS_REGION", "eu-west-1");

    let token = home.path().join("eks-token");
    std::fs::write(&token, "eks-token\n").unwrap();
    let token = token.display().to_string();
    let irsa = [
        region,
        ("AWS_ROLE_ARN", "arn:aws:iam::1:role/irsa"),
        ("AWS_WEB_IDENTITY_TOKEN_FILE", &token),
    ];
    assert_eq!(
        signer(reported(&fake, home.path(), &irsa)),
        "by-ASIAWEB-token-ASIAWEB"
    );

    std::fs::write(
        aws.join("config"),
        "[profile deploy]\nrole_arn = arn:aws:iam::1:role/deploy\nsource_profile = base\nregion = us-west-2\n\
         [profile proc]\ncredential_process = printf '{\"Version\": 1, \"AccessKeyId\": \"AKIAPROC\", \"SecretAccessKey\": \"s\"}'\n",
    )
    .unwrap();
    std::fs::write(
        aws.join("credentials"),
        "[base]\naws_access_key_id = AKIASOURCE\naws_secret_access_key = s\n",
    )
    .unwrap();
    let assumed = reported(&fake, home.path(), &[("AWS_PROFILE", "deploy")]);
    assert_eq!(
        signer(assumed),
        "by-ASIAROLE-token-ASIAROLE",
        "the role, with the profile's region"
    );
    let config = std::fs::read_to_string(aws.join("config")).unwrap()
        + "[profile sso]\nsso_session = corp\nsso_account_id = 111122223333\nsso_role_name = Deployer\n\
           [sso-session corp]\nsso_region = eu-west-1\nsso_start_url = https://corp.awsapps.com/start\n";
    std::fs::write(aws.join("config"), config).unwrap();
    let cache = aws.join("sso/cache");
    std::fs::create_dir_all(&cache).unwrap();
    // The AWS CLI names the file by the SHA-1 of the session name ("corp").
    let cached = cache.join("ee0bfd2552fbd840c02cc48b6e823320543c450f.json");
    let sso = [
        region,
        ("AWS_PROFILE", "sso"),
        ("AWS_ENDPOINT_URL_SSO", fake.url.as_str()),
    ];
    std::fs::write(
        &cached,
        r#"{"accessToken": "sso-token", "expiresAt": "2020-01-01T00:00:00Z"}"#,
    )
    .unwrap();
    let expired = refused(&fake, home.path(), &sso);
    assert!(
        expired.contains("the SSO session 'corp' expired"),
        "{expired}"
    );
    std::fs::write(
        &cached,
        r#"{"accessToken": "sso-token", "expiresAt": "2099-01-01T00:00:00Z"}"#,
    )
    .unwrap();
    assert_eq!(
        signer(reported(&fake, home.path(), &sso)),
        "by-ASIASSO-token-ASIASSO"
    );
    let process = reported(&fake, home.path(), &[region, ("AWS_PROFILE", "proc")]);
    assert_eq!(signer(process), "by-AKIAPROC-no-token");

    let ecs_uri = format!("{}/ecs-credentials", fake.url);
    let ecs = [
        region,
        ("AWS_CONTAINER_CREDENTIALS_FULL_URI", ecs_uri.as_str()),
        ("AWS_CONTAINER_AUTHORIZATION_TOKEN", "ecs-secret"),
    ];
    assert_eq!(
        signer(reported(&fake, home.path(), &ecs)),
        "by-ASIAECS-token-ASIAECS"
    );

    let imds = [
        region,
        ("AWS_EC2_METADATA_DISABLED", "false"),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", fake.url.as_str()),
    ];
    assert_eq!(
        signer(reported(&fake, home.path(), &imds)),
        "by-ASIAIMDS-token-ASIAIMDS"
    );

    let missing = refused(&fake, home.path(), &[region, ("AWS_PROFILE", "nope")]);
    assert_eq!(
        missing,
        "Error: the AWS profile 'nope' is in neither ~/.aws/config nor ~/.aws/credentials\n"
    );
    let nothing = refused(&fake, tempfile::tempdir().unwrap().path(), &[region]);
    assert!(
        nothing.starts_with("Error: no AWS credentials: use --aws-key-id"),
        "{nothing}"
    );
    let wrong = [
        region,
        ("AWS_ROLE_ARN", "arn:aws:iam::1:role/other"),
        ("AWS_WEB_IDENTITY_TOKEN_FILE", &token),
    ];
    assert!(
        refused(&fake, home.path(), &wrong).contains("AccessDenied: not allowed"),
        "STS refusals are named"
    );
}
