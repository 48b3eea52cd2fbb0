//! Cases of the Kosli CLI's own tests (`cmd/kosli/*_test.go`) for the commands
//! Custody has, run against Custody's binary. Each line of a case file under
//! `kosli_cases/` is `ARGS|EXPECTED`, with Kosli's command line and golden
//! output (`\n` for a line break, `.*` for the rest of a line where Kosli's
//! golden is a regular expression), `kosli` read as `custody`; a `.golden`
//! file is one of Kosli's golden output files, compared whole. Argument and
//! flag errors come before anything is sent, so those need no server. A line
//! `> ARGS` is a step of the case file's setup, which must succeed, and a
//! line starting with `#` is a comment. As in
//! Kosli's tests, a case whose output has an `Error:` line must fail and any
//! other must succeed (except under `--dry-run`), and `[warning]` lines are
//! not part of the output unless the case expects one (Kosli's logger writes
//! them where its tests do not look).

use std::path::Path;
use std::process::Command;

use super::harness::{Server, admin};
use super::pipeline::key;

const BIN: &str = env!("CARGO_BIN_EXE_custody");

/// Whether `text` is what `expected` says: literal text, where `.*` stands
/// for anything within a line.
fn matches(expected: &str, text: &str) -> bool {
    let mut parts = expected.split(".*");
    let Some(mut rest) = parts.next().and_then(|first| text.strip_prefix(first)) else {
        return false;
    };
    for part in parts {
        let line_end = rest.find('\n').unwrap_or(rest.len());
        match rest.find(part) {
            Some(at) if at <= line_end => rest = &rest[at + part.len()..],
            _ => return false,
        }
    }
    rest.is_empty()
}

/// A case's command line as words: split on blanks, with '…' quoting a word
/// (spaces kept, `''` an empty word), as the shell reads Kosli's cases.
fn words(line: &str) -> Vec<String> {
    let (mut out, mut word, mut quoted, mut started) = (Vec::new(), String::new(), false, false);
    for c in line.chars() {
        match c {
            '\'' => (quoted, started) = (!quoted, true),
            c if c.is_whitespace() && !quoted => {
                if started {
                    out.push(std::mem::take(&mut word));
                }
                started = false;
            }
            c => (word, started) = (word + &c.to_string(), true),
        }
    }
    if started {
        out.push(word);
    }
    out
}

/// Runs every case of a file in `dir` with these variables; what failed.
fn run_cases(file: &str, dir: &Path, env: &[(&str, &str)]) -> Vec<String> {
    run_cases_with(file, dir, env, &[])
}

/// [`run_cases`], with each `{NAME}` in a case replaced by its value first
/// (for ids only known once the server made them).
pub(super) fn run_cases_with(
    file: &str,
    dir: &Path,
    env: &[(&str, &str)],
    values: &[(&str, &str)],
) -> Vec<String> {
    let path = format!(
        "{}/tests/cli/kosli_cases/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let table = std::fs::read_to_string(&path).expect("case file");
    let mut failures = Vec::new();
    for line in table
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let line = values.iter().fold(line.to_string(), |line, (name, value)| {
            line.replace(&format!("{{{name}}}"), value)
        });
        if let Some(step) = line.strip_prefix("> ") {
            let output = custody(step, dir, env);
            if !output.status.success() {
                failures.push(format!("setup custody {step}\n  {}", printed(&output)));
            }
            continue;
        }
        let (args, expected) = line.rsplit_once('|').expect("ARGS|EXPECTED");
        let output = custody(args, dir, env);
        let expected = format!("{}\n", expected.replace("\\n", "\n"));
        let mut seen = printed(&output);
        if !expected.contains("[warning]") {
            seen = seen
                .split_inclusive('\n')
                .filter(|l| !l.starts_with("[warning] "))
                .collect();
        }
        let must_fail = expected.starts_with("Error:") || expected.contains("\nError:");
        let status_ok = args.contains("--dry-run") || must_fail != output.status.success();
        if !matches(&expected, &seen) || !status_ok {
            let status = output.status;
            failures.push(format!(
                "custody {args}\n  want: {expected:?}\n  got:  {seen:?} ({status})"
            ));
        }
    }
    failures
}

/// Runs one case line's command in `dir` with only these variables.
fn custody(args: &str, dir: &Path, env: &[(&str, &str)]) -> std::process::Output {
    Command::new(BIN)
        .args(words(args))
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .envs(env.iter().copied())
        .output()
        .expect("run custody")
}

/// What a command printed: its standard error, then its standard output.
fn printed(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stderr),
        String::from_utf8_lossy(&output.stdout)
    )
}

fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("file1"), "hi").expect("file1");
    dir
}

