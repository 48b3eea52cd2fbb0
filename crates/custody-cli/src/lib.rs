//! The `custody` command line: Kosli's command grammar, flags, environment
//! variables and output layouts, as a client of the Custody API.
//!
//! The binary fills flags from the environment and config file
//! ([`defaults`]), parses them with clap, then [`run`]s the command (once per
//! server in [`multi_host`] mode) and reports errors as `Error: <message>`.

mod aws;
mod azure;
mod ci;
pub mod commands;
pub mod context;
pub mod defaults;
pub mod deprecated;
mod evidence;
mod flags;
mod gcp;
mod git;
pub mod images;
pub mod multi_host;
pub mod output;
pub mod parse_errors;
mod pre_run;
mod progress_bar;
mod providers;
mod rego;
mod render;
pub mod usage;

use std::process::ExitCode;

pub use ci::with_ci_requirements;
pub use commands::Command;
pub use context::{Ctx, Globals};
pub use parse_errors::describe_parse_error;

/// Prints an error the Kosli way and picks the exit code. Under --dry-run a
/// failure is reported on stdout and the exit code is 0. A pre-run check's
/// error ([`usage::WithUsage`]) is followed by `use_line`, as cobra does.
pub fn report_error(error: &anyhow::Error, dry_run: bool, use_line: &str) -> ExitCode {
    let error = match error.downcast_ref::<usage::WithUsage>() {
        Some(_) => anyhow::anyhow!("{error:#}\nUsage: {use_line}"),
        None => anyhow::anyhow!("{error:#}"),
    };
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

/// Runs a parsed command; `use_line` is cobra's usage line for it.
pub async fn run(command: Command, globals: Globals, use_line: &str) -> ExitCode {
    let dry_run = globals.dry_run || globals.api_token == "DRY_RUN";
    let result = async {
        let ctx = Ctx::new(globals)?;
        command.run(&ctx).await
    }
    .await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report_error(&e, dry_run, use_line),
    }
}
