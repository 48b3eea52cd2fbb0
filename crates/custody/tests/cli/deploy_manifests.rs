//! The server's own deployment (`deploy/server/`, the `Dockerfile`) says only
//! what the binary understands: the Deployment and the image start
//! `custody server` with flags and variables it has, the probes hit `/live`
//! and `/ready`, the ServiceMonitor scrapes `/metrics`, and the settings file
//! passes the server's own checks.

use std::path::{Path, PathBuf};
use std::process::Command;

use custody_server::config::{Layer, ServerConfig};
use serde_json::Value;

use crate::harness::{BIN, ok};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn manifest(name: &str) -> Value {
    let text = std::fs::read_to_string(repo().join("deploy/server").join(name)).expect(name);
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `custody server --help`, which names every flag and its variable.
fn server_help() -> String {
    ok(Command::new(BIN)
        .args(["server", "--help"])
        .output()
        .expect("help"))
}

fn known_flags(args: &[&str], help: &str) {
    for flag in args.iter().filter(|a| a.starts_with("--")) {
        assert!(
            help.contains(&format!("{flag} ")),
            "custody server has no {flag}"
        );
    }
}

#[test]
fn the_deployment_starts_the_server_as_it_understands() {
    let help = server_help();
    let deployment = manifest("deployment.yaml");
    let container = &deployment["spec"]["template"]["spec"]["containers"][0];
    let args: Vec<&str> = container["args"]
        .as_array()
        .expect("args")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(args.first(), Some(&"server"));
    known_flags(&args, &help);
    assert_eq!(container["livenessProbe"]["httpGet"]["path"], "/live");
    assert_eq!(container["readinessProbe"]["httpGet"]["path"], "/ready");
    for var in container["env"].as_array().expect("env") {
        let name = var["name"].as_str().expect("name");
        assert!(
            !name.starts_with("CUSTODY_") || help.contains(&format!("[env: {name}")),
            "custody server reads no {name}"
        );
    }
    let monitor = manifest("servicemonitor.yaml");
    assert_eq!(monitor["spec"]["endpoints"][0]["path"], "/metrics");
}

#[test]
fn the_settings_file_passes_the_servers_checks() {
    let config = manifest("config.yaml");
    let toml = config["data"]["server.toml"].as_str().expect("server.toml");
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("server.toml");
    std::fs::write(&file, toml).expect("write");
    let from_file = Layer::from_file(&file).expect("a valid settings file");
    let database = Layer {
        database_url: Some("postgres://custody@db/custody".into()),
        ..Layer::default()
    };
    let checked = ServerConfig::from_layer(database.over(from_file)).expect("checked");
    assert_eq!(checked.bind.port(), 8080);
}

#[test]
fn the_image_starts_the_server_with_flags_it_has() {
    let dockerfile = std::fs::read_to_string(repo().join("Dockerfile")).expect("Dockerfile");
    let cmd = dockerfile
        .lines()
        .find_map(|l| l.strip_prefix("CMD "))
        .expect("a CMD line");
    let args: Vec<String> = serde_json::from_str(cmd).expect("CMD as a JSON array");
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_eq!(args.first(), Some(&"server"));
    known_flags(&args, &server_help());
}
