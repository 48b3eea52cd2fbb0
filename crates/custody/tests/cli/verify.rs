//! `custody verify` against a real server whose database is then edited
//! behind its back, as someone with database access might: a record edited, a
//! record removed, log entries reordered, the log cut short. Each is caught and
//! named; an exported audit package verifies offline and its tampering is
//! caught too.

use sqlx::{AssertSqlSafe, Connection, SqliteConnection};

use crate::harness::{Server, admin, ok, stdout};
use crate::pipeline::{git, key};

const TEMPLATE: &str = "version: 1\ntrail:\n  artifacts:\n  - name: app\n";

/// Runs SQL on the server's SQLite database.
async fn edit(server: &Server, sql: &str) {
    let mut db = SqliteConnection::connect(&server.database_url())
        .await
        .expect("open the database");
    sqlx::raw_sql(AssertSqlSafe(sql.to_string()))
        .execute(&mut db)
        .await
        .expect("edit");
}

#[tokio::test(flavor = "multi_thread")]
async fn verify_catches_edited_removed_and_reordered_records() {
    let server = Server::start(false);
    admin(&server.database_url(), &["create-org", "acme"]);
    let token = key(&server, "admin");
    let repo = server.dir.join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::write(repo.join("app.bin"), "the app").unwrap();
    std::fs::write(repo.join("template.yml"), TEMPLATE).unwrap();
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "."]);
    git(&repo, &["commit", "-q", "-m", "Build"]);
    let state = server.dir.join("verified.json");
    let state = state.to_str().unwrap();
    let run = |args: &[&str]| server.run_in(&repo, "acme", &token, args, &[]);
    ok(run(&[
        "create",
        "flow",
        "app",
        "--template-file",
        "template.yml",
    ]));
    ok(run(&["begin", "trail", "t1", "--flow", "app"]));
    ok(run(&[
        "attest",
        "artifact",
        "app.bin",
        "--artifact-type",
        "file",
        "--flow",
        "app",
        "--trail",
        "t1",
        "--name",
        "app",
        "--build-url",
        "https://ci.example/1",
        "--commit-url",
        "https://git.example/c",
    ]));
    ok(run(&[
        "attest", "generic", "--flow", "app", "--trail", "t1", "--name", "app.lint",
    ]));
    ok(run(&["create", "environment", "prod", "--type", "server"]));
    ok(run(&[
        "snapshot", "path", "prod", "--path", "app.bin", "--name", "app",
    ]));

    let clean = ok(run(&[
        "verify",
        "--state",
        state,
        "--export",
        "package.json",
    ]));
    assert!(
        clean.starts_with("Verified ")
            && clean.contains("no record was edited, removed or reordered"),
        "{clean}"
    );
    assert!(ok(run(&["verify", "--package", "package.json"])).starts_with("Verified "));

    edit(
        &server,
        "UPDATE artifacts SET git_commit = 'feedface' WHERE filename = 'app.bin'",
    )
    .await;
    let edited = run(&["verify", "--state", state]);
    assert!(!edited.status.success());
    let text = stdout(&edited);
    assert!(text.contains("artifact app.bin ("), "{text}");
    assert!(
        text.contains("was edited after it was recorded: git_commit was "),
        "{text}"
    );
    assert!(text.contains("and is \"feedface\""), "{text}");
    assert!(
        ok(run(&["verify", "--package", "package.json"])).starts_with("Verified "),
        "the package keeps what was verified"
    );

    edit(&server, "DELETE FROM attestations WHERE name = 'lint'").await;
    let text = stdout(&run(&["verify", "--state", state]));
    assert!(text.contains("generic attestation 'lint' ("), "{text}");
    assert!(
        text.contains(") was removed after it was recorded"),
        "{text}"
    );

    edit(
        &server,
        "UPDATE log_entries SET seq = -1 WHERE seq = 2; UPDATE log_entries SET seq = 2 WHERE seq = 3; \
         UPDATE log_entries SET seq = 3 WHERE seq = -1",
    )
    .await;
    let text = stdout(&run(&["verify", "--state", state]));
    assert!(
        text.contains("entry #2 says it is entry #3: the log was reordered"),
        "{text}"
    );
    assert!(
        text.contains("entries were changed, removed or reordered"),
        "{text}"
    );

    edit(
        &server,
        "DELETE FROM log_entries WHERE seq = (SELECT MAX(seq) FROM log_entries); \
         UPDATE log_heads SET size = size - 1",
    )
    .await;
    let text = stdout(&run(&["verify", "--state", state]));
    assert!(
        text.contains("no longer extends the checkpoint of"),
        "{text}"
    );

    let package = repo.join("package.json");
    let tampered = std::fs::read_to_string(&package)
        .unwrap()
        .replacen("app.bin", "app.exe", 1);
    std::fs::write(&package, tampered).unwrap();
    let offline = run(&["verify", "--package", "package.json"]);
    assert!(!offline.status.success());
    assert!(
        stdout(&offline).contains("was edited"),
        "{}",
        stdout(&offline)
    );
}
