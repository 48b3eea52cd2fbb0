//! Several servers at once: `--host a,b` with `--api-token x,y` (one key per
//! server, as Kosli allows) runs the command once against each server in turn.
//! The first server's output is what the command prints; the others' output
//! shows only under `--debug`; a failure on any server fails the run and is
//! reported under that server's address.

use std::process::{Command, ExitCode, Output};

use crate::Globals;

/// One server and the API key to use on it.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub host: String,
    pub api_token: String,
}

/// The servers of a multi-host run: only when `--host` and `--api-token`
/// both list several values, as many of one as of the other.
pub fn targets(globals: &Globals) -> Option<Vec<Target>> {
    let hosts: Vec<&str> = globals.host.split(',').collect();
    let tokens: Vec<&str> = globals.api_token.split(',').collect();
    (hosts.len() > 1 && hosts.len() == tokens.len()).then(|| {
        hosts
            .into_iter()
            .zip(tokens)
            .map(|(host, token)| Target {
                host: host.to_string(),
                api_token: token.to_string(),
            })
            .collect()
    })
}

/// `args` aimed at one target: every `--host` and `--api-token` given (in
/// any of their spellings) is replaced by the target's.
pub fn args_for(args: &[String], target: &Target) -> Vec<String> {
    let mut out = Vec::with_capacity(args.len() + 2);
    let mut tokens = args.iter();
    while let Some(token) = tokens.next() {
        if token == "--" {
            out.push(token.clone());
            out.extend(tokens.by_ref().cloned());
            break;
        }
        match server_flag(token) {
            Some(Spelling::Separate) => {
                tokens.next();
            }
            Some(Spelling::Joined) => {}
            None => out.push(token.clone()),
        }
    }
    let at = out.iter().position(|t| t == "--").unwrap_or(out.len());
    out.splice(
        at..at,
        [
            format!("--host={}", target.host),
            format!("--api-token={}", target.api_token),
        ],
    );
    out
}

/// How a `--host` or `--api-token` token carries its value.
enum Spelling {
    /// `--host URL`, `-H URL`: the value is the next token.
    Separate,
    /// `--host=URL`, `-H=URL`, `-HURL`.
    Joined,
}

fn server_flag(token: &str) -> Option<Spelling> {
    for (long, short) in [("--host", "-H"), ("--api-token", "-a")] {
        if token == long || token == short {
            return Some(Spelling::Separate);
        }
        if token.starts_with(&format!("{long}=")) || token.starts_with(short) {
            return Some(Spelling::Joined);
        }
    }
    None
}

/// Runs `args` (the program's own arguments, defaults filled in) once per
/// target, by running this program again, and merges what they print.
pub fn run(args: &[String], targets: &[Target], debug: bool) -> ExitCode {
    let program = match std::env::current_exe() {
        Ok(program) => program,
        Err(e) => {
            eprintln!("Error: cannot find this program to run it once per host: {e}");
            return ExitCode::FAILURE;
        }
    };
    let runs: Vec<(&Target, Result<Output, String>)> = targets
        .iter()
        .map(|target| {
            let output = Command::new(&program)
                .args(&args_for(args, target)[1..])
                .output()
                .map_err(|e| format!("cannot run the command: {e}"));
            (target, output)
        })
        .collect();
    let merged = merge(&runs, debug);
    print!("{}", merged.stdout);
    eprint!("{}", merged.stderr);
    match merged.error {
        Some(error) => {
            eprintln!("Error: {error}");
            ExitCode::FAILURE
        }
        None => ExitCode::SUCCESS,
    }
}

/// What a multi-host run prints, put together from its runs.
#[derive(Debug, PartialEq)]
struct Merged {
    stdout: String,
    /// The first server's warnings, when it succeeded.
    stderr: String,
    /// Every failure, each under its server's address.
    error: Option<String>,
}

fn merge(runs: &[(&Target, Result<Output, String>)], debug: bool) -> Merged {
    let mut merged = Merged {
        stdout: String::new(),
        stderr: String::new(),
        error: None,
    };
    let mut failures = Vec::new();
    let mut secondaries = String::new();
    for (index, (target, run)) in runs.iter().enumerate() {
        let (stdout, failure) = match run {
            Ok(output) => {
                let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
                let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
                if output.status.success() {
                    if index == 0 {
                        merged.stderr = stderr;
                    }
                    (stdout, None)
                } else {
                    (stdout, Some(error_text(&stderr)))
                }
            }
            Err(why) => (String::new(), Some(why.clone())),
        };
        if let Some(failure) = failure {
            failures.push(format!("[{}]\n{failure}", target.host));
        }
        if index == 0 {
            merged.stdout = stdout;
        } else if debug && !stdout.is_empty() {
            secondaries.push_str(&format!("\n[debug] [{}]\n{stdout}", target.host));
        }
    }
    if !secondaries.is_empty() {
        let primary = &runs[0].0.host;
        merged.stdout = format!("\n[debug] [{primary}]{}\n{secondaries}", merged.stdout);
    }
    merged.error = (!failures.is_empty()).then(|| failures.join("\n"));
    merged
}

