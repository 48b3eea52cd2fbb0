//! `attest pullrequest <host>`, `attest jira`, `attest sonar` and `assert
//! pullrequest <host>` end to end: the real CLI asks a fake of each provider
//! ([`super::fake_providers`]), reports to a real server, and the stored
//! payloads (read back with `get attestation -o json`) and the trail's
//! compliance are checked.

use std::path::PathBuf;
use std::process::Output;

use serde_json::Value;

use super::fake_providers::{Fake, LONE, SHA};
use super::harness::{Server, admin, ok, stderr, stdout};
use super::pipeline::{git, key};

const TEMPLATE: &str = "version: 1\ntrail:\n  attestations:\n  - name: pr\n    type: pull_request\n  - name: issues\n    type: jira\n  - name: quality\n    type: sonar\n";

/// A server with org `acme`, flow `shop` with trail `t1`, a repository whose
/// commit names Jira issue ENG-12 (and OPS-3, which Jira does not know), and the fake.
struct Setup {
    server: Server,
    token: String,
    repo: PathBuf,
    fake: Fake,
}

impl Setup {
    fn new() -> Setup {
        let server = Server::start(false);
        admin(&server.database_url(), &["create-org", "acme"]);
        let token = key(&server, "admin");
        let repo = server.dir.join("repo");
        std::fs::create_dir_all(repo.join(".scannerwork")).unwrap();
        std::fs::write(repo.join("template.yml"), TEMPLATE).unwrap();
        git(&repo, &["init", "-q", "-b", "feature/eng-12-login"]);
        git(&repo, &["add", "."]);
        git(
            &repo,
            &["commit", "-q", "-m", "Add login for CVE-2026-41284"],
        );
        let setup = Setup {
            server,
            token,
            repo,
            fake: Fake::start(),
        };
        let report = format!(
            "projectKey=acme_shop\nserverUrl={0}\ndashboardUrl={0}/dashboard?id=acme_shop&branch=main\nceTaskId=AYtask\nceTaskUrl={0}/api/ce/task?id=AYtask\n",
            setup.fake.url
        );
        std::fs::write(setup.repo.join(".scannerwork/report-task.txt"), report).unwrap();
        ok(setup.run(&["create", "flow", "shop", "-f", "template.yml"]));
        ok(setup.run(&["begin", "trail", "t1", "--flow", "shop"]));
        setup
    }

    fn run(&self, args: &[&str]) -> Output {
        self.server
            .run_in(&self.repo, "acme", &self.token, args, &[])
    }

    /// `attest ARGS -f shop -T t1 --commit HEAD`.
    fn attest(&self, args: &[&str]) -> Output {
        let tail = ["-f", "shop", "-T", "t1", "--commit", "HEAD"];
        self.run(
            &["attest"]
                .iter()
                .chain(args)
                .chain(&tail)
                .copied()
                .collect::<Vec<_>>(),
        )
    }

    /// The latest attestation `name` on trail `t1`, as `get attestation -o json`
    /// shows it with its stored type-specific fields.
    fn stored(&self, name: &str) -> Value {
        let args = [
            "get",
            "attestation",
            name,
            "--flow",
            "shop",
            "--trail",
            "t1",
        ];
        let text = ok(self.run(&[&args[..], &["-o", "json"]].concat()));
        let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        doc[0].clone()
    }

    fn compliance(&self) -> String {
        let shown = ok(self.run(&["get", "trail", "t1", "--flow", "shop"]));
        let line = shown
            .lines()
            .find(|l| l.starts_with("Compliance:"))
            .expect("a Compliance line");
        line.trim_start_matches("Compliance:").trim().to_string()
    }
}

/// The first value of `key` anywhere in `v`.
fn find<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    match v {
        Value::Object(map) => map
            .get(key)
            .or_else(|| map.values().find_map(|x| find(x, key))),
        Value::Array(items) => items.iter().find_map(|x| find(x, key)),
        _ => None,
    }
}

