//! Corporate networks: a server whose certificate only a private authority
//! vouches for (`--ca-cert`, `SSL_CERT_FILE`), and an HTTP proxy
//! (`HTTP_PROXY`, `NO_PROXY`) that every request goes through.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::harness::{BIN, ok, stderr};

/// The test authority (its key was thrown away once it signed the server's).
const CA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cli/data/tls-ca.pem");
const CERT: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/cli/data/tls-localhost.pem"
);
const KEY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/cli/data/tls-localhost.key"
);
const EMPTY_LIST: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n[]";

/// Reads one request's head; its first line.
fn request_line(stream: impl Read) -> String {
    let mut reader = BufReader::new(stream);
    let mut first = String::new();
    reader.read_line(&mut first).unwrap_or_default();
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap_or(0) > 2 {
        line.clear();
    }
    first.trim().to_string()
}

/// An HTTPS server on localhost with the test authority's certificate,
/// answering every request with an empty list; its port.
fn tls_server() -> u16 {
    let certs = vec![CertificateDer::from_pem_file(CERT).unwrap()];
    let key = PrivateKeyDer::from_pem_file(KEY).unwrap();
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let config = config.clone();
            std::thread::spawn(move || {
                let conn = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(conn, stream);
                let mut head = [0u8; 4096];
                if tls.read(&mut head).unwrap_or(0) > 0 {
                    let _ = tls.write_all(EMPTY_LIST);
                    let _ = tls.flush();
                }
            });
        }
    });
    port
}

/// A plain HTTP proxy that answers every request with an empty list and
/// records the request lines it was sent; its port.
fn proxy() -> (u16, Arc<Mutex<Vec<String>>>) {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let log = seen.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let line = request_line(&mut stream);
            log.lock().unwrap().push(line);
            let _ = stream.write_all(EMPTY_LIST);
        }
    });
    (port, seen)
}

fn list_flows(host: &str, extra: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(BIN)
        .args([
            "list",
            "flows",
            "--host",
            host,
            "--org",
            "acme",
            "--api-token",
            "k",
        ])
        .args(["--max-api-retries", "0"])
        .args(extra)
        .env_clear()
        .env("HOME", env!("CARGO_TARGET_TMPDIR"))
        .envs(env.iter().copied())
        .output()
        .expect("run custody")
}

#[test]
fn a_private_authority_is_trusted_from_the_flag_or_ssl_cert_file() {
    let host = format!("https://localhost:{}", tls_server());
    let refused = list_flows(&host, &[], &[]);
    assert!(
        stderr(&refused).to_lowercase().contains("certificate"),
        "an unknown authority is refused: {}",
        stderr(&refused)
    );
    assert_eq!(
        ok(list_flows(&host, &["--ca-cert", CA], &[])),
        "No flows were found.\n"
    );
    assert_eq!(
        ok(list_flows(&host, &[], &[("SSL_CERT_FILE", CA)])),
        "No flows were found.\n"
    );
    let bad = list_flows(&host, &["--ca-cert", "/nonexistent.pem"], &[]);
    assert!(
        stderr(&bad).starts_with("Error: cannot read the CA bundle /nonexistent.pem"),
        "{}",
        stderr(&bad)
    );
    let stale = list_flows(
        &host,
        &["--ca-cert", CA],
        &[("SSL_CERT_FILE", "/nonexistent.pem")],
    );
    assert_eq!(
        ok(stale),
        "No flows were found.\n",
        "the flag wins over the variable"
    );
    let stale = list_flows(
        "http://127.0.0.1:1",
        &[],
        &[("SSL_CERT_FILE", "/nonexistent.pem")],
    );
    assert!(
        stderr(&stale).starts_with("[warning] SSL_CERT_FILE: cannot read the CA bundle"),
        "a stale variable only warns: {}",
        stderr(&stale)
    );
}

#[test]
fn requests_go_through_the_proxy_unless_no_proxy_names_the_host() {
    let (port, seen) = proxy();
    let via = format!("http://127.0.0.1:{port}");
    let env = [("HTTP_PROXY", via.as_str())];
    let out = list_flows("http://custody.invalid:8080", &[], &env);
    assert_eq!(ok(out), "No flows were found.\n");
    assert_eq!(
        seen.lock().unwrap().clone(),
        ["GET http://custody.invalid:8080/api/v2/flows/acme HTTP/1.1"]
    );
    let bypass = [
        ("HTTP_PROXY", via.as_str()),
        ("NO_PROXY", "custody.invalid"),
    ];
    let direct = list_flows("http://custody.invalid:8080", &[], &bypass);
    assert!(
        !direct.status.success(),
        "custody.invalid cannot be reached directly"
    );
    assert_eq!(seen.lock().unwrap().len(), 1, "NO_PROXY skips the proxy");
}
