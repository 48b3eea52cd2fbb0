//! The worker process: `custody __rules-worker` (or the `custody-rules-worker`
//! binary) caps its own address space, file size, open files and core dumps,
//! then answers [`Request`]s read from stdin, one per line, until stdin closes.
//! A rule that recurses without end or grows without bound ends this process,
//! never the server; the server then says which limit the rule ran into.

use std::io::{BufRead, Write};
use std::process::ExitCode;

use rlimit::Resource;

use crate::engine;
use crate::protocol::{Definition, Judgement, Request, Response};

/// The argument that tells the `custody` binary to be a worker.
pub const WORKER_ARG: &str = "__rules-worker";

/// The stack the evaluating thread gets; its overflow is the recursion limit.
pub const STACK_BYTES: usize = 64 << 20;

/// Runs a worker: `args` are those after the program (and [`WORKER_ARG`]):
/// `--memory-mib N` sets the memory the rules may use beyond the program itself.
pub fn main(args: &[String]) -> ExitCode {
    let memory_mib = match args {
        [flag, n] if flag == "--memory-mib" => n.parse::<u64>().ok(),
        [] => Some(crate::Limits::default().memory_mib),
        _ => None,
    };
    let Some(memory_mib) = memory_mib else {
        eprintln!("usage: {WORKER_ARG} [--memory-mib N]");
        return ExitCode::from(2);
    };
    if let Err(e) = confine(memory_mib) {
        eprintln!("cannot set the worker's limits: {e}");
        return ExitCode::from(3);
    }
    let evaluator = std::thread::Builder::new()
        .name("rules".into())
        .stack_size(STACK_BYTES)
        .spawn(|| serve(std::io::stdin().lock(), std::io::stdout().lock()));
    match evaluator.map(|t| t.join()) {
        Ok(Ok(Ok(()))) => ExitCode::SUCCESS,
        _ => ExitCode::FAILURE,
    }
}

/// The address space the process has now, plus the stack and the budget.
fn confine(memory_mib: u64) -> std::io::Result<()> {
    let statm = std::fs::read_to_string("/proc/self/statm")?;
    let pages: u64 = statm
        .split_whitespace()
        .next()
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    let now = pages * 4096;
    let limit = now + STACK_BYTES as u64 + (memory_mib << 20);
    Resource::AS.set(limit, limit)?;
    Resource::FSIZE.set(0, 0)?;
    Resource::CORE.set(0, 0)?;
    Resource::NOFILE.set(8, 8)?;
    Ok(())
}

/// Answers each request line with a response line.
pub fn serve(input: impl BufRead, mut output: impl Write) -> std::io::Result<()> {
    for line in input.lines() {
        let line = line?;
        let response = match serde_json::from_str::<Request>(&line) {
            Ok(request) => answer(request),
            Err(e) => Response::Refused {
                message: format!("the worker cannot read the request: {e}"),
            },
        };
        let text = serde_json::to_string(&response).map_err(std::io::Error::other)?;
        writeln!(output, "{text}")?;
        output.flush()?;
    }
    Ok(())
}

fn answer(request: Request) -> Response {
    let outcome = match request {
        Request::Check { definition } => check(&definition).map(|()| Response::Checked),
        Request::Judge { definition, data } => judge(&definition, &data).map(Response::Judged),
    };
    outcome.unwrap_or_else(|message| Response::Refused { message })
}

fn check(definition: &Definition) -> Result<(), String> {
    if let Some(schema) = &definition.schema {
        engine::compile_schema(schema)?;
    }
    engine::check_all("jq rule", definition.rules.iter().map(String::as_str))?;
    let summaries = definition.summaries.iter().map(String::as_str);
    engine::check_all("summary expression", summaries)
}

fn judge(definition: &Definition, data: &str) -> Result<Judgement, String> {
    let mut judgement = Judgement::default();
    if let Some(schema) = &definition.schema {
        let schema = engine::compile_schema(schema)?;
        judgement.violations = engine::violations(&schema, data)?;
        if !judgement.violations.is_empty() {
            return Ok(judgement);
        }
    }
    for rule in &definition.rules {
        if !engine::holds(rule, data)? {
            judgement.failed_rules.push(rule.clone());
        }
    }
    judgement.summary = definition
        .summaries
        .iter()
        .map(|expression| engine::first_value(expression, data))
        .collect();
    Ok(judgement)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask(request: &Request) -> Response {
        let line = serde_json::to_string(request).unwrap() + "\n";
        let mut out = Vec::new();
        serve(line.as_bytes(), &mut out).unwrap();
        serde_json::from_slice(&out).unwrap()
    }

    #[test]
    fn a_worker_judges_and_checks_line_by_line() {
        let definition = Definition {
            schema: Some(r#"{"type": "object", "required": ["n"]}"#.into()),
            rules: vec![".n > 1".into(), ".n < 10".into()],
            summaries: vec![".n * 2".into(), ".n | error(\"no\")".into()],
        };
        let judged = ask(&Request::Judge {
            definition: definition.clone(),
            data: r#"{"n": 20}"#.into(),
        });
        assert_eq!(
            judged,
            Response::Judged(Judgement {
                violations: vec![],
                failed_rules: vec![".n < 10".into()],
                summary: vec![
                    Ok(serde_json::json!(40)),
                    Err("summary '.n | error(\"no\")' failed: \"no\"".into())
                ],
            })
        );
        let Response::Judged(j) = ask(&Request::Judge {
            definition: definition.clone(),
            data: "{}".into(),
        }) else {
            panic!("judged")
        };
        assert_eq!(j.violations.len(), 1);
        assert!(j.failed_rules.is_empty());
        assert!(
            j.summary.is_empty(),
            "no summary of data the schema refuses"
        );
        assert_eq!(ask(&Request::Check { definition }), Response::Checked);
        let refused = ask(&Request::Check {
            definition: Definition {
                summaries: vec!["env".into()],
                ..Definition::default()
            },
        });
        assert!(matches!(refused, Response::Refused { message } if message.contains("summary")));
    }

    #[test]
    fn unreadable_lines_are_answered_not_fatal() {
        let mut out = Vec::new();
        serve(&b"nonsense\n{\"judge\": 1}\n"[..], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 2);
        assert!(text.contains("cannot read the request"));
    }
}
