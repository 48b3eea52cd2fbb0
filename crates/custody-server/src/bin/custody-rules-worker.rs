//! The rule sandbox's worker as a program of its own, for servers run from this
//! library (its tests among them); the `custody` binary runs the same worker as
//! `custody __rules-worker`.

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    custody_rules::worker::main(&args)
}
