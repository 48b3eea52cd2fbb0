//! Parse errors in Kosli's (cobra's) words: how many positional arguments a
//! command accepts (`accepts 1 arg(s), received 2`), unknown words after a
//! command that takes none (`unknown command "x" for "custody list policies"`),
//! required flags (`required flag(s) "x" not set`) and unknown subcommands.
//! Arguments are checked before flags, as cobra does.

use clap::Command;
use clap::error::{ContextKind, ContextValue, ErrorKind};

/// The command a command line reaches, with its path and the positional words
/// given to it.
pub(crate) struct Reached<'a> {
    pub command: &'a Command,
    pub path: Vec<&'a str>,
    pub positionals: Vec<&'a str>,
}

/// Whether a flag consumes the next word as its value.
fn takes_value(command: &Command, word: &str) -> bool {
    let flag = command.get_arguments().find(|a| {
        if let Some(long) = word.strip_prefix("--") {
            a.get_long() == Some(long) || a.get_all_aliases().is_some_and(|v| v.contains(&long))
        } else {
            let mut chars = word.chars().skip(1);
            matches!((chars.next(), chars.next()), (Some(c), None) if a.get_short() == Some(c))
        }
    });
    flag.is_some_and(|a| {
        a.get_action().takes_values() && a.get_num_args().is_none_or(|n| n.min_values() > 0)
    })
}

pub(crate) fn reach<'a>(root: &'a Command, argv: &'a [String]) -> Reached<'a> {
    let mut reached = Reached {
        command: root,
        path: Vec::new(),
        positionals: Vec::new(),
    };
    let mut words = argv.iter().skip(1).map(String::as_str);
    while let Some(word) = words.next() {
        if word == "--" {
            reached.positionals.extend(words.by_ref());
        } else if word.starts_with('-') && word.len() > 1 {
            if !word.contains('=') && takes_value(reached.command, word) {
                words.next();
            }
        } else if let Some(sub) = reached
            .positionals
            .is_empty()
            .then(|| reached.command.find_subcommand(word))
            .flatten()
        {
            reached.command = sub;
            reached.path.push(sub.get_name());
        } else {
            reached.positionals.push(word);
        }
    }
    reached
}

/// Cobra's complaint about the number of positional words, if there is one.
fn argument_count(reached: &Reached) -> Option<String> {
    if reached.command.has_subcommands() {
        return None;
    }
    let given = reached.positionals.len();
    if reached.path.first() == Some(&"attest") && given > 1 {
        return Some(crate::flags::too_many(&reached.positionals));
    }
    let args: Vec<_> = reached.command.get_positionals().collect();
    let unbounded = args.iter().any(|a| {
        a.get_num_args()
            .is_some_and(|n| n.max_values() == usize::MAX)
    });
    let min = args.iter().filter(|a| a.is_required_set()).count();
    let max = args.len();
    // `join environment` declares exactly no arguments; other commands without
    // arguments take the unknown word for a subcommand, as cobra does.
    if max == 0 && given > 0 && reached.path == ["join", "environment"] {
        return Some(format!("accepts 0 arg(s), received {given}"));
    }
    if max == 0 && given > 0 {
        return Some(format!(
            "unknown command \"{}\" for \"custody {}\"",
            reached.positionals[0],
            reached.path.join(" ")
        ));
    }
    if given < min {
        return Some(if unbounded {
            format!("requires at least {min} arg(s), only received {given}")
        } else if min == max {
            format!("accepts {max} arg(s), received {given}")
        } else {
            format!("accepts between {min} and {max} arg(s), received {given}")
        });
    }
    if given > max && !unbounded {
        return Some(match min {
            0 => format!("accepts at most {max} arg(s), received {given}"),
            _ if min == max => format!("accepts {max} arg(s), received {given}"),
            _ => format!("accepts between {min} and {max} arg(s), received {given}"),
        });
    }
    None
}

/// Flags that exclude each other, in the order Kosli names them (for commands
/// under a path prefix); the `bool` says whether Kosli words the conflict as a
/// cobra flag group.
const EXCLUSIVE: &[(&[&str], &[&str], bool)] = &[
    (&[], &["fingerprint", "artifact-type"], false),
    (&[], &["template", "template-file"], false),
    (&[], &["template-file", "use-empty-template"], false),
    (&[], &["sonar-revision", "pull-request"], false),
    (&[], &["sonar-branch", "pull-request"], false),
    (&[], &["environment", "policy"], true),
    (&["create"], &["exclude-scaling", "include-scaling"], false),
    (&["create"], &["summary", "summary-json"], false),
    (&["evaluate"], &["assert", "no-assert"], true),
    (&["list", "repos"], &["name", "search"], true),
    (
        &[],
        &["bitbucket-password", "bitbucket-access-token"],
        false,
    ),
    (
        &["snapshot"],
        &["include-scaling", "exclude-scaling"],
        false,
    ),
];

/// The long name of a flag as clap quotes it (`--template <TEMPLATE>`).
fn long_name(quoted: &str) -> &str {
    quoted
        .split_whitespace()
        .next()
        .unwrap_or(quoted)
        .trim_start_matches('-')
}

/// Two flags given together that exclude each other, in Kosli's words.
fn conflict(path: &[&str], first: &str, second: &str) -> String {
    let (a, b) = (long_name(first), long_name(second));
    let group = EXCLUSIVE
        .iter()
        .find(|(prefix, g, _)| path.starts_with(prefix) && g.contains(&a) && g.contains(&b));
    match group.map(|(_, g, cobra)| (g, cobra)) {
        Some((group, true)) => {
            let group = group.join(" ");
            format!(
                "if any flags in the group [{group}] are set none of the others can be; [{group}] were all set"
            )
        }
        Some((group, false)) => format!("only one of --{} is allowed", group.join(", --")),
        None => format!("only one of --{a}, --{b} is allowed"),
    }
}

