//! Kosli's own CLI tests, command by command: each file under
//! `kosli_cases/commands/` holds the cases of one of Kosli's
//! `cmd/kosli/*_test.go` files that apply to Custody, with that suite's setup
//! as `> ` steps. They run as Kosli runs them: in `cmd/kosli` of a git
//! checkout (so `--repo-root ../..` is a repository), next to Kosli's
//! `testdata`, against one server whose org has the name Kosli's tests use,
//! with the provider fakes (`{PROVIDERS}`) standing in for GitHub and SonarQube.
//! `KOSLI_CASES=listTrails,config` runs only the files it names.

use std::path::Path;
use std::process::Command;

use super::fake_providers::Fake;
use super::harness::{Server, admin};
use super::kosli_cases::run_cases_with;
use super::pipeline::git;

/// The org Kosli's tests sign in to; its errors name it.
const ORG: &str = "docs-cmd-test-user";

/// A git checkout with Kosli's test data at `cmd/kosli/testdata` and a
/// scanner's report of the fake SonarQube at `providers` in
/// `cmd/kosli/fake-sonar/.scannerwork`; the directory the cases run in.
fn checkout(root: &Path, providers: &str) -> std::path::PathBuf {
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
    let scanner = dir.join("fake-sonar/.scannerwork");
    std::fs::create_dir_all(&scanner).expect("scanner work dir");
    let report = format!(
        "projectKey=acme_shop\nserverUrl={providers}\n\
         dashboardUrl={providers}/dashboard?id=acme_shop&branch=main\n\
         ceTaskId=AYtask\nceTaskUrl={providers}/api/ce/task?id=AYtask\n"
    );
    std::fs::write(scanner.join("report-task.txt"), report).expect("report-task.txt");
    std::fs::write(root.join("README.md"), "a checkout\n").expect("README");
    git(root, &["init", "-q", "-b", "main"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "Add the test data"]);
    dir
}

/// Creates `org` and an admin key of it; the key.
fn org_with_key(db: &str, org: &str) -> String {
    admin(db, &["create-org", org]);
    let created = admin(db, &["create-api-key", "--org", org, "--role", "admin"]);
    let key = created
        .lines()
        .nth(1)
        .expect("the key is on the second line");
    key.to_string()
}

#[test]
fn kosli_command_tests_pass_against_custody() {
    let server = Server::start(false);
    let db = server.database_url();
    let token = org_with_key(&db, ORG);
    // Kosli's suites read some empty lists from a second org, and keep
    // repos in a third.
    let acme_token = org_with_key(&db, "acme-org");
    let shared_token = org_with_key(&db, "acme-org-shared");
    let providers = Fake::start();
    let root = tempfile::tempdir().expect("temp dir");
    let dir = checkout(root.path(), &providers.url);
    let env = [
        ("CUSTODY_HOST", server.host.as_str()),
        ("CUSTODY_ORG", ORG),
        ("CUSTODY_API_TOKEN", token.as_str()),
        ("CUSTODY_MAX_API_RETRIES", "0"),
    ];
    let cases = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/kosli_cases/commands");
    let mut files: Vec<String> = std::fs::read_dir(&cases)
        .expect("case files")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert!(files.len() > 60, "every ported command has its file");
    // `KOSLI_CASES=listTrails,config` runs only those files.
    if let Ok(only) = std::env::var("KOSLI_CASES") {
        let only: Vec<String> = only
            .split(',')
            .map(|f| format!("{}.txt", f.trim()))
            .collect();
        files.retain(|file| only.contains(file));
    }
    let failures: Vec<String> = files
        .iter()
        .flat_map(|file| {
            run_cases_with(
                &format!("commands/{file}"),
                &dir,
                &env,
                &[
                    ("ACME_TOKEN", &acme_token),
                    ("SHARED_TOKEN", &shared_token),
                    ("PROVIDERS", &providers.url),
                ],
            )
            .into_iter()
            .map(move |f| format!("[{file}] {f}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
