//! Flags Kosli still accepts but no longer uses, so that existing pipelines
//! keep working: they parse (hidden from help) and, when given, warn on stderr
//! as Kosli does (`Flag --x has been deprecated, <why>`) before anything else
//! is printed.

use clap::{ArgAction, Args, Command};

use crate::parse_errors::reach;

const SCALING: &str = "this flag is deprecated and will be removed in a future version. \
                       Scaling events do not trigger new snapshots.";

/// `(command path prefix, flag, why)`: `e` is the one-letter `-e`.
const DEPRECATED: &[(&[&str], &str, &str)] = &[
    (&["create", "environment"], "include-scaling", SCALING),
    (&["create", "environment"], "exclude-scaling", SCALING),
    (
        &["create", "environment"],
        "require-provenance",
        "this flag is deprecated and will be removed in a future version. Use policies instead.",
    ),
    (
        &["create", "flow"],
        "visibility",
        "this flag is deprecated and will be removed in a future version.",
    ),
    (&["snapshot"], "include-scaling", SCALING),
    (&["snapshot"], "exclude-scaling", SCALING),
    (&["snapshot", "server"], "e", "use -x instead"),
    (&["fingerprint"], "e", "use -x instead"),
    (&["fingerprint"], "registry-provider", "no longer used"),
    (
        &["assert", "artifact"],
        "registry-provider",
        "no longer used",
    ),
    (
        &["attest", "artifact"],
        "registry-provider",
        "no longer used",
    ),
    (
        &["allow", "artifact"],
        "registry-provider",
        "no longer used",
    ),
];

/// The flag a command-line word gives, if it gives one.
fn flag_of(word: &str) -> Option<&str> {
    match word.strip_prefix("--") {
        Some(long) => Some(long.split('=').next().unwrap_or(long)),
        None => (word == "-e" || word.starts_with("-e=")).then_some("e"),
    }
}

/// The warnings for the deprecated flags of a command line, in its order.
pub fn warnings(root: &Command, argv: &[String]) -> Vec<String> {
    let path = reach(root, argv).path;
    argv.iter()
        .filter_map(|word| flag_of(word))
        .filter_map(|flag| {
            DEPRECATED
                .iter()
                .find(|(prefix, name, _)| *name == flag && path.starts_with(prefix))
                .map(|(_, name, why)| format!("Flag --{name} has been deprecated, {why}"))
        })
        .collect()
}

/// `--include-scaling` / `--exclude-scaling`: scaling always makes a snapshot.
#[derive(Debug, Clone, Default, Args)]
pub struct ScalingFlags {
    #[arg(long, hide = true, action = ArgAction::Set, num_args = 0..=1,
          default_missing_value = "true", default_value = "false", conflicts_with = "exclude_scaling")]
    include_scaling: bool,
    #[arg(long, hide = true, action = ArgAction::Set, num_args = 0..=1,
          default_missing_value = "true", default_value = "false")]
    exclude_scaling: bool,
}

impl ScalingFlags {
    /// What the flags ask of a new environment, as Kosli sends it:
    /// `Some(true)`, `Some(false)`, or nothing when neither is given.
    pub fn include_scaling(&self) -> Option<bool> {
        match (self.include_scaling, self.exclude_scaling) {
            (true, _) => Some(true),
            (_, true) => Some(false),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Arg;

    #[test]
    fn deprecated_flags_warn_in_command_line_order_where_kosli_warns() {
        let mut root = Command::new("custody")
            .subcommand(Command::new("create").subcommand(Command::new("environment")))
            .subcommand(Command::new("snapshot").subcommand(Command::new("server")))
            .subcommand(Command::new("fingerprint").arg(Arg::new("e").short('e')));
        root.build();
        let argv = |words: &str| words.split(' ').map(String::from).collect::<Vec<_>>();
        assert_eq!(
            warnings(
                &root,
                &argv("custody create environment prod --exclude-scaling --include-scaling=true")
            ),
            [
                format!("Flag --exclude-scaling has been deprecated, {SCALING}"),
                format!("Flag --include-scaling has been deprecated, {SCALING}")
            ]
        );
        assert_eq!(
            warnings(&root, &argv("custody fingerprint -e x")),
            ["Flag --e has been deprecated, use -x instead"]
        );
        assert!(
            warnings(&root, &argv("custody snapshot server prod --visibility x")).is_empty(),
            "only where Kosli has the flag"
        );
    }
}