/// A failed run's message: what it wrote on stderr, without its `Error: `.
fn error_text(stderr: &str) -> String {
    let text = stderr.trim_end();
    match text.find("Error: ") {
        Some(at) => format!("{}{}", &text[..at], &text[at + "Error: ".len()..]),
        None if text.is_empty() => "failed without a message".to_string(),
        None => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(args: &[&str]) -> Vec<String> {
        args.iter().map(|s| s.to_string()).collect()
    }

    fn target(host: &str, token: &str) -> Target {
        Target {
            host: host.into(),
            api_token: token.into(),
        }
    }

    fn globals(host: &str, api_token: &str) -> Globals {
        use clap::{FromArgMatches, Parser};
        #[derive(Parser)]
        struct Probe {
            #[command(flatten)]
            globals: Globals,
        }
        let matches = <Probe as clap::CommandFactory>::command().get_matches_from([
            "custody",
            "--host",
            host,
            "--api-token",
            api_token,
        ]);
        Probe::from_arg_matches(&matches).unwrap().globals
    }

    #[test]
    fn several_hosts_need_as_many_keys() {
        let two = targets(&globals("http://a,http://b", "x,y")).unwrap();
        assert_eq!(two, [target("http://a", "x"), target("http://b", "y")]);
        assert_eq!(
            targets(&globals("http://a,http://b,http://c", "x,y,z")).map(|t| t.len()),
            Some(3)
        );
        assert_eq!(targets(&globals("http://a", "x,y")), None);
        assert_eq!(targets(&globals("http://a,http://b,http://c", "x,y")), None);
        assert_eq!(targets(&globals("http://a,http://b", "x")), None);
        assert_eq!(targets(&globals("http://a,http://b", "x,y,z")), None);
    }

    #[test]
    fn each_run_gets_only_its_own_host_and_key() {
        let args = strings(&[
            "custody",
            "create",
            "flow",
            "f",
            "--host",
            "a,b",
            "-a",
            "x,y",
            "--org=o",
            "-Ha,b",
            "--api-token=x,y",
            "-H",
            "a,b",
        ]);
        assert_eq!(
            args_for(&args, &target("b", "y")),
            strings(&[
                "custody",
                "create",
                "flow",
                "f",
                "--org=o",
                "--host=b",
                "--api-token=y"
            ])
        );
        let after_dash = strings(&["custody", "x", "--host=a,b", "--", "--host", "keep"]);
        assert_eq!(
            args_for(&after_dash, &target("a", "x")),
            strings(&[
                "custody",
                "x",
                "--host=a",
                "--api-token=x",
                "--",
                "--host",
                "keep"
            ])
        );
    }

    fn output(code: i32, stdout: &str, stderr: &str) -> Result<Output, String> {
        use std::os::unix::process::ExitStatusExt;
        Ok(Output {
            status: std::process::ExitStatus::from_raw(code << 8),
            stdout: stdout.as_bytes().to_vec(),
            stderr: stderr.as_bytes().to_vec(),
        })
    }

    #[test]
    fn only_the_first_servers_output_is_printed_unless_debugging() {
        let (a, b) = (target("http://a", "x"), target("http://b", "y"));
        let runs = [(&a, output(0, "OK\n", "")), (&b, output(0, "OK\n", ""))];
        let quiet = merge(&runs, false);
        assert_eq!((quiet.stdout.as_str(), quiet.error), ("OK\n", None));
        let debug = merge(&runs, true);
        assert_eq!(
            debug.stdout,
            "\n[debug] [http://a]OK\n\n\n[debug] [http://b]\nOK\n"
        );
    }

    #[test]
    fn every_failure_is_named_by_its_server() {
        let (a, b, c) = (
            target("http://a", "x"),
            target("http://b", "y"),
            target("http://c", "z"),
        );
        let runs = [
            (&a, output(0, "done\n", "[warning] w\n")),
            (&b, output(1, "", "Error: Flow 'f' does not exist\n")),
            (&c, Err("cannot run the command: gone".to_string())),
        ];
        let merged = merge(&runs, false);
        assert_eq!(merged.stdout, "done\n");
        assert_eq!(merged.stderr, "[warning] w\n");
        assert_eq!(
            merged.error.as_deref(),
            Some("[http://b]\nFlow 'f' does not exist\n[http://c]\ncannot run the command: gone")
        );
    }
}
