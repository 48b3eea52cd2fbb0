//! Kosli's own CLI tests, command by command: each file under
//! `kosli_cases/commands/` holds the cases of one of Kosli's
//! `cmd/kosli/*_test.go` files that apply to Custody, with that suite's setup
//! as `> ` steps. They run as Kosli runs them: in `cmd/kosli` of a git
//! checkout (so `--repo-root ../..` is a repository), next to Kosli's
//! `testdata`, against one server whose org has the name Kosli's tests use.

use std::path::Path;
use std::process::Command;

use super::harness::{Server, admin};
use super::kosli_cases::run_cases_with;
use super::pipeline::git;

/// The org Kosli's tests sign in to; its errors name it.
const ORG: &str = "docs-cmd-test-user";

/// A git checkout with Kosli's test data at `cmd/kosli/testdata`; the
/// directory the cases run in.
fn checkout(root: &Path) -> std::path::PathBuf {
    let dir = root.join("cmd/kosli");
    std::fs::create_dir_all(&dir).expect("cmd/kosli");
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/kosli_cases/testdata");
    // `cp -a` keeps the symlinks the fingerprint cases are about.
    let copied = Command::new("cp")
        .arg("-a")
        .arg(&data)
        .arg(&dir)
        .status()
        .expect("cp");
    assert!(copied.success(), "copy the test data");
    std::fs::write(root.join("README.md"), "a checkout\n").expect("README");
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "Add the test data"]);
    dir
}

#[test]
fn kosli_command_tests_pass_against_custody() {
    let server = Server::start(false);
    let db = server.database_url();
    admin(&db, &["create-org", ORG]);
    let created = admin(&db, &["create-api-key", "--org", ORG, "--role", "admin"]);
    let token = created
        .lines()
        .nth(1)
        .expect("the key is on the second line");
    // Kosli's suites read some empty lists from a second org.
    admin(&db, &["create-org", "acme-org"]);
    let acme = admin(
        &db,
        &["create-api-key", "--org", "acme-org", "--role", "admin"],
    );
    let acme_token = acme.lines().nth(1).expect("the key is on the second line");
    let root = tempfile::tempdir().expect("temp dir");
    let dir = checkout(root.path());
    let env = [
        ("CUSTODY_HOST", server.host.as_str()),
        ("CUSTODY_ORG", ORG),
        ("CUSTODY_API_TOKEN", token),
        ("CUSTODY_MAX_API_RETRIES", "0"),
    ];
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/kosli_cases/commands");
    let mut files: Vec<String> = std::fs::read_dir(&cases)
        .expect("case files")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert!(files.len() > 60, "every ported command has its file");
    let failures: Vec<String> = files
        .iter()
        .flat_map(|file| {
            run_cases_with(
                &format!("commands/{file}"),
                &dir,
                &env,
                &[("ACME_TOKEN", acme_token)],
            )
            .into_iter()
            .map(move |f| format!("[{file}] {f}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
