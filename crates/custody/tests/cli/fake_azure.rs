//! A fake Azure on 127.0.0.1 for [`super::azure`]: the sign-in authority
//! (client-credentials token for `ci-bot`/`s3cret`, else Azure's 401), ARM's
//! paged `Microsoft.Web/sites` listing and `config/web` of resource group
//! `rg-prod`, and the Kudu endpoints of the apps (docker log listing, log
//! files, zipped logs, site package) under `/scm/{app}`.

use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// The digest the web app's newest docker log shows for its last start.
pub const LOG_DIGEST: &str = "1b7c84fc8a533a34ed6e8553976c6b68d97adaa1dbe6499265e7a76ac75801d4";
/// 2023-09-28T12:27:37.414Z, when that container was ready.
pub const STARTED: i64 = 1_695_904_057;
/// The files of the zip-deployed function app.
pub const PACKAGE: [(&str, &str); 3] = [
    ("host.json", "{\"version\": \"2.0\"}\n"),
    (
        "HttpTrigger/index.js",
        "module.exports = async () => ({ body: 'hi' });\n",
    ),
    ("HttpTrigger/function.json", "{\"bindings\": []}\n"),
];
const SITES: &str = "/subscriptions/sub-1/resourceGroups/rg-prod/providers/Microsoft.Web/sites";
const READY: &str = "initialized successfully and is ready to serve requests.";

pub use super::fake_http::Recorded as FakeAzure;

/// Starts the fake; docker apps run `image`, the stopped app an image nobody may ask for.
pub fn start(image: &str) -> FakeAzure {
    let image = image.to_string();
    super::fake_http::serve(move |base, _method, uri, headers, body| {
        answer(base, &image, uri, headers, body)
    })
}

fn site(name: &str, kind: &str, state: &str, linux_fx_version: &str) -> Value {
    json!({
        "id": format!("{SITES}/{name}"),
        "name": name,
        "type": "Microsoft.Web/sites",
        "kind": kind,
        "location": "West Europe",
        "properties": {
            "name": name,
            "state": state,
            "defaultHostName": format!("{name}.azurewebsites.net"),
            "siteConfig": {"linuxFxVersion": linux_fx_version, "numberOfWorkers": 1},
        },
    })
}

/// A docker log: an older pull and start, then `tail`.
fn docker_log(app: &str, tail: &str) -> String {
    format!(
        "2023-09-28T12:20:02.000Z INFO  -  Digest: sha256:{old}\n\
         2023-09-28T12:20:05.000Z INFO  - Container {app}_0_1a2b for site {app} {READY}\n{tail}",
        old = "b".repeat(64)
    )
}

fn log_text(app: &str) -> Option<String> {
    let pulled = format!("2023-09-28T12:27:31.201Z INFO  -  Digest: sha256:{LOG_DIGEST}\n");
    let ready = format!(
        "2023-09-28T12:27:37.414Z INFO  - Container {app}_0_5b07493a for site {app} {READY}\n"
    );
    match app {
        "web" => Some(docker_log(app, &(pulled + &ready))),
        "restarting" => Some(docker_log(app, &(ready + &pulled))),
        _ => None,
    }
}

