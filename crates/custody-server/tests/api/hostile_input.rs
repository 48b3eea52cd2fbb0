//! The same hostile inputs, sent to a server on SQLite and to one on
//! PostgreSQL, get the same answers: every string field of the common writes
//! and every path segment of the common reads gets NUL characters, control
//! characters, a megabyte of text, quotes and SQL, odd Unicode and a seeded
//! run of random strings. No answer is a 5xx, the two backends agree on every
//! status and message, and what was refused left the data as it was.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::Method;
use serde_json::{Value, json};

use crate::fixtures::{self, EMPTY_TEMPLATE};
use crate::harness::{Api, Reply, TestServer, fp, pod, sha, start};
use crate::policies::put_policy;
use custody_store::testing::TestDatabase;

/// Strings chosen to break storage, indexes and parsers.
fn hostile_strings() -> Vec<String> {
    let mut strings: Vec<String> = [
        "nul\0inside",
        "\0",
        "tab\tand\nnewline\r",
        "bell\u{7}escape\u{1b}[31m",
        "'; DROP TABLE flows; --",
        "\" OR 1=1 --",
        "%00%25%2F..%2F",
        "../../etc/passwd",
        "emoji-🚀-ünïcödé-\u{202e}rtl",
        "\u{feff}bom",
        "\u{fffd}\u{10ffff}",
        " leading-and-trailing ",
        "",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    strings.push("n".repeat(1024 * 1024));
    strings.push("a1".repeat(300));
    strings.push("ab".repeat(33));
    let mut rng = StdRng::seed_from_u64(7);
    for _ in 0..12 {
        let len = rng.random_range(0..40);
        strings.push((0..len).map(|_| random_char(&mut rng)).collect());
    }
    strings
}

fn random_char(rng: &mut StdRng) -> char {
    match rng.random_range(0..4) {
        0 => rng.random_range(0u8..0x20) as char,
        1 => char::from_u32(rng.random_range(0x80..0x3000)).unwrap_or('x'),
        2 => ['"', '\'', '\\', '/', '%', '{', '}', '$', '#', '~'][rng.random_range(0..10)],
        _ => rng.random_range(b'a'..=b'z') as char,
    }
}

/// Sends every hostile string through every request shape; the answers in order.
async fn answers(srv: &TestServer) -> Vec<(String, u16, String)> {
    let (m, s, a) = (&srv.member, &srv.snapshotter, &srv.admin);
    fixtures::flow(m, "f1", EMPTY_TEMPLATE).await;
    fixtures::environment(s, "e1").await;
    fixtures::artifact(m, "f1", &fp("a1"), "app:1", &sha("c1"), Some("t1"), None).await;
    let mut out = Vec::new();
    for (n, text) in hostile_strings().into_iter().enumerate() {
        let shown: String = text.chars().take(24).collect();
        let mut tried: Vec<(&str, Reply)> = vec![
            (
                "flow name",
                flow(m, json!({"name": text}), EMPTY_TEMPLATE).await,
            ),
            (
                "flow description",
                flow(
                    m,
                    json!({"name": "f2", "description": text}),
                    EMPTY_TEMPLATE,
                )
                .await,
            ),
            (
                "flow template",
                flow(m, json!({"name": "f3"}), &format!("version: 1\n# {text}\n")).await,
            ),
            (
                "environment name",
                m.put("environments/acme", json!({"name": text, "type": "K8S"}))
                    .await,
            ),
            (
                "environment description",
                m.put(
                    "environments/acme",
                    json!({"name": "e2", "type": "K8S", "description": text}),
                )
                .await,
            ),
            (
                "artifact filename",
                artifact(m, json!({"filename": text})).await,
            ),
            (
                "artifact commit",
                artifact(m, json!({"git_commit": text})).await,
            ),
            (
                "artifact build url",
                artifact(m, json!({"build_url": text})).await,
            ),
            (
                "artifact trail",
                artifact(m, json!({"trail_name": text})).await,
            ),
            (
                "trail name",
                m.form(
                    Method::PUT,
                    "trails/acme/f1",
                    Some(json!({"name": text})),
                    &[],
                )
                .await,
            ),
            (
                "trail description",
                m.form(
                    Method::PUT,
                    "trails/acme/f1",
                    Some(json!({"name": "t2", "description": text})),
                    &[],
                )
                .await,
            ),
            (
                "attestation name",
                attest(m, json!({"attestation_name": text})).await,
            ),
            (
                "attestation user data",
                attest(
                    m,
                    json!({"attestation_name": "a", "user_data": {"k": text, text.clone(): 1}}),
                )
                .await,
            ),
            (
                "attestation commit",
                attest(
                    m,
                    json!({"attestation_name": "a", "git_commit_info": {"sha1": text}}),
                )
                .await,
            ),
            (
                "policy name",
                put_policy(
                    m,
                    &text,
                    "_schema: https://kosli.com/schemas/policy/environment/v1\n",
                )
                .await,
            ),
            (
                "policy text",
                put_policy(
                    m,
                    &format!("p{n}"),
                    &format!(
                        "_schema: https://kosli.com/schemas/policy/environment/v1\n# {text}\n"
                    ),
                )
                .await,
            ),
            ("type name", custom_type(m, json!({"name": text})).await),
            (
                "type description",
                custom_type(m, json!({"name": format!("t{n}"), "description": text})).await,
            ),
            (
                "tag",
                m.patch(
                    "tags/acme/flow/f1",
                    json!({"set_tags": {text.clone(): text}}),
                )
                .await,
            ),
            (
                "pod",
                s.put(
                    "environments/acme/e1/report/K8S",
                    json!({"artifacts": [pod(&text, &text, &fp("b2"), 1)]}),
                )
                .await,
            ),
            (
                "service account",
                a.post(
                    "service-accounts/acme",
                    json!({"name": text, "role": "reader"}),
                )
                .await,
            ),
            // A webhook of this machine is refused, so no action is made
            // whatever the other fields are: nothing is ever sent.
            (
                "action name",
                action(m, &text, "ON_STARTED_ARTIFACT", "http://127.0.0.1:9/").await,
            ),
            (
                "action trigger",
                action(m, "a1", &text, "http://127.0.0.1:9/").await,
            ),
            (
                "action webhook",
                action(m, "a1", "ON_STARTED_ARTIFACT", &text).await,
            ),
        ];
        // URIs are bounded by HTTP itself: the long strings go in bodies only.
        if text.len() <= 4096 {
            tried.extend([
                ("flow path", m.get(&format!("flows/acme/{text}")).await),
                ("action path", m.get(&format!("actions/acme/{text}")).await),
                ("trail path", m.get(&format!("trails/acme/f1/{text}")).await),
                (
                    "search path",
                    m.get(&format!("search/acme/sha/{text}")).await,
                ),
                (
                    "snapshot path",
                    m.get(&format!("snapshots/acme/e1/{text}")).await,
                ),
                (
                    "snapshot query",
                    m.get(&format!("snapshots/acme/e1?interval={}", urlencode(&text)))
                        .await,
                ),
            ]);
        }
        for (what, reply) in tried {
            let (status, message) = match reply {
                Ok((status, _)) => (status, String::new()),
                Err((status, message)) => (status, message.chars().take(300).collect()),
            };
            assert!(status < 500, "{what} with {shown:?}: {status} {message}");
            out.push((format!("{what} with {shown:?}"), status, message));
        }
    }
    out
}

fn urlencode(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

async fn flow(api: &Api, data: Value, template: &str) -> Reply {
    let data = json!({"description": "d"})
        .as_object()
        .cloned()
        .map(|mut d| {
            d.extend(data.as_object().cloned().unwrap_or_default());
            Value::Object(d)
        });
    api.form(
        Method::PUT,
        "flows/acme/template_file",
        data,
        &[("template_file", template)],
    )
    .await
}

async fn artifact(api: &Api, fields: Value) -> Reply {
    let mut body = json!({"fingerprint": fp("a3"), "filename": "app:3", "git_commit": sha("c3"),
        "commit_url": "https://git.example/c3", "build_url": "https://ci.example/3"});
    body.as_object_mut()
        .expect("object")
        .extend(fields.as_object().cloned().unwrap_or_default());
    api.post("artifacts/acme/f1", body).await
}

async fn attest(api: &Api, data: Value) -> Reply {
    api.form(
        Method::POST,
        "attestations/acme/f1/trail/t1/generic",
        Some(data),
        &[],
    )
    .await
}

async fn custom_type(api: &Api, data: Value) -> Reply {
    api.form(
        Method::POST,
        "custom-attestation-types/acme",
        Some(data),
        &[],
    )
    .await
}

/// What a reader sees of the org afterwards (names and counts, not times).
async fn action(api: &Api, name: &str, trigger: &str, webhook: &str) -> Reply {
    let body = json!({"name": name, "environments": ["e1"], "triggers": [trigger],
        "targets": [{"type": "WEBHOOK", "webhook": webhook}]});
    api.put("actions/acme/environments", body).await
}

async fn contents(api: &Api) -> Value {
    let names = |list: Value| -> Vec<String> {
        list.as_array()
            .map(|l| {
                l.iter()
                    .map(|f| f["name"].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default()
    };
    json!({
        "flows": names(api.json("flows/acme").await),
        "environments": names(api.json("environments/acme").await),
        "policies": names(api.json("policies/acme").await),
        "types": names(api.json("custom-attestation-types/acme").await),
        "trails": api.json("trails/acme/f1").await.as_array().map_or(0, Vec::len),
        "actions": api.json("actions/acme").await,
    })
}

#[tokio::test(flavor = "multi_thread")]
async fn both_backends_accept_and_refuse_the_same_hostile_inputs() {
    let sqlite_db = TestDatabase::sqlite();
    let sqlite = start(&sqlite_db).await;
    let on_sqlite = answers(&sqlite).await;
    let sqlite_contents = contents(&sqlite.reader).await;
    sqlite.stop().await;

    let postgres_db = TestDatabase::postgres().await;
    let postgres = start(&postgres_db).await;
    let on_postgres = answers(&postgres).await;
    let postgres_contents = contents(&postgres.reader).await;
    postgres.stop().await;

    assert_eq!(on_sqlite.len(), on_postgres.len());
    let differences: Vec<String> = on_sqlite
        .iter()
        .zip(&on_postgres)
        .filter(|(a, b)| a != b)
        .map(|(a, b)| {
            format!(
                "{}: sqlite {} {:?}, postgres {} {:?}",
                a.0, a.1, a.2, b.1, b.2
            )
        })
        .collect();
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    assert_eq!(sqlite_contents, postgres_contents);
    assert_eq!(sqlite_contents["actions"], json!([]), "no action was made");
    let refused = on_sqlite.iter().filter(|a| a.1 >= 400).count();
    assert!(refused > 100, "most hostile inputs are refused ({refused})");
}
