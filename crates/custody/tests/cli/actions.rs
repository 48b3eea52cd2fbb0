//! `create|get|list|delete action` against a real server allowed to reach
//! this machine (`CUSTODY_WEBHOOK_ALLOW`), which delivers a snapshot's
//! started artifact to a local receiver; a server without the allow-list
//! refuses the same webhook; a notification not yet delivered when the
//! server is killed is delivered by the next one.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::response::IntoResponse;

use crate::fake_http;
use crate::harness::{Launch, Server, ok, stderr};
use crate::pipeline::key;

/// A receiver keeping each POSTed body.
fn receiver() -> (String, Arc<Mutex<Vec<serde_json::Value>>>) {
    let bodies: Arc<Mutex<Vec<serde_json::Value>>> = Arc::default();
    let kept = bodies.clone();
    let fake = fake_http::serve(move |_, _, _, _, body| {
        kept.lock()
            .unwrap()
            .push(serde_json::from_slice(body).unwrap_or_default());
        "ok".into_response()
    });
    (format!("{}/hook", fake.url), bodies)
}

#[test]
fn actions_are_created_listed_delivered_and_deleted_from_the_cli() {
    let server = Server::launch(Launch {
        env: vec![("CUSTODY_WEBHOOK_ALLOW".into(), "127.0.0.1/32".into())],
        ..Launch::default()
    });
    crate::harness::admin(&server.database_url(), &["create-org", "acme"]);
    let token = key(&server, "member");
    let run = |args: &[&str]| server.run("acme", &token, args, &[]);
    let (hook, bodies) = receiver();
    ok(run(&["create", "environment", "prod", "--type", "server"]));
    let created = ok(run(&[
        "create",
        "action",
        "prod-hook",
        "--environments",
        "prod",
        "--triggers",
        "ON_STARTED_ARTIFACT,ON_EXITED_ARTIFACT",
        "--webhook-url",
        &hook,
    ]));
    assert_eq!(created, "action 'prod-hook' was saved as number 1\n");
    let listed = ok(run(&["list", "actions"]));
    assert!(listed.starts_with("NUMBER  NAME"), "{listed}");
    assert!(
        listed.contains("prod-hook") && listed.contains("ON_STARTED_ARTIFACT, ON_EXITED_ARTIFACT"),
        "{listed}"
    );

    std::fs::write(server.dir.join("app.bin"), "the app").unwrap();
    ok(run(&[
        "snapshot", "path", "prod", "--path", "app.bin", "--name", "app",
    ]));
    let deadline = Instant::now() + Duration::from_secs(60);
    while bodies.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "nothing was delivered");
        std::thread::sleep(Duration::from_millis(50));
    }
    let body = bodies.lock().unwrap()[0].clone();
    assert_eq!(body["event_type"], "STARTED_ARTIFACT");
    assert_eq!(body["artifact"]["name"], "app");

    let shown = ok(run(&["get", "action", "1"]));
    assert!(shown.contains("Name:          prod-hook"), "{shown}");
    assert!(shown.contains(&format!("WEBHOOK:  {hook}")), "{shown}");
    assert!(
        !shown.contains("Last success:  Never"),
        "delivered: {shown}"
    );
    let json = ok(run(&["get", "action", "1", "--output", "json"]));
    assert!(json.contains("\"is_failing\": false"), "{json}");
    assert_eq!(
        ok(run(&["delete", "action", "1", "--assume-yes"])),
        "action 1 was deleted!\n"
    );
    assert_eq!(ok(run(&["list", "actions"])), "No actions were found.\n");
    let gone = run(&["get", "action", "1"]);
    assert!(
        stderr(&gone).contains("Action number '1' does not exist"),
        "{}",
        stderr(&gone)
    );

    let guarded = Server::on_database(&server.database_url());
    let refused = guarded.run(
        "acme",
        &token,
        &[
            "create",
            "action",
            "again",
            "--environments",
            "prod",
            "--triggers",
            "ON_STARTED_ARTIFACT",
            "--slack-webhook-url",
            &hook,
        ],
        &[],
    );
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains("is a loopback address"),
        "{}",
        stderr(&refused)
    );
}

/// A receiver on this port, started only now, keeping each POSTed body.
fn receiver_on(port: u16) -> Arc<Mutex<Vec<serde_json::Value>>> {
    let bodies: Arc<Mutex<Vec<serde_json::Value>>> = Arc::default();
    let kept = bodies.clone();
    let listener = std::net::TcpListener::bind(("127.0.0.1", port)).expect("bind the port again");
    listener.set_nonblocking(true).unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Runtime::new().expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            let app = axum::Router::new().fallback(move |body: axum::body::Bytes| {
                kept.lock()
                    .unwrap()
                    .push(serde_json::from_slice(&body).unwrap_or_default());
                async { "ok" }
            });
            axum::serve(listener, app).await.expect("serve");
        });
    });
    bodies
}

#[test]
fn a_notification_pending_when_the_server_is_killed_is_delivered_by_the_next() {
    let mut server = Server::launch(Launch {
        env: vec![("CUSTODY_WEBHOOK_ALLOW".into(), "127.0.0.1/32".into())],
        ..Launch::default()
    });
    crate::harness::admin(&server.database_url(), &["create-org", "acme"]);
    let token = key(&server, "member");
    // A port nothing listens on yet: the first attempt is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let hook = format!("http://127.0.0.1:{port}/hook");
    let run = |server: &Server, args: &[&str]| server.run("acme", &token, args, &[]);
    ok(run(
        &server,
        &["create", "environment", "prod", "--type", "server"],
    ));
    ok(run(
        &server,
        &[
            "create",
            "action",
            "prod-hook",
            "--environments",
            "prod",
            "--triggers",
            "ON_STARTED_ARTIFACT",
            "--webhook-url",
            &hook,
        ],
    ));
    std::fs::write(server.dir.join("app.bin"), "the app").unwrap();
    ok(run(
        &server,
        &[
            "snapshot", "path", "prod", "--path", "app.bin", "--name", "app",
        ],
    ));
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let doc = ok(run(&server, &["get", "action", "1", "--output", "json"]));
        if !doc.contains("\"last_failure_at\": null") {
            break;
        }
        assert!(Instant::now() < deadline, "no attempt was made: {doc}");
        std::thread::sleep(Duration::from_millis(100));
    }
    server.kill_and_restart();
    let bodies = receiver_on(port);
    let deadline = Instant::now() + Duration::from_secs(60);
    while bodies.lock().unwrap().is_empty() {
        assert!(Instant::now() < deadline, "the next server did not deliver");
        std::thread::sleep(Duration::from_millis(100));
    }
    let got = bodies.lock().unwrap().clone();
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0]["event_type"], "STARTED_ARTIFACT");
    let doc = ok(run(&server, &["get", "action", "1", "--output", "json"]));
    assert!(doc.contains("\"is_failing\": false"), "{doc}");
}
