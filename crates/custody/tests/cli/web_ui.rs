//! The web UI in a real headless Chromium: `ui-tests/run.mjs` (playwright-core
//! and axe-core from npm) walks the tutorial's story against a demo server,
//! checks sign-in, sign-out and org isolation, and writes screenshots to
//! `target/ui-screenshots/`. Needs Node.js and `/usr/bin/chromium` (or
//! `CHROMIUM`); `scripts/test` installs both.

use std::path::PathBuf;
use std::process::Command;

use crate::harness::{Server, admin, stderr, stdout};

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[test]
fn a_user_walks_the_tutorial_in_the_browser() {
    let tests = workspace().join("ui-tests");
    if !tests.join("node_modules/playwright-core").exists() {
        let npm = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&tests)
            .output()
            .expect("npm (Node.js) must be installed for the browser tests");
        assert!(npm.status.success(), "npm ci failed: {}", stderr(&npm));
    }
    let server = Server::start(true);
    let url = server.database_url();
    admin(&url, &["create-org", "elsewhere"]);
    let other = admin(
        &url,
        &["create-api-key", "--org", "elsewhere", "--role", "admin"],
    );
    let other_key = other.lines().nth(1).expect("the key line");
    let shots = workspace().join("target/ui-screenshots");
    let run = Command::new("node")
        .arg("run.mjs")
        .current_dir(&tests)
        .env("CUSTODY_UI_URL", &server.host)
        .env("DEMO_KEY", "cyber-dojo-demo-key")
        .env("OTHER_KEY", other_key)
        .env("SCREENSHOTS", &shots)
        .output()
        .expect("node must be installed for the browser tests");
    assert!(
        run.status.success(),
        "browser checks failed:\n{}\n{}",
        stdout(&run),
        stderr(&run)
    );
    // The checks and the render-time figures, for `--nocapture` runs.
    println!("{}", stdout(&run));
    assert!(
        shots.join("environment.png").exists(),
        "screenshots are written"
    );
}