fn answer(base: &str, image: &str, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Response {
    let (path, query) = (uri.path(), uri.query().unwrap_or_default());
    if path == "/tenant-1/oauth2/v2.0/token" {
        let form = String::from_utf8_lossy(body);
        let expected = "grant_type=client_credentials&client_id=ci-bot&client_secret=s3cret&scope=https%3A%2F%2Fmanagement.azure.com%2F.default";
        if form == expected {
            let token = json!({"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": "arm-token"});
            return axum::Json(token).into_response();
        }
        let error = json!({"error": "invalid_client", "error_description": "AADSTS7000215: Invalid client secret provided.", "error_codes": [7000215]});
        return (StatusCode::UNAUTHORIZED, axum::Json(error)).into_response();
    }
    if headers.get("authorization").and_then(|v| v.to_str().ok()) != Some("Bearer arm-token") {
        let error = json!({"error": {"code": "InvalidAuthenticationToken", "message": "The access token is invalid."}});
        return (StatusCode::UNAUTHORIZED, axum::Json(error)).into_response();
    }
    let docker = format!("DOCKER|{image}");
    if path == SITES && query == "api-version=2022-03-01" {
        let next = format!("{base}{SITES}?api-version=2022-03-01&$skiptoken=2");
        return axum::Json(json!({"value": [
            site("web", "app,linux,container", "Running", &docker),
            site("stopped", "app,linux,container", "Stopped", "DOCKER|nowhere.invalid/x:1"),
            site("func", "functionapp,linux", "Running", ""),
        ], "nextLink": next}))
        .into_response();
    }
    if path == SITES {
        let page = [site(
            "restarting",
            "app,linux,container",
            "running",
            &docker,
        )];
        return axum::Json(json!({"value": page, "nextLink": null})).into_response();
    }
    if path == format!("{SITES}/func/config/web") {
        let config = json!({"id": format!("{SITES}/func/config/web"), "name": "func",
                            "properties": {"linuxFxVersion": "NODE|18", "numberOfWorkers": 1}});
        return axum::Json(config).into_response();
    }
    let Some((app, kudu)) = path.strip_prefix("/scm/").and_then(|p| p.split_once('/')) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let files = [
        (
            "2023_09_27_lw0sdlwk0001_docker.log",
            "2023-09-27T10:00:00Z",
            "Digest: sha256:".to_string() + &"d".repeat(64),
        ),
        (
            "2023_09_28_lw0sdlwk0001_default_docker.log",
            "2023-09-28T13:00:00Z",
            "app says Digest: sha256:".to_string() + &"e".repeat(64),
        ),
        (
            "2023_09_28_lw0sdlwk0001_docker.log",
            "2023-09-28T12:27:38Z",
            log_text(app).unwrap_or_default(),
        ),
    ];
    match (app, kudu) {
        ("web" | "restarting", "api/logs/docker") => axum::Json(
            files
                .iter()
                .map(|(name, updated, text)| {
                    json!({
                        "machineName": "lw0sdlwk0001", "lastUpdated": updated, "size": text.len(),
                        "href": format!("{base}/scm/{app}/api/vfs/LogFiles/{name}"),
                        "path": format!("/home/LogFiles/{name}"),
                    })
                })
                .collect::<Value>(),
        )
        .into_response(),
        ("web" | "restarting", "api/logs/docker/zip") => {
            let entries: Vec<(String, &str)> = files
                .iter()
                .map(|(n, _, t)| (format!("LogFiles/{n}"), t.as_str()))
                .collect();
            zip(&entries).into_response()
        }
        ("func", "api/zip/site/wwwroot/") => {
            zip(&PACKAGE.map(|(n, t)| (n.to_string(), t))).into_response()
        }
        (_, file) => match files
            .iter()
            .find(|(n, _, _)| file == format!("api/vfs/LogFiles/{n}"))
        {
            Some((_, _, text)) if log_text(app).is_some() => text.clone().into_response(),
            _ => StatusCode::NOT_FOUND.into_response(),
        },
    }
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0xEDB8_8320 & (crc & 1).wrapping_neg());
        }
    }
    !crc
}

/// A zip archive of stored (uncompressed) files, as `zip -0` writes it.
pub fn zip(files: &[(String, &str)]) -> Vec<u8> {
    let (mut data, mut directory) = (Vec::new(), Vec::new());
    for (name, text) in files {
        let mut fields = vec![20u8, 0, 0, 0, 0, 0, 0, 0, 0x21, 0];
        fields.extend(crc32(text.as_bytes()).to_le_bytes());
        fields.extend((text.len() as u32).to_le_bytes().repeat(2));
        fields.extend((name.len() as u16).to_le_bytes());
        fields.extend([0, 0]);
        directory.extend(0x0201_4b50u32.to_le_bytes());
        directory.extend([20, 3]);
        directory.extend(&fields);
        directory.extend([0; 10]);
        directory.extend((data.len() as u32).to_le_bytes());
        directory.extend(name.as_bytes());
        data.extend(0x0403_4b50u32.to_le_bytes());
        data.extend(&fields);
        data.extend(name.as_bytes());
        data.extend(text.as_bytes());
    }
    let offset = data.len() as u32;
    data.extend(&directory);
    data.extend(0x0605_4b50u32.to_le_bytes());
    data.extend([0; 4]);
    data.extend((files.len() as u16).to_le_bytes().repeat(2));
    data.extend((directory.len() as u32).to_le_bytes());
    data.extend(offset.to_le_bytes());
    data.extend([0, 0]);
    data
}