#[test]
fn argument_counts_are_refused_in_kosli_words() {
    let dir = scratch();
    let failures = run_cases("argument_counts.txt", dir.path(), &[]);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn flags_that_exclude_each_other_are_named_in_kosli_words() {
    let dir = scratch();
    let unreachable = [
        ("CUSTODY_HOST", "http://127.0.0.1:1"),
        ("CUSTODY_ORG", "acme"),
        ("CUSTODY_API_TOKEN", "secret"),
        ("CUSTODY_MAX_API_RETRIES", "0"),
    ];
    let failures = run_cases("flag_conflicts.txt", dir.path(), &unreachable);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A server with org `acme`, and the variables that point the CLI at it
/// with an admin key.
pub(super) fn acme_server() -> (Server, Vec<(&'static str, String)>) {
    let server = Server::start(false);
    admin(&server.database_url(), &["create-org", "acme"]);
    let env = vec![
        ("CUSTODY_HOST", server.host.clone()),
        ("CUSTODY_ORG", "acme".to_string()),
        ("CUSTODY_API_TOKEN", key(&server, "admin")),
        ("CUSTODY_MAX_API_RETRIES", "0".to_string()),
    ];
    (server, env)
}

pub(super) fn borrowed<'a>(env: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    env.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[test]
fn environments_are_created_as_kosli_tests_them() {
    let (server, env) = acme_server();
    let failures = run_cases("create_environment.txt", &server.dir, &borrowed(&env));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn attestation_types_are_created_as_kosli_tests_them() {
    let (server, env) = acme_server();
    let schema = r#"{"type":"object","properties":{"age":{"type":"integer"}}}"#;
    std::fs::write(server.dir.join("person-schema.json"), schema).expect("schema");
    let failures = run_cases("create_attestation_type.txt", &server.dir, &borrowed(&env));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn local_input_is_evaluated_as_kosli_tests_it() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cli/kosli_cases");
    let failures = run_cases("evaluate_input.txt", &dir, &[]);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn case_lines_are_read_as_the_shell_reads_them() {
    assert_eq!(words("a  'b c' '' d'e'"), ["a", "b c", "", "de"]);
}

#[test]
fn org_commands_renames_and_config_work_as_kosli_tests_them() {
    let (server, env) = acme_server();
    let env = borrowed(&env);
    let failures = run_cases("org_and_renames.txt", &server.dir, &env);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let config = std::fs::read_to_string(server.dir.join(".custody.yml")).expect("config file");
    let lines: Vec<&str> = config.lines().collect();
    for line in ["flow: web", "trail: t1", "max-api-retries: 0", "org: acme"] {
        assert!(lines.contains(&line), "{line} in {config}");
    }
    let renamed = Command::new(BIN)
        .args(["get", "flow", "rename-flow", "--output", "json"])
        .env("HOME", &server.dir)
        .envs(env.iter().copied())
        .output()
        .expect("run custody");
    let flow: serde_json::Value = serde_json::from_slice(&renamed.stdout).expect("flow JSON");
    assert_eq!(
        flow["name"], "new-name-456",
        "the old name still finds the flow"
    );
}

#[test]
fn get_trail_markdown_matches_kosli_golden() {
    let (server, env) = acme_server();
    let mut env = borrowed(&env);
    env.push(("KOSLI_TESTS", "1"));
    let template = "version: 1\ntrail:\n  attestations:\n  - name: bar\n    type: generic\n  \
        artifacts:\n  - name: cli\n    attestations:\n    - name: foo\n      type: generic\n";
    std::fs::write(server.dir.join("valid_template.yml"), template).unwrap();
    let run = |args: &[&str]| {
        let out = Command::new(BIN)
            .args(args)
            .current_dir(&server.dir)
            .env("HOME", &server.dir)
            .envs(env.iter().copied())
            .output()
            .expect("run custody");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    run(&[
        "create",
        "flow",
        "get-trail",
        "--template-file",
        "valid_template.yml",
    ]);
    run(&[
        "begin",
        "trail",
        "cli-build-1",
        "--flow",
        "get-trail",
        "--description",
        "test trail",
    ]);
    let markdown = run(&[
        "get",
        "trail",
        "cli-build-1",
        "--flow",
        "get-trail",
        "-o",
        "markdown",
    ]);
    let golden = std::fs::read_to_string(format!(
        "{}/tests/cli/kosli_cases/get-trail-markdown.golden",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
    .replace(
        "http://localhost:8001/docs-cmd-test-user-shared",
        &format!("{}/acme", server.host),
    );
    assert_eq!(markdown, golden);
}

#[test]
fn the_matcher_reads_kosli_goldens() {
    assert!(matches("a.*\nb\n", "a anything\nb\n"));
    assert!(!matches("a.*\nb\n", "a anything\nc\n"));
    assert!(!matches("exact\n", "exact\nmore\n"));
    assert!(matches(
        "Error: x .*k8s.*\n",
        "Error: x map[type:'k8s' is bad]\n"
    ));
    assert!(
        !matches("Error: .*k8s\n", "Error: other\nk8s\n"),
        "within a line"
    );
}

#[test]
fn controls_are_managed_as_kosli_tests_them() {
    let (server, env) = acme_server();
    let policy = "_schema: https://kosli.com/schemas/policy/environment/v1\nartifacts:\n  \
        attestations:\n    - name: approval\n      type: decision\n      for_control: my-control\n";
    std::fs::write(server.dir.join("policy.yml"), policy).expect("policy");
    let setup = Command::new(BIN)
        .args(["create", "policy", "needs-my-control", "policy.yml"])
        .current_dir(&server.dir)
        .env("HOME", &server.dir)
        .envs(borrowed(&env))
        .output()
        .expect("run custody");
    assert!(
        setup.status.success(),
        "{}",
        String::from_utf8_lossy(&setup.stderr)
    );
    let failures = run_cases("controls.txt", &server.dir, &borrowed(&env));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
