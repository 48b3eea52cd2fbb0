//! Kosli's multi-host mode: one command line with `--host a,b` and
//! `--api-token x,y` writes to both servers, prints what the first answered,
//! and names the server a failure came from.

use crate::harness::{Server, admin, ok, stderr, stdout};
use crate::pipeline::key;

/// Two fresh servers, each with org `acme` and an admin key of its own.
fn two_servers() -> [(Server, String); 2] {
    [(), ()].map(|()| {
        let server = Server::start(false);
        admin(&server.database_url(), &["create-org", "acme"]);
        let token = key(&server, "admin");
        (server, token)
    })
}

#[test]
fn a_write_reaches_every_host_and_prints_the_first_answer_once() {
    let [(a, key_a), (b, key_b)] = two_servers();
    let hosts = format!("{},{}", a.host, b.host);
    let keys = format!("{key_a},{key_b}");
    let created = ok(a.run(
        "acme",
        &keys,
        &["create", "flow", "shop", "--description", "the shop"],
        &[("CUSTODY_HOST", &hosts)],
    ));
    assert_eq!(
        created.matches("flow 'shop' was created").count(),
        1,
        "{created}"
    );
    for (server, token) in [(&a, &key_a), (&b, &key_b)] {
        let flow = ok(server.run("acme", token, &["get", "flow", "shop"], &[]));
        assert!(
            flow.contains("the shop"),
            "{} lacks the flow:\n{flow}",
            server.host
        );
    }

    let status = ok(a.run("acme", &keys, &["status", "--host", &hosts], &[]));
    assert_eq!(status, "OK\n");
    let debug = ok(a.run("acme", &keys, &["status", "--host", &hosts, "--debug"], &[]));
    assert!(
        debug.contains(&format!("[debug] [{}]", a.host))
            && debug.contains(&format!("[debug] [{}]", b.host)),
        "{debug}"
    );
}

#[test]
fn a_failure_on_one_host_fails_the_run_and_names_that_host() {
    let [(a, key_a), (b, key_b)] = two_servers();
    ok(a.run("acme", &key_a, &["create", "flow", "shop"], &[]));
    let hosts = format!("--host={},{}", a.host, b.host);
    let keys = format!("--api-token={key_a},{key_b}");
    let out = a.run("acme", "", &["get", "flow", "shop", &hosts, &keys], &[]);
    assert!(!out.status.success(), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("shop"),
        "the first host's answer: {}",
        stdout(&out)
    );
    let error = stderr(&out);
    assert!(
        error.starts_with(&format!("Error: [{}]\n", b.host)) && !error.contains(&a.host),
        "{error}"
    );

    let wrong_key = a.run(
        "acme",
        "",
        &[
            "get",
            "flow",
            "shop",
            &hosts,
            &format!("--api-token=nope,{key_b}"),
        ],
        &[],
    );
    assert!(
        stderr(&wrong_key).starts_with(&format!("Error: [{}]\n", a.host)),
        "{}",
        stderr(&wrong_key)
    );
}

#[test]
fn unequal_lists_are_one_host_as_written() {
    let [(a, key_a), (b, _)] = two_servers();
    let out = a.run(
        "acme",
        &key_a,
        &["status", "--host", &format!("{},{}", a.host, b.host)],
        &[],
    );
    assert_ne!(
        stdout(&out),
        "OK\n",
        "one key for two hosts is not multi-host mode: the list is one (unusable) address"
    );
}
