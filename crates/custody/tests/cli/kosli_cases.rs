//! Cases of the Kosli CLI's own tests (`cmd/kosli/*_test.go`) for the commands
//! Custody has, run against Custody's binary. Each line of a case file under
//! `kosli_cases/` is `ARGS|EXPECTED`, with Kosli's command line and golden
//! output (`\n` for a line break; see [`super::kosli_case`] for the rest),
//! `kosli` read as `custody`; a `.golden`
//! file is one of Kosli's golden output files, compared whole. Argument and
//! flag errors come before anything is sent, so those need no server. A line
//! `> ARGS` is a step of the case file's setup, which must succeed; ending it
//! with ` => {NAME}` keeps what it printed (trimmed) as `{NAME}` for the
//! lines after it, and with ` => {NAME} at PATH` the string at PATH of the
//! JSON it printed (PATH as in `json` checks, `[0].attestation_id`). A line starting with `#` is a comment. Standard output
//! and error are read as one stream, in the order written. As in
//! Kosli's tests, a case whose output has an `Error:` line must fail and any
//! other must succeed (except under `--dry-run`), and `[warning]` lines are
//! not part of the output unless the case expects one (Kosli's logger writes
//! them where its tests do not look).

use std::io::Write;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};

use super::harness::{Server, admin};
use super::kosli_case::{Case, Expected, json_at, words};
use super::pipeline::key;

const BIN: &str = env!("CARGO_BIN_EXE_custody");

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
    let mut values: Vec<(String, String)> = values
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let mut failures = Vec::new();
    for line in table
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
    {
        let line = values.iter().fold(line.to_string(), |line, (name, value)| {
            line.replace(&format!("{{{name}}}"), value)
        });
        if let Some(step) = line.strip_prefix("> ") {
            let (step, capture) = match step.rsplit_once(" => {") {
                Some((step, kept)) => (step, Some(Capture::parse(kept))),
                None => (step, None),
            };
            let (output, status) = custody(&Case::parse(&format!("{step}|")), dir, env);
            let kept = match (status.success(), capture) {
                (false, _) => Err(output),
                (true, Some(capture)) => capture.value(&output).map(|v| Some((capture.name, v))),
                (true, None) => Ok(None),
            };
            match kept {
                Err(why) => failures.push(format!("setup custody {step}\n  {why}")),
                Ok(Some((name, value))) => values.push((name.to_string(), value)),
                Ok(None) => {}
            }
            continue;
        }
        let case = Case::parse(&line);
        let (mut seen, status) = custody(&case, dir, env);
        let expects_warning =
            matches!(&case.expected, Expected::Text(t) if t.contains("[warning]"));
        if !expects_warning {
            seen = seen
                .split_inclusive('\n')
                .filter(|l| !l.starts_with("[warning] "))
                .collect();
        }
        let status_ok = case.args.contains("--dry-run") || case.must_fail() != status.success();
        let wrong = case.mismatch(&seen);
        if wrong.is_some() || !status_ok {
            let want = wrong.unwrap_or_default();
            failures.push(format!(
                "custody {}\n  {want}\n  got:  {seen:?} ({status})",
                case.args
            ));
        }
    }
    failures
}

/// What a setup step keeps: `NAME}` (all it printed) or `NAME} at PATH`.
struct Capture<'a> {
    name: &'a str,
    path: Option<&'a str>,
}

impl<'a> Capture<'a> {
    fn parse(kept: &'a str) -> Capture<'a> {
        let (name, rest) = kept.split_once('}').expect("=> {NAME}");
        let path = rest.trim();
        let path = (!path.is_empty()).then(|| path.strip_prefix("at ").expect("=> {NAME} at PATH"));
        Capture { name, path }
    }

    /// The value kept from what the step printed, or why there is none.
    fn value(&self, output: &str) -> Result<String, String> {
        let kept: String = output
            .lines()
            .filter(|l| !l.starts_with("[warning] "))
            .collect::<Vec<_>>()
            .join("\n");
        let Some(path) = self.path else {
            return Ok(kept.trim().to_string());
        };
        let doc: serde_json::Value =
            serde_json::from_str(&kept).map_err(|e| format!("want JSON to keep {path}: {e}"))?;
        json_at(&doc, path)
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .ok_or_else(|| format!("no string at {path} in {doc}"))
    }
}

/// Runs a case's command in `dir` with only these variables (and the case's
/// own), its standard output and error read as one stream, in the order
/// they were written, as Kosli's tests read them.
fn custody(case: &Case, dir: &Path, env: &[(&str, &str)]) -> (String, ExitStatus) {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg("exec \"$0\" \"$@\" 2>&1")
        .arg(BIN)
        .args(words(&case.args))
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir)
        .envs(env.iter().copied())
        .envs(case.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("run custody");
    let input = case.stdin.clone().unwrap_or_default();
    let mut stdin = child.stdin.take().expect("stdin");
    // A command that does not read its input may be gone before it is written.
    let _ = stdin.write_all(input.as_bytes());
    drop(stdin);
    let output = child.wait_with_output().expect("run custody");
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    (text, output.status)
}

#[test]
fn setup_steps_keep_what_they_printed_or_a_string_of_its_json() {
    let whole = Capture::parse("ID}");
    assert_eq!(whole.value("[warning] x\n a1 \n"), Ok("a1".to_string()));
    let at = Capture::parse("ID} at [0].attestation_id");
    assert_eq!(at.name, "ID");
    let printed = r#"[{"attestation_id": "a1", "n": 2}]"#;
    assert_eq!(at.value(printed), Ok("a1".to_string()));
    assert!(
        Capture::parse("N} at [0].n").value(printed).is_err(),
        "not a string"
    );
    assert!(
        Capture::parse("N} at [1].attestation_id")
            .value(printed)
            .is_err()
    );
    assert!(at.value("No attestations found.").is_err());
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