fn head(s: &Setup) -> String {
    let out = std::process::Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(&s.repo)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

#[test]
fn github_jira_and_sonar_evidence_make_the_trail_compliant() {
    let s = Setup::new();
    let sha = head(&s);
    let gh = [
        "--github-token",
        "ghp_x",
        "--github-org",
        "acme",
        "--repository",
        "acme/shop",
        "--github-base-url",
        &s.fake.url,
    ];
    let out = ok(s.attest(&[&["pullrequest", "github", "-n", "pr"][..], &gh].concat()));
    assert_eq!(
        out,
        format!(
            "found 1 pull request(s) for commit: {sha}\ngithub pull request attestation 'pr' is reported to trail: t1\n"
        )
    );
    let pr = s.stored("pr");
    let evidence = &find(&pr, "pull_requests").unwrap_or_else(|| panic!("{pr}"))[0];
    assert_eq!(evidence["merge_commit"], SHA);
    assert_eq!(evidence["state"], "MERGED");
    assert_eq!(evidence["approvers"][0]["username"], "eve");
    assert_eq!(evidence["approvers"].as_array().unwrap().len(), 1);
    assert_eq!(evidence["commits"][0]["author"], "Ada <ada@example.com>");
    assert_eq!(evidence["commits"][0]["branch"], "feature/login");
    assert_eq!(find(&pr, "git_provider").unwrap(), "github");
    assert!(
        s.fake
            .requests
            .lock()
            .unwrap()
            .iter()
            .any(|r| r.ends_with("Bearer ghp_x"))
    );

    let jira = [
        "jira",
        "-n",
        "issues",
        "--jira-base-url",
        &s.fake.url,
        "--jira-username",
        "ada",
        "--jira-api-token",
        "t",
    ];
    let missing = s.attest(
        &[
            &jira[..],
            &["--jira-secondary-source", "see OPS-3", "--assert"],
        ]
        .concat(),
    );
    assert_eq!(
        stdout(&missing),
        "jira attestation 'issues' is reported to trail: t1\n"
    );
    let expected = "Error: missing Jira issues from references found in commit message or branch name\n\tOPS-3: issue not found\n";
    assert!(stderr(&missing).ends_with(expected), "{}", stderr(&missing));
    ok(s.attest(&[&jira[..], &["--jira-issue-fields", "summary"]].concat()));
    let results = find(&s.stored("issues"), "jira_results").unwrap().clone();
    assert_eq!(
        results.as_array().unwrap().len(),
        1,
        "CVE-2026 is not an issue: {results}"
    );
    assert_eq!(results[0]["issue_id"], "ENG-12");
    assert_eq!(results[0]["issue_exists"], true);
    assert_eq!(
        results[0]["issue_url"],
        format!("{}/browse/ENG-12", s.fake.url)
    );
    assert_eq!(results[0]["issue_fields"]["summary"], "Login page");
    assert_eq!(s.compliance(), "INCOMPLETE");

    let reported = ok(s.attest(&["sonar", "-n", "quality", "--sonar-api-token", "squ_x"]));
    assert_eq!(
        reported,
        "sonar attestation 'quality' is reported to trail: t1\n"
    );
    let sonar = find(&s.stored("quality"), "sonar_results").unwrap().clone();
    assert_eq!(sonar["qualityGate"]["status"], "OK");
    assert_eq!(
        sonar["qualityGate"]["conditions"][0]["metric"],
        "new_coverage"
    );
    assert_eq!(sonar["project"]["name"], "Shop");
    assert_eq!(sonar["revision"], "abc123");
    assert_eq!(sonar["branch"]["name"], "main");
    assert_eq!(s.compliance(), "COMPLIANT");

    let assert_gh = [
        "assert",
        "pullrequest",
        "github",
        "--github-token",
        "ghp_x",
        "--github-org",
        "acme",
        "--repository",
        "shop",
        "--github-base-url",
        &s.fake.url,
    ];
    let found = ok(s.run(&[&assert_gh[..], &["--commit", SHA]].concat()));
    assert_eq!(
        found,
        format!("found [1] pull request(s) in Github for commit: {SHA}\n")
    );
    let none = s.run(&[&assert_gh[..], &["--commit", LONE]].concat());
    assert_eq!(none.status.code(), Some(1));
    assert_eq!(
        stderr(&none),
        format!("Error: assert failed: found no pull request(s) in Github for commit: {LONE}\n")
    );
}

#[test]
fn gitlab_bitbucket_and_azure_pull_requests_are_reported() {
    let s = Setup::new();
    let sha = head(&s);
    let gl = [
        "pullrequest",
        "gitlab",
        "-n",
        "pr",
        "--gitlab-token",
        "glpat",
        "--gitlab-org",
        "acme",
        "--repository",
        "shop",
        "--gitlab-base-url",
        &s.fake.url,
    ];
    assert_eq!(
        ok(s.attest(&gl)),
        format!(
            "found 1 merge request(s) for commit: {sha}\ngitlab merge request attestation 'pr' is reported to trail: t1\n"
        )
    );
    let pr = s.stored("pr");
    assert_eq!(
        find(&pr, "approvers").unwrap()[0]["username"],
        "Eve Example (@eve)"
    );
    assert_eq!(find(&pr, "state").unwrap(), "merged");

    let bb = [
        "pullrequest",
        "bb",
        "-n",
        "pr",
        "--bitbucket-workspace",
        "acme",
        "--repository",
        "shop",
        "--bitbucket-access-token",
        "bbt",
        "--bitbucket-base-url",
        &s.fake.url,
    ];
    ok(s.attest(&bb));
    let evidence = find(&s.stored("pr"), "pull_requests").unwrap()[0].clone();
    assert_eq!(evidence["approvers"].as_array().unwrap().len(), 1);
    assert_eq!(evidence["approvers"][0]["username"], "Eve");
    assert_eq!(
        evidence["url"],
        "https://bitbucket.org/acme/shop/pull-requests/3"
    );
    let log = s.fake.requests.lock().unwrap().clone();
    assert!(
        log.iter().any(|r| r.contains("pullrequests?page=2")),
        "the next page is followed: {log:?}"
    );

    let org_url = format!("{}/acme", s.fake.url);
    let az = [
        "pullrequest",
        "azure",
        "-n",
        "pr",
        "--azure-token",
        "pat",
        "--azure-org-url",
        &org_url,
        "--project",
        "shop-project",
        "--repository",
        "shop",
    ];
    ok(s.attest(&az));
    let evidence = find(&s.stored("pr"), "pull_requests").unwrap()[0].clone();
    assert_eq!(evidence["state"], "completed");
    assert_eq!(evidence["head_ref"], "feature/login");
    assert_eq!(evidence["approvers"][0]["username"], "Eve");
    assert_eq!(evidence["commits"][0]["sha1"], "1111");

    let gh = [
        "pullrequest",
        "github",
        "-n",
        "pr",
        "--github-token",
        "t",
        "--github-org",
        "acme",
        "--repository",
        "shop",
        "--github-base-url",
        &s.fake.url,
        "--assert",
    ];
    let refused = s.run(
        &[
            &["attest"][..],
            &gh,
            &["-f", "shop", "-T", "t1", "--commit", LONE],
        ]
        .concat(),
    );
    assert!(!refused.status.success());
    assert!(stderr(&refused).contains(LONE), "{}", stderr(&refused));
}
