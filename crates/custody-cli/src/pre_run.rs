//! Kosli's pre-run checks, which cobra runs before it looks for missing
//! required flags: when clap finds a required flag missing, the checks of
//! `--org`, `--api-token` and the artifact argument of `allow artifact`,
//! `assert artifact` and `attest …` are made on the words first, so that
//! `attest generic wibble` without `--artifact-type` is told about the type,
//! as Kosli tells it, not about `--name`.

use clap::Command;

use crate::commands::fingerprint::{check_artifact_arg, check_attestation_arg};
use crate::parse_errors::Reached;
use crate::usage::use_line;

/// The value of a flag given as `--long V`, `--long=V`, `-s V` or `-sV`.
fn flag<'a>(argv: &'a [String], long: &str, short: Option<char>) -> Option<&'a str> {
    let short = short.map(|c| format!("-{c}"));
    let mut words = argv.iter().skip(1);
    let mut found = None;
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        }
        if let Some(rest) = word.strip_prefix("--") {
            if rest == long {
                found = words.next().map(String::as_str);
            } else if let Some(value) = rest.strip_prefix(long).and_then(|r| r.strip_prefix('=')) {
                found = Some(value);
            }
        } else if let Some(short) = short.as_deref().filter(|s| word.starts_with(*s)) {
            found = match &word[short.len()..] {
                "" => words.next().map(String::as_str),
                inline => Some(inline.trim_start_matches('=')),
            };
        }
    }
    found.filter(|v| !v.is_empty())
}

/// The first pre-run complaint about these words, with the usage line, if
/// the reached command is one whose pre-run checks Kosli makes first.
pub(crate) fn before_required_flags(
    root: &Command,
    reached: &Reached,
    argv: &[String],
) -> Option<String> {
    let path = reached.path.as_slice();
    let artifact = matches!(path, ["allow" | "assert", "artifact"]);
    if !artifact && path.first() != Some(&"attest") {
        return None;
    }
    let complaint = if flag(argv, "org", None).is_none() {
        crate::usage::error("--org is not set")
    } else if flag(argv, "api-token", Some('a')).is_none() {
        crate::usage::error("--api-token is not set")
    } else {
        let artifact_type = flag(argv, "artifact-type", Some('t'));
        let fingerprint = flag(argv, "fingerprint", Some('F'));
        let args = &reached.positionals;
        let checked = match path {
            ["attest", "artifact"] | ["allow", _] => {
                check_artifact_arg(args.first().copied(), artifact_type, fingerprint, true)
            }
            ["assert", _] => {
                check_artifact_arg(args.first().copied(), artifact_type, fingerprint, false)
            }
            _ => check_attestation_arg(args, artifact_type, fingerprint),
        };
        checked.err()?
    };
    Some(format!("{complaint}\nUsage: {}", use_line(root, argv)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(line: &str) -> Vec<String> {
        line.split(' ').map(String::from).collect()
    }

    #[test]
    fn flag_values_are_read_in_every_spelling() {
        let argv = words("custody x --org=acme -a key -tfile --org");
        assert_eq!(flag(&argv, "org", None), None, "the last one counts");
        assert_eq!(flag(&argv, "api-token", Some('a')), Some("key"));
        assert_eq!(flag(&argv, "artifact-type", Some('t')), Some("file"));
        assert_eq!(flag(&argv, "fingerprint", Some('F')), None);
        assert_eq!(
            flag(&words("custody x --org=acme"), "org", None),
            Some("acme")
        );
        assert_eq!(flag(&words("custody x --organic y"), "org", None), None);
    }
}
