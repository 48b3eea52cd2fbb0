//! The `custody` binary: `custody server` runs the server, `custody admin`
//! bootstraps orgs and keys on the database, and every other command is the
//! Kosli-compatible CLI.

mod admin;
mod demo;
mod server;

use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use custody_cli::{Globals, defaults, describe_parse_error, report_error, with_ci_requirements};

#[derive(Debug, Parser)]
#[command(
    name = "custody",
    version,
    about = "Track software from commit to production."
)]
struct Cli {
    #[command(flatten)]
    globals: Globals,
    #[command(subcommand)]
    command: Top,
}

// Parsed once per run, so the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
enum Top {
    /// Run the Custody server.
    Server(server::ServerArgs),
    /// Create orgs and their first API keys, directly on the database.
    #[command(subcommand)]
    Admin(admin::Admin),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completion { shell: clap_complete::Shell },
    #[command(flatten)]
    Client(custody_cli::Command),
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some(custody_rules::worker::WORKER_ARG) {
        return custody_rules::worker::main(&args[2..]);
    }
    match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime.block_on(run(args)),
        Err(e) => {
            eprintln!("Error: cannot start the async runtime: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `server` and `admin` read their own settings (flags, `CUSTODY_*` variables,
/// the server's config file), never the CLI's `KOSLI_*` defaults.
fn has_own_settings(args: &[String]) -> bool {
    let matches = Cli::command()
        .ignore_errors(true)
        .try_get_matches_from(args);
    matches.is_ok_and(|m| matches!(m.subcommand_name(), Some("server" | "admin")))
}

async fn run(args: Vec<String>) -> ExitCode {
    let args = if has_own_settings(&args) {
        args
    } else {
        match defaults::with_defaults(&Cli::command(), args, &|k| std::env::var(k).ok()) {
            Ok(args) => args,
            Err(e) => return report_error(&e, false, ""),
        }
    };
    let mut tree = with_ci_requirements(Cli::command());
    tree.build();
    for warning in custody_cli::deprecated::warnings(&tree, &args) {
        eprintln!("{warning}");
    }
    let parsed = tree.clone().try_get_matches_from(&args);
    let cli = match parsed.and_then(|matches| Cli::from_arg_matches(&matches)) {
        Ok(cli) => cli,
        Err(e) if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) => {
            e.exit()
        }
        Err(e) if e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => e.exit(),
        Err(e) => {
            eprintln!("Error: {}", describe_parse_error(&e, &tree, &args));
            return ExitCode::FAILURE;
        }
    };
    match cli.command {
        Top::Server(args) => server::run(args).await,
        Top::Admin(admin) => admin.run().await,
        Top::Completion { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "custody",
                &mut std::io::stdout(),
            );
            ExitCode::SUCCESS
        }
        Top::Client(command) => {
            if let Some(targets) = custody_cli::multi_host::targets(&cli.globals) {
                return custody_cli::multi_host::run(&args, &targets, cli.globals.debug);
            }
            let use_line = custody_cli::usage::use_line(&tree, &args);
            custody_cli::run(command, cli.globals, &use_line).await
        }
    }
}