/// Turns clap's parse errors into Kosli's wording where Kosli has one. `root`
/// is the whole command tree (built), `argv` the words parsed.
pub fn describe_parse_error(error: &clap::Error, root: &Command, argv: &[String]) -> String {
    let names = |kind| match error.get(kind) {
        Some(ContextValue::Strings(v)) => v.clone(),
        Some(ContextValue::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    };
    let counted = matches!(
        error.kind(),
        ErrorKind::MissingRequiredArgument
            | ErrorKind::UnknownArgument
            | ErrorKind::InvalidSubcommand
    )
    .then(|| argument_count(&reach(root, argv)))
    .flatten();
    if let Some(message) = counted {
        return message;
    }
    match error.kind() {
        ErrorKind::ArgumentConflict => {
            let first = names(ContextKind::InvalidArg);
            let prior = names(ContextKind::PriorArg);
            match (first.first(), prior.first()) {
                (Some(a), Some(b)) => conflict(&reach(root, argv).path, a, b),
                _ => clap_text(error),
            }
        }
        ErrorKind::MissingRequiredArgument => {
            let reached = reach(root, argv);
            if let Some(message) = crate::pre_run::before_required_flags(root, &reached, argv) {
                return message;
            }
            // Cobra lists them as pflag visits flags: sorted by name.
            let mut flags: Vec<String> = names(ContextKind::InvalidArg)
                .iter()
                .map(|a| format!("\"{}\"", long_name(a)))
                .collect();
            flags.sort();
            format!("required flag(s) {} not set", flags.join(", "))
        }
        ErrorKind::InvalidSubcommand => {
            let token = names(ContextKind::InvalidSubcommand).join(" ");
            format!("unknown command: {token}\nrun with --help to see the available commands")
        }
        _ => clap_text(error),
    }
}

/// Clap's own message, without its usage and help hints.
fn clap_text(error: &clap::Error) -> String {
    let text = error.render().to_string();
    let text = text.trim_start_matches("error: ");
    text.split("\n\n").next().unwrap_or(text).trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Arg, ArgAction};

    fn tree() -> Command {
        let get = Command::new("get")
            .subcommand(Command::new("policy").arg(Arg::new("name").required(true)))
            .subcommand(Command::new("attestation").arg(Arg::new("name")));
        let mut root = Command::new("custody")
            .arg(
                Arg::new("org")
                    .long("org")
                    .global(true)
                    .action(ArgAction::Set),
            )
            .subcommand(get)
            .subcommand(Command::new("list").subcommand(Command::new("policies")))
            .subcommand(
                Command::new("attest").subcommand(
                    Command::new("generic")
                        .arg(Arg::new("args").num_args(0..))
                        .arg(Arg::new("name").long("name").required(true)),
                ),
            )
            .subcommand(Command::new("evaluate").subcommand(
                Command::new("trails").arg(Arg::new("trails").required(true).num_args(1..)),
            ));
        root.build();
        root
    }

    fn message(words: &str) -> String {
        let root = tree();
        let argv: Vec<String> = words.split(' ').map(String::from).collect();
        let error = root.clone().try_get_matches_from(&argv).unwrap_err();
        describe_parse_error(&error, &root, &argv)
    }

    #[test]
    fn argument_counts_are_told_as_cobra_tells_them() {
        assert_eq!(
            message("custody get policy"),
            "accepts 1 arg(s), received 0"
        );
        assert_eq!(
            message("custody get policy a b"),
            "accepts 1 arg(s), received 2"
        );
        assert_eq!(
            message("custody get policy --org acme a b"),
            "accepts 1 arg(s), received 2",
            "a flag's value is not an argument"
        );
        assert_eq!(
            message("custody get attestation a b"),
            "accepts at most 1 arg(s), received 2"
        );
        assert_eq!(
            message("custody list policies xxx"),
            "unknown command \"xxx\" for \"custody list policies\""
        );
        assert_eq!(
            message("custody attest generic foo false"),
            "accepts at most 1 arg(s), received 2 [foo false]\nSee https://docs.kosli.com/faq/#boolean-flags",
            "before the missing required flags, as cobra checks"
        );
        assert_eq!(
            message("custody evaluate trails"),
            "requires at least 1 arg(s), only received 0"
        );
    }

    #[test]
    fn conflicting_flags_are_named_in_kosli_order() {
        assert_eq!(
            conflict(
                &["create", "flow"],
                "--use-empty-template [<X>]",
                "--template-file <F>"
            ),
            "only one of --template-file, --use-empty-template is allowed"
        );
        assert_eq!(
            conflict(&["assert", "artifact"], "--policy <P>", "--environment <E>"),
            "if any flags in the group [environment policy] are set none of the others can be; [environment policy] were all set"
        );
        assert_eq!(
            conflict(&[], "--a <A>", "--b <B>"),
            "only one of --a, --b is allowed"
        );
        assert_eq!(
            conflict(
                &["create", "environment"],
                "--include-scaling",
                "--exclude-scaling"
            ),
            "only one of --exclude-scaling, --include-scaling is allowed"
        );
        assert_eq!(
            conflict(
                &["snapshot", "paths"],
                "--exclude-scaling",
                "--include-scaling"
            ),
            "only one of --include-scaling, --exclude-scaling is allowed"
        );
    }

    #[test]
    fn unknown_subcommands_keep_their_wording() {
        assert_eq!(
            message("custody frobnicate"),
            "unknown command: frobnicate\nrun with --help to see the available commands"
        );
    }
}
