//! Repos as the Kosli CLI's tests use them (`getRepo_test.go`,
//! `listRepos_test.go`, `tag_test.go`, `listArtifacts_test.go`): trails and
//! artifacts reported from a GitHub Actions run record their repo, which is
//! then found, listed, filtered and tagged.

use std::process::Command;

use super::kosli_cases::{acme_server, borrowed, run_cases_with};

const BIN: &str = env!("CARGO_BIN_EXE_custody");

#[test]
fn repos_are_found_listed_and_tagged_as_kosli_tests_them() {
    let (server, env) = acme_server();
    let env = borrowed(&env);
    let dir = &server.dir;
    let run = |args: &[&str], repo: (&str, &str)| {
        let out = Command::new(BIN)
            .args(args)
            .current_dir(dir)
            .env("HOME", dir)
            .envs(env.iter().copied())
            .envs([
                ("GITHUB_RUN_NUMBER", "1234"),
                ("GITHUB_SERVER_URL", "https://github.com"),
                ("GITHUB_REPOSITORY", repo.0),
                ("GITHUB_REPOSITORY_ID", repo.1),
            ])
            .output()
            .expect("run custody");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "custody {args:?}: {stderr}");
        stdout
    };
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .args(args)
            .current_dir(dir)
            .env("HOME", dir)
            .status()
            .expect("git")
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q", "."]);
    git(&[
        "-c",
        "user.email=ci@example.com",
        "-c",
        "user.name=ci",
        "commit",
        "-q",
        "--allow-empty",
        "-m",
        "first",
    ]);
    std::fs::write(dir.join("hello.txt"), "hello").unwrap();

    run(
        &["create", "flow", "get-repo", "--use-empty-template"],
        ("", ""),
    );
    let trails = [
        ("trail-name", "kosli-dev/cli", "1234567890"),
        (
            "ambiguous-trail-1",
            "get-repo-suite-org/get-repo-ambiguous-repo",
            "111",
        ),
        (
            "ambiguous-trail-2",
            "get-repo-suite-org/get-repo-ambiguous-repo",
            "222",
        ),
        (
            "untagged-trail",
            "list-repos-suite-org/untagged-repo",
            "555",
        ),
        ("sort-trail-3", "list-repos-suite-org/sort-c", "903"),
        ("sort-trail-1", "list-repos-suite-org/sort-a", "901"),
        ("sort-trail-2", "list-repos-suite-org/sort-b", "902"),
    ];
    for (trail, repo, id) in trails {
        run(&["begin", "trail", trail, "--flow", "get-repo"], (repo, id));
    }
    let attested = run(
        &[
            "attest",
            "artifact",
            "hello.txt",
            "--artifact-type",
            "file",
            "--name",
            "arti",
            "--flow",
            "get-repo",
            "--trail",
            "trail-1",
            "--commit",
            "HEAD",
            "--build-url",
            "https://ci.example/1",
            "--commit-url",
            "https://git.example/c",
        ],
        ("kosli/dev", "42"),
    );
    let fingerprint = attested.trim().rsplit(' ').next().unwrap().to_string();

    let json = run(
        &["get", "repo", "kosli-dev/cli", "--output", "json"],
        ("", ""),
    );
    let repo: serde_json::Value = serde_json::from_str(&json).expect("repo JSON");
    assert_eq!(
        (
            &repo["name"],
            &repo["provider"],
            &repo["repo_id"],
            &repo["tags"]
        ),
        (
            &"kosli-dev/cli".into(),
            &"github".into(),
            &"1234567890".into(),
            &serde_json::json!({})
        ),
        "{json}"
    );
    let id = repo["id"].as_str().expect("an id").to_string();
    let values = [
        ("repo-id", id.as_str()),
        ("fingerprint", fingerprint.as_str()),
    ];
    let failures = run_cases_with("repos.txt", dir, &env, &values);
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    let listed = run(
        &["list", "repos", "--output", "json", "--page-limit", "50"],
        ("", ""),
    );
    let page: serde_json::Value = serde_json::from_str(&listed).expect("page JSON");
    assert_eq!(page["total_count"], 8, "one repo per VCS id: {listed}");
    assert_eq!(
        page["repos"][0]["name"],
        "get-repo-suite-org/get-repo-ambiguous-repo"
    );
}
