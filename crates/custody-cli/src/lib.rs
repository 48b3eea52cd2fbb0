//! The `custody` command line: Kosli's command grammar, flags, environment
//! variables and output layouts, as a client of the Custody API.
//!
//! [`main_with`] is the whole program for a given set of top-level commands:
//! fill flags from the environment and config file ([`defaults`]), parse with
//! clap, run the command, and report errors as `Error: <message>`.

mod aws;
mod azure;
mod ci;
pub mod commands;
pub mod context;
pub mod defaults;
mod evidence;
mod flags;
mod git;
pub mod images;
pub mod output;
mod providers;
mod render;

use std::process::ExitCode;

pub use commands::Command;
pub use context::{Ctx, Globals};

/// Prints an error the Kosli way and picks the exit code. Under --dry-run a
/// failure is reported on stdout and the exit code is 0.
pub fn report_error(error: &anyhow::Error, dry_run: bool) -> ExitCode {
    if dry_run {
        println!("Error: {error:#}");
        eprintln!(
            "[warning] Encountered an error but --dry-run is enabled. Exiting with 0 exit code."
        );
        ExitCode::SUCCESS
    } else {
        eprintln!("Error: {error:#}");
        ExitCode::FAILURE
    }
}

/// Turns clap's parse errors into Kosli's wording where Kosli has one.
pub fn describe_parse_error(error: &clap::Error) -> String {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    let names = |kind| match error.get(kind) {
        Some(ContextValue::Strings(v)) => v.clone(),
        Some(ContextValue::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    };
    match error.kind() {
        ErrorKind::MissingRequiredArgument => {
            let flags: Vec<String> = names(ContextKind::InvalidArg)
                .iter()
                .map(|a| {
                    let flag = a
                        .split_whitespace()
                        .next()
                        .unwrap_or(a)
                        .trim_start_matches('-');
                    format!("\"{flag}\"")
                })
                .collect();
            format!("required flag(s) {} not set", flags.join(", "))
        }
        ErrorKind::InvalidSubcommand => {
            let token = names(ContextKind::InvalidSubcommand).join(" ");
            format!("unknown command: {token}\nrun with --help to see the available commands")
        }
        _ => {
            let text = error.render().to_string();
            let text = text.trim_start_matches("error: ");
            text.split("\n\nFor more information")
                .next()
                .unwrap_or(text)
                .trim()
                .to_string()
        }
    }
}

/// Runs a parsed command.
pub async fn run(command: Command, globals: Globals) -> ExitCode {
    let dry_run = globals.dry_run || globals.api_token == "DRY_RUN";
    let result = async {
        let ctx = Ctx::new(globals)?;
        command.run(&ctx).await
    }
    .await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report_error(&e, dry_run),
    }
}
